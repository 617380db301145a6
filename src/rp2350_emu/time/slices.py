"""The machine's scheduler, made exact *inside* a CPU slice.

The CPU runs count-bounded slices; between slices the plain Scheduler's
`now_ns` is exact. During a slice a peripheral register access happens at
some instruction in the middle, so `now_ns` is computed from the slice start
plus the instructions retired so far (the CPU installs `live_ns`). And an
event scheduled during a slice may fall before the slice's planned end: the
CPU is told so it can end the slice on time (`on_earlier_event`).
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.time.scheduler import Event, Scheduler


class SliceScheduler(Scheduler):
    def __init__(self) -> None:
        self._now = 0
        self.live_ns: Callable[[], int] | None = None
        self.slice_end_ns: int | None = None
        self.on_earlier_event: Callable[[int], None] | None = None
        super().__init__()

    @property  # type: ignore[override]
    def now_ns(self) -> int:
        live = self.live_ns
        return live() if live is not None else self._now

    @now_ns.setter
    def now_ns(self, value: int) -> None:
        self._now = value

    def schedule_at(self, at_ns: int, callback: Callable[[], None], name: str = "") -> Event:
        event = super().schedule_at(at_ns, callback, name)
        end = self.slice_end_ns
        if end is not None and event.at_ns < end and self.on_earlier_event is not None:
            self.on_earlier_event(event.at_ns)
        return event

    def clear(self) -> None:
        """Drop every pending event and go back to time 0 (power-on)."""
        self._queue.clear()
        self._now = 0
