"""The bench's tables: figures per flavour beside their goals, kernels beside bare Unicorn and QEMU."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FLAVOURS = ("wfi", "busywait")


@dataclass
class Row:
    label: str
    values: dict[str, float | None] = field(default_factory=dict)  # flavour -> figure (None: not measured)
    fmt: Callable[[float], str] = lambda v: f"{v:.3g}"
    goal: str = ""
    meets: Callable[[float], bool] | None = None
    bare: str = "-"
    qemu: str = "-"
    notes: dict[str, str] = field(default_factory=dict)  # flavour -> why there is no figure
    texts: dict[str, str] = field(default_factory=dict)  # flavour -> the cell, when it is not one figure

    def cell(self, flavour: str) -> str:
        if flavour in self.texts:
            return self.texts[flavour]
        value = self.values.get(flavour)
        if value is None:
            return self.notes.get(flavour, "-")
        mark = "" if self.meets is None else (" ok" if self.meets(value) else " MISSED")
        return self.fmt(value) + mark


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda v: v <= limit


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda v: v >= limit


def seconds(v: float) -> str:
    return f"{v:.3f} s"


def times(v: float) -> str:
    return f"{v:,.0f}x" if v >= 100 else f"{v:.1f}x"


def micros(v: float) -> str:
    return f"{v:.1f} us"


def mips(v: float) -> str:
    return f"{v:.0f} MIPS"


def ratio_note(engine: float | None, other: float | None, unit: Callable[[float], str],
               higher_is_better: bool) -> str:
    """`other`'s figure and the engine's share of it (engine / other for speeds, other / engine for costs)."""
    if other is None:
        return "-"
    if engine is None or engine == 0 or other == 0:
        return unit(other)
    share = engine / other if higher_is_better else other / engine
    return f"{unit(other)} (engine {share:.2f})"


def markdown(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    return [line(headers), "| " + " | ".join("-" * w for w in widths) + " |", *(line(r) for r in rows)]


def figures_table(rows: list[Row]) -> list[str]:
    headers = ["figure", *FLAVOURS, "goal", "bare Unicorn", "QEMU mps2-an505"]
    return markdown(headers, [[r.label, *(r.cell(f) for f in FLAVOURS), r.goal, r.bare, r.qemu] for r in rows])


@dataclass
class KernelRow:
    kernel: str
    engine: float | None
    bare: float | None
    bare_sliced: float | None
    qemu: float | None
    exact: bool | None = None
    note: str = ""


def kernels_table(rows: list[KernelRow]) -> list[str]:
    headers = ["kernel (same object code)", "engine", "bare Unicorn", "bare Unicorn, count= slices", "QEMU",
               "engine / bare", "engine / QEMU"]

    def v(x: float | None) -> str:
        return "-" if x is None else mips(x)

    def share(a: float | None, b: float | None) -> str:
        return "-" if a is None or not b else f"{a / b:.2f}"
    out = []
    for r in rows:
        engine = v(r.engine) + ("" if r.exact is None else (" (exact count)" if r.exact else " (COUNT DIFFERS)"))
        out.append([r.kernel + (f" ({r.note})" if r.note else ""), engine, v(r.bare), v(r.bare_sliced), v(r.qemu),
                    share(r.engine, r.bare), share(r.engine, r.qemu)])
    return markdown(headers, out)
