"""PLL: reset values, lock conditions, output frequency, LOCK_N."""

from __future__ import annotations

from rp2350_emu.peripherals import Pll, Xosc

LOCK = 1 << 31


def hal_setup(p: Pll, fbdiv: int) -> None:
    p.write(0x04, 0x2D)
    p.write(0x08, 0)
    p.write(0x00, 0x1)
    p.write(0x08, fbdiv)
    p.write(0x04, 0x0C)  # PD and VCOPD cleared


def make(sched) -> tuple[Xosc, Pll, Pll]:
    x = Xosc("xosc", sched, instant_startup=True)
    return x, Pll("pll_sys", sched, xosc=x), Pll("pll_usb", sched, xosc=x)


def powered(sched, fbdiv: int) -> Pll:
    """A PLL fed by a running 12 MHz XOSC, through the HAL power-up writes."""
    x, p, _ = make(sched)
    x.write(0x00, 0x00FABAA0)
    hal_setup(p, fbdiv)
    return p


def test_reset_values(sched) -> None:
    _x, p, _ = make(sched)
    assert [p.read(o) for o in (0x0, 0x4, 0x8, 0xC, 0x10, 0x14, 0x18, 0x1C)] == \
        [0x1, 0x2D, 0, 0x00077000, 0, 0, 0, 0]


def test_hal_sequence_locks_and_gives_150_and_48_mhz(sched) -> None:
    x, sys_pll, usb_pll = make(sched)
    x.write(0x00, 0x00FABAA0)
    hal_setup(sys_pll, 125)
    assert sys_pll.read(0x0) & LOCK
    assert sys_pll.freq_hz == 0  # post dividers still powered down
    sys_pll.write(0x0C, 0x00052000)
    sys_pll.write(0x04, 0x04)
    assert sys_pll.freq_hz == 150_000_000
    hal_setup(usb_pll, 100)
    usb_pll.write(0x0C, 0x00055000)
    usb_pll.write(0x04, 0x04)
    assert usb_pll.freq_hz == 48_000_000 and usb_pll.vco_hz == 1_200_000_000


def test_no_lock_without_reference_then_lock_when_xosc_runs(sched) -> None:
    x = Xosc("xosc", sched)  # real startup delay
    p = Pll("pll", sched, xosc=x)
    x.write(0x0C, 1)  # 256 crystal periods
    x.write(0x00, 0x00FABAA0)
    hal_setup(p, 125)
    assert not p.read(0x0) & LOCK
    sched.advance_to(22_000)
    assert p.read(0x0) & LOCK


def test_lock_needs_both_pd_and_vcopd_cleared(sched) -> None:
    p = powered(sched, 125)
    for pwr in (0x2C, 0x0D):  # PD cleared only, VCOPD cleared only
        p.write(0x04, pwr)
        assert not p.read(0x0) & LOCK
    p.write(0x04, 0x0C)
    assert p.read(0x0) & LOCK


def test_out_of_range_settings_do_not_lock(sched) -> None:
    p = powered(sched, 400)  # VCO 4.8 GHz
    assert not p.read(0x0) & LOCK
    p.write(0x08, 15)  # FBDIV below 16
    assert not p.read(0x0) & LOCK
    p.write(0x08, 100)
    assert p.read(0x0) & LOCK


def test_lock_bit_is_read_only_and_lock_loss_is_sticky(sched) -> None:
    p = powered(sched, 125)
    p.write(0x00, 0x80000001)  # RMW writing back LOCK changes nothing
    assert p.read(0x0) == 0x80000001
    fired: list[bool] = []
    p.irq.connect(fired.append)
    p.write(0x14, 1)  # INTE
    p.write(0x08, 0)  # lose lock while powered
    assert p.read(0x0) & (LOCK | (1 << 30)) == 1 << 30
    assert p.read(0x10) == 1 and p.read(0x1C) == 1 and fired == [True]
    p.write(0x00, (1 << 30) | 1)  # LOCK_N is W1C
    assert p.read(0x10) == 0 and fired == [True, False]


def test_block_reset_powers_it_down(sched) -> None:
    p = powered(sched, 125)
    p.write(0x0C, 0x00052000)
    p.write(0x04, 0x04)
    p.hold_reset(True)
    assert p.freq_hz == 0 and p.read(0x4) == 0x2D and not p.read(0x0) & LOCK
