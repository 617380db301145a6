"""Robot's BuiltIn `Sleep` in virtual time while an emulation is started."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from rp2350_emu.robotlib.active import active
from rp2350_emu.time.units import format_ns, seconds_to_ns


def advance_virtual_seconds(library: Any, seconds: float) -> None:
    library.emulation.advance(seconds_to_ns(Decimal(str(seconds))))


def install_virtual_sleep() -> None:
    """Make BuiltIn `Sleep` advance virtual time while an emulation is started.

    Under Renode the emulation runs in the background paced to wall time, so
    `Sleep 0.3s` between a button press and release lets 0.3 s of virtual
    time pass. Here time moves only on request, so `Sleep` makes that request
    instead of idling the host; a paused emulation sleeps in wall time as usual.
    """
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
        advance_virtual_seconds(library, seconds)
        if not library._replaying:
            library.history.append(("Sleep", (seconds,)))
        self.log(f"Advanced virtual time by {secs_to_timestr(seconds)} (now {format_ns(library.emulation.now_ns)})")
        if reason:
            self.log(reason)

    sleep._rp2350_virtual = True  # type: ignore[attr-defined]
    _Misc.sleep = sleep  # type: ignore[method-assign]
