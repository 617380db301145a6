"""TICKS: register layout, 1 us ticks from 12 MHz, rate changes."""

from __future__ import annotations

from rp2350_emu.peripherals import Clocks, Ticks


def test_reset_values_and_layout(sched) -> None:
    t = Ticks("ticks", sched)
    for i in range(6):
        assert t.read(0xC * i) == 0 and t.read(0xC * i + 4) == 0 and t.read(0xC * i + 8) == 0
    t.write(0x28, 0xFFF)  # TIMER1_CYCLES is 9 bits
    assert t.read(0x28) == 0x1FF


def test_hal_tick_setup_gives_one_microsecond(sched) -> None:
    t = Ticks("ticks", sched, clk_ref_hz=12_000_000)
    assert t.tick_period_ns("timer0") is None and not t.enabled("timer0")
    for i in range(6):
        t.write(0xC * i + 4, 12)
        t.write(0xC * i, 1)
    assert t.read(0x18) == 0x3  # ENABLE | RUNNING
    assert t.tick_period_ns("timer0") == 1000.0 and t.tick_period_ns("timer1") == 1000.0
    assert t.enabled("watchdog")
    gen = t.gen("timer0")
    sched.advance_to(4_999)
    assert gen.ticks_at(sched.now_ns) == 4
    assert t.read(0x20) == 1  # one clk_ref cycle to go
    sched.advance_to(5_000)
    assert gen.ticks_at(sched.now_ns) == 5 and gen.time_of_tick(9) == 9_000


def test_disable_freezes_the_count(sched) -> None:
    t = Ticks("ticks", sched, clk_ref_hz=12_000_000)
    t.write(0x1C, 12)
    t.write(0x18, 1)
    sched.advance_to(3_500)
    t.write(0x18, 0)
    sched.advance_to(10_000)
    gen = t.gen("timer0")
    assert gen.ticks_at(sched.now_ns) == 3 and gen.time_of_tick(4) is None
    assert t.tick_period_ns("timer0") is None


def test_clk_ref_change_retimes_ticks(sched) -> None:
    c = Clocks("clocks", sched, rosc_hz=6_000_000)
    t = Ticks("ticks", sched, clocks=c)
    t.write(0x1C, 12)
    t.write(0x18, 1)
    assert t.tick_period_ns("timer0") == 2000.0
    seen: list[int] = []
    t.gen("timer0").listeners.add(lambda: seen.append(sched.now_ns))
    sched.advance_to(10_000)  # 5 ticks at 2 us
    c.write(0x34, 0x00020000)  # clk_ref / 2 -> 3 MHz
    assert seen == [10_000] and t.tick_period_ns("timer0") == 4000.0
    sched.advance_to(18_000)
    assert t.gen("timer0").ticks_at(sched.now_ns) == 7
