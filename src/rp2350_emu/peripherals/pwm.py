"""PWM (0x400A8000): 12 slices of a 16-bit counter with two compare outputs (datasheet 12.5).

Nothing counts on a poll or a per-tick event. Each slice keeps an anchor (a
clk_sys cycle, the counter position there, and the fractional divider's
accumulator); the counter at any virtual time follows in closed form, and
so does the time of any future count. Events are scheduled only where
something can see a change: an output edge on a pin whose FUNCSEL is PWM,
and the next wrap while the slice's INTR bit is clear (one event per
clear), so the counter costs nothing between them.

The fractional divider is a first-order sigma-delta: every clk_sys cycle
adds 16 to an accumulator and a count happens each time it reaches
INT*16+FRAC (INT = 0 divides by 256). Trailing-edge mode counts 0..TOP and
wraps to 0; phase-correct mode counts up to TOP and back down to 0 and wraps
at the bottom. An output is high while the counter is below its compare
value (CC > TOP: always high), then A_INV/B_INV. DIVMODE LEVEL gates the
divider with the B pin's input, RISE/FALL count that input's edges; B is
then an input, not driven.
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

NUM_SLICES = 12
SLICE_STRIDE = 0x14
EN, INTR, IRQ0_INTE, IRQ0_INTF, IRQ0_INTS, IRQ1_INTE, IRQ1_INTF, IRQ1_INTS = \
    0xF0, 0xF4, 0xF8, 0xFC, 0x100, 0x104, 0x108, 0x10C
CSR_EN, CSR_PH_CORRECT, CSR_A_INV, CSR_B_INV = 1, 2, 4, 8
CSR_PH_RET, CSR_PH_ADV = 1 << 6, 1 << 7
DIVMODE_DIV, DIVMODE_LEVEL, DIVMODE_RISE, DIVMODE_FALL = 0, 1, 2, 3
ALL = (1 << NUM_SLICES) - 1


def pin_channel(n: int) -> tuple[int, int]:
    """(slice, channel 0=A/1=B) of GPIO n: GPIO0-31 -> slices 0-7 (twice), GPIO32-47 -> 8-11."""
    slice_ = (n >> 1) & 7 if n < 32 else 8 + ((n >> 1) & 3)
    return slice_, n & 1


class Slice:
    """One slice's counter, anchored at a clk_sys cycle; see the module doc."""

    def __init__(self, pwm: Pwm, index: int) -> None:
        self.pwm, self.index = pwm, index
        self.csr = 0
        self.div = 0x10
        self.cc = 0
        self.top = 0xFFFF
        self.anchor_cycle = 0  # clk_sys cycle of the anchor
        self.anchor_acc = 0  # divider accumulator there (1/16 counts)
        self.anchor_pos = 0  # counter position there (phase-correct: 0..2*TOP+1)
        self.extra_ticks = 0  # edges counted in RISE/FALL mode since the anchor
        self.gate = False  # the B input's level (LEVEL/RISE/FALL)
        self.event: Event | None = None

    # -- configuration ------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return bool(self.csr & CSR_EN)

    @property
    def divmode(self) -> int:
        return self.csr >> 4 & 3

    @property
    def period(self) -> int:
        """Counts per period (positions of the counter)."""
        return (self.top + 1) * (2 if self.csr & CSR_PH_CORRECT else 1)

    def _divisor(self) -> int:
        integer, frac = self.div >> 4 & 0xFF, self.div & 0xF
        return (integer or 256) * 16 + frac

    def _free_running(self) -> bool:
        mode = self.divmode
        return self.enabled and (mode == DIVMODE_DIV or (mode == DIVMODE_LEVEL and self.gate))

    # -- the counter ----------------------------------------------------------------
    def ticks_at(self, cycle: int) -> tuple[int, int]:
        """(counts since the anchor, accumulator) at clk_sys cycle `cycle`."""
        ticks = self.extra_ticks
        acc = self.anchor_acc
        if self._free_running() and cycle > self.anchor_cycle:
            total = 16 * (cycle - self.anchor_cycle) + self.anchor_acc
            step, acc = divmod(total, self._divisor())
            ticks += step
        return ticks, acc

    def position_after(self, ticks: int) -> int:
        """Counter position `ticks` counts after the anchor."""
        pos, period = self.anchor_pos, self.period
        if pos >= period:  # TOP was lowered below the counter: it runs on to 0xFFFF first
            to_wrap = 0x10000 - pos
            if ticks < to_wrap:
                return pos + ticks
            return (ticks - to_wrap) % period
        return (pos + ticks) % period

    def value_of(self, pos: int) -> int:
        """The CTR value at a position (phase-correct: up, then down)."""
        if self.csr & CSR_PH_CORRECT and self.top < pos < self.period:
            return self.period - 1 - pos
        return pos

    def position_now(self) -> int:
        return self.position_after(self.ticks_at(self.pwm.cycle_now())[0])

    def reanchor(self) -> None:
        """Fold the progress so far into the anchor (before a register change)."""
        cycle = self.pwm.cycle_now()
        ticks, acc = self.ticks_at(cycle)
        self.anchor_pos = self.position_after(ticks)
        self.anchor_cycle, self.anchor_acc, self.extra_ticks = cycle, acc, 0

    def cycle_of_tick(self, k: int) -> int | None:
        """The clk_sys cycle at which count `k` after the anchor happens (free-running only)."""
        if k <= self.extra_ticks:
            return self.anchor_cycle
        if not self._free_running():
            return None
        need = (k - self.extra_ticks) * self._divisor() - self.anchor_acc
        return self.anchor_cycle + -(-need // 16)

    def ticks_to_position(self, after: int, target: int) -> int | None:
        """Smallest count k > after (counts since the anchor) at which the position is `target`."""
        pos, period = self.anchor_pos, self.period
        k = after + 1
        if pos >= period:  # running on to 0xFFFF before the first wrap
            to_wrap = 0x10000 - pos
            if k < to_wrap and pos + k <= target <= 0xFFFF:
                return target - pos
            if target >= period:
                return None
            k = max(k, to_wrap)
            return k + (target - (k - to_wrap)) % period
        if target >= period:
            return None
        return k + (target - (pos + k)) % period

    # -- outputs --------------------------------------------------------------------
    def output(self, channel: int, pos: int | None = None) -> bool:
        """Level of output A (0) or B (1) at a position (default: now)."""
        pos = self.position_now() if pos is None else pos
        compare = (self.cc >> (16 * channel)) & 0xFFFF
        level = self.value_of(pos) < compare
        return level != bool(self.csr & (CSR_B_INV if channel else CSR_A_INV))

    def edge_positions(self, channel: int) -> tuple[int, ...]:
        """Positions at which output `channel` can change level."""
        compare = (self.cc >> (16 * channel)) & 0xFFFF
        if compare == 0 or compare > self.top:
            return ()
        if self.csr & CSR_PH_CORRECT:
            return compare, self.period - compare
        return 0, compare


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
        #: the input level of a slice's B pin: fn(slice) -> bool (the GPIO model sets it)
        self.input_level: Callable[[int], bool] = lambda _s: False
        for i in range(NUM_SLICES):
            base = SLICE_STRIDE * i
            self.add(Register(f"CH{i}_CSR", base, read=lambda p, i=i: p.slices[i].csr,
                              write=lambda p, v, i=i: p._write_csr(i, v)))
            self.add(Register(f"CH{i}_DIV", base + 4, reset=0x10, read=lambda p, i=i: p.slices[i].div,
                              write=lambda p, v, i=i: p._write_slice(i, "div", v & 0xFFF)))
            self.add(Register(f"CH{i}_CTR", base + 8, read=lambda p, i=i: p._read_ctr(i),
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
                s.reanchor()
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

    # -- registers --------------------------------------------------------------------
    def _change(self, i: int, apply: Callable[[Slice], None]) -> None:
        s = self.slices[i]
        s.reanchor()
        apply(s)
        self._reschedule(s)
        self.on_output(i)

    def _write_slice(self, i: int, field: str, value: int) -> None:
        self._change(i, lambda s: setattr(s, field, value))

    def _write_csr(self, i: int, value: int) -> None:
        def apply(s: Slice) -> None:
            s.csr = value & 0x3F  # PH_ADV/PH_RET act once and read back 0
            s.gate = self.input_level(i)
            if value & CSR_PH_ADV and s.enabled:
                s.anchor_pos = s.position_after(1)
            if value & CSR_PH_RET and s.enabled and s.anchor_pos > 0:
                s.anchor_pos -= 1
        self._change(i, apply)

    def _read_ctr(self, i: int) -> int:
        s = self.slices[i]
        return s.value_of(s.position_now())

    def _write_ctr(self, i: int, value: int) -> None:
        self._change(i, lambda s: setattr(s, "anchor_pos", value))

    def _read_en(self) -> int:
        return sum(1 << s.index for s in self.slices if s.enabled)

    def _write_en(self, value: int) -> None:
        for s in self.slices:
            want = bool(value >> s.index & 1)
            if want != s.enabled:
                self._change(s.index, lambda s, want=want: setattr(s, "csr", (s.csr & ~CSR_EN) | int(want)))

    def _write_intr(self, value: int) -> None:
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
        """A pin's FUNCSEL moved to or from this slice: edges may now matter (or not)."""
        self._reschedule(self.slices[i])

    # -- B input (DIVMODE LEVEL / RISE / FALL) ------------------------------------------
    def input_changed(self, i: int, level: bool) -> None:
        """The B pin's input level changed (the GPIO model calls this)."""
        s = self.slices[i]
        if level == s.gate:
            return
        mode = s.divmode
        s.reanchor()
        s.gate = level
        if s.enabled and ((mode == DIVMODE_RISE and level) or (mode == DIVMODE_FALL and not level)):
            s.extra_ticks = 1
        if mode != DIVMODE_DIV:
            self._reschedule(s)
            self.on_output(i)

    # -- events -------------------------------------------------------------------------
    def _reschedule(self, s: Slice) -> None:
        """One event per slice: the earliest visible change (routed edge, or the next wrap
        while INTR is clear)."""
        if s.event is not None:
            s.event.cancel()
            s.event = None
        if not s.enabled or self.in_reset:
            return
        cycle = self.cycle_now()
        now_ticks, _ = s.ticks_at(cycle)
        targets: list[int] = []
        if not self._intr >> s.index & 1:
            targets.append(0)  # the wrap
        for channel in (0, 1):
            if channel == 1 and s.divmode != DIVMODE_DIV:
                continue  # B is an input
            if self.routed(s.index, channel):
                targets += s.edge_positions(channel)
        best: int | None = None
        for target in set(targets):
            k = s.ticks_to_position(now_ticks, target)
            at = None if k is None else s.cycle_of_tick(k)
            if at is not None and (best is None or at < best):
                best = at
        if best is None:
            return
        when = self._sys.time_of(best)
        if when is not None:
            s.event = self.scheduler.schedule_at(when, lambda s=s: self._fire(s), f"{self.name}.ch{s.index}")

    def _fire(self, s: Slice) -> None:
        s.event = None
        if s.position_now() == 0 and not self._intr >> s.index & 1:
            self._intr |= 1 << s.index
            self._update_irqs()
        self.on_output(s.index)
        self._reschedule(s)
