"""Virtual time: one integer-nanosecond clock and the queue of timed events.

Everything that happens "later" (a UART byte finishing on the wire, a timer
alarm, a button press injected by a test) is an event here. Events at the
same instant fire in the order they were scheduled, so a run is a pure
function of the firmware and its inputs.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class Event:
    at_ns: int
    seq: int
    callback: Callable[[], None] = field(compare=False)
    name: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Owns virtual time. Only the machine's run loop advances `now_ns`."""

    def __init__(self) -> None:
        self.now_ns: int = 0
        self._queue: list[Event] = []
        self._seq = itertools.count()

    def schedule_at(self, at_ns: int, callback: Callable[[], None], name: str = "") -> Event:
        at_ns = max(at_ns, self.now_ns)
        event = Event(int(at_ns), next(self._seq), callback, name)
        heapq.heappush(self._queue, event)
        return event

    def schedule_in(self, delay_ns: int, callback: Callable[[], None], name: str = "") -> Event:
        return self.schedule_at(self.now_ns + int(delay_ns), callback, name)

    def next_event_ns(self) -> int | None:
        """Time of the earliest pending (not cancelled) event, or None."""
        queue = self._queue
        while queue and queue[0].cancelled:
            heapq.heappop(queue)
        return queue[0].at_ns if queue else None

    def advance_to(self, t_ns: int) -> None:
        """Move time forward to `t_ns`, firing every event due on the way."""
        queue = self._queue
        while queue and queue[0].at_ns <= t_ns:
            event = heapq.heappop(queue)
            if event.cancelled:
                continue
            self.now_ns = event.at_ns
            event.callback()
        self.now_ns = max(self.now_ns, t_ns)

    def pending(self) -> list[Event]:
        return sorted(e for e in self._queue if not e.cancelled)
