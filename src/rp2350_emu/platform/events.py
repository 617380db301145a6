"""What a machine records: timed events, and their canonical form and fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple


class Event(NamedTuple):
    """One observable thing: t_ns, kind ("uart-tx", "uart-rx", "pin"), data."""

    t_ns: int
    kind: str
    data: dict


class EventLog(list):
    """The events a machine recorded, oldest first, and who hears each one as it happens.

    With `limit` set only about the last `limit` events are kept (a long run's
    memory stays flat; listeners see every one); `dropped` counts the ones
    let go, so `position(i)` of a retained event never changes.
    """

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0
        self.listeners: list[Callable[[Event], None]] = []

    def record(self, event: Event) -> None:
        self.append(event)
        for listener in self.listeners:
            listener(event)
        limit = self.limit
        if limit is not None and len(self) > 2 * limit:
            excess = len(self) - limit
            del self[:excess]
            self.dropped += excess

    @property
    def total(self) -> int:
        """Every event recorded so far, dropped ones included."""
        return self.dropped + len(self)

    def since(self, position: int) -> list[Event]:
        """The retained events at and after absolute position `position`."""
        return self[max(position - self.dropped, 0):]

    def clear(self) -> None:
        super().clear()
        self.dropped = 0


class Fingerprint:
    """SHA-256 over canonical event lines, fed one event at a time (a listener)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def __call__(self, event: Event) -> None:
        self._digest.update(canonical_event(event).encode() + b"\n")

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def canonical_event(event: Event) -> str:
    """One event as canonical JSON (sorted keys, no spaces): the fingerprint's unit."""
    return json.dumps({"t_ns": event.t_ns, "kind": event.kind, "data": event.data},
                      sort_keys=True, separators=(",", ":"))


def fingerprint(events: Iterable[Event]) -> str:
    """SHA-256 over the canonical JSON lines of an event stream."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(canonical_event(event).encode() + b"\n")
    return digest.hexdigest()
