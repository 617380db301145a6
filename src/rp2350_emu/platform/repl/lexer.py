"""The .repl lexer: comment-free logical lines (blocks joined) and the tokens of a line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rp2350_emu.errors import ConfigError

INDENT = 4

# -- lexing -------------------------------------------------------------------
@dataclass
class Line:
    number: int
    indent: int
    text: str


class Source:
    """Comment-free logical lines, with brace/bracket blocks joined."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = self._logical_lines(text)

    def error(self, line: int, what: str) -> ConfigError:
        return ConfigError(f"{self.path}:{line}: {what}")

    def _logical_lines(self, text: str) -> list[Line]:
        out: list[Line] = []
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
                out.append(Line(start_line, indent, raw.strip()))
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


TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<mstring>'''(?:.|\n)*?''')
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<arrow>->)
  | (?P<number>(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*))(?![A-Za-z_])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[:@<>,+\[\]{};|#=-])
""", re.VERBOSE)


@dataclass
class Tok:
    kind: str
    text: str
    value: object = None


def tokenize(src: Source, line: Line, text: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise src.error(line.number, f"unexpected character {text[pos]!r}, expected a name, "
                                         "number, string or one of : @ < > , + [ ] { } ; | ->")
        kind = m.lastgroup or ""
        tok = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "number":
            toks.append(Tok("number", tok, int(tok.replace("_", ""), 0)))
        elif kind == "string":
            toks.append(Tok("string", tok, _unescape(src, line, tok)))
        elif kind == "mstring":
            toks.append(Tok("string", tok, tok[3:-3]))
        else:
            toks.append(Tok(kind, tok))
    return toks


def _unescape(src: Source, line: Line, quoted: str) -> str:
    r"""A "string" as Renode reads it: a backslash escapes only `"` or another backslash."""
    out, i, body = [], 0, quoted[1:-1]
    while i < len(body):
        if body[i] == "\\":
            nxt = body[i + 1]  # the token pattern guarantees a character after it
            if nxt not in '"\\':
                raise src.error(line.number, f"bad escape \\{nxt} in the string {quoted}, expected \\\" "
                                             "or \\\\ (the only escapes of a .repl string, as in Renode)")
            out.append(nxt)
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)
