"""WATCHDOG: reset values, countdown from the TICKS watchdog tick, REASON."""

from __future__ import annotations

import pytest

from rp2350_emu.peripherals import Ticks, Watchdog


@pytest.fixture
def wd(sched) -> Watchdog:
    ticks = Ticks("ticks", sched, clk_ref_hz=12_000_000)
    ticks.write(0x34, 12)  # WATCHDOG_CYCLES
    ticks.write(0x30, 1)
    return Watchdog("watchdog", sched, ticks=ticks)


def test_reset_values(wd) -> None:
    assert wd.read(0x00) == 0x07000000
    assert wd.read(0x04) == 0 and wd.read(0x08) == 0
    assert all(wd.read(0x0C + 4 * i) == 0 for i in range(8))


def test_countdown_and_timeout_reset(sched, wd) -> None:
    reasons: list[tuple[str, int]] = []
    wd.on_reset(lambda why: reasons.append((why, sched.now_ns)))
    wd.write(0x04, 1000)
    wd.write(0x00, 0x47000000)  # ENABLE
    sched.advance_to(250_000)
    assert wd.read(0x00) & 0xFFFFFF == 750
    sched.advance_to(999_999)
    assert reasons == []
    sched.advance_to(1_000_000)
    assert reasons == [("timer", 1_000_000)] and wd.read(0x08) == 1


def test_disable_freezes_time(sched, wd) -> None:
    wd.write(0x04, 100)
    wd.write(0x00, 0x40000000)
    sched.advance_to(40_000)
    wd.write(0x00, 0)
    sched.advance_to(500_000)
    assert wd.read(0x00) == 60


def test_trigger_forces_a_reset_and_scratch_survives(wd) -> None:
    reasons: list[str] = []
    wd.on_reset(reasons.append)
    wd.write(0x0C, 0xCAFE)
    wd.write(0x00, 0x80000000)
    assert reasons == ["force"] and wd.read(0x08) == 2
    assert wd.read(0x00) & 0x80000000 == 0  # TRIGGER self-clears
    wd.watchdog_reset()
    assert wd.read(0x0C) == 0xCAFE and wd.read(0x08) == 2
    wd.reset()
    assert wd.read(0x0C) == 0 and wd.read(0x08) == 0
