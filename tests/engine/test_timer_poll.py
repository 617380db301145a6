"""Busy-waits on time-varying registers (TIMER0 TIMERAWL, SysTick CVR) must
take exactly the time they wait for: such a register changes with no
scheduled event, so its loop is not a pure status poll (timerpoll.c)."""

from __future__ import annotations

from tests.engine.helpers import run_to_done

US = 1_000


def led_edges(machine) -> list[int]:
    return [e.t_ns for e in machine.events if e.kind == "pin" and e.data["pin"] == 25]


def test_timer_and_systick_busy_waits_last_one_millisecond(boot):
    machine = boot("timerpoll")
    run_to_done(machine, 50_000_000)
    edges = led_edges(machine)
    assert len(edges) == 4, edges
    timer_wait = edges[1] - edges[0]
    systick_wait = edges[3] - edges[2]
    assert 1000 * US <= timer_wait <= 1002 * US, timer_wait
    assert 1000 * US <= systick_wait <= 1002 * US, systick_wait


def test_the_timer_wait_is_skipped_and_ends_at_the_same_time(boot):
    """`while (TIMERAWL - t0 < 1000)` compares a difference of the clock with a
    constant, the difference kept in a register into the next pass (the read
    ends the pass): skipped up to the tick where the comparison flips
    (clockpoll.py), with the same edges as running every pass."""
    runs = {}
    for skip in (True, False):
        machine = boot("timerpoll")
        machine.cpu.skip_loops = skip
        run_to_done(machine, 50_000_000)
        runs[skip] = (led_edges(machine), machine.cpu.fast_forwarded, machine.cpu.cycles)
    assert runs[True][0] == runs[False][0] and len(runs[True][0]) == 4
    assert runs[True][2] == runs[False][2]
    assert runs[True][1] > 100_000 and runs[False][1] == 0
