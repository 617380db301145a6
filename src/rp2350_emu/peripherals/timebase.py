"""Counting clock cycles against virtual time.

Nothing here increments a counter on a poll: a count is a function of
`scheduler.now_ns` and the clock frequency, and the time at which a count
will be reached is computed in closed form so an event can be scheduled for
that exact nanosecond.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rp2350_emu.time.units import NS_PER_S

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler



class CycleCounter:
    """Cycles of one clock since an arbitrary origin.

    The frequency is piecewise constant. On a change the count reached so far
    is folded into the anchor, so the count never jumps or runs backwards; the
    partial cycle in progress is dropped (as a synchroniser would).
    """

    def __init__(self, scheduler: Scheduler, hz: int = 0) -> None:
        self._sched = scheduler
        self._anchor_ns = scheduler.now_ns
        self._anchor = 0
        self.hz = int(hz)

    def cycles_at(self, t_ns: int) -> int:
        if self.hz <= 0 or t_ns <= self._anchor_ns:
            return self._anchor
        return self._anchor + (t_ns - self._anchor_ns) * self.hz // NS_PER_S

    @property
    def now_ns(self) -> int:
        return self._sched.now_ns

    def now(self) -> int:
        return self.cycles_at(self._sched.now_ns)

    def time_of(self, cycle: int) -> int | None:
        """Earliest virtual time at which the count reaches `cycle` (None: never)."""
        if cycle <= self._anchor:
            return self._anchor_ns
        if self.hz <= 0:
            return None
        return self._anchor_ns + -(-(cycle - self._anchor) * NS_PER_S // self.hz)

    # the names timer-like consumers use for any count source
    count_at = cycles_at

    def set_hz(self, hz: int) -> bool:
        """Change frequency from now on; returns whether it changed."""
        hz = int(hz)
        if hz == self.hz:
            return False
        now = self._sched.now_ns
        self._anchor = self.cycles_at(now)
        self._anchor_ns = now
        self.hz = hz
        return True


class Listeners:
    """A list of no-argument callbacks run when something upstream changed."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []

    def add(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def __call__(self) -> None:
        for callback in self._callbacks:
            callback()


def hz_of(source: Callable[[], int] | int | None, default: int) -> Callable[[], int]:
    """Normalise a frequency argument (callable, constant or None) to a callable."""
    if source is None:
        return lambda: default
    if callable(source):
        return source
    value = int(source)
    return lambda: value
