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


def test_the_timer_wait_ends_at_the_same_time_with_skipping_on_and_off(boot):
    """`while (TIMERAWL - t0 < 1000)` keeps the difference in a register from one
    pass to the next (the read is the pass's last instruction): clockpoll.py does
    not follow a value across passes, so the loop runs; it must end on the same
    tick either way."""
    edges = {}
    for skip in (True, False):
        machine = boot("timerpoll")
        machine.cpu.skip_loops = skip
        run_to_done(machine, 50_000_000)
        edges[skip] = led_edges(machine)
    assert edges[True] == edges[False] and len(edges[True]) == 4
