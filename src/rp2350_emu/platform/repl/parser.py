"""Parser for Renode platform description (.repl) files.

Covers the subset of Renode's platform-description grammar that platform
files use in practice (Renode's PlatformDescription parser): entries `name: Type @ registration`,
indented `key: value` attributes, IRQ wiring `[0-3] -> nvic@[0-3]`,
`init:`-style blocks, `using`, `//` and `/* */` comments and `{ a; b }`
inline blocks. The result is a merged list of Entry objects; deciding what
an entry *means* is the machine's job, not the parser's.

Every error is a ConfigError "file:line: what is wrong, expected what".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rp2350_emu.errors import ConfigError
from rp2350_emu.inputs import decode_text
from rp2350_emu.platform.repl.ast import Entry, Platform, Registration, Value
from rp2350_emu.platform.repl.lexer import INDENT, Line, Source, tokenize
from rp2350_emu.platform.repl.values import LineParser, parse_irq


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
            text = decode_text(path.read_bytes(), str(path))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read platform file ({exc.strerror})") from None
        self.files.append(str(path))
        self.parse_text(text, str(path), prefix, _stack + (key,), path.parent)

    def parse_text(self, text: str, name: str = "<string>", prefix: str = "",
                   _stack: tuple[str, ...] = (), base_dir: Path | None = None) -> None:
        src = Source(name, text)
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
            body: list[Line] = []
            j = i + 1
            while j < len(lines) and lines[j].indent > 0:
                body.append(lines[j])
                j += 1
            self._entry(src, line, body, prefix)
            i = j

    def _using(self, src: Source, line: Line, base_dir: Path, prefix: str, stack: tuple[str, ...]) -> None:
        p = LineParser(src, line, tokenize(src, line, line.text))
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
        # normalised so messages say platforms/cpus/x.repl, not platforms/boards/../cpus/x.repl
        candidates = [Path(os.path.normpath(c)) for c in
                      ([base_dir / target] if target.startswith(("./", "../")) else
                       [base_dir / target, Path.cwd() / target])]
        for cand in candidates:
            if cand.exists():
                if str(cand.resolve()) in stack:
                    chain = " -> ".join([*stack, str(cand.resolve())])
                    raise src.error(line.number, f"using {target!r} includes a file already being read "
                                                 f"('using' cycle: {chain}); remove one of the 'using' lines")
                self.parse_file(cand, sub_prefix, stack)
                return
        raise src.error(line.number, f"using {target!r}: file not found (looked in "
                                     f"{', '.join(str(c) for c in candidates)})")

    def _entry(self, src: Source, line: Line, body: list[Line], prefix: str) -> None:
        p = LineParser(src, line, tokenize(src, line, line.text))
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
            entry.attr_files[key] = src.path
        self._body(src, body, entry)

    def _merge_target(self, src: Source, line: Line, name: str, entry_type: str | None) -> Entry:
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

    def _body(self, src: Source, body: list[Line], entry: Entry) -> None:
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
            toks = tokenize(src, line, line.text)
            p = LineParser(src, line, toks)
            if any(t.kind == "arrow" for t in toks):
                for conn in parse_irq(p, src, line):
                    entry.irqs = [c for c in entry.irqs if c.source != conn.source]
                    entry.irqs.append(conn)
            else:
                attr = p.ident("an attribute 'name: value' or an IRQ line 'source -> target@n'")
                p.expect(":", f"':' after attribute {attr!r}")
                val = p.value()
                p.expect_end(f"end of line after the value of {attr!r}")
                entry.attrs[attr] = val
                entry.attr_lines[attr] = line.number
                entry.attr_files[attr] = src.path
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
