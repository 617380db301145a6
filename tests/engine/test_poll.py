"""Pure status-poll loops are skipped to the next event; loops that change
state are executed (poll.c, XOSC start-up of 47 x 256 crystal periods)."""

from __future__ import annotations

from tests.engine.helpers import run_to_done, word

STARTUP_NS = -(-47 * 256 * 1_000_000_000 // 12_000_000)  # 1002667 ns
CYCLE_NS = 1_000_000_000 / 150_000_000


def led_edges(machine) -> list[int]:
    return [e.t_ns for e in machine.events if e.kind == "pin" and e.data["pin"] == 25]


def test_pure_poll_is_skipped_with_exact_time(boot):
    machine = boot("poll")
    run_to_done(machine, 20_000_000)
    rise, fall = led_edges(machine)[:2]
    # the wait ends within one loop (3 instructions) plus a few of the
    # instructions around it after the oscillator became stable
    assert STARTUP_NS <= fall - rise < STARTUP_NS + 30 * CYCLE_NS
    assert machine.cpu.fast_forwarded > 0.9 * STARTUP_NS / CYCLE_NS  # not executed one by one


def test_counting_loop_really_runs(boot):
    machine = boot("poll")
    run_to_done(machine, 20_000_000)
    rise, fall = led_edges(machine)[2:4]
    counted = word(machine, "counted")
    # ldr, cmp/tst, branch, adds: the count is what the elapsed time allows
    cycles = (fall - rise) / CYCLE_NS
    assert 3 * counted < cycles < 5 * counted + 40
    assert counted > 30_000
