"""TIMER: counting from TICKS, latch, alarms at exact ns, ARMED, interrupts."""

from __future__ import annotations

import pytest

from rp2350_emu.peripherals import Ticks, Timer
from rp2350_emu.time.scheduler import Scheduler


@pytest.fixture
def parts(sched: Scheduler) -> tuple[Ticks, Timer]:
    ticks = Ticks("ticks", sched, clk_ref_hz=12_000_000)
    return ticks, Timer("timer0", sched, index=0, ticks=ticks, clk_sys_hz=150_000_000)


def start_ticks(ticks: Ticks, cycles: int = 12) -> None:
    ticks.write(0x1C, cycles)  # TIMER0_CYCLES
    ticks.write(0x18, 1)  # TIMER0_CTRL.ENABLE


def test_reset_values(parts) -> None:
    _t, tm = parts
    values = {off: tm.read(off) for off in range(0x08, 0x4C, 4)}
    assert values[0x2C] == 0x7  # DBGPAUSE
    assert all(v == 0 for off, v in values.items() if off != 0x2C)


def test_counts_only_while_the_tick_generator_runs(sched, parts) -> None:
    ticks, tm = parts
    sched.advance_to(1_000_000)
    assert tm.read(0x28) == 0  # TICKS not enabled: inert
    start_ticks(ticks)
    sched.advance_to(2_000_000)
    assert tm.read(0x28) == 1000
    tm.write(0x30, 1)  # PAUSE
    sched.advance_to(3_000_000)
    assert tm.read(0x28) == 1000
    tm.write(0x30, 0)
    tm.write(0x38, 1)  # SOURCE = clk_sys
    sched.advance_to(3_000_100)
    assert tm.read(0x28) == 1000 + 15


def test_timelr_latches_timehr_raw_does_not(sched, parts) -> None:
    ticks, tm = parts
    start_ticks(ticks)
    tm.write(0x04, 0xFFFFFFFE)  # TIMELW: no effect until TIMEHW
    assert tm.read(0x28) == 0
    tm.write(0x00, 1)  # TIMEHW
    assert (tm.read(0x24), tm.read(0x28)) == (1, 0xFFFFFFFE)
    assert tm.read(0x0C) == 0xFFFFFFFE  # TIMELR latches high = 1
    sched.advance_to(5_000)
    assert tm.read(0x08) == 1 and tm.read(0x24) == 2
    assert tm.read(0x0C) == 3 and tm.read(0x08) == 2


def test_locked_blocks_time_writes(parts) -> None:
    _t, tm = parts
    tm.write(0x34, 1)
    tm.write(0x34, 0)  # cannot be cleared
    tm.write(0x04, 5)
    tm.write(0x00, 0)
    assert tm.read(0x34) == 1 and tm.read(0x28) == 0


def test_alarm_fires_at_the_exact_virtual_time(sched, parts) -> None:
    ticks, tm = parts
    sched.advance_to(250)  # on a clk_ref edge (12 MHz: every 83.3 ns)
    start_ticks(ticks)  # ticks every 12 edges: 1250, 2250, ...
    fired: list[int] = []
    tm.irqs[0].connect(lambda level: fired.append(sched.now_ns) if level else None)
    tm.write(0x2040, 1)  # INTE set alias, as the HAL does
    tm.write(0x10, 100)
    assert tm.read(0x20) == 1  # ARMED
    sched.advance_to(100_249)
    assert fired == [] and tm.read(0x3C) == 0
    sched.advance_to(200_000)
    assert fired == [100_250]
    assert tm.read(0x20) == 0 and tm.read(0x3C) == 1 and tm.read(0x48) == 1
    tm.write(0x3C, 1)  # INTR is W1C
    assert tm.read(0x3C) == 0 and not tm.irqs[0].level


def test_alarm_matches_low_32_bits_across_wrap(sched, parts) -> None:
    ticks, tm = parts
    start_ticks(ticks)
    tm.write(0x04, 0xFFFFFFF0)
    tm.write(0x00, 0)
    tm.write(0x14, 0x10)  # ALARM1: 0x20 ticks ahead, past the wrap
    sched.advance_to(0x20 * 1000 - 1)
    assert tm.read(0x3C) == 0
    sched.advance_to(0x20 * 1000)
    assert tm.read(0x3C) == 2 and tm.read(0x24) == 1


def test_armed_write_one_disarms(sched, parts) -> None:
    ticks, tm = parts
    start_ticks(ticks)
    tm.write(0x18, 50)
    tm.write(0x1C, 60)
    tm.write(0x20, 1 << 2)
    assert tm.read(0x20) == 1 << 3
    sched.advance_to(100_000)
    assert tm.read(0x3C) == 1 << 3


def test_alarm_retimed_when_tick_rate_changes(sched, parts) -> None:
    ticks, tm = parts
    start_ticks(ticks)
    tm.write(0x10, 10)
    sched.advance_to(4_000)  # 4 ticks
    ticks.write(0x1C, 24)  # now 2 us per tick: 6 more ticks = 12 us
    sched.advance_to(15_999)
    assert tm.read(0x3C) == 0
    sched.advance_to(16_000)
    assert tm.read(0x3C) == 1


def test_force_and_mask(parts) -> None:
    _t, tm = parts
    tm.write(0x44, 0x4)  # INTF forces regardless of INTE
    assert tm.read(0x48) == 0x4 and tm.irqs[2].level
    tm.write(0x3044, 0x4)
    assert not tm.irqs[2].level


def test_alarm_equal_to_now_fires_at_once(parts) -> None:
    _t, tm = parts
    tm.write(0x10, 0)
    assert tm.read(0x3C) == 1 and tm.read(0x20) == 0


def test_block_reset_zeroes_and_holds_the_count(sched, parts) -> None:
    ticks, tm = parts
    start_ticks(ticks)
    sched.advance_to(5_000)
    tm.write(0x10, 100)
    tm.hold_reset(True)
    sched.advance_to(200_000)
    assert tm.read(0x28) == 0 and tm.read(0x3C) == 0 and tm.read(0x20) == 0
    tm.hold_reset(False)
    sched.advance_to(203_000)
    assert tm.read(0x28) == 3
