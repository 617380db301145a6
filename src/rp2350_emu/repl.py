"""Parser for Renode platform description (.repl) files.

Covers the subset of the grammar platform files use in practice (see
docs renode-compat.md section 3): entries `name: Type @ registration`,
indented `key: value` attributes, IRQ wiring `[0-3] -> nvic@[0-3]`,
`init:`-style blocks, `using`, `//` and `/* */` comments and `{ a; b }`
inline blocks. The result is a merged list of Entry objects; deciding what
an entry *means* is the machine's job, not the parser's.

Every error is a ConfigError "file:line: what is wrong, expected what".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .errors import ConfigError

INDENT = 4
T = TypeVar("T")
BLOCK_KEYWORDS = ("init", "init add", "preinit", "preinit add", "reset", "reset add")


# -- values -------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A reference to another entry (or an enum value: `A.B`)."""
    name: str


@dataclass(frozen=True)
class Range:
    start: int
    size: int


@dataclass(frozen=True)
class NewObject:
    type: str
    attrs: dict


class _Keyword(str):
    pass


EMPTY = _Keyword("empty")
NONE = _Keyword("none")

Value = str | int | bool | Ref | Range | NewObject | list | _Keyword


@dataclass(frozen=True)
class Registration:
    parent: str  # "sysbus", or a GPIO controller name, or "none"
    address: int | None = None  # bus address, or pin number on a controller
    size: int | None = None


@dataclass(frozen=True)
class IrqTarget:
    target: str
    pin: int


@dataclass
class IrqConnection:
    source: str | int | None  # None = the default output ("IRQ")
    targets: list[IrqTarget]  # empty = "-> none" (cancel)
    line: int
    file: str


@dataclass
class Entry:
    name: str
    file: str
    line: int
    type: str | None = None
    registrations: list[Registration] = field(default_factory=list)
    alias: str | None = None
    attrs: dict[str, Value] = field(default_factory=dict)
    irqs: list[IrqConnection] = field(default_factory=list)
    blocks: dict[str, list[str]] = field(default_factory=dict)  # "init" -> statements
    attr_lines: dict[str, int] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def bus_registration(self) -> Registration | None:
        for reg in self.registrations:
            if reg.parent == "sysbus":
                return reg
        return None


@dataclass
class Platform:
    entries: dict[str, Entry]
    files: list[str]

    def __getitem__(self, name: str) -> Entry:
        return self.entries[name]

    def __iter__(self):
        return iter(self.entries.values())

    def of_type(self, *types: str) -> list[Entry]:
        wanted = {normalise_type(t) for t in types}
        return [e for e in self.entries.values() if e.type and normalise_type(e.type) in wanted]


def normalise_type(name: str) -> str:
    prefix = "Antmicro.Renode.Peripherals."
    return name.removeprefix(prefix)


# -- lexing -------------------------------------------------------------------
@dataclass
class _Line:
    number: int
    indent: int
    text: str


class _Source:
    """Comment-free logical lines, with brace/bracket blocks joined."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = self._logical_lines(text)

    def error(self, line: int, what: str) -> ConfigError:
        return ConfigError(f"{self.path}:{line}: {what}")

    def _logical_lines(self, text: str) -> list[_Line]:
        out: list[_Line] = []
        i, n, lineno = 0, len(text), 1
        buf: list[str] = []
        start_line = 1
        depth = 0
        in_block_comment = False
        comment_start = 0

        has_content = False

        def flush() -> None:
            nonlocal has_content
            has_content = False
            raw = "".join(buf)
            if raw.strip():
                if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                    raise self.error(start_line, "tab in indentation, expected spaces (4 per level)")
                indent = len(raw) - len(raw.lstrip(" "))
                out.append(_Line(start_line, indent, raw.strip()))
            buf.clear()

        while i < n:
            c = text[i]
            if in_block_comment:
                if text.startswith("*/", i):
                    in_block_comment = False
                    i += 2
                    continue
                if c == "\n":
                    lineno += 1
                i += 1
                continue
            if text.startswith("'''", i):
                end = text.find("'''", i + 3)
                if end < 0:
                    raise self.error(lineno, "unterminated ''' string, expected a closing '''")
                chunk = text[i:end + 3]
                if not has_content:
                    has_content, start_line = True, lineno
                buf.append(chunk)
                lineno += chunk.count("\n")
                i = end + 3
                continue
            if c == '"':
                j = i + 1
                while j < n and text[j] != '"' and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                if j >= n or text[j] != '"':
                    raise self.error(lineno, 'unterminated string, expected a closing "')
                if not has_content:
                    has_content, start_line = True, lineno
                buf.append(text[i:j + 1])
                i = j + 1
                continue
            if text.startswith("//", i):
                while i < n and text[i] != "\n":
                    i += 1
                continue
            if text.startswith("/*", i):
                in_block_comment = True
                comment_start = lineno
                i += 2
                continue
            if c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
                if depth < 0:
                    raise self.error(lineno, f"unbalanced '{c}', expected a matching opening bracket")
            if c == "\n":
                lineno += 1
                if depth == 0:
                    flush()
                else:
                    buf.append(" ")
                i += 1
                continue
            if c != " " and not has_content:
                has_content = True
                start_line = lineno  # where the line's text really starts
            buf.append(c)
            i += 1
        if in_block_comment:
            raise self.error(comment_start, "unterminated /* comment, expected */")
        if depth:
            raise self.error(start_line, "unclosed '{' or '[', expected a closing bracket")
        flush()
        return out


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<mstring>'''(?:.|\n)*?''')
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<arrow>->)
  | (?P<number>(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*))(?![A-Za-z_])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[:@<>,+\[\]{};|#=-])
""", re.VERBOSE)


@dataclass
class _Tok:
    kind: str
    text: str
    value: object = None


def _tokenize(src: _Source, line: _Line, text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise src.error(line.number, f"unexpected character {text[pos]!r}, expected a name, "
                                         "number, string or one of : @ < > , + [ ] { } ; | ->")
        kind = m.lastgroup or ""
        tok = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "number":
            toks.append(_Tok("number", tok, int(tok.replace("_", ""), 0)))
        elif kind == "string":
            toks.append(_Tok("string", tok, bytes(tok[1:-1], "utf-8").decode("unicode_escape")))
        elif kind == "mstring":
            toks.append(_Tok("string", tok, tok[3:-3]))
        else:
            toks.append(_Tok(kind, tok))
    return toks


class _Parser:
    """Recursive descent over the tokens of one logical line."""

    def __init__(self, src: _Source, line: _Line, toks: list[_Tok]) -> None:
        self.src, self.line, self.toks, self.i = src, line, toks, 0

    def error(self, what: str) -> ConfigError:
        return self.src.error(self.line.number, what)

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text == text and tok.kind != "string"

    def take(self) -> _Tok:
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


def _expand_numbers(p: _Parser, what: str) -> list[int]:
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


def _parse_irq(p: _Parser, src: _Source, line: _Line) -> list[IrqConnection]:
    sources: list[str | int | None]
    if p.at("->"):
        sources = [None]
    elif p.at("["):
        sources = list(_expand_numbers(p, "IRQ source number"))
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
        pins = _expand_numbers(p, "destination pin")
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


# -- the parser proper --------------------------------------------------------
class ReplParser:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.created: dict[str, Entry] = {}
        self.files: list[str] = []

    def parse_file(self, path: str | Path, prefix: str = "", _stack: tuple[str, ...] = ()) -> None:
        path = Path(path)
        key = str(path.resolve()) if path.exists() else str(path)
        if key in _stack:
            raise ConfigError(f"{path}: 'using' cycle ({' -> '.join(_stack + (key,))})")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read platform file ({exc.strerror})") from None
        self.files.append(str(path))
        self.parse_text(text, str(path), prefix, _stack + (key,), path.parent)

    def parse_text(self, text: str, name: str = "<string>", prefix: str = "",
                   _stack: tuple[str, ...] = (), base_dir: Path | None = None) -> None:
        src = _Source(name, text)
        lines = src.lines
        i = 0
        seen_entry = False
        while i < len(lines):
            line = lines[i]
            if line.indent % INDENT:
                raise src.error(line.number, f"indentation of {line.indent} spaces, expected a multiple of {INDENT}")
            if line.indent:
                raise src.error(line.number, "indented line outside an entry, expected 'name: Type @ ...'")
            if line.text.startswith("using ") or line.text == "using":
                if seen_entry:
                    raise src.error(line.number, "'using' after an entry, expected all 'using' lines first")
                self._using(src, line, base_dir or Path("."), prefix, _stack)
                i += 1
                continue
            seen_entry = True
            # an entry and its indented body
            body: list[_Line] = []
            j = i + 1
            while j < len(lines) and lines[j].indent > 0:
                body.append(lines[j])
                j += 1
            self._entry(src, line, body, prefix)
            i = j

    def _using(self, src: _Source, line: _Line, base_dir: Path, prefix: str, stack: tuple[str, ...]) -> None:
        p = _Parser(src, line, _tokenize(src, line, line.text))
        p.take()
        tok = p.peek()
        if tok is None or tok.kind != "string":
            raise src.error(line.number, 'using without a path, expected using "path/to/file.repl"')
        p.i += 1
        sub_prefix = prefix
        if p.at("prefixed"):
            p.i += 1
            tok2 = p.peek()
            if tok2 is None or tok2.kind != "string":
                raise src.error(line.number, 'prefixed without a string, expected prefixed "p_"')
            p.i += 1
            sub_prefix = prefix + str(tok2.value)
        p.expect_end("end of line after using")
        target = str(tok.value)
        candidates = [base_dir / target] if target.startswith(("./", "../")) else \
            [base_dir / target, Path.cwd() / target]
        for cand in candidates:
            if cand.exists():
                self.parse_file(cand, sub_prefix, stack)
                return
        raise src.error(line.number, f"using {target!r}: file not found (looked in "
                                     f"{', '.join(str(c) for c in candidates)})")

    def _entry(self, src: _Source, line: _Line, body: list[_Line], prefix: str) -> None:
        p = _Parser(src, line, _tokenize(src, line, line.text))
        if p.at("local"):
            p.i += 1
        name = p.ident("an entry name at the start of the line")
        if "." in name:
            raise p.error(f"entry name {name!r} contains '.', expected a plain name")
        name = prefix + name
        p.expect(":", f"':' after entry name {name!r}")
        entry_type: str | None = None
        regs: list[Registration] = []
        alias = None
        tok = p.peek()
        if tok is not None and tok.kind == "ident" and tok.text not in ("as",):
            entry_type = p.ident("a type name")
        if p.at("@"):
            p.i += 1
            regs = p.registration()
        if p.at("as"):
            p.i += 1
            atok = p.take()
            if atok.kind != "string":
                raise p.error('as without a string, expected as "alias"')
            alias = str(atok.value)
        inline: dict[str, Value] = {}
        if p.at("{"):
            inline = p.brace_attrs()
        p.expect_end("end of line after the entry header (type, '@ registration', 'as', '{ }')")

        entry = self._merge_target(src, line, name, entry_type)
        if regs:
            entry.registrations = regs
        if alias:
            entry.alias = alias
        for key, val in inline.items():
            entry.attrs[key] = val
            entry.attr_lines[key] = line.number
        self._body(src, body, entry)

    def _merge_target(self, src: _Source, line: _Line, name: str, entry_type: str | None) -> Entry:
        entry = self.entries.get(name)
        if entry is None:
            entry = Entry(name, src.path, line.number, entry_type)
            self.entries[name] = entry
        elif entry_type is not None:
            if entry.type is not None:
                raise src.error(line.number, f"entry {name!r} is created twice (first at {entry.where}), "
                                             "expected an updating entry without a type")
            entry.type = entry_type
            entry.file, entry.line = src.path, line.number
        return entry

    def _body(self, src: _Source, body: list[_Line], entry: Entry) -> None:
        k = 0
        while k < len(body):
            line = body[k]
            if line.indent != INDENT:
                raise src.error(line.number, f"indentation of {line.indent} spaces, expected {INDENT} "
                                             "for an attribute of " + repr(entry.name))
            block = self._block_keyword(line.text)
            if block is not None:
                statements: list[str] = []
                k += 1
                while k < len(body) and body[k].indent > INDENT:
                    statements.append(body[k].text)
                    k += 1
                kind = block.replace(" add", "")
                if block.endswith(" add"):
                    entry.blocks.setdefault(kind, []).extend(statements)
                else:
                    entry.blocks[kind] = statements
                continue
            toks = _tokenize(src, line, line.text)
            p = _Parser(src, line, toks)
            if any(t.kind == "arrow" for t in toks):
                for conn in _parse_irq(p, src, line):
                    entry.irqs = [c for c in entry.irqs if c.source != conn.source]
                    entry.irqs.append(conn)
            else:
                attr = p.ident("an attribute 'name: value' or an IRQ line 'source -> target@n'")
                p.expect(":", f"':' after attribute {attr!r}")
                val = p.value()
                p.expect_end(f"end of line after the value of {attr!r}")
                entry.attrs[attr] = val
                entry.attr_lines[attr] = line.number
            k += 1

    @staticmethod
    def _block_keyword(text: str) -> str | None:
        m = re.fullmatch(r"(init|preinit|reset)(\s+add)?\s*:", text)
        if not m:
            return None
        return m.group(1) + (" add" if m.group(2) else "")


def parse_repl(path: str | Path) -> Platform:
    """Parse a .repl file (following `using`) into merged entries."""
    parser = ReplParser()
    parser.parse_file(path)
    return Platform(parser.entries, parser.files)


def parse_repl_text(text: str, name: str = "<string>") -> Platform:
    parser = ReplParser()
    parser.parse_text(text, name)
    return Platform(parser.entries, parser.files)
