"""SEV/WFE event register and SLEEPONEXIT (sleep.c)."""

from __future__ import annotations

from tests.engine.helpers import result_log, run_to_done, word


def test_sev_then_wfe_falls_through_and_sleeponexit_skips_the_thread(boot):
    machine = boot("sleep")
    run_to_done(machine, 10_000_000)
    # 0: the WFE after SEV did not wait for anything;
    # 0x100 then 0x103: ticks 1 and 2 returned straight to sleep
    assert result_log(machine) == [0, 0x100, 0x103]
    assert word(machine, "thread_loops") == 2
    assert word(machine, "ticks") == 3
    # three 100 us SysTick periods, each slept through
    assert 300_000 <= machine.now_ns < 310_000
