"""Fast paths: idle and poll loops of any shape, and countdown delay loops, skipped exactly.

A loop is idle when one pass through it leaves the machine exactly as it was:
the same registers at the same point of the loop, no memory changed (a
store may only write what is already there), no MMIO write, and only reads
without side effects of registers that change on events alone (not
`varies`). Until the next scheduled event nothing can make the next pass
different, so the passes up to that event are accounted in cycles and
instructions without running them, and the machine resumes at the same
point with the same state: the same events at the same virtual times as
running them (`skip_loops = False`, `--no-skip`, runs everything).

Loops are found two ways:

* polls: the MMIO reads form a repeating sequence (one register, or several
  as the HAL's `read_raw` reads UARTFR then UARTRSR, or one register at
  several PCs as an unrolled loop does). The slice ends after a read; one
  pass is then run under a memory-write hook and compared (`_verify_pass`).
* loops that read no MMIO (a flag an interrupt handler sets): after a slice
  that ran its whole budget with no event due, the core steps a few
  instructions looking for the first return to the same state.

Countdown loops (`subs rN, #1; bne .-2`, what `cortex_m::asm::delay` compiles
to) change a register every pass; their exit site fast-forwards them.
"""

from __future__ import annotations

from typing import Any

from unicorn import arm_const as A

from rp2350_emu.core import clockpoll
from rp2350_emu.core.access import CLOCK, INTERNAL, OTHER, PURE
from rp2350_emu.core.arch import FULL_STATE_BATCH, LOW_REGS
from rp2350_emu.core.memwatch import MemoryWatch
from rp2350_emu.core.regs import Batch

#: longest repeating read sequence looked for (reads per pass)
MAX_PERIOD_READS = 8
#: matching reads in a row before one pass is verified
MIN_MATCHED_READS = 8
#: a pass found impure: reads before looking again
POLL_BACKOFF = 4096
#: the same, for a clock poll already refused (its shape is known not to be followed)
REFUSED_BACKOFF = 8 * POLL_BACKOFF
#: instructions stepped looking for a loop without MMIO reads
PROBE_STEPS = 48
#: a long slice first runs this many instructions, then the core probes for a loop
PROBE_SLICE = 2_000
#: a probe that finds no loop: slices before the next probe (doubling per failure, capped)
PROBE_BACKOFF = 2
MAX_PROBE_BACKOFF = 64
#: the value a CLOCK read is recorded with: passes match on its address, not its value
CLOCK_VALUE = -1
#: the registers a traced pass records before each step (clockpoll.Step.regs)
TRACE_BATCH = Batch(tuple(range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1))
                    + (A.UC_ARM_REG_SP, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC))


#: accesses a pass may make and still leave the machine as it found it
_STATE_ONLY = frozenset({PURE, INTERNAL})


class FastPaths:
    """Mixin of CortexM33 (cpu.py): loop detection, verification and skipping."""

    def reset_fast_paths(self) -> None:
        #: the last reads: (address, value, absolute instruction count)
        self._reads: list[tuple[int, int, int]] = []
        #: per candidate period k (index k): matching reads in a row
        self._matched = [0] * (MAX_PERIOD_READS + 1)
        self._read_backoff = 0
        self._poll_candidate: tuple[int, int, int] | None = None  # (reads per pass, insns per pass, at)
        self._verifying = False
        self._pass_reads: list[tuple[int, int, bool]] = []
        self._pass_dirty = False
        self._probe_wait = 0
        self._probe_failures = 0
        self._probe_armed = False
        #: (read address, reads per pass found) -> reads per pass a verified pass had
        self._good_passes: dict[tuple[int, int], int] = {}
        #: MMIO address -> access kind (core/access.py), filled as the bus reports accesses
        self._read_kinds: dict[int, int] = {}
        self._write_kinds: dict[int, int] = {}
        #: CLOCK reads of the pass being verified: (cycle, count, time_of)
        self._pass_clocks: list[tuple[int, int, Any]] = []
        #: passes a verified clock poll may skip at most (None: no clock in the pass)
        self._clock_passes: int | None = None
        #: (first PC, instructions) of clock-poll passes whose use of the clock clockpoll
        #: does not follow: the same code is not traced again (the loop simply runs)
        self._clock_refused: set[tuple[int, int]] = set()
        self._refused_again = False

    # -- observation (MMIO callbacks, inside a slice) ---------------------------------------
    def watch_read(self, address: int, value: int, device: Any, offset: int) -> None:
        """Every MMIO read passes here (the bus calls it; kept cheap)."""
        if not self.skip_loops:
            return
        kind = self._read_kinds.get(address)
        if kind is None:
            kind = self._read_kinds[address] = self.read_kind(device, offset)
        if self._verifying:
            self._pass_reads.append((address, value, kind))
            if kind == CLOCK:
                self._pass_clocks.append((self._slice_start + self._ctr.counter.value,
                                          *self.clock_reading(device, offset)))
            return
        if self._read_backoff:
            self._read_backoff -= 1
            return
        at = self._slice_start + self._ctr.counter.value
        reads = self._reads
        reads.append((address, CLOCK_VALUE if kind == CLOCK else value, at))
        n = len(reads)
        if n > 2 * MAX_PERIOD_READS + 1:
            del reads[0]
            n -= 1
        matched = self._matched
        last = n - 1
        for k in range(1, min(MAX_PERIOD_READS, last) + 1):
            a, b = reads[last], reads[last - k]
            if a[0] == b[0] and a[1] == b[1] and (last - k == 0 or
                                                  a[2] - reads[last - 1][2] == b[2] - reads[last - k - 1][2]):
                matched[k] += 1
                if matched[k] >= MIN_MATCHED_READS and matched[k] >= 2 * k:
                    if kind != OTHER:
                        self._poll_candidate = (k, at - reads[last - k][2], at)
                        self.request_exit()
                    return
            else:
                matched[k] = 0

    def watch_write(self, address: int, device: Any, offset: int) -> None:
        """An MMIO write: whatever loop this is, it is not idle, unless the write only
        changes its block's idle state (a spinlock release). While a run waits for a
        predicate, the slice ends after the writing instruction: a write is what can make
        the predicate true, so it is checked at that instruction, whatever the slices
        (skipping on or off) would have been; an INTERNAL write changes no output."""
        kind = self._write_kinds.get(address)
        if kind is None:
            kind = self._write_kinds[address] = self.write_kind(device, offset)
        if kind == INTERNAL:
            return
        if self._verifying:
            self._pass_dirty = True
            return
        if self._stop_on_write:
            self.request_exit()
        self._forget_reads()

    def _forget_reads(self) -> None:
        self._reads.clear()
        matched = self._matched
        for k in range(len(matched)):
            matched[k] = 0

    # -- after a slice ---------------------------------------------------------------------
    def _after_slice(self, executed: int, budget: int) -> None:
        """Skip an idle loop a slice that ended by its instruction count stopped in, if it is
        one (called by _run_slice). Never while an interrupt is due: the run loop takes it first."""
        candidate, self._poll_candidate = self._poll_candidate, None
        if self._verifying or not self.skip_loops or self._interrupt_due():
            return
        armed, self._probe_armed = self._probe_armed, False
        if candidate is not None:
            if self.cycles == candidate[2]:  # stopped right after the read
                self._try_poll(candidate)
            return
        if armed and executed == budget:
            self._probe_loop()

    def _plan_slice(self, budget: int) -> int:
        """The budget of the next slice: a long one starts with a short slice and a probe for
        a loop without MMIO (unless recent probes found none)."""
        if not self.skip_loops or budget <= 4 * PROBE_SLICE:
            return budget
        if self._probe_wait:
            self._probe_wait -= 1
            return budget
        self._probe_armed = True
        return PROBE_SLICE

    def _interrupt_due(self) -> bool:
        nvic = self.scs.nvic
        return nvic.has_candidate() and nvic.preempting(self.execution_priority()) is not None

    def _skip_limit(self) -> int:
        nxt = self.scheduler.next_event_ns()
        return self._deadline_cycles if nxt is None else min(self.cycles_at(nxt), self._deadline_cycles)

    def _try_poll(self, candidate: tuple[int, int, int]) -> None:
        """Verify a pass of the repeating reads; a pass of k reads that does not come back to
        the same state may be part of a longer one (an unrolled loop: k, 2k, 4k reads)."""
        reads = self._reads
        k = candidate[0]
        # the pass length that worked last time this loop was found comes first (a poll entered
        # again after each UART byte); the verification still decides, the order only saves passes
        key = (reads[-1][0], k)
        tries = [k << i for i in range(MAX_PERIOD_READS) if k << i <= MAX_PERIOD_READS]
        known = self._good_passes.get(key)
        if known in tries:
            tries.remove(known)
            tries.insert(0, known)
        for n in tries:
            if n >= len(reads):
                continue
            period = reads[-1][2] - reads[-1 - n][2]
            if self._skip_limit() - self.cycles < 2 * period:
                break  # the next event is too close to be worth it
            if self._verify_pass(period, [(a, v) for a, v, _ in reads[-n:]]):
                self._good_passes[key] = n
                self._skip_passes(period)
                self._probe_failures = 0
                self._forget_reads()
                return
        self._read_backoff = REFUSED_BACKOFF if self._refused_again else POLL_BACKOFF
        self._refused_again = False
        self._forget_reads()

    def _probe_loop(self) -> None:
        """Step up to PROBE_STEPS instructions for a return to this exact state."""
        start_pc = self.regs.read(A.UC_ARM_REG_PC)
        before = self.regs.read_batch(FULL_STATE_BATCH)
        idle_before = self._idle_states()
        start_cycles = self.cycles
        limit = self._skip_limit()
        if limit - self.cycles < 4 * PROBE_STEPS:
            return
        events_before = self.scheduler.next_event_ns()
        found = 0
        # strict: a store that changes memory ends the probe at once (stepping on through a
        # pass that writes would cost PROBE_STEPS steps every time the probe is armed)
        with self._watching_memory(strict=True) as memory:
            for step in range(1, PROBE_STEPS + 1):
                self._run_slice(1)
                if self.cycles != start_cycles + step or self.sleeping is not None or \
                        self.scheduler.next_event_ns() != events_before or self._pass_dirty or \
                        any(kind not in _STATE_ONLY for _a, _v, kind in self._pass_reads):
                    break
                if self.regs.read(A.UC_ARM_REG_PC) == start_pc and \
                        self.regs.read_batch(FULL_STATE_BATCH) == before and \
                        not memory.changed() and self._idle_states() == idle_before:
                    found = step
                    break
        if found:
            self._probe_failures = 0
            self._skip_passes(found)
        else:
            self._probe_failures += 1
            self._probe_wait = min(PROBE_BACKOFF << self._probe_failures, MAX_PROBE_BACKOFF)

    def _idle_states(self) -> list[object]:
        return [block.idle_state() for block in self.idle_blocks]

    def _verify_pass(self, period: int, pattern: list[tuple[int, int]]) -> bool:
        """Run one pass of `period` instructions; True if it left everything as it was
        (memory and spinlocks as found, whatever it wrote on the way). A pass that reads
        a clock is single-stepped and traced: it is idle for as many passes as the
        clock may advance without changing any comparison it makes (clockpoll.py)."""
        before = self.regs.read_batch(FULL_STATE_BATCH)
        idle_before = self._idle_states()
        start = self.cycles
        clocked = any(v == CLOCK_VALUE for _a, v in pattern)
        self._clock_passes = None
        shape = (before[15], period)  # FULL_STATE_REGS[15] is the PC
        if clocked and shape in self._clock_refused:
            self._refused_again = True
            return False
        with self._watching_memory() as memory:
            self._pass_clocks = []
            steps = self._trace_pass(period) if clocked else None
            if not clocked:
                self._run_slice(period)
            reads = list(self._pass_reads)
            dirty = self._pass_dirty or memory.changed()
        seen = [(a, CLOCK_VALUE if kind == CLOCK else v) for a, v, kind in reads]
        if not (self.cycles == start + period and self.sleeping is None and not dirty
                and seen == pattern and all(kind != OTHER for _a, _v, kind in reads)
                and self._idle_states() == idle_before):
            return False
        after = self.regs.read_batch(FULL_STATE_BATCH)
        if not clocked:
            return after == before
        found = self._clock_window(steps, start, period, shape)
        if found is None:
            return False
        # registers holding a value derived from the clock differ from pass to pass
        # (FULL_STATE_REGS starts with r0-r12, the indices clockpoll uses)
        return all(a == b for i, (a, b) in enumerate(zip(after, before)) if i not in found.derived)

    def _trace_pass(self, period: int) -> list[clockpoll.Step] | None:
        """Run one pass instruction by instruction, recording each step (None: it did not
        step cleanly, e.g. an interrupt or a fault)."""
        steps: list[clockpoll.Step] = []
        start = self.cycles
        uc = self.uc
        while self.cycles < start + period:
            regs = self.regs.read_batch(TRACE_BATCH)
            pc = regs[15]
            at = self.cycles
            self._run_slice(1)
            if self.sleeping is not None or self.cycles == at:
                return None
            steps.append(clockpoll.Step(pc, regs, bytes(uc.mem_read(pc, 20)), self.cycles - at))
        return steps

    def _clock_window(self, steps: list[clockpoll.Step] | None, start: int, period: int,
                      shape: tuple[int, int]) -> clockpoll.Window | None:
        """Passes a traced clock poll may skip (`_clock_passes`): up to the last pass
        whose clock read still gives a value inside the window every comparison of the
        pass agrees on."""
        if steps is None:
            return None
        if len(self._pass_clocks) != 1:
            self._clock_refused.add(shape)
            return None
        at, count, time_of = self._pass_clocks[0]
        offset, index = at - start, None
        done = start
        for i, step in enumerate(steps):
            if done < at <= done + step.executed:  # the counter counts an instruction as it starts
                index = i
                break
            done += step.executed
        if index is None:
            return None
        found = clockpoll.window(steps, index, count)
        if found is None:
            self._clock_refused.add(shape)
            return None
        until = time_of(count + found.ticks + 1)
        if until is None:
            passes = None  # the count is stopped: nothing changes before the next event
        else:
            last_cycle = self.cycles_at(until) - 1  # the last cycle still before that tick
            # pass j after this one reads the clock at cycle start + (j + 1) * period + offset
            passes = max((last_cycle - start - offset) // period, 0)
        if found.derived:
            # the registers still hold what this pass derived: `depth` passes must run for
            # real before the next event, so the state there is the one running every pass gives
            room = max(self._skip_limit() - self.cycles, 0) // period - found.depth
            passes = room if passes is None else min(passes, room)
        self._clock_passes = passes
        return found if passes is None or passes > 0 else None

    def _skip_passes(self, period: int) -> None:
        passes = max(self._skip_limit() - self.cycles, 0) // period
        if self._clock_passes is not None:
            passes, self._clock_passes = min(passes, self._clock_passes), None
        self.cycles += passes * period
        self.fast_forwarded += passes * period

    def _watching_memory(self, strict: bool = False) -> MemoryWatch:
        return MemoryWatch(self, strict)

    # -- countdown loops -------------------------------------------------------------------
    def _fast_forward_delay(self, pc: int, reg: int) -> None:
        """`subs rN, #1; bne` runs rN times at 2 cycles each: skip it whole,
        or up to the next event (the loop resumes from the exit)."""
        rid = LOW_REGS[reg]
        remaining = self.regs.read(rid) or (1 << 32)
        room = max(self._skip_limit() - self.cycles, 0)
        k = min(remaining, max(room // 2, 1))
        remaining -= k
        self.cycles += 2 * k
        self.fast_forwarded += 2 * k
        self.regs.write(rid, remaining & 0xFFFFFFFF)
        if remaining == 0:
            # flags as the last subs left them: Z=1, C=1 (no borrow)
            self.regs.write(A.UC_ARM_REG_APSR_NZCV, 0x60000000)
            self.regs.write(A.UC_ARM_REG_PC, (pc + 4) | 1)
