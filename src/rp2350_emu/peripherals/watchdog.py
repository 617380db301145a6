"""WATCHDOG (0x400D8000): CTRL, LOAD, REASON, SCRATCH0-7.

On the RP2350 the watchdog tick comes from the TICKS WATCHDOG generator and
the counter decrements once per tick (the RP2040 double-decrement is gone).
CTRL.TIME is derived from virtual time; expiry is a scheduled event. A
timeout or CTRL.TRIGGER records REASON and calls the `on_reset` callbacks
with "timer" or "force"; the machine performs the chip reset and then calls
`watchdog_reset()`, which keeps SCRATCH0-7 and REASON as silicon does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event, Scheduler

CTRL_TRIGGER = 1 << 31
CTRL_ENABLE = 1 << 30
CTRL_PAUSE_BITS = 0x07000000
TIME_MASK = 0xFFFFFF
REASON_TIMER, REASON_FORCE = 1 << 0, 1 << 1


class Watchdog(Peripheral):
    """Watchdog. kwargs: ticks (Ticks model; its "watchdog" generator)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self._tick: Any = None
        self._callbacks: list[Callable[[str], None]] = []
        self._time = 0  # counter value at the anchor
        self._anchor_tick = 0  # tick count at the anchor
        self._event: Event | None = None
        self._reason = 0
        self.add(Register("CTRL", 0x00, reset=0x07000000, read=Watchdog._read_ctrl,
                          write=Watchdog._write_ctrl, varies=True))
        self.add(Register("LOAD", 0x04, mask=0, read=lambda p: 0, write=Watchdog._write_load))
        self.add(Register("REASON", 0x08, mask=0, read=lambda p: p._reason))
        for i in range(8):
            self.add(Register(f"SCRATCH{i}", 0x0C + 4 * i))
        if kwargs.get("ticks") is not None:
            self.connect_ticks(kwargs["ticks"])

    def connect_ticks(self, ticks: Any) -> None:
        self._tick = ticks.gen("watchdog")
        self._tick.listeners.add(self._schedule)
        self._anchor_tick = self._ticks_now()
        self._schedule()

    def on_reset(self, callback: Callable[[str], None]) -> None:
        """Register fn(reason) run when the watchdog resets the chip."""
        self._callbacks.append(callback)

    # -- counting ---------------------------------------------------------------
    def _enabled(self) -> bool:
        return bool(self.registers[0x00].value & CTRL_ENABLE)

    def _ticks_now(self) -> int:
        return self._tick.ticks_at(self.scheduler.now_ns) if self._tick is not None else 0

    def time(self) -> int:
        """Ticks left before the watchdog fires (CTRL.TIME)."""
        if not self._enabled():
            return self._time
        return max(0, self._time - (self._ticks_now() - self._anchor_tick))

    def _reanchor(self, time: int) -> None:
        self._time = time & TIME_MASK
        self._anchor_tick = self._ticks_now()
        self._schedule()

    def _schedule(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if not self._enabled():
            return
        if self._tick is None:
            return
        when = self._tick.time_of_tick(self._anchor_tick + self._time)
        if when is not None:
            self._event = self.scheduler.schedule_at(when, self._expire, f"{self.name}.timeout")

    def _expire(self) -> None:
        self._event = None
        if self._enabled() and self.time() == 0:
            self._fire(REASON_TIMER, "timer")

    def _fire(self, reason: int, why: str) -> None:
        self._reason = reason
        for callback in self._callbacks:
            callback(why)

    # -- registers -------------------------------------------------------------------
    def _read_ctrl(self) -> int:
        return (self.registers[0x00].value & (CTRL_ENABLE | CTRL_PAUSE_BITS)) | self.time()

    def _write_ctrl(self, value: int) -> None:
        reg = self.registers[0x00]
        time = self.time()
        reg.value = value & (CTRL_ENABLE | CTRL_PAUSE_BITS)
        self._reanchor(time)  # enabling continues from TIME, disabling freezes it
        if value & CTRL_TRIGGER:
            self._fire(REASON_FORCE, "force")

    def _write_load(self, value: int) -> None:
        self._reanchor(value & TIME_MASK)

    def reset(self) -> None:
        """Power-on reset: everything, including SCRATCH and REASON."""
        self.watchdog_reset()
        for i in range(8):
            self.registers[0x0C + 4 * i].value = 0
        self._reason = 0

    def watchdog_reset(self) -> None:
        """Reset after a watchdog event: SCRATCH0-7 and REASON survive."""
        scratch = [self.registers[0x0C + 4 * i].value for i in range(8)]
        if self._event is not None:
            self._event.cancel()
            self._event = None
        super().reset()
        for i, value in enumerate(scratch):
            self.registers[0x0C + 4 * i].value = value
        self._time = 0
        self._anchor_tick = self._ticks_now()
