"""CLOCKS: reset values, glitchless SELECTED, derived frequencies, FC0, resus."""

from __future__ import annotations

from rp2350_emu.peripherals import Clocks, Xosc
from tests.peripherals.helpers import hal_init_clocks


def test_reset_values(sched) -> None:
    c = Clocks("clocks", sched)
    assert c.read(0x30) == 0 and c.read(0x38) == 0x1  # clk_ref on ROSC
    assert c.read(0x3C) == 0x41 and c.read(0x44) == 0x2  # clk_sys on aux = ROSC (SDK 2.2.0 reset)
    for ctrl in (0x00, 0x0C, 0x18, 0x24, 0x48, 0x54, 0x60, 0x6C):
        assert c.read(ctrl) == 0 and c.read(ctrl + 4) == 0x00010000 and c.read(ctrl + 8) == 1
    assert c.read(0x84) == 0xFF and c.read(0x94) == 0x01FFFFFF and c.read(0x9C) == 8
    assert c.read(0xAC) == 0xFFFFFFFF and c.read(0xB0) == 0x7FFFFFFF
    assert c.freq_hz("sys") == c.freq_hz("ref") == 12_000_000 and c.freq_hz("peri") == 0


def test_boot_path_gives_the_documented_clock_tree(chip) -> None:
    chip.resets.bootrom_state()
    hal_init_clocks(chip)
    f = chip.clocks.freq_hz
    assert (f("ref"), f("sys"), f("peri"), f("usb"), f("adc")) == \
        (12_000_000, 150_000_000, 150_000_000, 48_000_000, 48_000_000)
    assert f("clk_peri") == 150_000_000 and f("hstx") == 0
    assert chip.clocks.read(0x38) == 0x4 and chip.clocks.read(0x44) == 0x2
    assert chip.clocks.read(0x48) == 0x10000800  # ENABLED reflects ENABLE


def test_selected_is_one_hot_of_src(sched) -> None:
    x = Xosc("xosc", sched, instant_startup=True)
    c = Clocks("clocks", sched, xosc=x)
    x.write(0x00, 0x00FABAA0)
    for src, expected in ((2, 0x4), (3, 0x8), (0, 0x1), (2, 0x4)):
        c.write(0x30, src)
        assert c.read(0x38) == expected
    c.write(0x3C, 0)
    assert c.read(0x44) == 0x1


def test_switch_to_a_stopped_source_waits_for_it(sched) -> None:
    x = Xosc("xosc", sched)
    c = Clocks("clocks", sched, xosc=x)
    c.write(0x30, 2)  # clk_ref -> XOSC, which is off
    assert c.read(0x38) == 0 and c.freq_hz("ref") == 0
    x.write(0x0C, 1)
    x.write(0x00, 0x00FABAA0)
    sched.advance_to(30_000)
    assert c.read(0x38) == 0x4 and c.freq_hz("ref") == 12_000_000


def test_enabled_kill_and_read_only_bits(sched) -> None:
    c = Clocks("clocks", sched)
    c.write(0x48, 0x10000000)  # ENABLED is read-only
    assert c.read(0x48) == 0
    c.write(0x48, 0x800)
    assert c.read(0x48) == 0x10000800 and c.freq_hz("peri") == 12_000_000
    c.write(0x48, 0xC00)  # KILL
    assert c.read(0x48) == 0xC00 and c.freq_hz("peri") == 0


def test_dividers(sched) -> None:
    c = Clocks("clocks", sched)
    c.write(0x3C, 0)  # clk_sys <- clk_ref (12 MHz ROSC nominal)
    c.write(0x40, 0x00020000)
    assert c.freq_hz("sys") == 6_000_000
    c.write(0x40, 0x00018000)  # 1.5
    assert c.freq_hz("sys") == 8_000_000
    c.write(0x34, 0)  # clk_ref INT 0 = divide by 256
    assert c.freq_hz("ref") == 12_000_000 // 256
    c.write(0x48, 0x800)
    c.write(0x4C, 0x00030000)  # clk_peri INT is 2 bits
    assert c.read(0x4C) == 0x00030000 and c.freq_hz("peri") == c.freq_hz("sys") // 3


def test_listeners_run_on_frequency_change(sched) -> None:
    c = Clocks("clocks", sched)
    calls: list[int] = []
    c.listeners.add(lambda: calls.append(c.freq_hz("peri")))
    c.write(0x48, 0x800)
    c.write(0x48, 0x800)  # no change, no call
    assert calls == [12_000_000]


def test_frequency_counter_measures_in_virtual_time(chip) -> None:
    hal_init_clocks(chip)
    c = chip.clocks
    c.write(0x8C, 12_000)  # REF_KHZ
    c.write(0x9C, 10)  # ~1 ms gate
    c.write(0x90, 149_000)
    c.write(0x94, 151_000)
    c.write(0xA0, 0x09)  # clk_sys
    assert c.read(0xA4) & (1 << 8)  # RUNNING
    chip.sched.advance_to(chip.sched.now_ns + 1024_000)
    status = c.read(0xA4)
    assert status & (1 << 4) and status & 1 and not status & (1 << 8)
    assert c.read(0xA8) >> 5 == 150_000
    c.write(0xA0, 0x06)  # GPIN0: not running
    chip.sched.advance_to(chip.sched.now_ns + 1024_000)
    assert c.read(0xA4) & (1 << 28)  # DIED


def test_resus_forces_clk_sys_onto_clk_ref(sched) -> None:
    c = Clocks("clocks", sched)
    c.write(0x3C, 0x61)  # clk_sys <- aux XOSC, which is not running
    assert c.freq_hz("sys") == 0
    c.write(0x84, 0x1FF)  # ENABLE resus
    assert c.read(0x88) == 1 and c.read(0xC4) == 1 and c.freq_hz("sys") == 12_000_000
    c.write(0xC8, 1)
    assert c.irq.level
    c.write(0x3C, 0x41)
    c.write(0x84, 0x100FF)  # CLEAR (resus disabled)
    assert c.read(0x88) == 0 and not c.irq.level
