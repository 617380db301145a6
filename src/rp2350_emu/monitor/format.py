"""Renode's printing rules for monitor output, and did-you-mean suggestions.

Integers as zero-padded upper-case hex of the value's width (`0x00000147` for
a double word), CPU registers as `0x…` without padding, booleans as
`True`/`False`, every line ending in CRLF.
"""

from __future__ import annotations

import difflib
from typing import Any

CRLF = "\r\n"


def fmt_hex(value: int, width_bytes: int) -> str:
    return f"0x{value & ((1 << (8 * width_bytes)) - 1):0{2 * width_bytes}X}" + CRLF


def fmt_register(value: int) -> str:
    return f"0x{value:x}" + CRLF


def fmt_bool(value: bool) -> str:
    return ("True" if value else "False") + CRLF


def suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    lowered = [c for c in choices if str(c).lower() == word.lower()]
    pick = lowered[0] if lowered else (close[0] if close else None)
    return f" (did you mean '{pick}'?)" if pick else ""
