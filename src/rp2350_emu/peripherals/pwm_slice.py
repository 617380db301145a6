"""One PWM slice's counter in closed form (the block is peripherals/pwm.py; datasheet 12.5).

A slice keeps an anchor: a clk_sys cycle, the counter position there, the
fractional divider's accumulator there, and the CC/TOP copies the counter
uses. The counter at any later cycle, the outputs, and the cycle of any
future count follow from it without stepping. Every register change first
folds the progress so far into a new anchor (`reanchor`).

Positions: trailing-edge mode counts 0..TOP and wraps to 0; phase-correct
counts positions 0..2*TOP+1, values 0..TOP then TOP..0, and wraps at the
0 -> 0 turn. A position at or past the period (CTR written above TOP) runs
on to 0xFFFF and wraps to 0 from there.

CC and TOP are double-buffered: software writes `cc`/`top` (what the
registers read back); the counter and outputs use `cc_live`/`top_live`,
which take the written values at the next wrap, or at once while the slice
is halted (EN 0). So a first period from the anchor runs on the live copies
and every later one on the written values: `first_wrap()` counts separate
the two.

The divider is a first-order sigma-delta: each clk_sys cycle (free-running,
or LEVEL while B is high) or each counted B edge (RISE/FALL) adds 16 to the
accumulator, and a count happens each time it reaches INT*16+FRAC (INT 0 =
256). `extra_ticks` holds counts that are not the free-running divider's:
B edges since the anchor, or -1 while a PH_RET waits to drop the next count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event

CSR_EN, CSR_PH_CORRECT, CSR_A_INV, CSR_B_INV = 1, 2, 4, 8
CSR_PH_RET, CSR_PH_ADV = 1 << 6, 1 << 7
DIVMODE_DIV, DIVMODE_LEVEL, DIVMODE_RISE, DIVMODE_FALL = 0, 1, 2, 3
COUNTER_END = 0x10000  # the 16-bit counter overflows to 0 here


class ClkSys(Protocol):
    """What a slice needs of its block: the clk_sys cycle count now."""

    def cycle_now(self) -> int: ...


class Slice:
    """One slice's counter, anchored at a clk_sys cycle; see the module doc."""

    def __init__(self, pwm: ClkSys, index: int) -> None:
        self.pwm, self.index = pwm, index
        self.csr = 0  # EN, PH_CORRECT, A_INV, B_INV, DIVMODE (PH_RET/PH_ADV are kept apart)
        self.div = 0x10
        self.cc = 0  # as written (register reads)
        self.top = 0xFFFF
        self.cc_live = 0  # what the counter and outputs use (double buffer)
        self.top_live = 0xFFFF
        self.anchor_cycle = 0  # clk_sys cycle of the anchor
        self.anchor_acc = 0  # divider accumulator there (1/16 counts), below the divisor
        self.anchor_pos = 0  # counter position there
        self.extra_ticks = 0  # B-edge counts since the anchor; -1: a PH_RET waits
        self.adv_pending = False  # PH_ADV written, no free cycle yet (full speed)
        self.gate = False  # the B input's level (LEVEL/RISE/FALL)
        self.held = (False, False)  # A/B compare levels when last running: a halted slice holds them
        self.event: Event | None = None

    # -- configuration --------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return bool(self.csr & CSR_EN)

    @property
    def divmode(self) -> int:
        return self.csr >> 4 & 3

    @property
    def phase_correct(self) -> bool:
        return bool(self.csr & CSR_PH_CORRECT)

    def period_of(self, top: int) -> int:
        """Counts per period (positions of the counter) with that TOP."""
        return (top + 1) * (2 if self.phase_correct else 1)

    def divisor(self) -> int:
        integer, frac = self.div >> 4 & 0xFF, self.div & 0xF
        return (integer or 256) * 16 + frac

    def free_running(self) -> bool:
        mode = self.divmode
        return self.enabled and (mode == DIVMODE_DIV or (mode == DIVMODE_LEVEL and self.gate))

    def full_speed(self) -> bool:
        """Counting on every cycle: the divider leaves no cycle for a PH_ADV."""
        return self.free_running() and self.divisor() == 16

    @property
    def pending(self) -> bool:
        """Written CC/TOP not yet in force (taken at the next wrap)."""
        return self.cc != self.cc_live or self.top != self.top_live

    def csr_value(self) -> int:
        ret = CSR_PH_RET if self.raw_ticks_at(self.pwm.cycle_now())[0] < 0 else 0
        return self.csr | ret | (CSR_PH_ADV if self.adv_pending else 0)

    # -- the counter --------------------------------------------------------------------
    def raw_ticks_at(self, cycle: int) -> tuple[int, int]:
        """(counts since the anchor, -1 while a PH_RET still waits; accumulator) at `cycle`."""
        raw, acc = self.extra_ticks, self.anchor_acc
        if self.free_running() and cycle > self.anchor_cycle:
            step, acc = divmod(16 * (cycle - self.anchor_cycle) + acc, self.divisor())
            raw += step
        return raw, acc

    def ticks_now(self) -> int:
        return max(self.raw_ticks_at(self.pwm.cycle_now())[0], 0)

    def first_wrap(self) -> int:
        """Counts from the anchor to the first wrap (where the written CC/TOP take over)."""
        period = self.period_of(self.top_live)
        pos = self.anchor_pos
        return period - pos if pos < period else COUNTER_END - pos

    def state_after(self, ticks: int) -> tuple[int, int, int]:
        """(position, CC, TOP in force) `ticks` counts after the anchor."""
        first = self.first_wrap()
        if ticks < first:
            return self.anchor_pos + ticks, self.cc_live, self.top_live
        return (ticks - first) % self.period_of(self.top), self.cc, self.top

    def value_of(self, pos: int, top: int) -> int:
        """The CTR value at a position (phase-correct: up, then down)."""
        if self.phase_correct and top < pos < self.period_of(top):
            return self.period_of(top) - 1 - pos
        return pos

    def ctr_now(self) -> int:
        pos, _cc, top = self.state_after(self.ticks_now())
        return self.value_of(pos, top)

    def reanchor(self) -> bool:
        """Fold the progress so far into the anchor; True if the counter wrapped meanwhile."""
        cycle = self.pwm.cycle_now()
        raw, acc = self.raw_ticks_at(cycle)
        ticks = max(raw, 0)
        wrapped = ticks >= self.first_wrap()
        pos, cc, top = self.state_after(ticks)
        if wrapped:
            self.cc_live, self.top_live = cc, top
        self.anchor_pos, self.anchor_cycle, self.anchor_acc = pos, cycle, acc
        self.extra_ticks = min(raw, 0)
        if self.enabled or ticks:  # the output register follows the counter while it moves
            self.held = (self.compare(0, pos, cc, top), self.compare(1, pos, cc, top))
        return wrapped

    def cycle_of_tick(self, k: int) -> int | None:
        """The clk_sys cycle at which count `k` after the anchor happens (free-running only)."""
        if k <= self.extra_ticks:
            return self.anchor_cycle
        if not self.free_running():
            return None
        need = (k - self.extra_ticks) * self.divisor() - self.anchor_acc
        return self.anchor_cycle + -(-need // 16)

    # -- outputs ------------------------------------------------------------------------
    def compare(self, channel: int, pos: int, cc: int, top: int) -> bool:
        """The compare level (before A_INV/B_INV): high while the counter is below CC."""
        return self.value_of(pos, top) < (cc >> (16 * channel)) & 0xFFFF

    def output(self, channel: int) -> bool:
        """Level of output A (0) or B (1) now: the compare while running, else the held level."""
        if self.enabled:
            pos, cc, top = self.state_after(self.ticks_now())
            level = self.compare(channel, pos, cc, top)
        else:
            level = self.held[channel]
        return level != bool(self.csr & (CSR_B_INV if channel else CSR_A_INV))

    def edge_positions(self, channel: int, cc: int, top: int) -> tuple[int, ...]:
        """Positions at which output `channel` can change level, with that CC and TOP."""
        compare = (cc >> (16 * channel)) & 0xFFFF
        if compare == 0 or compare > top:
            return ()
        if self.phase_correct:
            return compare, self.period_of(top) - compare
        return 0, compare

    def next_change(self, wrap: bool, channels: tuple[int, ...]) -> int | None:
        """Counts after the anchor to the next count anything can see: the first wrap if `wrap`
        or written CC/TOP wait for it, else the next edge of a channel in `channels`."""
        first = self.first_wrap()
        best = first if wrap or self.pending else None
        pos = self.anchor_pos
        for channel in channels:
            for target in self.edge_positions(channel, self.cc_live, self.top_live):
                if 0 < target - pos < first and (best is None or target - pos < best):
                    best = target - pos
            if not self.pending:  # later periods run on the written values
                for target in self.edge_positions(channel, self.cc, self.top):
                    if best is None or first + target < best:
                        best = first + target
        return best
