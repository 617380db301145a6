"""Shared by the insight tests (imported by name: conftest modules are not importable helpers)."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu.platform.machine import Machine

ROOT = Path(__file__).resolve().parents[2]
REPL = ROOT / "platforms" / "boards" / "pico2.repl"


def boot(elf: Path) -> Machine:
    machine = Machine.from_repl(REPL)
    machine.load_elf(elf)
    return machine


def stream(machine: Machine) -> list[tuple[int, str, dict]]:
    """The machine's event log as plain tuples, comparable across machines."""
    return [(e.t_ns, e.kind, e.data) for e in machine.events]


def rx_enabled(machine: Machine) -> bool:
    return machine["uart0"].peek(0x30) & 0x201 == 0x201  # UARTEN and RXE
