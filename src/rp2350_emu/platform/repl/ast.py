"""The syntax tree of a .repl platform description: entries, values, registrations, IRQ wiring.

A parsed platform is a merged list of `Entry` objects; deciding what an entry
*means* is the machine's job (wiring.py), not the parser's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    attr_files: dict[str, str] = field(default_factory=dict)  # an updating entry may set it elsewhere

    def attr_where(self, attr: str) -> str:
        """file:line of an attribute (of the entry, if it was not set on a line of its own)."""
        return f"{self.attr_files.get(attr, self.file)}:{self.attr_lines.get(attr, self.line)}"

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
