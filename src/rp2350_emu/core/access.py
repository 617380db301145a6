"""How an MMIO access may take part in a loop pass the core skips (the bus
classifies each register from its block's table, fastpath.py decides)."""

from __future__ import annotations

#: a read that changes nothing and whose value changes only on events
PURE = 0
#: a read or write whose effect is confined to the block's `idle_state()` (SIO spinlocks)
INTERNAL = 1
#: a read of a free-running count (Register.clock): compared by the pass, core/clockpoll.py
CLOCK = 2
#: anything else: a pass that does it is not skipped
OTHER = 3
