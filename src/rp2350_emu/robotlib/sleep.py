"""Robot's BuiltIn `Sleep` in virtual time while an emulation is started, with a warning.

Under Renode, `Sleep` is wall time: the emulation runs on in the background
at whatever speed the host gives it (faster than real time with
`SetGlobalAdvanceImmediately true`, much slower while the CPU polls MMIO), so
how much virtual time a `Sleep` covers there is not fixed. Here time moves
only on request, so `Sleep` advances virtual time by its argument and warns,
naming the suite file and line: a suite that depends on it does not mean the
same in the two engines (use a wait, `Assert And Hold LED State` or
`emulation RunFor` instead). A paused emulation sleeps in wall time, silently.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, ClassVar

from rp2350_emu.robotlib.active import active
from rp2350_emu.time.units import format_ns, seconds_to_ns


def advance_virtual_seconds(library: Any, seconds: float) -> None:
    library.emulation.advance(seconds_to_ns(Decimal(str(seconds))))


class KeywordLocation:
    """Robot listener (API 3) that knows the file:line of the keyword call running now."""

    ROBOT_LISTENER_API_VERSION = 3
    stack: ClassVar[list[str]] = []
    #: every warning given, for the runner's summary
    warnings: ClassVar[list[str]] = []

    def start_keyword(self, data: Any, result: Any) -> None:
        source, line = getattr(data, "source", None), getattr(data, "lineno", None)
        KeywordLocation.stack.append(f"{source}:{line}" if source else "")

    def end_keyword(self, data: Any, result: Any) -> None:
        if KeywordLocation.stack:
            KeywordLocation.stack.pop()

    @classmethod
    def here(cls) -> str:
        return next((where for where in reversed(cls.stack) if where), "<unknown>:0")


def install_virtual_sleep() -> None:
    """Make BuiltIn `Sleep` advance virtual time (and warn) while an emulation is started."""
    from robot.api import logger
    from robot.libraries.BuiltIn import _Misc
    from robot.utils import secs_to_timestr, timestr_to_secs

    original = _Misc.sleep
    if getattr(original, "_rp2350_virtual", False):
        return

    @functools.wraps(original)  # Robot reads the signature: it must stay the original's
    def sleep(self, time_, reason=None):
        library = active()
        if library is None or not library.emulation.started or not any(
                m.engine is not None for m in library.emulation.machines.values()):
            return original(self, time_, reason)
        seconds = timestr_to_secs(time_)
        warning = (f"{KeywordLocation.here()}: Sleep while the emulation runs: here it advances virtual time "
                   f"by {secs_to_timestr(seconds)}, in Renode it is wall time (the emulation runs on at the "
                   "host's speed); wait for an event instead (Wait For Line On Uart, Assert And Hold LED "
                   "State, emulation RunFor)")
        KeywordLocation.warnings.append(warning)
        logger.warn(warning)
        advance_virtual_seconds(library, seconds)
        self.log(f"Advanced virtual time by {secs_to_timestr(seconds)} (now {format_ns(library.emulation.now_ns)})")
        if reason:
            self.log(reason)

    sleep._rp2350_virtual = True  # type: ignore[attr-defined]
    _Misc.sleep = sleep  # type: ignore[method-assign]
