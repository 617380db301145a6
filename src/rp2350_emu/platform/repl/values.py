"""Values on a .repl line: numbers, strings, references, lists, ranges, objects, IRQ wiring."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.repl.ast import (
    EMPTY,
    NONE,
    IrqConnection,
    IrqTarget,
    NewObject,
    Range,
    Ref,
    Registration,
    Value,
)
from rp2350_emu.platform.repl.lexer import Line, Source, Tok

T = TypeVar("T")



class LineParser:
    """Recursive descent over the tokens of one logical line."""

    def __init__(self, src: Source, line: Line, toks: list[Tok]) -> None:
        self.src, self.line, self.toks, self.i = src, line, toks, 0

    def error(self, what: str) -> ConfigError:
        return self.src.error(self.line.number, what)

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text == text and tok.kind != "string"

    def take(self) -> Tok:
        tok = self.peek()
        if tok is None:
            raise self.error("line ends too early")
        self.i += 1
        return tok

    def expect(self, text: str, expected: str) -> None:
        tok = self.peek()
        if tok is None or tok.text != text:
            got = "end of line" if tok is None else repr(tok.text)
            raise self.error(f"found {got}, expected {expected}")
        self.i += 1

    def done(self) -> bool:
        return self.i >= len(self.toks)

    def expect_end(self, expected: str) -> None:
        if not self.done():
            raise self.error(f"unexpected {self.peek().text!r}, expected {expected}")  # type: ignore[union-attr]

    def number(self, what: str) -> int:
        tok = self.peek()
        if tok is None or tok.kind != "number":
            got = "end of line" if tok is None else repr(tok.text)
            raise self.error(f"found {got}, expected {what} (a number such as 0x40070000)")
        self.i += 1
        return tok.value  # type: ignore[return-value]

    def ident(self, what: str) -> str:
        tok = self.peek()
        if tok is None or tok.kind != "ident":
            got = "end of line" if tok is None else repr(tok.text)
            raise self.error(f"found {got}, expected {what}")
        self.i += 1
        return tok.text

    # values
    def value(self) -> Value:
        tok = self.peek()
        if tok is None:
            raise self.error("missing value, expected a number, string, bool, reference, range or list")
        if tok.kind == "number":
            self.i += 1
            return tok.value  # type: ignore[return-value]
        if tok.kind == "string":
            self.i += 1
            return tok.value  # type: ignore[return-value]
        if tok.text == "<":
            return self.range()
        if tok.text == "[":
            return self.delimited("[", "]", ",", self.value, "a list")
        if tok.kind == "ident":
            self.i += 1
            if tok.text in ("true", "false"):
                return tok.text == "true"
            if tok.text == "empty":
                return EMPTY
            if tok.text == "none":
                return NONE
            if tok.text == "new":
                type_name = self.ident("a type name after 'new'")
                attrs = self.brace_attrs() if self.at("{") else {}
                return NewObject(type_name, attrs)
            return Ref(tok.text)
        raise self.error(f"unexpected {tok.text!r}, expected a value")

    def range(self) -> Range:
        self.expect("<", "'<'")
        start = self.number("range start")
        self.expect(",", "',' in a range <start, +size>")
        relative = self.at("+")
        if relative:
            self.i += 1
        end = self.number("range end or +size")
        self.expect(">", "'>' closing the range")
        size = end if relative else end - start
        if size <= 0:
            raise self.error(f"empty range <0x{start:x}, ...>, expected a positive size")
        return Range(start, size)

    def delimited(self, open_: str, close: str, sep: str, item: Callable[[], T], what: str) -> list[T]:
        """`open item sep item ... close`, e.g. `[1, 2]` or `{ a: 1; b: 2 }`."""
        self.expect(open_, f"'{open_}'")
        items: list[T] = []
        while not self.at(close):
            items.append(item())
            if not self.at(close):
                self.expect(sep, f"'{sep}' or '{close}' in {what}")
        self.i += 1
        return items

    def attribute(self) -> tuple[str, Value]:
        name = self.ident("an attribute name inside { }")
        self.expect(":", f"':' after attribute {name!r}")
        return name, self.value()

    def brace_attrs(self) -> dict[str, Value]:
        return dict(self.delimited("{", "}", ";", self.attribute, "attributes"))

    def registration(self) -> list[Registration]:
        if self.at("{"):
            return self.delimited("{", "}", ";", self.single_registration, "registrations")
        return [self.single_registration()]

    def single_registration(self) -> Registration:
        parent = self.ident("a registration target such as 'sysbus'")
        if parent == "none":
            return Registration("none")
        tok = self.peek()
        if tok is None or tok.text in ("as", "{"):
            return Registration(parent)
        if tok.kind == "number":
            return Registration(parent, self.number("an address"))
        if tok.text == "<":
            rng = self.range()
            return Registration(parent, rng.start, rng.size)
        if tok.text == "new":
            obj = self.value()
            assert isinstance(obj, NewObject)
            addr = obj.attrs.get("address")
            if not isinstance(addr, int):
                raise self.error(f"{obj.type} without an address, expected 'address: 0x...'")
            return Registration(parent, addr)
        raise self.error(f"unexpected {tok.text!r}, expected an address, a range <start, +size> or end of line")


def expand_numbers(p: LineParser, what: str) -> list[int]:
    """`[0-3, 5]` or a bare number -> [0, 1, 2, 3, 5]."""
    if not p.at("["):
        return [p.number(what)]
    p.i += 1
    out: list[int] = []
    while not p.at("]"):
        lo = p.number(what)
        if p.at("-"):
            p.i += 1
            hi = p.number(f"end of a {what} range")
            if hi < lo:
                raise p.error(f"range {lo}-{hi} runs backwards, expected low-high")
            out.extend(range(lo, hi + 1))
        else:
            out.append(lo)
        if not p.at("]"):
            p.expect(",", "',' or ']' in a number list")
    p.i += 1
    return out


def parse_irq(p: LineParser, src: Source, line: Line) -> list[IrqConnection]:
    sources: list[str | int | None]
    if p.at("->"):
        sources = [None]
    elif p.at("["):
        sources = list(expand_numbers(p, "IRQ source number"))
    elif p.peek() and p.peek().kind == "number":  # type: ignore[union-attr]
        sources = [p.number("IRQ source number")]
    else:
        sources = [p.ident("an IRQ source name, number or '->'")]
    p.expect("->", "'->' in an IRQ connection")
    if p.at("none"):
        p.i += 1
        p.expect_end("end of line after '-> none'")
        return [IrqConnection(s, [], line.number, src.path) for s in sources]
    fanout: list[list[IrqTarget]] = []
    while True:
        target = p.ident("an IRQ destination such as nvic@33")
        if p.at("#"):
            raise p.error("local GPIO receivers (name#n@pin) are not supported, expected name@pin")
        p.expect("@", f"'@' after destination {target!r}")
        pins = expand_numbers(p, "destination pin")
        if len(pins) != len(sources):
            raise p.error(f"{len(sources)} source(s) but {len(pins)} destination pin(s), "
                          "expected the same number on both sides")
        fanout.append([IrqTarget(target, pin) for pin in pins])
        if p.at("|"):
            p.i += 1
            continue
        break
    p.expect_end("end of line or '|' after an IRQ destination")
    return [IrqConnection(s, [targets[k] for targets in fanout], line.number, src.path)
            for k, s in enumerate(sources)]
