"""`cpu Step N` on the built-in engine: N instructions through the GDB target's single step.

The monitor sits above the GDB layer, so it reuses EngineTarget's step (a
code hook for one instruction, ending early when an exception is taken)
instead of adding stepping to the core. One target per machine: it keeps
an exception listener on the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.board import Board
from rp2350_emu.platform.machine import Machine

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.monitor.interpreter import Monitor

#: virtual time one step may take (a core asleep in WFI waits for its interrupt)
STEP_BUDGET_NS = 10_000_000_000

_targets: dict[int, Any] = {}


def step_instructions(mon: Monitor, handle: Board, count: int) -> int:
    """Execute `count` instructions on `handle`'s core; returns the PC after them."""
    from rp2350_emu.gdb.engine_target import EngineTarget

    engine = handle.require_engine("cpu Step")
    if not isinstance(engine, Machine):
        raise HarnessError("cpu Step: only the built-in engine's core can be stepped here")
    target = _targets.get(id(engine))
    if target is None or target.machine is not engine:
        target = _targets[id(engine)] = EngineTarget(engine)
    for _ in range(count):
        target.resume(step=True)
        stop = target.run(STEP_BUDGET_NS)
        if stop is not None and stop.message:
            raise HarnessError(f"cpu Step: {stop.message}")
        handle.run_pin_watches()
    return int(target.read_register("pc"))
