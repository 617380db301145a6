"""One register of a register table: reset value, writable mask, and behaviour hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: the block a hook is called with (a Peripheral; typed loosely so this module
#: stays below the block base that imports it)
Owner = Any


@dataclass
class Register:
    """One register. `value` holds the stored bits; hooks add behaviour.

    read:  optional fn(peripheral) -> int giving the live value (status bits).
           Must have no side effects; side effects go in `on_read`.
    on_read: optional fn(peripheral) -> int for reads with side effects
           (FIFO pops, clear-on-read); `read`/`value` is used for peeks.
    write: optional fn(peripheral, value) applying a write; without it the
           writable bits (`mask`) are stored in `value` and `w1c` bits that
           are written as 1 are cleared.
    w1c:   write-1-to-clear bits. Alias writes treat them as "the bits named
           by the write" (SET/XOR alias clears exactly those, CLR alias none)
           instead of writing back every bit that happened to read as 1.
    varies: the value moves with virtual time between scheduled events (a
           free-running counter). A loop polling it is not a pure status
           poll, so the core must not skip it to the next event.
    clock: for a `varies` register that is the low 32 bits of a count that
           only goes up: fn(peripheral) -> (count now, time_of), where
           time_of(n) is the virtual ns at which the count reaches n (None:
           never, the count is stopped). A loop comparing it against a
           deadline is skipped up to the tick where the comparison could
           change (core/clockpoll.py).
    internal: reads and writes change only state the block reports through
           `Peripheral.idle_state()`: no output, no event, no interrupt (the
           SIO spinlocks). A loop pass that claims and releases such a
           register and leaves that state as it found it is still idle.
    """

    name: str
    offset: int
    reset: int = 0
    mask: int = 0xFFFFFFFF
    read: Callable[[Owner], int] | None = None
    on_read: Callable[[Owner], int] | None = None
    write: Callable[[Owner, int], None] | None = None
    value: int = 0
    w1c: int = 0
    varies: bool = False
    clock: Callable[[Owner], tuple[int, Callable[[int], int | None]]] | None = None
    internal: bool = False
