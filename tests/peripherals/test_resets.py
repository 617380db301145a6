"""RESETS: reset values, RESET_DONE, attaching blocks, the bootrom state."""

from __future__ import annotations

from rp2350_emu.peripherals import Clocks, PadsBank0, Resets, UartPl011
from rp2350_emu.peripherals.resets import BITS, BOOTROM_RESET_VALUE


def test_reset_values(sched) -> None:
    r = Resets("resets", sched)
    assert r.read(0x0) == 0x1FFFFFFF
    assert r.read(0x4) == 0
    assert r.read(0x8) == 0


def test_done_is_the_complement_of_reset(sched) -> None:
    r = Resets("resets", sched)
    r.write(0x0, 0x1FFFFFFF & ~(1 << 14))  # HAL modify: clear PLL_SYS
    assert r.read(0x8) == 1 << 14
    r.write(0x3000, (1 << 26) | (1 << 6))  # panic path: CLR alias
    assert r.read(0x8) == (1 << 14) | (1 << 26) | (1 << 6)
    r.write(0x2000, 1 << 14)  # SET alias puts it back in reset
    assert r.read(0x8) == (1 << 26) | (1 << 6)
    r.write(0x8, 0xFFFFFFFF)  # RESET_DONE is read-only
    assert r.read(0x8) == (1 << 26) | (1 << 6)
    assert r.read(0x0) & 0xE0000000 == 0


def test_attached_block_is_held_and_reset(sched) -> None:
    r = Resets("resets", sched)
    pads = PadsBank0("pads", sched)
    r.attach("pads_bank0", pads)
    pads.write(0x04, 0x52)
    assert pads.read(0x04) == 0x116  # held: the write is dropped
    r.write(0x3000, 1 << BITS["pads_bank0"])
    pads.write(0x04, 0x52)
    assert pads.read(0x04) == 0x52
    r.write(0x2000, 1 << 9)  # reset pulse puts the pad back to 0x116
    r.write(0x3000, 1 << 9)
    assert pads.read(0x04) == 0x116


def test_bootrom_state(sched) -> None:
    r = Resets("resets", sched)
    pads, uart = PadsBank0("pads", sched), UartPl011("uart0", sched)
    r.attach(9, pads)
    r.attach(26, uart)
    r.bootrom_state()
    assert r.read(0x0) == BOOTROM_RESET_VALUE == 0x0D7DF93F
    assert r.read(0x8) == 0x128206C0
    assert not pads.in_reset and uart.in_reset


def test_done_can_wait_for_the_block_clock(sched) -> None:
    clocks = Clocks("clocks", sched)
    r = Resets("resets", sched)
    r.gate_with_clocks(clocks)
    r.write(0x3000, (1 << 26) | (1 << 6))
    assert r.read(0x8) == 1 << 6  # UART0 needs clk_peri, still stopped
    clocks.write(0x48, 0x800)  # CLK_PERI_CTRL ENABLE
    assert r.read(0x8) == (1 << 26) | (1 << 6)


def test_watchdog_reset_pulses_wdsel_blocks(sched) -> None:
    r = Resets("resets", sched)
    a, b = PadsBank0("a", sched), PadsBank0("b", sched)
    r.attach(9, a)
    r.attach(10, b)
    r.write(0x0, 0)
    a.write(0x04, 0x52)
    b.write(0x04, 0x52)
    r.write(0x4, 1 << 9)
    r.watchdog_reset()
    assert a.read(0x04) == 0x116 and b.read(0x04) == 0x52
