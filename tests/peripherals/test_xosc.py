"""XOSC: per-field validation, BADWRITE, STABLE after the startup delay."""

from __future__ import annotations

from rp2350_emu.peripherals import Xosc

STABLE = 1 << 31


def hal_setup(x: Xosc) -> None:
    x.write(0x00, 0x00000AA0)  # FREQ_RANGE 1-15 MHz, ENABLE field invalid (0)
    x.write(0x0C, 0x00000B80)  # STARTUP DELAY 2944
    x.write(0x00, 0x00FAB000)  # ENABLE, FREQ_RANGE field invalid (0)


def test_reset_values(sched) -> None:
    x = Xosc("xosc", sched)
    assert [x.read(o) for o in (0x0, 0x4, 0xC, 0x10)] == [0, 0, 0, 0]
    assert x.freq_hz == 0


def test_invalid_field_keeps_previous_value(sched) -> None:
    x = Xosc("xosc", sched)
    hal_setup(x)
    assert x.read(0x00) == 0x00FABAA0
    status = x.read(0x04)
    assert status & (1 << 12)  # ENABLED
    assert status & (1 << 24)  # BADWRITE: invalid codes were written
    assert status & 3 == 0  # 1-15 MHz range
    x.write(0x00, 0x00123AA1)  # bad ENABLE code, valid range
    assert x.read(0x00) == 0x00FABAA1
    assert x.read(0x04) & 3 == 1
    x.write(0x04, 1 << 24)  # BADWRITE is W1C
    assert not x.read(0x04) & (1 << 24)


def test_stable_after_startup_delay_in_virtual_time(sched) -> None:
    x = Xosc("xosc", sched)
    hal_setup(x)
    stable_at = -(-2944 * 256 * 10**9 // 12_000_000)  # 62_805_334 ns
    sched.advance_to(stable_at - 1)
    assert not x.read(0x04) & STABLE and x.freq_hz == 0
    sched.advance_to(stable_at)
    assert x.read(0x04) & STABLE and x.freq_hz == 12_000_000


def test_x4_and_instant_startup(sched) -> None:
    x = Xosc("xosc", sched)
    x.write(0x0C, (1 << 20) | 1)  # 256 periods x4
    x.write(0x00, 0x00FABAA0)
    sched.advance_to(-(-1024 * 10**9 // 12_000_000) - 1)
    assert not x.stable
    sched.advance_to(sched.now_ns + 1)
    assert x.stable
    fast = Xosc("fast", sched, instant_startup=True)
    hal_setup(fast)
    assert fast.read(0x04) & STABLE


def test_disable_and_dormant_stop_the_clock(sched) -> None:
    x = Xosc("xosc", sched, instant_startup=True)
    hal_setup(x)
    x.write(0x08, 0x636F6D61)  # "coma"
    assert not x.stable and x.read(0x08) == 0x636F6D61
    x.wake()
    assert x.stable
    x.write(0x00, 0x00D1E000)
    assert x.read(0x04) & ((1 << 12) | STABLE) == 0


def test_count_runs_at_the_crystal_rate(sched) -> None:
    x = Xosc("xosc", sched, instant_startup=True)
    hal_setup(x)
    x.write(0x10, 120)  # 10 us at 12 MHz
    assert x.read(0x10) == 1
    sched.advance_to(sched.now_ns + 9_999)
    assert x.read(0x10) == 1
    sched.advance_to(sched.now_ns + 1)
    assert x.read(0x10) == 0
