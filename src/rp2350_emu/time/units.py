"""Time strings as Renode writes them, converted to integer nanoseconds.

Renode's monitor parses intervals with an *unanchored* pattern
``((h:)?m:)?s(.frac)?``: ``"00:00:01"`` and ``"1"`` are one second, ``"0.01"``
is ten milliseconds, and a unit suffix is simply ignored (``"5s"`` is five
seconds but ``"1ms"`` is one second). We keep that behaviour so a ``.resc`` or
``.robot`` file means the same under both engines.

Keyword timeouts (``timeout=0.5``) are plain seconds; Robot's own ``Sleep``
takes Robot time strings (``300ms``), converted by Robot's parser.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000

_INTERVAL = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d+))?")


def parse_interval(text: str) -> int:
    """Renode time-interval string -> nanoseconds. Raises ValueError."""
    match = _INTERVAL.search(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time interval (expected [[hh:]mm:]ss[.fraction], e.g. \"00:00:01\" "
                         f"or \"0.01\")")
    hours, minutes, seconds, frac = match.groups()
    total = (int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)) * NS_PER_S
    if frac:
        total += int(frac[:9].ljust(9, "0"))
    return total


def unparsed_interval(text: str) -> str:
    """What `parse_interval` ignores of `text` (a unit suffix, a sign), "" if nothing."""
    match = _INTERVAL.search(text)
    return "" if match is None else (text[:match.start()] + text[match.end():]).strip()


def seconds_to_ns(seconds: float | str | Decimal) -> int:
    """Seconds (keyword argument) -> integer nanoseconds, without float drift.

    Goes through the decimal text so that ``0.1`` becomes exactly 100 ms.
    """
    try:
        value = Decimal(str(seconds))
    except InvalidOperation:
        raise ValueError(f"'{seconds}' is not a number of seconds") from None
    if value < 0:
        raise ValueError(f"a duration cannot be negative (got {seconds})")
    return int(value * NS_PER_S)


def ns_to_ms(t_ns: int) -> float:
    """Virtual nanoseconds -> the milliseconds Renode reports in results."""
    return t_ns / NS_PER_MS


def format_ns(t_ns: int) -> str:
    """Human form for messages: seconds with microsecond resolution."""
    return f"{t_ns / NS_PER_S:.6f} s"
