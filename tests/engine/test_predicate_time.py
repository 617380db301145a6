"""run_until notices a predicate that an MMIO write made true at that instruction,
whatever the slices would have been (loop skipping on or off): the CLI waits
for the receiver to be enabled this way before it sends --uart-input."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import PLATFORM


def _rx_enabled_at(elf: Path, skip: bool) -> tuple[int, int, bytes]:
    machine = Machine.from_repl(PLATFORM)
    machine.load_elf(elf)
    machine.cpu.skip_loops = skip
    uart = machine["uart0"]
    assert machine.run_until(lambda: uart.rx_enabled, 50_000_000)
    return machine.now_ns, machine.cpu.pc, machine.uart_text()


def test_a_write_made_predicate_is_seen_at_the_writing_instruction(elf_dir: Path) -> None:
    on = _rx_enabled_at(elf_dir / "uart.elf", True)
    off = _rx_enabled_at(elf_dir / "uart.elf", False)
    assert on == off
    # right after UART0_CR = 0x301, before the first byte of "hello 0" is even sent
    assert on[2] == b""
