"""Cortex-M33 core: Unicorn for instructions, Python for everything else.

Unicorn runs count-bounded slices (one instruction = one cycle) that end at
the next scheduled event; no Python runs per instruction. What Unicorn does
not do for an M-profile core is done here between slices or in the few
hooks Unicorn calls by itself:

* exception entry (stacking, EXC_RETURN, vectoring) and return (intno 8),
  SVC (intno 2), tail-chaining, PRIMASK / BASEPRI / FAULTMASK;
* WFI / WFE / SEV with an event register, and skipping idle time;
* faults, reported as one-line EmulationErrors with decoded CFSR / HFSR;
* CPACR gating of the FPU, which Unicorn always leaves enabled.

Two Unicorn internals are used on purpose. The instruction counter behind
`emu_start(count=...)` is read (to know how far a slice got when it ends
early, and the exact time inside MMIO callbacks) and its limit is lowered to
end a slice cleanly after the current instruction: `emu_stop()` from an
MMIO callback would re-execute the access. And Unicorn "exits" (addresses
where translation stops) mark the few instructions Python must see before
they run: FP instructions while CPACR denies the FPU, SEV, and
`subs rN, #1; bne` delay loops, which are fast-forwarded.

The class is split along those seams: this module holds the state, time
and the run loop; exceptions.py exception entry/return and faults,
exits.py the exit sites, fastpath.py loop skipping, stops.py Unicorn
errors and bad accesses, counter.py the instruction counter.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from unicorn import (
    UC_ARCH_ARM,
    UC_HOOK_INTR,
    UC_HOOK_MEM_INVALID,
    UC_MODE_MCLASS,
    UC_MODE_THUMB,
    Uc,
    UcError,
)
from unicorn import arm_const as A

from rp2350_emu.core.access import OTHER
from rp2350_emu.core.arch import S_REGS, WFI, XPSR_T
from rp2350_emu.core.counter import InstructionCounter
from rp2350_emu.core.exceptions import ExceptionModel
from rp2350_emu.core.exits import ExitSites
from rp2350_emu.core.fastpath import FastPaths
from rp2350_emu.core.faults import Fault
from rp2350_emu.core.regs import RegisterFile
from rp2350_emu.core.stops import Stops
from rp2350_emu.errors import EmulationError
from rp2350_emu.time.slices import SliceScheduler
from rp2350_emu.time.units import NS_PER_S as NS

#: longest slice: bounds the wall time between predicate checks (~30 ms)
MAX_SLICE = 4_000_000
#: slice length while an interrupt waits on PRIMASK/BASEPRI/FAULTMASK: the
#: unmasking instructions are exits then, this only covers code not scanned
MASKED_SLICE = 10_000


class CortexM33(ExceptionModel, ExitSites, FastPaths, Stops):
    """The core: state, time, the run loop; exceptions, exits and fast paths are mixed in."""

    def __init__(self, scheduler: SliceScheduler, hz: int = 150_000_000) -> None:
        if hz <= 0:
            raise ValueError("CPU frequency must be positive")
        self.scheduler = scheduler
        self.hz = hz
        uc = self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        uc.ctl_exits_enabled(True)
        self.regs = RegisterFile(uc)
        self._ctr = InstructionCounter(uc)
        uc.hook_add(UC_HOOK_INTR, self._on_intr)
        self._invalid_hook = uc.hook_add(UC_HOOK_MEM_INVALID, self._on_bad_memory)
        scheduler.on_earlier_event = self._on_earlier_event
        self.scs = None  # the Scs block (NVIC/SCB/SysTick), attached by the machine
        self.symbolize: Callable[[int], str] = lambda address: ""
        self.describe_address: Callable[[int], str] = lambda address: ""
        #: what the chip has at an address nothing is mapped at (the bus sets it)
        self.describe_unmapped: Callable[[int], str] = lambda address: ""
        #: called on exception entry and return: (kind "enter"/"exit", exception, t_ns)
        self.exception_listeners: list[Callable[[str, int, int], None]] = []
        self._fp_sites: set[int] = set()
        self._sev_sites: set[int] = set()
        self._delay_sites: dict[int, int] = {}  # subs address -> register
        self._unmask_sites: set[int] = set()  # cpsie / msr to a mask register
        #: address -> callbacks run (between slices) before the instruction there executes
        self._address_hooks: dict[int, list[Callable[[int], None]]] = {}
        #: skip idle/poll loops and fast-forward delay loops (off: run every instruction;
        #: the events are the same either way)
        self._skip_loops = True
        self.max_slice = MAX_SLICE
        #: writable memory, (base, end): where a loop pass's stores are checked
        self.ram_ranges: list[tuple[int, int]] = []
        #: how an MMIO access may take part in a skipped pass (core/access.py; set by the bus):
        #: fn(device, offset) -> kind, and the count behind a CLOCK register
        self.read_kind: Callable[[object, int], int] = lambda _device, _offset: OTHER
        self.write_kind: Callable[[object, int], int] = lambda _device, _offset: OTHER
        self.clock_reading: Callable[[object, int], tuple[int, Callable[[int], int | None]]] | None = None
        #: blocks with INTERNAL registers: their idle_state() must survive a skipped pass
        self.idle_blocks: list[Any] = []
        self.reset_state()

    def reset_state(self) -> None:
        self.cycles = 0
        self.instructions = 0  # executed by Unicorn (or emulated one by one here)
        self.fast_forwarded = 0  # delay/poll-loop instructions accounted without running them
        self.slices = 0
        self.idle_ns = 0
        self.error: EmulationError | None = None
        self._fault: Fault | None = None
        self.sleeping: str | None = None
        self.event_register = False
        self._in_slice = False
        self._slice_start = 0
        self._fp_gated: bool | None = None
        self._exits: set[int] = set()
        self._exits_dirty = True
        self._watch_unmask = False
        self._deadline_cycles = 0
        self._wfe_resume_pc: int | None = None
        self._stop_on_write = False  # end slices at MMIO writes (a run_until predicate is waiting)
        self._stalls = 0
        self.reset_fast_paths()

    @property
    def skip_loops(self) -> bool:
        return self._skip_loops

    @skip_loops.setter
    def skip_loops(self, on: bool) -> None:
        self._skip_loops = bool(on)
        self._exits_dirty = True  # delay-loop exits come and go with it

    # -- time -----------------------------------------------------------------
    def ns_of(self, cycles: int) -> int:
        return cycles * NS // self.hz

    def cycles_at(self, ns: int) -> int:
        return -(-ns * self.hz // NS)

    @property
    def now_ns(self) -> int:
        if self._in_slice:
            return self.ns_of(self._slice_start + self._ctr.counter.value)
        return self.ns_of(self.cycles)

    @property
    def executed_now(self) -> int:
        """Instructions executed so far, the running slice included (exact inside MMIO callbacks)."""
        return self.instructions + (self._ctr.counter.value if self._in_slice else 0)

    def _on_earlier_event(self, at_ns: int) -> None:
        if self._in_slice:
            self._end_slice_at(self.cycles_at(at_ns) - self._slice_start)

    def _end_slice_at(self, target: int) -> None:
        counter = self._ctr.counter.value
        limit = self._ctr.limit
        limit.value = min(limit.value, max(counter, target))

    def request_exit(self) -> None:
        """End the running slice after the current instruction (if any)."""
        if self._in_slice:
            self._end_slice_at(0)

    def halt_before_current(self) -> None:
        """From a UC_HOOK_CODE callback: end the slice before the hooked
        instruction runs (debugger breakpoints and steps, gdb_machine.py).
        Unicorn's count hook runs first and has counted the instruction, so
        the limit goes one below: the slice then ends "by count", with the
        instruction neither executed nor charged, as if the budget ran out."""
        if self._in_slice:
            self._ctr.limit.value = max(self._ctr.counter.value - 1, 0)
            self.uc.emu_stop()

    # -- memory helpers -------------------------------------------------------
    def read_u32(self, address: int) -> int:
        return struct.unpack("<I", self.uc.mem_read(address, 4))[0]

    def write_u32(self, address: int, value: int) -> None:
        self.uc.mem_write(address, struct.pack("<I", value & 0xFFFFFFFF))

    def _halfword(self, address: int) -> int | None:
        try:
            return struct.unpack("<H", self.uc.mem_read(address, 2))[0]
        except UcError:
            return None

    @property
    def pc(self) -> int:
        return self.regs.read(A.UC_ARM_REG_PC)

    @pc.setter
    def pc(self, value: int) -> None:
        self.regs.write(A.UC_ARM_REG_PC, value | 1)

    @property
    def sp(self) -> int:
        return self.regs.read(A.UC_ARM_REG_SP)

    @sp.setter
    def sp(self, value: int) -> None:
        self.regs.write(A.UC_ARM_REG_SP, value)

    @property
    def vtor(self) -> int:
        return self.scs.scb.vtor if self.scs is not None else 0

    @vtor.setter
    def vtor(self, value: int) -> None:
        self.scs.scb.vtor = value & ~0x7F

    @property
    def mips(self) -> float:
        return self.hz / 1_000_000

    @mips.setter
    def mips(self, value: float) -> None:
        # keep virtual time continuous: re-base the cycle count at the new rate
        now = self.ns_of(self.cycles)
        self.hz = int(value * 1_000_000)
        self.cycles = self.cycles_at(now)

    def reg(self, name: str) -> int:
        return self.regs.read(getattr(A, f"UC_ARM_REG_{name.upper()}"))

    def where(self, pc: int | None = None) -> str:
        pc = self.pc if pc is None else pc
        sym = self.symbolize(pc)
        return f"pc=0x{pc:08x}" + (f" <{sym}>" if sym else "")

    def boot(self, vtor: int, sp: int, entry: int) -> None:
        """State the RP2350 bootrom leaves for a Secure Arm image (4.3)."""
        self.regs.write(A.UC_ARM_REG_IPSR, 1)  # privileged, so CONTROL can be written
        self.regs.write(A.UC_ARM_REG_CONTROL, 0)
        for r in range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1):
            self.regs.write(r, 0)
        for r in S_REGS:
            self.regs.write(r, 0)
        self.regs.write(A.UC_ARM_REG_FPSCR, 0)
        self.regs.write(A.UC_ARM_REG_PRIMASK, 0)
        self.regs.write(A.UC_ARM_REG_BASEPRI, 0)
        self.regs.write(A.UC_ARM_REG_FAULTMASK, 0)
        self.regs.write(A.UC_ARM_REG_IPSR, 0)
        self.regs.write(A.UC_ARM_REG_MSP, sp & ~3)
        self.regs.write(A.UC_ARM_REG_PSP, 0)
        self.regs.write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        self.regs.write(A.UC_ARM_REG_XPSR_NZCVQG, XPSR_T)
        self.regs.write(A.UC_ARM_REG_PC, entry | 1)
        if self.scs is not None:
            self.scs.scb.vtor = vtor
        self.sleeping = None
        self.event_register = False
        self._exits_dirty = True

    def run(self, deadline_ns: int, predicate: Callable[[], bool] | None = None) -> bool:
        """Run until `deadline_ns` or until `predicate()` is true (-> True).

        The predicate is checked between slices, after events and after each
        instruction that writes MMIO (what can make it true), so the moment it
        holds does not depend on slice lengths; an error stops the run with an
        EmulationError.
        """
        assert self.scs is not None, "no NVIC/SCS attached"
        self._deadline_cycles = self.cycles_at(deadline_ns)
        outer, self._stop_on_write = self._stop_on_write, predicate is not None
        try:
            return self._run_loop(deadline_ns, predicate)
        finally:
            self._stop_on_write = outer

    def _run_loop(self, deadline_ns: int, predicate: Callable[[], bool] | None) -> bool:
        sched = self.scheduler
        nvic = self.scs.nvic
        while True:
            now = self.ns_of(self.cycles)
            sched.advance_to(now)
            if self.error is not None:
                raise self.error
            if predicate is not None and predicate():
                return True
            if now >= deadline_ns:
                return False
            if self._exits_dirty:
                self._apply_exits()
            if nvic.has_candidate() and self._take_pending():
                continue
            if self.sleeping is not None:
                if self._wakes():
                    self.sleeping = None
                else:
                    nxt = sched.next_event_ns()
                    target = deadline_ns if nxt is None else min(nxt, deadline_ns)
                    skip = self.cycles_at(target) - self.cycles
                    if skip > 0:
                        self.idle_ns += self.ns_of(self.cycles + skip) - now
                        self.cycles += skip
                    continue
            nxt = sched.next_event_ns()
            limit_ns = deadline_ns if nxt is None else min(nxt, deadline_ns)
            budget = min(max(self.cycles_at(limit_ns) - self.cycles, 1), MAX_SLICE)
            masked = nvic.has_candidate() and self._masked_pending()
            if masked and self._unmask_at_pc():
                continue  # `wfi; cpsie i`: the unmasking instruction is next, no need to watch for it
            if masked != self._watch_unmask:
                self._watch_unmasking(masked)
            if masked:
                budget = min(budget, MASKED_SLICE)
            self._run_slice(self._plan_slice(budget))

    def _run_slice(self, budget: int) -> None:
        uc = self.uc
        sched = self.scheduler
        start = self._slice_start = self.cycles
        begin = self.regs.read(A.UC_ARM_REG_PC) | 1
        sched.slice_end_ns = self.ns_of(start + budget)
        sched.live_ns = self._live_ns
        self._in_slice = True
        failure: UcError | None = None
        try:
            uc.emu_start(begin, 0, count=budget)
        except UcError as exc:
            failure = exc
        finally:
            self._in_slice = False
            sched.live_ns = None
            sched.slice_end_ns = None
            counter, limit = self._ctr.counter.value, self._ctr.limit.value
            by_count = counter > limit
            executed = counter - 1 if by_count else counter
            self.cycles = start + executed
            self.instructions += executed
            self.slices += 1
        sched.advance_to(self.ns_of(self.cycles))
        if self.error is not None:
            raise self.error
        if self._fault is not None:
            self._poll_candidate = None
            fault, self._fault = self._fault, None
            self._take_fault(fault)
        elif failure is not None:
            self._poll_candidate = None
            self._on_uc_error(failure, executed)
        elif not by_count:
            self._poll_candidate = None
            self._on_early_stop(executed)
        else:
            self._after_slice(executed, budget)

    def _live_ns(self) -> int:
        return self.ns_of(self._slice_start + self._ctr.counter.value)

    def _on_early_stop(self, executed: int) -> None:
        pc = self.pc
        if pc in self._exits:
            self._stalls = 0
            self._on_exit(pc)
            return
        if self._halfword(pc - 2) == WFI or (self._halfword(pc - 4), self._halfword(pc - 2)) == (0xF3AF, 0x8003):
            self._stalls = 0
            self.sleeping = "wfi"
            return
        # a stop with no known cause: fine once (a request that raced the
        # end of the slice), a loop if it repeats without progress
        self._stalls = self._stalls + 1 if executed == 0 else 0
        if self._stalls > 3:
            raise EmulationError(f"CPU makes no progress at {self.where(pc)} (Unicorn keeps stopping)")




