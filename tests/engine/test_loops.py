"""Idle and poll loops of every shape are skipped exactly (tests/elf/loops.c).

Each phase of loops.c toggles GPIO25 at its start and end. With skipping on
and off the phases must end at the same virtual times and leave the same
memory; the skippable phases must also cost almost no executed instructions,
the others must run every pass.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rp2350_emu.platform.events import fingerprint
from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import run_to_done, word

PHASES = ("unrolled poll", "two-register poll", "masked poll", "interrupt flag", "countdown",
          "memory-changing poll", "free-running counter",
          "timeout poll", "spinlock timeout poll", "time stored each pass", "time tested bitwise",
          "signed deadline", "timeout across the wrap", "carried difference under interrupts")
SKIPPABLE = {"unrolled poll", "two-register poll", "masked poll", "interrupt flag", "countdown",
             "timeout poll", "spinlock timeout poll", "signed deadline", "timeout across the wrap",
             "carried difference under interrupts"}


def run(boot: Callable[..., Machine], skip: bool) -> tuple[Machine, list[int], list[int]]:
    """(machine, LED edge times, executed instructions at each edge)."""
    machine = boot("loops")
    machine.cpu.skip_loops = skip
    executed: list[int] = []
    machine.gpio.add_listener(lambda pin, _level: executed.append(machine.cpu.executed_now) if pin == 25 else None)
    run_to_done(machine, 200_000_000)
    edges = [e.t_ns for e in machine.events if e.kind == "pin" and e.data["pin"] == 25]
    assert len(edges) == 2 * len(PHASES)
    return machine, edges, executed


@pytest.fixture(scope="module")
def both(elf_dir_module) -> dict[bool, tuple[Machine, list[int], list[int]]]:
    return {skip: run(elf_dir_module, skip) for skip in (True, False)}


@pytest.fixture(scope="module")
def elf_dir_module(elf_dir) -> Callable[..., Machine]:
    from tests.engine.helpers import PLATFORM

    def make(name: str) -> Machine:
        machine = Machine.from_repl(PLATFORM)
        machine.load_elf(elf_dir / f"{name}.elf")
        return machine
    return make


def test_the_same_events_at_the_same_times_with_skipping_on_and_off(both) -> None:
    on, off = both[True][0], both[False][0]
    assert fingerprint(on.events) == fingerprint(off.events)
    assert on.cpu.cycles == off.cpu.cycles
    for symbol in ("ram_counter", "systicks", "flag", "countdown_left", "last_seen", "timeouts", "frames_seen"):
        assert word(on, symbol) == word(off, symbol), symbol
    # r0-r3 as each SysTick interrupt of phase 14 found them: a skip must leave the registers a
    # pass carries into the next (here over two pass boundaries) as running every pass does
    assert word(on, "frames_seen") == 29
    frames = [[word(m, "frames", i) for i in range(4 * 29)] for m in (on, off)]
    assert frames[0] == frames[1]
    assert on.cpu.fast_forwarded > 0 and off.cpu.fast_forwarded == 0


@pytest.mark.parametrize("phase", PHASES)
def test_each_phase_is_skipped_or_run_as_it_must(both, phase: str) -> None:
    i = PHASES.index(phase)
    _m, _edges, executed = both[True]
    _m, _edges_off, executed_off = both[False]
    ran = executed[2 * i + 1] - executed[2 * i]
    ran_off = executed_off[2 * i + 1] - executed_off[2 * i]
    assert ran_off > 10_000  # the phase is long enough to tell
    if phase in SKIPPABLE:
        assert ran < ran_off / 20, f"{phase}: {ran} of {ran_off} instructions executed"
    else:
        assert ran == ran_off, f"{phase}: a loop that changes state was skipped"


def test_the_memory_changing_loop_counted_every_pass(both) -> None:
    machine, edges, _ = both[True]
    passes = word(machine, "ram_counter")
    duration_cycles = (edges[11] - edges[10]) * 150 // 1000
    assert passes > 10_000 and 7 * passes <= duration_cycles + 40


def test_timeout_polls_end_on_the_timeout_tick(both) -> None:
    """The skipped timeout polls end where running every pass ends them: on the
    first pass that reads TIMEOUT_US or more (3 ms from a start read up to a tick
    after the mark, within a pass or two)."""
    machine, edges, _ = both[True]
    assert word(machine, "timeouts") == 3
    for phase in ("timeout poll", "spinlock timeout poll", "signed deadline", "timeout across the wrap"):
        i = PHASES.index(phase)
        waited = edges[2 * i + 1] - edges[2 * i]
        assert 2_999_000 <= waited <= 3_002_000, (phase, waited)
