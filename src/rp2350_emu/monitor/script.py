"""Renode monitor syntax: splitting scripts into statements and lines into tokens.

A `.resc` is a sequence of monitor statements, one per line, except that a
triple-quoted string may span lines (used by `macro` and `set`). `#` starts
a comment outside strings; lines starting with `:` are header comments
(`:name:`, `:description:`). Every statement keeps the file and line where it
starts, so errors can point at it.

Tokens are typed the way the monitor needs them: words (commands, object
paths, method names), strings, `@paths`, numbers, booleans, `<ranges>`,
`$variables` (optionally followed by a path tail, as in `$ORIGIN/x.repl`),
`$var=value` / `$var?=value` assignments and backtick substitutions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rp2350_emu.errors import ConfigError
from rp2350_emu.inputs import decode_text


class ScriptSyntaxError(Exception):
    """Malformed monitor input; `where` is "file:line" when known."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class Statement:
    text: str
    file: str  # display name ("<command>" for typed/Robot input)
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, path, int, float, bool, range, var, assign, backtick
    value: object
    text: str  # as written, for messages

    def __repr__(self) -> str:  # short form in error messages
        return self.text


def split_statements(source: str, file: str = "<command>", first_line: int = 1) -> list[Statement]:
    """Statements of a script, joining lines that a triple-quoted string spans."""
    statements: list[Statement] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        while text.count('"""') % 2 == 1:
            i += 1
            if i >= len(lines):
                raise ScriptSyntaxError('unterminated """ string (expected a closing """)',
                                        f"{file}:{first_line + start}")
            text += "\n" + lines[i]
        i += 1
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", ":")):
            continue
        if _VALUE_ON_NEXT_LINE.match(stripped):
            # `macro name` / `set name` with the """ body starting on a later line
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and lines[j].lstrip().startswith('"""'):
                rest = split_statements("\n".join(lines[j:]), file, first_line + j)
                body = rest[0] if rest else None
                if body is not None and body.line == first_line + j:
                    statements.append(Statement(stripped + " " + body.text, file, first_line + start))
                    statements.extend(rest[1:])
                    return statements
        statements.append(Statement(stripped, file, first_line + start))
    return statements


_VALUE_ON_NEXT_LINE = re.compile(r"^(macro|set)\s+[A-Za-z_]\w*$")


_NUMBER = re.compile(r"-?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*)$")
_FLOAT = re.compile(r"-?\d+\.\d*([eE][-+]?\d+)?$|-?\d+[eE][-+]?\d+$")
_ASSIGN = re.compile(r"\$([A-Za-z_][\w]*)\s*(\?=|=)\s*(.*)$", re.DOTALL)
_VAR = re.compile(r"\$([A-Za-z_]\w*)")
_WORD_END = re.compile(r"[\s#]")


def tokenize(text: str, where: str = "") -> list[Token]:
    """One statement -> tokens. Raises ScriptSyntaxError with `where`."""
    assign = _ASSIGN.match(text)
    if assign:
        name, op, rest = assign.groups()
        value = tokenize(rest, where) if rest.strip() else []
        if len(value) != 1:
            raise ScriptSyntaxError(f"'${name}{op}' expects exactly one value after it, e.g. "
                                    f"${name}{op}@build/blinky.elf or ${name}{op}\"text\"", where)
        return [Token("assign", (name, op == "?=", value[0]), text)]
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            break
        if text.startswith('"""', i):
            end = text.find('"""', i + 3)
            if end < 0:
                raise ScriptSyntaxError('unterminated """ string', where)
            body = text[i + 3:end]
            tokens.append(Token("string", body, text[i:end + 3]))
            i = end + 3
            continue
        if ch in "\"'":
            j, out = i + 1, []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n and text[j + 1] in (ch, "\\"):
                    j += 1
                out.append(text[j])
                j += 1
            if j >= n:
                raise ScriptSyntaxError(f"unterminated string starting at column {i + 1} "
                                        f"(expected a closing {ch})", where)
            tokens.append(Token("string", "".join(out), text[i:j + 1]))
            i = j + 1
            continue
        if ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ScriptSyntaxError("unterminated `command` substitution (expected a closing `)", where)
            tokens.append(Token("backtick", text[i + 1:end], text[i:end + 1]))
            i = end + 1
            continue
        if ch == "<":
            end = text.find(">", i)
            if end < 0:
                raise ScriptSyntaxError("unterminated range (expected <start, end> or <start size>)", where)
            tokens.append(_range(text[i:end + 1], where))
            i = end + 1
            continue
        if ch == "@":
            if i + 1 < n and text[i + 1] in "\"'":
                sub = tokenize(text[i + 1:], where)
                if not sub or sub[0].kind != "string":
                    raise ScriptSyntaxError("expected a path after '@'", where)
                quoted_len = len(sub[0].text)
                tokens.append(Token("path", sub[0].value, text[i:i + 1 + quoted_len]))
                i += 1 + quoted_len
                continue
            m = _WORD_END.search(text, i + 1)
            end = m.start() if m else n
            if end == i + 1:
                raise ScriptSyntaxError("expected a path after '@' (e.g. @platforms/boards/pico2.repl)", where)
            tokens.append(Token("path", text[i + 1:end], text[i:end]))
            i = end
            continue
        m = _WORD_END.search(text, i)
        end = m.start() if m else n
        word = text[i:end]
        i = end
        tokens.append(_classify(word, where))
    return tokens


def _classify(word: str, where: str) -> Token:
    if _NUMBER.match(word):
        return Token("int", int(word.replace("_", ""), 0), word)
    if _FLOAT.match(word):
        return Token("float", float(word), word)
    if word.lower() in ("true", "false"):
        return Token("bool", word.lower() == "true", word)
    var = _VAR.match(word)
    if var:
        return Token("var", (var.group(1), word[var.end():]), word)
    if word.startswith("$"):
        raise ScriptSyntaxError(f"'{word}' is not a variable name (expected $name with letters, digits, _)",
                                where)
    return Token("word", word, word)


def _range(text: str, where: str) -> Token:
    inner = text[1:-1].strip()
    parts = [p for p in re.split(r"[\s,]+", inner) if p]
    relative = "," not in inner
    try:
        start, second = (int(p.replace("_", ""), 0) for p in parts)
    except ValueError:
        raise ScriptSyntaxError(f"bad range '{text}' (expected <start, end> or <start size>)", where) from None
    end = start + second - 1 if relative else second
    return Token("range", (start, end), text)


def read_script(path: Path) -> list[Statement]:
    try:
        source = decode_text(path.read_bytes(), str(path))
    except OSError as exc:
        raise ScriptSyntaxError(f"cannot read script {path}: {exc.strerror}") from None
    except ConfigError as exc:
        raise ScriptSyntaxError(str(exc)) from None
    return split_statements(source, str(path))
