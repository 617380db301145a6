"""TIMER0 (0x400B0000) / TIMER1 (0x400B8000): 64-bit microsecond timer.

The count advances on ticks of the TICKS TIMER0/TIMER1 generator (SOURCE=0)
or on clk_sys cycles (SOURCE=1), and only while not PAUSEd; it is derived
from scheduler.now_ns, never incremented by polling. Alarms compare the low
32 bits: arming computes the virtual time of the matching tick and schedules
an event for exactly then, re-timed if the tick rate changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.timebase import CycleCounter, hz_of

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event, Scheduler

MASK64 = (1 << 64) - 1
MASK32 = 0xFFFFFFFF


class _Frozen:
    """Count source of a timer with no tick wired: never advances."""

    @staticmethod
    def count_at(t_ns: int) -> int:
        return 0

    @staticmethod
    def time_of(n: int) -> int | None:
        return 0 if n <= 0 else None


class Timer(Peripheral):
    """One system timer. kwargs: index (0/1: which TICKS generator), ticks
    (Ticks model), clocks (for SOURCE=1 clk_sys) or clk_sys_hz (150 MHz)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self.index = int(kwargs.get("index", 0))
        self.irqs = [Signal(f"{name}.irq{i}") for i in range(4)]
        self._clk_sys_hz: Callable[[], int] = hz_of(kwargs.get("clk_sys_hz"), 150_000_000)
        self._sys = CycleCounter(scheduler, self._clk_sys_hz())
        self._tick: Any = _Frozen()
        self._base_count = 0  # timer value at the anchor
        self._base_src = 0  # source count at the anchor
        self._latched_high = 0
        self._timelw = 0
        self._armed = 0
        self._intr = 0
        self._events: list[Event | None] = [None] * 4
        self.add(Register("TIMEHW", 0x00, write=Timer._write_timehw))
        self.add(Register("TIMELW", 0x04, write=Timer._write_timelw))
        self.add(Register("TIMEHR", 0x08, mask=0, read=lambda p: p._latched_high))
        self.add(Register("TIMELR", 0x0C, mask=0, read=lambda p: p.count() & MASK32,
                          on_read=Timer._read_timelr, varies=True))
        for i in range(4):
            self.add(Register(f"ALARM{i}", 0x10 + 4 * i, write=self._alarm_writer(i)))
        self.add(Register("ARMED", 0x20, mask=0, read=lambda p: p._armed, write=Timer._write_armed,
                          w1c=0xF))
        self.add(Register("TIMERAWH", 0x24, mask=0, read=lambda p: p.count() >> 32,
                          varies=True))
        self.add(Register("TIMERAWL", 0x28, mask=0, read=lambda p: p.count() & MASK32, varies=True,
                          clock=Timer._clock))
        self.add(Register("DBGPAUSE", 0x2C, reset=0x7, mask=0x6))  # no debugger: no effect
        self.add(Register("PAUSE", 0x30, mask=1, write=self._control_writer(0x30)))
        self.add(Register("LOCKED", 0x34, mask=1, write=Timer._write_locked))
        self.add(Register("SOURCE", 0x38, mask=1, write=self._control_writer(0x38)))
        self.add(Register("INTR", 0x3C, mask=0, read=lambda p: p._intr, write=Timer._write_intr, w1c=0xF))
        self.add(Register("INTE", 0x40, mask=0xF, write=self._control_writer(0x40)))
        self.add(Register("INTF", 0x44, mask=0xF, write=self._control_writer(0x44)))
        self.add(Register("INTS", 0x48, mask=0, read=lambda p: p._ints()))
        if kwargs.get("ticks") is not None:
            self.connect_ticks(kwargs["ticks"])
        if kwargs.get("clocks") is not None:
            self.connect_clocks(kwargs["clocks"])

    # -- wiring -------------------------------------------------------------------
    def connect_ticks(self, ticks: Any) -> None:
        """Count ticks of TICKS generator timer<index>."""
        self._reanchor()
        self._tick = ticks.gen(f"timer{self.index}")
        self._tick.listeners.add(self._source_changed)
        self._base_src = self._tick.count_at(self.scheduler.now_ns)
        self._reschedule()

    def connect_clocks(self, clocks: Any) -> None:
        """Follow clk_sys from a Clocks model (for SOURCE = 1)."""
        self._clk_sys_hz = lambda: clocks.freq_hz("sys")
        clocks.listeners.add(self._clk_sys_changed)
        self._clk_sys_changed()

    # -- the count -------------------------------------------------------------------
    def _source(self) -> Any:
        return self._sys if self.registers[0x38].value & 1 else self._tick

    def _counting(self) -> bool:
        return not self.registers[0x30].value & 1 and not self.in_reset

    def count(self) -> int:
        """The 64-bit timer value now."""
        if not self._counting():
            return self._base_count
        now = self.scheduler.now_ns
        return (self._base_count + self._source().count_at(now) - self._base_src) & MASK64

    def _clock(self) -> tuple[int, Callable[[int], int | None]]:
        """The count now and the time it reaches a value (Register.clock)."""
        return self.count(), self._time_of_count

    def _reanchor(self) -> None:
        """Fold the count so far into the anchor (before changing source/pause)."""
        self._base_count = self.count()
        self._base_src = self._source().count_at(self.scheduler.now_ns)

    def _time_of_count(self, value: int) -> int | None:
        if not self._counting():
            return None
        return self._source().time_of(self._base_src + (value - self._base_count))

    def _source_changed(self) -> None:
        self._reschedule()

    def _clk_sys_changed(self) -> None:
        if self._sys.set_hz(self._clk_sys_hz()) and self.registers[0x38].value & 1:
            self._reschedule()

    # -- alarms ----------------------------------------------------------------------
    def _reschedule(self) -> None:
        for i in range(4):
            self._schedule(i)

    def _schedule(self, i: int) -> None:
        event = self._events[i]
        if event is not None:
            event.cancel()
            self._events[i] = None
        if not self._armed >> i & 1:
            return
        now_count = self.count()
        delta = (self.registers[0x10 + 4 * i].value - now_count) & MASK32
        if delta == 0:
            self._fire(i)  # the comparator matches this very tick
            return
        when = self._time_of_count(now_count + delta)
        if when is not None:
            self._events[i] = self.scheduler.schedule_at(when, lambda: self._fire(i), f"{self.name}.alarm{i}")

    def _fire(self, i: int) -> None:
        self._events[i] = None
        if not self._armed >> i & 1:
            return
        self._armed &= ~(1 << i)
        self._intr |= 1 << i
        self._update_irqs()

    def _alarm_writer(self, i: int) -> Callable[[Peripheral, int], None]:
        def write(p: Peripheral, value: int) -> None:
            self.registers[0x10 + 4 * i].value = value
            self._armed |= 1 << i  # writing ALARMn arms it
            self._schedule(i)
        return write

    # -- registers ----------------------------------------------------------------
    def _read_timelr(self) -> int:
        value = self.count()
        self._latched_high = value >> 32  # TIMEHR returns this until the next TIMELR read
        return value & MASK32

    def _write_timelw(self, value: int) -> None:
        if not self.registers[0x34].value & 1:
            self._timelw = value  # takes effect with the TIMEHW write

    def _write_timehw(self, value: int) -> None:
        if self.registers[0x34].value & 1:
            return  # LOCKED
        self._base_count = (value << 32 | self._timelw) & MASK64
        self._base_src = self._source().count_at(self.scheduler.now_ns)
        self._reschedule()

    def _write_armed(self, value: int) -> None:
        disarm = value & self._armed & 0xF
        self._armed &= ~disarm
        for i in range(4):
            if disarm >> i & 1:
                self._schedule(i)

    def _write_locked(self, value: int) -> None:
        self.registers[0x34].value |= value & 1  # cannot be cleared without a reset

    def _control_writer(self, off: int) -> Callable[[Peripheral, int], None]:
        def write(p: Peripheral, value: int) -> None:
            reg = self.registers[off]
            if off in (0x30, 0x38):
                self._reanchor()  # count so far belongs to the old source / pause state
                reg.value = value & reg.mask
                self._base_src = self._source().count_at(self.scheduler.now_ns)
                self._reschedule()
            else:
                reg.value = value & reg.mask
                self._update_irqs()
        return write

    def _write_intr(self, value: int) -> None:
        self._intr &= ~value & 0xF
        self._update_irqs()

    def _ints(self) -> int:
        return (self._intr & self.registers[0x40].value) | self.registers[0x44].value

    def _update_irqs(self) -> None:
        ints = self._ints()
        for i, irq in enumerate(self.irqs):
            irq.set(bool(ints >> i & 1))

    def reset(self) -> None:
        for event in self._events:
            if event is not None:
                event.cancel()
        self._events = [None] * 4
        super().reset()
        self._base_count = 0
        self._base_src = self._source().count_at(self.scheduler.now_ns)
        self._latched_high = self._timelw = self._armed = self._intr = 0
        self._update_irqs()

    def reset_released(self) -> None:
        # held in reset the count stayed at 0; it starts from here
        self._base_src = self._source().count_at(self.scheduler.now_ns)
