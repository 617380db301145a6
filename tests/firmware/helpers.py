"""Helpers for the real-firmware tests (imported by name, unlike conftest)."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu.platform.machine import Machine

REPO = Path(__file__).resolve().parents[2]
REPL = REPO / "platforms" / "boards" / "pico2.repl"
MS = 1_000_000
S = 1_000_000_000


def pin_changes(machine: Machine, pin: int) -> list[tuple[int, int]]:
    """(t_ns, level) of every change of `pin`, in order."""
    return [(e.t_ns, e.data["level"]) for e in machine.events
            if e.kind == "pin" and e.data["pin"] == pin]


def uart_lines(machine: Machine, uart: str = "uart0") -> list[str]:
    return machine.uart_text(uart).decode("latin-1").split("\r\n")
