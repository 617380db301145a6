"""Fast paths: pure status-poll loops and countdown delay loops, skipped exactly.

A skipped iteration is accounted in cycles and instructions as if it ran,
so virtual time and every event stay the same as running it.
"""

from __future__ import annotations

from collections.abc import Callable

from unicorn import arm_const as A

from rp2350_emu.core.arch import LOW_REGS, SNAPSHOT_REGS

#: a status register read this many times in a row, same value, same loop
#: length, is a poll loop candidate (then checked: see watch_read)
POLL_REPEATS = 8
#: a loop found impure is not looked at again for this many reads
POLL_BACKOFF = 4096


class FastPaths:
    """Mixin of CortexM33 (cpu.py): poll-loop detection and delay-loop fast-forward."""

    def watch_read(self, address: int, value: int, pure: Callable[[], bool]) -> None:
        """Every MMIO read passes here (the bus calls it; kept cheap).

        Firmware spinning on a status bit (XOSC STABLE, PLL LOCK, UART TXFF)
        repeats one read with one result at a fixed period until an event
        changes it. Once the whole register file is seen identical on two
        consecutive iterations and the read has no side effect, the loop is
        pure: every iteration until the next event would be the same, so the
        slice ends and their time is accounted without running them."""
        poll = self._poll
        counter = self._ctr.counter.value
        period = counter - poll[2]
        poll[2] = counter
        if address != poll[0] or value != poll[1] or period != poll[3]:
            poll[0], poll[1], poll[3], poll[4] = address, value, period, 0
            self._poll_snapshot = None
            return
        poll[4] += 1
        if poll[4] < POLL_REPEATS:
            return
        snapshot = self.uc.reg_read_batch(SNAPSHOT_REGS)
        if self._poll_snapshot is None:
            self._poll_snapshot = snapshot
        elif snapshot == self._poll_snapshot and pure():
            self._poll_period = (period, counter)
            self.request_exit()
        else:
            poll[4] = -POLL_BACKOFF  # this loop changes state: run it for real
            self._poll_snapshot = None

    def watch_write(self) -> None:
        """An MMIO write: whatever loop this is, it is not a pure poll."""
        self._poll[4] = 0
        self._poll_snapshot = None

    def _skip_poll(self, period: int) -> None:
        nxt = self.scheduler.next_event_ns()
        limit = self._deadline_cycles if nxt is None else min(self.cycles_at(nxt), self._deadline_cycles)
        loops = max(limit - self.cycles, 0) // period
        self.cycles += loops * period
        self.fast_forwarded += loops * period
        self._poll[4] = 0
        self._poll_snapshot = None

    def _fast_forward_delay(self, pc: int, reg: int) -> None:
        """`subs rN, #1; bne` runs rN times at 2 cycles each: skip it whole,
        or up to the next event (the loop resumes from the exit)."""
        uc = self.uc
        rid = LOW_REGS[reg]
        remaining = uc.reg_read(rid) or (1 << 32)
        nxt = self.scheduler.next_event_ns()
        limit = self._deadline_cycles if nxt is None else min(self.cycles_at(nxt), self._deadline_cycles)
        room = max(limit - self.cycles, 0)
        k = min(remaining, max(room // 2, 1))
        remaining -= k
        self.cycles += 2 * k
        self.fast_forwarded += 2 * k
        uc.reg_write(rid, remaining & 0xFFFFFFFF)
        if remaining == 0:
            # flags as the last subs left them: Z=1, C=1 (no borrow)
            uc.reg_write(A.UC_ARM_REG_APSR_NZCV, 0x60000000)
            uc.reg_write(A.UC_ARM_REG_PC, (pc + 4) | 1)
