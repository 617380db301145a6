"""PWM (0x400A8000): 12 slices of a 16-bit counter with two compare outputs (datasheet 12.5).

Nothing counts on a poll or a per-tick event: each slice's counter is in
closed form (peripherals/pwm_slice.py). Events are scheduled only where
something can see a change: an output edge on a pin whose FUNCSEL is PWM,
the next wrap while the slice's INTR bit is clear (one event per clear),
and the wrap at which written CC/TOP values take over (double buffering).

Wraps are found when the counter is folded into a new anchor, whatever made
the count (the divider, a B edge, PH_ADV), so each sets INTR once. DIVMODE
LEVEL gates the divider with the B input, RISE/FALL feed it that input's
edges; B is then an input (the OR of the slice's B pins on FUNCSEL 4), not
driven. An output is high while the counter is below its compare value (CC >
TOP: always high), then A_INV/B_INV; a halted slice holds its outputs.

Readings of the datasheet where it leaves a choice: writes to CC/TOP while the
slice is halted (EN 0) are in force at once (the SDK documents this for
pwm_set_wrap), and a halt takes any waiting write at once; PH_ADV steps a
halted slice by one count and its outputs follow (SDK, pwm_set_enabled); at
full speed (DIV 1.0, free-running) PH_ADV waits, reading 1, for a cycle the
divider leaves free (a DIV write, a halt, B low in LEVEL mode); otherwise it
acts at once. PH_RET drops the divider's next count and reads 1 until then.
Clearing or setting PH_CORRECT keeps the counter's value, counting up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.pwm_slice import (
    CSR_EN,
    CSR_PH_ADV,
    CSR_PH_CORRECT,
    CSR_PH_RET,
    DIVMODE_DIV,
    DIVMODE_FALL,
    DIVMODE_RISE,
    Slice,
)
from rp2350_emu.peripherals.timebase import CycleCounter, hz_of

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

__all__ = ["DIVMODE_DIV", "NUM_SLICES", "Pwm", "Slice", "pin_channel"]

NUM_SLICES = 12
SLICE_STRIDE = 0x14
EN, INTR, IRQ0_INTE, IRQ0_INTF, IRQ0_INTS, IRQ1_INTE, IRQ1_INTF, IRQ1_INTS = \
    0xF0, 0xF4, 0xF8, 0xFC, 0x100, 0x104, 0x108, 0x10C
ALL = (1 << NUM_SLICES) - 1


def pin_channel(n: int) -> tuple[int, int]:
    """(slice, channel 0=A/1=B) of GPIO n: GPIO0-31 -> slices 0-7 (twice), GPIO32-47 -> 8-11."""
    slice_ = (n >> 1) & 7 if n < 32 else 8 + ((n >> 1) & 3)
    return slice_, n & 1


class Pwm(Peripheral):
    """The PWM block. kwargs: clocks (clk_sys from a Clocks model) or clk_sys_hz (150 MHz)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self.irqs = [Signal(f"{name}.irq_wrap_0"), Signal(f"{name}.irq_wrap_1")]
        self._clk_sys_hz: Callable[[], int] = hz_of(kwargs.get("clk_sys_hz"), 150_000_000)
        self._sys = CycleCounter(scheduler, self._clk_sys_hz())
        self.slices = [Slice(self, i) for i in range(NUM_SLICES)]
        self._intr = 0
        self._inte = [0, 0]
        self._intf = [0, 0]
        #: which outputs drive a pin: fn(slice, channel) -> bool (the GPIO model sets it)
        self.routed: Callable[[int, int], bool] = lambda _s, _c: False
        #: told when an output of a slice may have changed level: fn(slice)
        self.on_output: Callable[[int], None] = lambda _s: None
        #: the B input of a slice (the OR of its B pins): fn(slice) -> bool (the GPIO model sets it)
        self.input_level: Callable[[int], bool] = lambda _s: False
        for i in range(NUM_SLICES):
            base = SLICE_STRIDE * i
            self.add(Register(f"CH{i}_CSR", base, read=lambda p, i=i: p.slices[i].csr_value(),
                              write=lambda p, v, i=i: p._write_csr(i, v), varies=True))
            self.add(Register(f"CH{i}_DIV", base + 4, reset=0x10, read=lambda p, i=i: p.slices[i].div,
                              write=lambda p, v, i=i: p._write_div(i, v & 0xFFF)))
            self.add(Register(f"CH{i}_CTR", base + 8, read=lambda p, i=i: p.slices[i].ctr_now(),
                              write=lambda p, v, i=i: p._write_ctr(i, v & 0xFFFF), varies=True))
            self.add(Register(f"CH{i}_CC", base + 12, read=lambda p, i=i: p.slices[i].cc,
                              write=lambda p, v, i=i: p._write_slice(i, "cc", v)))
            self.add(Register(f"CH{i}_TOP", base + 16, reset=0xFFFF, read=lambda p, i=i: p.slices[i].top,
                              write=lambda p, v, i=i: p._write_slice(i, "top", v & 0xFFFF)))
        self.add(Register("EN", EN, read=lambda p: p._read_en(), write=Pwm._write_en))
        self.add(Register("INTR", INTR, mask=0, read=lambda p: p._intr, write=Pwm._write_intr, w1c=ALL))
        for k, (inte, intf, ints) in enumerate(((IRQ0_INTE, IRQ0_INTF, IRQ0_INTS),
                                                (IRQ1_INTE, IRQ1_INTF, IRQ1_INTS))):
            self.add(Register(f"IRQ{k}_INTE", inte, read=lambda p, k=k: p._inte[k],
                              write=lambda p, v, k=k: p._write_irq_reg(p._inte, k, v)))
            self.add(Register(f"IRQ{k}_INTF", intf, read=lambda p, k=k: p._intf[k],
                              write=lambda p, v, k=k: p._write_irq_reg(p._intf, k, v)))
            self.add(Register(f"IRQ{k}_INTS", ints, mask=0, read=lambda p, k=k: p._ints(k)))
        if kwargs.get("clocks") is not None:
            self.connect_clocks(kwargs["clocks"])

    # -- wiring -------------------------------------------------------------------
    def connect_clocks(self, clocks: Any) -> None:
        """Follow clk_sys from a Clocks model."""
        self._clk_sys_hz = lambda: clocks.freq_hz("sys")
        clocks.listeners.add(self._clk_sys_changed)
        self._clk_sys_changed()

    def _clk_sys_changed(self) -> None:
        hz = self._clk_sys_hz()
        if hz != self._sys.hz:
            for s in self.slices:
                self._fold(s)
            self._sys.set_hz(hz)
            for s in self.slices:
                s.anchor_cycle = self._sys.now()
                self._reschedule(s)

    def cycle_now(self) -> int:
        return self._sys.now()

    def reset(self) -> None:
        super().reset()
        for old in self.slices:
            if old.event is not None:
                old.event.cancel()
        self.slices = [Slice(self, i) for i in range(NUM_SLICES)]
        for s in self.slices:
            s.anchor_cycle = self._sys.now()
        self._intr = 0
        self._inte, self._intf = [0, 0], [0, 0]
        self._update_irqs()
        for i in range(NUM_SLICES):
            self.on_output(i)

    # -- the counter ----------------------------------------------------------------------
    def _fold(self, s: Slice) -> None:
        """Re-anchor a slice now; a wrap on the way sets its INTR bit."""
        if s.reanchor() and not self._intr >> s.index & 1:
            self._intr |= 1 << s.index
            self._update_irqs()

    def _step(self, s: Slice) -> None:
        """One count more, now (PH_ADV, or a B edge through the divider)."""
        s.extra_ticks += 1
        self._fold(s)

    def _settle(self, s: Slice) -> None:
        """What a register change settles: a halted slice takes written CC/TOP at once, a
        waiting PH_ADV acts once the divider leaves it a cycle."""
        if not s.enabled:
            s.cc_live, s.top_live = s.cc, s.top
        if s.adv_pending and not s.full_speed():
            s.adv_pending = False
            self._step(s)

    # -- registers --------------------------------------------------------------------
    def _change(self, i: int, apply: Callable[[Slice], None]) -> None:
        s = self.slices[i]
        self._fold(s)
        apply(s)
        self._settle(s)
        self._reschedule(s)
        self.on_output(i)

    def _write_slice(self, i: int, field: str, value: int) -> None:
        self._change(i, lambda s: setattr(s, field, value))

    def _write_div(self, i: int, value: int) -> None:
        def apply(s: Slice) -> None:
            s.div = value
            # an accumulator kept from a larger divisor may hold whole counts of the new one:
            # a burst, then a next count in the past (an event due again and again at one ns).
            # The divider never has more than one count due.
            s.anchor_acc = min(s.anchor_acc, s.divisor() - 1)
        self._change(i, apply)

    def _write_csr(self, i: int, value: int) -> None:
        def apply(s: Slice) -> None:
            if (value ^ s.csr) & CSR_PH_CORRECT:  # the value stays, counting up
                s.anchor_pos = s.value_of(s.anchor_pos, s.top_live)
            s.csr = value & 0x3F
            s.gate = self.input_level(i)
            if not s.enabled:
                s.adv_pending = False
            if value & CSR_PH_ADV:
                s.adv_pending = True  # acts in _settle unless at full speed
            if value & CSR_PH_RET and s.enabled:
                s.extra_ticks = -1  # the divider's next count is dropped
        self._change(i, apply)

    def _write_ctr(self, i: int, value: int) -> None:
        self._change(i, lambda s: setattr(s, "anchor_pos", value))

    def _read_en(self) -> int:
        return sum(1 << s.index for s in self.slices if s.enabled)

    def _write_en(self, value: int) -> None:
        for s in self.slices:
            want = bool(value >> s.index & 1)
            if want != s.enabled:
                self._write_csr(s.index, (s.csr & ~CSR_EN) | int(want))

    def _write_intr(self, value: int) -> None:
        for s in self.slices:
            if value >> s.index & 1:
                self._fold(s)  # wraps before the clear belong to the flag being cleared
        cleared = self._intr & value & ALL
        self._intr &= ~value & ALL
        self._update_irqs()
        for s in self.slices:
            if cleared >> s.index & 1:
                self._reschedule(s)

    def _write_irq_reg(self, regs: list[int], k: int, value: int) -> None:
        regs[k] = value & ALL
        self._update_irqs()

    def _ints(self, k: int) -> int:
        return (self._intr & self._inte[k]) | self._intf[k]

    def _update_irqs(self) -> None:
        for k in (0, 1):
            self.irqs[k].set(bool(self._ints(k)))

    def routing_changed(self, i: int) -> None:
        """A pin's FUNCSEL moved to or from this slice: B may read differently, edges may
        now matter (or not)."""
        self.input_changed(i, self.input_level(i))
        self._reschedule(self.slices[i])

    # -- B input (DIVMODE LEVEL / RISE / FALL) ------------------------------------------
    def input_changed(self, i: int, level: bool) -> None:
        """The slice's B input (the OR of its B pins) changed; the GPIO model calls this."""
        s = self.slices[i]
        if level == s.gate:
            return
        mode = s.divmode
        self._fold(s)
        s.gate = level
        if s.enabled and ((mode == DIVMODE_RISE and level) or (mode == DIVMODE_FALL and not level)):
            # an edge is one divider input (12.5.2.5): a count once the accumulator reaches INT.FRAC
            count, s.anchor_acc = divmod(s.anchor_acc + 16, s.divisor())
            if count:
                self._step(s)
        if mode != DIVMODE_DIV:
            self._settle(s)
            self._reschedule(s)
            self.on_output(i)

    # -- events -------------------------------------------------------------------------
    def _reschedule(self, s: Slice) -> None:
        """One event per slice: the earliest visible change (a routed edge, the wrap where
        written CC/TOP take over, or the next wrap while INTR is clear)."""
        if s.event is not None:
            s.event.cancel()
            s.event = None
        if not s.enabled or self.in_reset:
            return
        self._fold(s)
        channels = tuple(c for c in (0, 1) if self.routed(s.index, c)
                         and not (c == 1 and s.divmode != DIVMODE_DIV))  # B is an input then
        k = s.next_change(not self._intr >> s.index & 1, channels)
        at = None if k is None else s.cycle_of_tick(k)
        when = None if at is None else self._sys.time_of(at)
        if when is not None:
            s.event = self.scheduler.schedule_at(when, lambda s=s: self._fire(s), f"{self.name}.ch{s.index}")

    def _fire(self, s: Slice) -> None:
        s.event = None
        self._reschedule(s)  # folds: the wrap, if this is one, sets INTR and takes CC/TOP
        self.on_output(s.index)
