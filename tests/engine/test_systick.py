"""SysTick in virtual ns, COUNTFLAG, and WFI sleeping through time (systick.c)."""

from __future__ import annotations

import time
from itertools import pairwise

from tests.engine.helpers import NS_PER_MS, result_log, run_to_done, word

SYSTICK = 15
PERIOD_NS = 1500 * 1_000_000_000 // 150_000_000  # RVR 1499 at 150 MHz = 10 us


def test_periodic_interrupt_times_are_exact(boot):
    machine = boot("systick")
    entries: list[int] = []
    anchors: list[int] = []

    def listener(kind: str, exc: int, t: int) -> None:
        if kind == "enter" and exc == SYSTICK:
            entries.append(t)
            anchors.append(machine.scs.systick.anchor_ns)

    machine.cpu.exception_listeners.append(listener)
    run_to_done(machine)
    assert result_log(machine) == [5]
    first = entries[:5]
    assert first[0] == anchors[0] + PERIOD_NS  # enabled with CVR 0: reload, then 1500 clocks
    assert [b - a for a, b in pairwise(first)] == [PERIOD_NS] * 4


def test_countflag_clears_when_read(boot):
    machine = boot("systick")
    run_to_done(machine)
    assert word(machine, "countflag_first") & (1 << 16)
    assert not word(machine, "countflag_second") & (1 << 16)


def test_wfi_skips_idle_time(boot):
    machine = boot("systick")
    run_to_done(machine)
    ticks_before = word(machine, "ticks")
    executed = machine.cpu.instructions
    start = machine.now_ns
    wall = time.perf_counter()
    machine.run_for(1000 * NS_PER_MS)
    wall = time.perf_counter() - wall
    # zero k is at anchor + ceil(k * 2^24 / 150 MHz): count the ones passed
    expected = (machine.now_ns - machine.scs.systick.anchor_ns) * 150_000_000 // ((1 << 24) * 1_000_000_000)
    assert word(machine, "ticks") - ticks_before == expected >= 8
    assert machine.now_ns == start + 1000 * NS_PER_MS
    assert machine.cpu.instructions - executed < 1000  # a handful per tick, nothing while asleep
    assert machine.cpu.idle_ns > 990 * NS_PER_MS
    assert wall < 0.5, f"sleeping a virtual second took {wall:.3f} s of wall time"
