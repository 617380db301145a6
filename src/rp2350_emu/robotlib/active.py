"""The keyword library Robot is running now: Robot's `Sleep` and the insight keywords find it here."""

from __future__ import annotations

from typing import Any

_library: Any = None


def set_active(library: Any) -> None:
    global _library
    _library = library


def active() -> Any:
    """The current RenodeKeywords instance, or None before the suite's Setup."""
    return _library
