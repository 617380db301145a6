"""XOSC (0x40048000): crystal oscillator.

CTRL holds two 12-bit "magic" fields; a write with an invalid code in a field
keeps that field's previous value and sets STATUS.BADWRITE (the HAL relies on
this: it writes FREQ_RANGE with ENABLE=0, then ENABLE with FREQ_RANGE=0).

STATUS.STABLE rises STARTUP.DELAY x 256 crystal periods (x4 with X4) after
the oscillator is enabled, as a scheduled event in virtual time. With the
HAL's DELAY of 2944 that is 62.8 ms at 12 MHz; pass `instant_startup=True`
to make it rise on the enabling write instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.peripherals.timebase import NS_PER_S, Listeners

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event, Scheduler

ENABLE_CODE = 0xFAB
DISABLE_CODE = 0xD1E
FREQ_RANGES = {0xAA0: 0, 0xAA1: 1, 0xAA2: 2, 0xAA3: 3}  # code -> STATUS.FREQ_RANGE
DORMANT_CODE = 0x636F6D61  # "coma"
WAKE_CODE = 0x77616B65  # "wake"

STATUS_STABLE = 1 << 31
STATUS_BADWRITE = 1 << 24
STATUS_ENABLED = 1 << 12


class Xosc(Peripheral):
    """Crystal oscillator. kwargs: freq_hz (12 MHz), instant_startup (False)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self.crystal_hz = int(kwargs.get("freq_hz", 12_000_000))
        self.instant_startup = bool(kwargs.get("instant_startup", False))
        #: run when the output frequency changes (stable / stopped)
        self.listeners = Listeners()
        self._enabled = False
        self._range = 0
        self._stable = False
        self._dormant = False
        self._badwrite = False
        self._startup_event: Event | None = None
        self._count_end_ns: int | None = None
        self.add(Register("CTRL", 0x00, reset=0, write=Xosc._write_ctrl))
        self.add(Register("STATUS", 0x04, mask=0, read=Xosc._read_status, write=Xosc._write_status))
        self.add(Register("DORMANT", 0x08, reset=WAKE_CODE, write=Xosc._write_dormant))
        self.add(Register("STARTUP", 0x0C, reset=0, mask=0x00103FFF))
        self.add(Register("COUNT", 0x10, read=Xosc._read_count, write=Xosc._write_count))

    # -- public ------------------------------------------------------------------
    @property
    def stable(self) -> bool:
        return self._stable

    @property
    def freq_hz(self) -> int:
        """Output frequency: the crystal once stable, else 0 (no clock)."""
        return self.crystal_hz if self._stable else 0

    def wake(self) -> None:
        """Leave DORMANT (the machine calls this on a wake-up event)."""
        self._dormant = False
        self.registers[0x08].value = WAKE_CODE
        self._restart()

    # -- behaviour ----------------------------------------------------------------
    def _set_stable(self, stable: bool) -> None:
        if stable != self._stable:
            self._stable = stable
            self.listeners()

    def _restart(self) -> None:
        """(Re)start or stop the oscillator to match ENABLE/DORMANT."""
        if self._startup_event is not None:
            self._startup_event.cancel()
            self._startup_event = None
        if not self._enabled or self._dormant:
            self._set_stable(False)
            return
        if self._stable:
            return
        startup = self.registers[0x0C].value
        periods = (startup & 0x3FFF) * 256 * (4 if startup >> 20 & 1 else 1)
        delay = -(-periods * NS_PER_S // self.crystal_hz)
        if self.instant_startup or delay == 0:
            self._set_stable(True)
        else:
            self._startup_event = self.scheduler.schedule_in(
                delay, lambda: self._set_stable(True), f"{self.name}.stable")

    def _write_ctrl(self, value: int) -> None:
        reg = self.registers[0x00]
        enable, rng = value >> 12 & 0xFFF, value & 0xFFF
        fields = reg.value
        if enable in (ENABLE_CODE, DISABLE_CODE):
            fields = (fields & 0xFFF) | enable << 12
            self._enabled = enable == ENABLE_CODE
        else:
            self._badwrite = True  # invalid code: field keeps its value
        if rng in FREQ_RANGES:
            fields = (fields & ~0xFFF) | rng
            self._range = FREQ_RANGES[rng]
        else:
            self._badwrite = True
        reg.value = fields
        self._restart()

    def _read_status(self) -> int:
        return ((STATUS_STABLE if self._stable else 0) | (STATUS_BADWRITE if self._badwrite else 0)
                | (STATUS_ENABLED if self._enabled else 0) | self._range)

    def _write_status(self, value: int) -> None:
        if value & STATUS_BADWRITE:
            self._badwrite = False

    def _write_dormant(self, value: int) -> None:
        if value == DORMANT_CODE:
            self.registers[0x08].value = value
            self._dormant = True
        else:
            if value != WAKE_CODE:
                self._badwrite = True  # an invalid write also selects WAKE
            self.registers[0x08].value = WAKE_CODE
            self._dormant = False
        self._restart()

    def _write_count(self, value: int) -> None:
        # A down-counter at the crystal frequency; values below 4 count 4.
        count = max(value & 0xFFFF, 4) if value & 0xFFFF else 0
        if not count:
            self._count_end_ns = None
            return
        if not self._stable:
            self._count_end_ns = -1  # not clocked: runs until the crystal does
            return
        self._count_end_ns = self.scheduler.now_ns + -(-count * NS_PER_S // self.crystal_hz)

    def _read_count(self) -> int:
        # RP2350: reads 1 while the count runs and 0 once it has finished.
        end = self._count_end_ns
        if end is None:
            return 0
        return 1 if end < 0 or self.scheduler.now_ns < end else 0

    def reset(self) -> None:
        if self._startup_event is not None:
            self._startup_event.cancel()
            self._startup_event = None
        super().reset()
        self._enabled = False
        self._range = 0
        self._dormant = False
        self._badwrite = False
        self._count_end_ns = None
        self._set_stable(False)
