"""What a machine records: timed events, and their canonical form and fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import NamedTuple


class Event(NamedTuple):
    """One observable thing: t_ns, kind ("uart-tx", "uart-rx", "pin"), data."""

    t_ns: int
    kind: str
    data: dict


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
