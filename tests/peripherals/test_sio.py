"""SIO: CPUID, interleaved GPIO SET/CLR/XOR registers, spinlocks, FIFO."""

from __future__ import annotations

import pytest

from rp2350_emu.errors import UnmodeledAccess
from rp2350_emu.peripherals import Sio


def test_cpuid_and_reset_values(sched) -> None:
    s = Sio("sio", sched)
    assert s.read(0x000) == 0 and Sio("sio1", sched, cpuid=1).read(0x000) == 1
    assert all(s.read(off) == 0 for off in range(0x004, 0x050, 4) if off != 0x00C)  # 0x00C reserved
    assert s.read(0x050) == 0x2 and s.read(0x05C) == 0


def test_out_set_clr_xor_with_interleaved_hi_registers(sched) -> None:
    s = Sio("sio", sched)
    changes: list[tuple[int, int]] = []
    s.gpio_listener = lambda lo, hi: changes.append((lo, hi))
    s.write(0x018, 1 << 25)  # GPIO_OUT_SET
    s.write(0x01C, 0xFFFFFFFF)  # GPIO_HI_OUT_SET: only [15:0] and [31:24] exist
    assert s.read(0x010) == 1 << 25 and s.read(0x014) == 0xFF00FFFF
    s.write(0x020, 1 << 25)  # GPIO_OUT_CLR
    s.write(0x028, 0b11)  # GPIO_OUT_XOR
    s.write(0x028, 0b01)
    assert s.read(0x010) == 0b10
    s.write(0x024, 0xFFFF)  # GPIO_HI_OUT_CLR (Pins::new)
    assert s.read(0x014) == 0xFF000000
    assert s.read(0x018) == 0 and s.read(0x020) == 0  # SET/CLR are write-only
    assert changes[0] == (1 << 25, 0) and changes[1] == (0, 0xFF00FFFF)
    s.write(0x020, 1 << 25)  # no change, no notification
    assert len(changes) == 6


def test_oe_registers(sched) -> None:
    s = Sio("sio", sched)
    s.write(0x038, 1 << 25)  # GPIO_OE_SET
    s.write(0x03C, 0x3)  # GPIO_HI_OE_SET
    s.write(0x040, 1 << 15)  # GPIO_OE_CLR
    s.write(0x048, 1 << 0)  # GPIO_OE_XOR
    assert s.read(0x030) == (1 << 25) | 1 and s.read(0x034) == 0x3
    s.write(0x044, 0xFFFF)
    s.write(0x030, 0)
    assert s.read(0x030) == 0 and s.read(0x034) == 0


def test_no_bus_aliases(sched) -> None:
    s = Sio("sio", sched)
    with pytest.raises(UnmodeledAccess):
        s.write(0x2010, 1)


def test_spinlocks(sched) -> None:
    s = Sio("sio", sched)
    for k in range(32):
        s.write(0x100 + 4 * k, 1)  # hal::entry releases all
    assert s.read(0x17C) == 0x80000000  # claimed
    assert s.read(0x17C) == 0  # held
    assert s.read(0x05C) == 0x80000000 and s.read(0x100) == 1
    assert s.read(0x05C) == 0x80000001
    s.write(0x17C, 0)  # any value releases
    assert s.read(0x05C) == 1 and s.peek(0x17C) == 0x80000000 and s.read(0x05C) == 1


def test_fifo_status_and_sticky_flags(sched) -> None:
    s = Sio("sio", sched)
    for i in range(8):
        s.write(0x054, i)
    assert s.read(0x050) == 0  # TX full: RDY low
    s.write(0x054, 99)
    assert s.read(0x050) == 0x4 and list(s.fifo_tx) == list(range(8))  # WOF, write ignored
    assert s.fifo_irq.level
    s.write(0x050, 0x4)
    assert s.read(0x058) == 0 and s.read(0x050) == 0x8  # ROE on empty read
    s.write(0x050, 0xF)
    assert s.fifo_push_rx(0x1234)
    assert s.read(0x050) == 0x1 and s.fifo_irq.level
    assert s.read(0x058) == 0x1234 and not s.fifo_irq.level
