"""PWM: counters from virtual time, the fractional divider, wrap IRQs and pin edges at exact ns."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rp2350_emu.peripherals import Pwm
from rp2350_emu.time.scheduler import Scheduler
from tests.peripherals.helpers import build_chip

CH3 = 3 * 0x14  # slice 3: GPIO6 (A) and GPIO7 (B)
CSR, DIV, CTR, CC, TOP = 0x0, 0x4, 0x8, 0xC, 0x10
EN, INTR, INTE0, INTF0, INTS0, INTE1 = 0xF0, 0xF4, 0xF8, 0xFC, 0x100, 0x104


@pytest.fixture
def pwm(sched: Scheduler) -> Pwm:
    return Pwm("pwm", sched, clk_sys_hz=150_000_000)


@pytest.fixture
def chip(sched: Scheduler) -> SimpleNamespace:
    """The whole chip at 150 MHz with PWM out of reset and GPIO6/7 on function 4 (PWM)."""
    c = build_chip(sched)
    c.pwm._clk_sys_hz = lambda: 150_000_000  # clk_sys as the HAL leaves it (test_boot_path runs that)
    c.pwm._clk_sys_changed()
    c.resets.write(0x3000, (1 << 16) | (1 << 6) | (1 << 9))  # PWM, IO_BANK0, PADS_BANK0 out of reset
    for n in (6, 7):
        c.io.write(0x04 + 8 * n, 4)  # GPIOn_CTRL.FUNCSEL = PWM
        c.pads.write(0x04 + 4 * n, 0x56)  # IE, pull-down, ISO clear
    return c


def test_reset_values(pwm: Pwm) -> None:
    for i in range(12):
        base = 0x14 * i
        assert [pwm.read(base + off) for off in (CSR, DIV, CTR, CC, TOP)] == [0, 0x10, 0, 0, 0xFFFF]
    assert [pwm.read(off) for off in (EN, INTR, INTE0, INTF0, INTS0, INTE1)] == [0] * 6


def test_counter_follows_virtual_time_and_wraps_at_top(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + TOP, 99)
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(1_000)  # 150 cycles at DIV 1.0
    assert pwm.read(CH3 + CTR) == 50
    sched.advance_to(1_000_000)
    assert pwm.read(CH3 + CTR) == 150_000 % 100
    assert pwm.read(INTR) == 1 << 3  # it wrapped since enabled


def test_fractional_divider_counts_at_the_mean_rate(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + DIV, (2 << 4) | 8)  # 2.5: 60 M counts/s
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(1_000)
    assert pwm.read(CH3 + CTR) == 60
    sched.advance_to(1_000_033)  # 150_004 cycles -> floor(150_004 * 16 / 40)
    assert pwm.read(CH3 + CTR) == 60_001


def test_div_int_zero_divides_by_256(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + DIV, 0)
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(256 * 1000 // 150 + 1)  # just past 256 cycles
    assert pwm.read(CH3 + CTR) == 1


def test_wrap_interrupt_fires_at_the_exact_ns(sched: Scheduler, pwm: Pwm) -> None:
    seen: list[tuple[int, bool]] = []
    pwm.irqs[0].connect(lambda level: seen.append((sched.now_ns, level)))
    pwm.write(CH3 + TOP, 149)  # 150 counts = 1 us per period
    pwm.write(0x2000 + INTE0, 1 << 3)  # through the SET alias, as the HAL writes it
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(999)
    assert seen == [] and pwm.read(INTR) == 0
    sched.advance_to(1_000)
    assert seen == [(1_000, True)] and pwm.read(INTS0) == 1 << 3
    pwm.write(INTR, 1 << 3)  # W1C
    assert seen[-1] == (1_000, False) and pwm.read(INTR) == 0
    sched.advance_to(2_000)
    assert seen[-1] == (2_000, True)
    pwm.write(0x2000 + INTR, 1 << 3)  # W1C through the SET alias clears exactly that bit
    assert pwm.read(INTR) == 0


def test_force_and_the_second_irq(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(INTF0 + 0x0C, 1 << 5)  # IRQ1_INTF
    assert pwm.irqs[1].level and not pwm.irqs[0].level
    assert pwm.read(0x10C) == 1 << 5 and pwm.read(INTR) == 0
    pwm.write(0x108, 0)
    assert not pwm.irqs[1].level


def test_no_event_is_queued_while_nothing_can_see_a_change(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + TOP, 9)
    pwm.write(CH3 + CSR, 1)
    assert len(sched.pending()) == 1  # the next wrap, to set INTR
    sched.advance_to(1_000)
    assert pwm.read(INTR) == 1 << 3 and sched.pending() == []  # INTR set: nothing more to do
    sched.advance_to(1_000_000)
    assert pwm.read(CH3 + CTR) == 150_000 % 10


def test_en_register_aliases_every_csr_en(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(EN, 0b1001)
    assert pwm.read(CSR) & 1 and pwm.read(CH3 + CSR) & 1 and pwm.read(EN) == 0b1001
    pwm.write(CH3 + CSR, 0)
    assert pwm.read(EN) == 0b0001
    pwm.write(0x3000 + EN, 1)  # CLR alias
    assert pwm.read(EN) == 0


def test_disabled_counter_holds_and_ctr_writes_set_it(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(1_000)
    pwm.write(CH3 + CSR, 0)
    sched.advance_to(5_000)
    assert pwm.read(CH3 + CTR) == 150
    pwm.write(CH3 + CTR, 1234)
    assert pwm.read(CH3 + CTR) == 1234
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(6_000)
    assert pwm.read(CH3 + CTR) == 1234 + 150


def test_phase_correct_counts_up_then_down(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + TOP, 99)
    pwm.write(CH3 + CSR, 0b11)  # EN, PH_CORRECT
    sched.advance_to(80 * 1000 // 150 + 1)  # 80 counts
    assert pwm.read(CH3 + CTR) == 80
    sched.advance_to(150 * 1000 // 150 + 1)  # 150 counts: 100 up (0..99), then down from 99
    assert pwm.read(CH3 + CTR) == 49
    assert pwm.read(INTR) == 0  # the wrap is at the bottom, after 200 counts
    sched.advance_to(200 * 1000 // 150 + 1)
    assert pwm.read(INTR) == 1 << 3 and pwm.read(CH3 + CTR) == 0


def test_phase_advance_and_retard_act_once(sched: Scheduler, pwm: Pwm) -> None:
    pwm.write(CH3 + DIV, 4 << 4)
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(1_000)  # 150 cycles / 4 = 37 counts
    assert pwm.read(CH3 + CTR) == 37
    pwm.write(CH3 + CSR, 1 | 1 << 7)  # PH_ADV: a spare cycle at once
    assert pwm.read(CH3 + CTR) == 38 and pwm.read(CH3 + CSR) == 1
    pwm.write(CH3 + CSR, 1 | 1 << 6)  # PH_RET: the next count is dropped; the bit reads 1 till then
    assert pwm.read(CH3 + CSR) == 1 | 1 << 6 and pwm.read(CH3 + CTR) == 38
    sched.advance_to(1_020)  # 153 cycles: the count due at cycle 152 was dropped
    assert pwm.read(CH3 + CSR) == 1 and pwm.read(CH3 + CTR) == 38
    sched.advance_to(1_040)  # cycle 156
    assert pwm.read(CH3 + CTR) == 39


def test_a_lowered_div_never_schedules_a_count_in_the_past(sched: Scheduler, pwm: Pwm,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """DIV 255 leaves up to 254 cycles' worth in the divider; at DIV 1.0 that was a burst of counts
    and an event for a cycle already past, firing again and again at the same ns."""
    fired: list[int] = []
    fire = Pwm._fire

    def counted(self: Pwm, s: object) -> None:
        fired.append(sched.now_ns)
        if len(fired) > 100:
            raise AssertionError(f"PWM event storm at {sched.now_ns} ns")
        fire(self, s)

    monkeypatch.setattr(Pwm, "_fire", counted)
    pwm.write(CH3 + DIV, 0xFF0)
    pwm.write(CH3 + TOP, 9)
    pwm.write(CH3 + CSR, 1)
    sched.advance_to(3_380)  # 507 cycles: one count, 252 cycles towards the next
    assert pwm.read(CH3 + CTR) == 1
    pwm.write(CH3 + DIV, 0x10)
    sched.advance_to(3_400)  # 3 cycles: 3 counts, not 255
    assert pwm.read(CH3 + CTR) == 4
    sched.advance_to(3_440)  # 9 cycles: the wrap at count 10, once
    assert pwm.read(CH3 + CTR) == 0 and pwm.read(INTR) == 1 << 3 and len(fired) == 1


def test_cc_written_mid_period_waits_for_the_wrap(chip: SimpleNamespace) -> None:
    """A servo driver writes CC whenever the angle changes: no cut or stretched pulse."""
    s, pwm = chip.sched, chip.pwm
    edges = _edges(chip, 6)
    pwm.write(CH3 + DIV, 50 << 4)
    pwm.write(CH3 + TOP, 59_999)
    pwm.write(CH3 + CC, 1_500)  # 0.5 ms
    pwm.write(CH3 + CSR, 1)
    t0 = s.now_ns
    s.advance_to(t0 + 1_000_000)  # 1 ms into the first period: A is low again
    pwm.write(CH3 + CC, 7_500)  # 2.5 ms: would turn A on at once without the double buffer
    assert pwm.read(CH3 + CC) == 7_500 and chip.gpio.pin(6).level is False
    s.advance_to(t0 + 45_000_000)
    assert edges == [(t0, True), (t0 + 500_000, False), (t0 + 20_000_000, True),
                     (t0 + 22_500_000, False), (t0 + 40_000_000, True), (t0 + 42_500_000, False)]


def _edges(chip: SimpleNamespace, pin: int) -> list[tuple[int, bool]]:
    seen: list[tuple[int, bool]] = []
    chip.gpio.add_listener(lambda n, level: seen.append((chip.sched.now_ns, level)) if n == pin else None)
    return seen


def test_servo_pulse_on_gpio6_has_exact_edges(chip: SimpleNamespace) -> None:
    """50 Hz, 1.5 ms: DIV 50 (3 MHz counts), TOP 59999, CC.A 4500, as a servo driver sets it."""
    s, pwm = chip.sched, chip.pwm
    edges = _edges(chip, 6)
    pwm.write(CH3 + DIV, 50 << 4)
    pwm.write(CH3 + TOP, 59_999)
    pwm.write(CH3 + CC, 4_500)
    pwm.write(CH3 + CSR, 1)
    t0 = s.now_ns
    s.advance_to(t0 + 45_000_000)
    assert edges == [(t0, True), (t0 + 1_500_000, False), (t0 + 20_000_000, True),
                     (t0 + 21_500_000, False), (t0 + 40_000_000, True), (t0 + 41_500_000, False)]
    assert chip.gpio.pin(7).level is False  # CC.B = 0: B stays low


def test_compare_beyond_top_is_always_high_and_invert_flips(chip: SimpleNamespace) -> None:
    s, pwm = chip.sched, chip.pwm
    pwm.write(CH3 + TOP, 99)
    pwm.write(CH3 + CC, (100 << 16) | 0)  # B: CC > TOP -> 100 %; A: 0 -> 0 %
    pwm.write(CH3 + CSR, 1)
    s.advance_to(s.now_ns + 10_000)
    assert chip.gpio.pin(6).level is False and chip.gpio.pin(7).level is True
    pwm.write(CH3 + CSR, 1 | 4)  # A_INV
    assert chip.gpio.pin(6).level is True


def test_the_counter_stays_continuous_across_a_clock_change(chip: SimpleNamespace) -> None:
    s, pwm = chip.sched, chip.pwm
    pwm.write(CH3 + CSR, 1)
    s.advance_to(s.now_ns + 1_000)  # 150 counts at 150 MHz
    pwm._clk_sys_hz = lambda: 75_000_000
    pwm._clk_sys_changed()
    s.advance_to(s.now_ns + 1_000)  # 75 more
    assert pwm.read(CH3 + CTR) == 225


def test_rising_edges_on_b_clock_the_counter(chip: SimpleNamespace) -> None:
    s, pwm = chip.sched, chip.pwm
    pwm.write(CH3 + CSR, 1 | 2 << 4)  # EN, DIVMODE RISE
    for _ in range(5):
        chip.gpio.pin(7).drive(True)
        s.advance_to(s.now_ns + 100)
        chip.gpio.pin(7).drive(False)
        s.advance_to(s.now_ns + 100)
    assert pwm.read(CH3 + CTR) == 5


def test_level_mode_counts_only_while_b_is_high(chip: SimpleNamespace) -> None:
    s, pwm = chip.sched, chip.pwm
    pwm.write(CH3 + CSR, 1 | 1 << 4)  # EN, DIVMODE LEVEL
    s.advance_to(s.now_ns + 1_000)
    assert pwm.read(CH3 + CTR) == 0
    chip.gpio.pin(7).drive(True)
    s.advance_to(s.now_ns + 1_000)
    chip.gpio.pin(7).drive(False)
    s.advance_to(s.now_ns + 1_000)
    assert pwm.read(CH3 + CTR) == 150


def test_held_in_reset_it_stops_and_forgets(chip: SimpleNamespace) -> None:
    s, pwm = chip.sched, chip.pwm
    pwm.write(CH3 + CSR, 1)
    s.advance_to(s.now_ns + 1_000)
    chip.resets.write(0x2000, 1 << 16)  # PWM into reset
    assert pwm.read(CH3 + CTR) == 0 and pwm.read(EN) == 0
    pwm.write(CH3 + CSR, 1)  # dropped while held
    chip.resets.write(0x3000, 1 << 16)
    assert pwm.read(EN) == 0
