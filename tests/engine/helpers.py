"""Helpers for the engine tests, imported by name (a module called
`conftest` is ambiguous when several test directories have one)."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu.platform.machine import Machine

REPO = Path(__file__).resolve().parents[2]
ELF_SOURCES = REPO / "tests" / "elf"
#: the board every engine test boots (SoC + LED + button)
PLATFORM = REPO / "platforms" / "boards" / "pico2.repl"
#: the chip alone, for tests that edit its text
SOC = REPO / "platforms" / "cpus" / "rp2350.repl"
NS_PER_MS = 1_000_000


def word(machine: Machine, symbol: str, index: int = 0) -> int:
    return machine.cpu.read_u32(machine.get_symbol_address(symbol) + 4 * index)


def result_log(machine: Machine) -> list[int]:
    return [word(machine, "log_buf", i) for i in range(word(machine, "log_len"))]


def run_to_done(machine: Machine, timeout_ns: int = 50 * NS_PER_MS) -> None:
    assert machine.run_until(lambda: word(machine, "done") == 1, timeout_ns), \
        f"firmware did not finish in {timeout_ns} ns (pc={machine.cpu.pc:#x})"
