"""Cortex-M33 core: Unicorn for instructions, Python for everything else.

Unicorn runs count-bounded slices (one instruction = one cycle) that end at
the next scheduled event; no Python runs per instruction. What Unicorn does
not do (docs unicorn-m33.md) is done here between slices or in the few
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
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable

from unicorn import (
    UC_ARCH_ARM,
    UC_ERR_INSN_INVALID,
    UC_HOOK_INTR,
    UC_HOOK_MEM_INVALID,
    UC_MEM_FETCH_PROT,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_READ_PROT,
    UC_MEM_READ_UNMAPPED,
    UC_MEM_WRITE_PROT,
    UC_MEM_WRITE_UNMAPPED,
    UC_MODE_MCLASS,
    UC_MODE_THUMB,
    UC_PROT_ALL,
    Uc,
    UcError,
)
from unicorn import arm_const as A

from .errors import EmulationError, UnmodeledAccess
from .nvic import BUSFAULT, HARDFAULT, NMI, SVCALL, USAGEFAULT, exception_name
from .scb import (
    CFSR_BITS,
    HFSR_BITS,
    HFSR_DEBUGEVT,
    HFSR_FORCED,
    HFSR_VECTTBL,
    INVPC,
    INVSTATE,
    NOCP,
    STKERR,
    UNDEFINSTR,
    UNSTKERR,
    decode_bits,
)
from .vclock import SliceScheduler

NS = 1_000_000_000
#: longest slice: bounds the wall time between predicate checks (~30 ms)
MAX_SLICE = 4_000_000
#: a status register read this many times in a row, same value, same loop
#: length, is a poll loop candidate (then checked: see watch_read)
POLL_REPEATS = 8
#: a loop found impure is not looked at again for this many reads
POLL_BACKOFF = 4096
#: slice length while an interrupt waits on PRIMASK/BASEPRI/FAULTMASK: the
#: unmasking instructions are exits then, this only covers code not scanned
MASKED_SLICE = 10_000

EXCP_UDEF, EXCP_SWI, EXCP_BKPT, EXCP_EXCEPTION_EXIT, EXCP_NOCP = 1, 2, 7, 8, 17
XPSR_T = 1 << 24
XPSR_IT = 0x0600FC00
CONTROL_NPRIV, CONTROL_SPSEL, CONTROL_FPCA, CONTROL_SFPA = 1, 2, 4, 8
WFI, WFE, SEV = 0xBF30, 0xBF20, 0xBF40
CORE_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R12,
             A.UC_ARM_REG_LR)
S_REGS = tuple(range(A.UC_ARM_REG_S0, A.UC_ARM_REG_S15 + 1))
SNAPSHOT_REGS = tuple(range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1)) + (
    A.UC_ARM_REG_SP, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR, A.UC_ARM_REG_FPSCR,
    A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI) + tuple(range(A.UC_ARM_REG_S0, A.UC_ARM_REG_S31 + 1))
LOW_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R4,
            A.UC_ARM_REG_R5, A.UC_ARM_REG_R6, A.UC_ARM_REG_R7)


CPSIE = (0xB662, 0xB661, 0xB663)  # cpsie i / f / if


def _is_mask_msr(hw1: int, hw2: int) -> bool:
    """msr PRIMASK / BASEPRI / BASEPRI_MAX / FAULTMASK, rN (T1, mask 0b10)."""
    return hw1 & 0xFFF0 == 0xF380 and hw2 & 0xFF00 == 0x8800 and 0x10 <= hw2 & 0xFF <= 0x13


class _InsnCounter:
    """Unicorn's per-emu_start instruction counter and its limit.

    uc_struct.emu_counter / emu_count (uc_priv.h) sit next to each other; the
    offset is found once per process by running known counts on a probe.
    """

    _offset: int | None = None

    def __init__(self, uc: Uc) -> None:
        off = self._calibrate()
        base = ctypes.cast(uc._uch, ctypes.c_void_p).value
        width = ctypes.sizeof(ctypes.c_size_t)
        self.counter = ctypes.c_size_t.from_address(base + off)
        self.limit = ctypes.c_size_t.from_address(base + off + width)

    @classmethod
    def _calibrate(cls) -> int:
        if cls._offset is not None:
            return cls._offset
        probe = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        probe.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        probe.mem_map(0x10000000, 0x1000, UC_PROT_ALL)
        probe.mem_write(0x10000000, b"\x00\xbf" * 0x800)  # nop
        base = ctypes.cast(probe._uch, ctypes.c_void_p).value
        width = ctypes.sizeof(ctypes.c_size_t)
        fmt = "<QQ" if width == 8 else "<II"
        found: set[int] | None = None
        for k in (37, 101, 555):
            probe.emu_start(0x10000001, 0, count=k)
            raw = ctypes.string_at(base, 2048)
            hits = {o for o in range(0, 2048 - 2 * width, width) if struct.unpack_from(fmt, raw, o) == (k + 1, k)}
            found = hits if found is None else found & hits
        if not found or len(found) != 1:
            raise EmulationError("cannot find Unicorn's instruction counter: this Unicorn build is not "
                                 "supported (rp2350-emu needs unicorn 2.1.4)")
        cls._offset = found.pop()
        return cls._offset


class Fault(Exception):
    """A synchronous fault found while executing; handled between slices."""

    def __init__(self, target: int, cfsr: int, pc: int, what: str, hfsr: int = 0) -> None:
        super().__init__(what)
        self.target, self.cfsr, self.pc, self.what, self.hfsr = target, cfsr, pc, what, hfsr


_SCAN_CACHE: dict[tuple, tuple[set[int], set[int], dict[int, int], set[int]]] = {}


def _scan_code(ranges: list[tuple[int, bytes]]) -> tuple[set[int], set[int], dict[int, int], set[int]]:
    fp: set[int] = set()
    sev: set[int] = set()
    delay: dict[int, int] = {}
    unmask: set[int] = set()
    for base, data in ranges:
        n = len(data) // 2
        hws = struct.unpack(f"<{n}H", data[: 2 * n])
        for i, hw in enumerate(hws):
            nxt = hws[i + 1] if i + 1 < n else 0
            if hw & 0xEC00 == 0xEC00 and (nxt >> 9) & 7 == 5:
                fp.add(base + 2 * i)  # coprocessor space, CP10/CP11: FPU
            elif hw == SEV:
                sev.add(base + 2 * i)
            elif hw & 0xF8FF == 0x3801 and nxt == 0xD1FD:
                delay[base + 2 * i] = (hw >> 8) & 7  # subs rN, #1; bne .-2
            elif hw in CPSIE or _is_mask_msr(hw, nxt):
                unmask.add(base + 2 * i)
    return fp, sev, delay, unmask


class CortexM33:
    def __init__(self, scheduler: SliceScheduler, hz: int = 150_000_000) -> None:
        if hz <= 0:
            raise ValueError("CPU frequency must be positive")
        self.scheduler = scheduler
        self.hz = hz
        uc = self.uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        uc.ctl_exits_enabled(True)
        self._ctr = _InsnCounter(uc)
        uc.hook_add(UC_HOOK_INTR, self._on_intr)
        uc.hook_add(UC_HOOK_MEM_INVALID, self._on_bad_memory)
        scheduler.on_earlier_event = self._on_earlier_event
        self.scs = None  # the Scs block (NVIC/SCB/SysTick), attached by the machine
        self.symbolize: Callable[[int], str] = lambda address: ""
        self.describe_address: Callable[[int], str] = lambda address: ""
        #: called on exception entry and return: (kind "enter"/"exit", exception, t_ns)
        self.exception_listeners: list[Callable[[str, int, int], None]] = []
        self._fp_sites: set[int] = set()
        self._sev_sites: set[int] = set()
        self._delay_sites: dict[int, int] = {}  # subs address -> register
        self._unmask_sites: set[int] = set()  # cpsie / msr to a mask register
        #: address -> callbacks run (between slices) before the instruction there executes
        self._address_hooks: dict[int, list[Callable[[int], None]]] = {}
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
        self._stalls = 0
        # poll-loop detector: [address, value, counter at the read, loop length, repeats]
        self._poll = [None, None, 0, 0, 0]
        self._poll_snapshot: tuple | None = None
        self._poll_period: tuple[int, int] | None = None  # (loop length, counter) of a pure poll

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
        return self.uc.reg_read(A.UC_ARM_REG_PC)

    @pc.setter
    def pc(self, value: int) -> None:
        self.uc.reg_write(A.UC_ARM_REG_PC, value | 1)

    @property
    def sp(self) -> int:
        return self.uc.reg_read(A.UC_ARM_REG_SP)

    @sp.setter
    def sp(self, value: int) -> None:
        self.uc.reg_write(A.UC_ARM_REG_SP, value)

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
        return self.uc.reg_read(getattr(A, f"UC_ARM_REG_{name.upper()}"))

    def where(self, pc: int | None = None) -> str:
        pc = self.pc if pc is None else pc
        sym = self.symbolize(pc)
        return f"pc=0x{pc:08x}" + (f" <{sym}>" if sym else "")

    # -- poll loops -----------------------------------------------------------
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

    # -- code scanning (exits) ------------------------------------------------
    def scan_code(self, ranges: list[tuple[int, bytes]]) -> None:
        """Find FP instructions, SEV and delay loops in executable segments.

        Every halfword position is tried, so data and mid-instruction hits are
        included; harmless, as exits only act on instruction starts. The scan
        is a pure function of the code, so its result is kept per image:
        test suites boot the same firmware many times.
        """
        key = tuple((base, len(data), hash(data)) for base, data in ranges)
        found = _SCAN_CACHE.get(key)
        if found is None:
            found = _scan_code(ranges)
            if len(_SCAN_CACHE) >= 16:
                _SCAN_CACHE.clear()
            _SCAN_CACHE[key] = found
        fp, sev, delay, unmask = found
        self._fp_sites, self._sev_sites, self._delay_sites = set(fp), set(sev), dict(delay)
        self._unmask_sites = set(unmask)
        self._exits_dirty = True

    def fp_gate_changed(self) -> None:
        """CPACR was written: re-decide the FP exits at the end of this slice."""
        self._exits_dirty = True
        self.request_exit()

    def _exit_set(self) -> set[int]:
        exits = set(self._sev_sites) | set(self._delay_sites) | set(self._address_hooks)
        if self._fp_gated:
            exits |= self._fp_sites
        if self._watch_unmask:
            exits |= self._unmask_sites
        return exits

    def _apply_exits(self) -> None:
        # never called inside a slice: changing exits needs a TB flush
        self._exits_dirty = False
        self._fp_gated = self.scs is not None and (self.scs.scb.cpacr >> 20) & 3 != 3
        self._exits = self._exit_set()
        self.uc.ctl_set_exits(sorted(self._exits))
        self.uc.ctl_flush_tb()

    def add_address_hook(self, address: int, callback: Callable[[int], None]) -> None:
        """Run `callback(address)` each time execution reaches `address`, before
        the instruction there runs (tracers: wit_trace.py). An exit like the
        others, so code elsewhere runs at full speed; only the translation
        blocks holding the address are dropped. Callbacks may add and remove
        hooks; one that removes its own hook lets the instruction run without
        a single-step. Not callable from inside a slice (MMIO callbacks)."""
        address &= ~1
        hooks = self._address_hooks.setdefault(address, [])
        hooks.append(callback)
        if len(hooks) == 1:
            self._hook_sites_changed(address)

    def remove_address_hook(self, address: int, callback: Callable[[int], None]) -> None:
        address &= ~1
        hooks = self._address_hooks.get(address)
        if hooks is None or callback not in hooks:
            return
        hooks.remove(callback)
        if not hooks:
            del self._address_hooks[address]
            self._hook_sites_changed(address)

    def _hook_sites_changed(self, address: int) -> None:
        assert not self._in_slice, "address hooks change between slices only"
        self._exits = self._exit_set()
        self.uc.ctl_set_exits(sorted(self._exits))
        self.uc.ctl_remove_cache(address, address + 4)

    def _watch_unmasking(self, on: bool) -> None:
        """Stop before cpsie / msr PRIMASK,BASEPRI,FAULTMASK while an interrupt
        waits on a mask, so it is taken right after the unmasking instruction.
        Only the translation blocks holding those sites are dropped."""
        if on == self._watch_unmask:
            return
        self._watch_unmask = on
        self._exits = self._exit_set()
        self.uc.ctl_set_exits(sorted(self._exits))
        for site in self._unmask_sites:
            self.uc.ctl_remove_cache(site, site + 4)

    # -- reset ----------------------------------------------------------------
    def boot(self, vtor: int, sp: int, entry: int) -> None:
        """State the RP2350 bootrom leaves for a Secure Arm image (4.3)."""
        uc = self.uc
        uc.reg_write(A.UC_ARM_REG_IPSR, 1)  # privileged, so CONTROL can be written
        uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        for r in range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1):
            uc.reg_write(r, 0)
        for r in S_REGS:
            uc.reg_write(r, 0)
        uc.reg_write(A.UC_ARM_REG_FPSCR, 0)
        uc.reg_write(A.UC_ARM_REG_PRIMASK, 0)
        uc.reg_write(A.UC_ARM_REG_BASEPRI, 0)
        uc.reg_write(A.UC_ARM_REG_FAULTMASK, 0)
        uc.reg_write(A.UC_ARM_REG_IPSR, 0)
        uc.reg_write(A.UC_ARM_REG_MSP, sp & ~3)
        uc.reg_write(A.UC_ARM_REG_PSP, 0)
        uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        uc.reg_write(A.UC_ARM_REG_XPSR_NZCVQG, XPSR_T)
        uc.reg_write(A.UC_ARM_REG_PC, entry | 1)
        if self.scs is not None:
            self.scs.scb.vtor = vtor
        self.sleeping = None
        self.event_register = False
        self._exits_dirty = True

    # -- the run loop ---------------------------------------------------------
    def run(self, deadline_ns: int, predicate: Callable[[], bool] | None = None) -> bool:
        """Run until `deadline_ns` or until `predicate()` is true (-> True).

        The predicate is checked between slices and after events; an error
        stops the run with an EmulationError.
        """
        sched = self.scheduler
        scs = self.scs
        assert scs is not None, "no NVIC/SCS attached"
        nvic = scs.nvic
        self._deadline_cycles = self.cycles_at(deadline_ns)
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
            if masked != self._watch_unmask:
                self._watch_unmasking(masked)
            if masked:
                budget = min(budget, MASKED_SLICE)
            self._run_slice(budget)

    def _run_slice(self, budget: int) -> None:
        uc = self.uc
        sched = self.scheduler
        start = self._slice_start = self.cycles
        begin = uc.reg_read(A.UC_ARM_REG_PC) | 1
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
        if self._poll_period is not None:
            (period, at), self._poll_period = self._poll_period, None
            if by_count and counter == at + 1:  # stopped right after the polling read
                self._skip_poll(period)
        sched.advance_to(self.ns_of(self.cycles))
        if self.error is not None:
            raise self.error
        if self._fault is not None:
            fault, self._fault = self._fault, None
            self._take_fault(fault)
        elif failure is not None:
            self._on_uc_error(failure, executed)
        elif not by_count:
            self._on_early_stop(executed)

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

    def _on_exit(self, pc: int) -> None:
        hooks = self._address_hooks.get(pc)
        if hooks:
            for callback in list(hooks):
                callback(pc)
            if pc in self._address_hooks:
                self._step_over_hook(pc)  # still hooked: run the instruction once past the exit
            return  # else the next slice runs it (or stops again for another kind of exit)
        uc = self.uc
        hw = self._halfword(pc) or 0
        if pc in self._delay_sites and hw & 0xF8FF == 0x3801 and self._halfword(pc + 2) == 0xD1FD:
            self._fast_forward_delay(pc, self._delay_sites[pc])
        elif pc in self._sev_sites and hw == SEV:
            self.event_register = True
            uc.reg_write(A.UC_ARM_REG_PC, (pc + 2) | 1)
            self.cycles += 1
            self.instructions += 1
        elif pc in self._unmask_sites and (hw in CPSIE or _is_mask_msr(hw, self._halfword(pc + 2) or 0)):
            self._emulate_unmask(pc, hw)
        elif pc in self._fp_sites:
            if self.scs.scb.fp_access(self._privileged()):
                self._step_over_exit(pc)
            else:
                self._take_fault(Fault(USAGEFAULT, NOCP, pc, "FPU instruction while CPACR denies CP10/CP11"))
        else:
            self._step_over_exit(pc)  # an exit on something that is no longer what we scanned

    def _emulate_unmask(self, pc: int, hw: int) -> None:
        """Execute cpsie / msr <mask>, rN here (the site is an exit)."""
        uc = self.uc
        if hw in CPSIE:
            if hw & 2:
                uc.reg_write(A.UC_ARM_REG_PRIMASK, 0)
            if hw & 1:
                uc.reg_write(A.UC_ARM_REG_FAULTMASK, 0)
            size = 2
        else:
            hw2 = self._halfword(pc + 2) or 0
            value = uc.reg_read(A.UC_ARM_REG_R0 + (hw & 0xF)) if hw & 0xF < 13 else 0
            target = {0x10: A.UC_ARM_REG_PRIMASK, 0x11: A.UC_ARM_REG_BASEPRI,
                      0x12: A.UC_ARM_REG_BASEPRI_MAX, 0x13: A.UC_ARM_REG_FAULTMASK}[hw2 & 0xFF]
            if self._privileged():
                uc.reg_write(target, value)
            size = 4
        uc.reg_write(A.UC_ARM_REG_PC, (pc + size) | 1)
        self.cycles += 1
        self.instructions += 1

    def _step_over_hook(self, pc: int) -> None:
        """One instruction at a hooked address, dropping only its blocks (not
        the whole translation cache as `_step_over_exit` does)."""
        uc = self.uc
        uc.ctl_set_exits(sorted(self._exits - {pc}))
        uc.ctl_remove_cache(pc, pc + 4)
        try:
            self._run_slice(1)
        finally:
            uc.ctl_set_exits(sorted(self._exits))
            uc.ctl_remove_cache(pc, pc + 4)

    def _step_over_exit(self, pc: int) -> None:
        uc = self.uc
        uc.ctl_set_exits(sorted(self._exits - {pc}))
        uc.ctl_flush_tb()
        self._exits_dirty = True
        self._run_slice(1)

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

    def _on_uc_error(self, failure: UcError, executed: int) -> None:
        pc = self.pc
        if failure.errno == UC_ERR_INSN_INVALID:
            xpsr = self.uc.reg_read(A.UC_ARM_REG_XPSR)
            if not xpsr & XPSR_T:
                raise self._hardfault_error(Fault(USAGEFAULT, INVSTATE, pc, "branch to an address without the "
                                                  "Thumb bit (INVSTATE)"))
            resumed_here = self._wfe_resume_pc == pc and executed <= 1
            if self._halfword(pc - 2) == WFE and not resumed_here:
                self._wfe_resume_pc = pc
                if self.event_register:
                    self.event_register = False
                else:
                    self.sleeping = "wfe"
                return
            self._take_fault(Fault(USAGEFAULT, UNDEFINSTR, pc, f"undefined instruction{self._insn_text(pc)}"))
            return
        raise EmulationError(f"CPU stopped: {failure} at {self.where(pc)}")

    def _insn_text(self, pc: int) -> str:
        hw = self._halfword(pc)
        if hw is None:
            return ""
        if hw >> 11 in (0x1D, 0x1E, 0x1F):
            return f" 0x{hw:04x} 0x{self._halfword(pc + 2) or 0:04x}"
        return f" 0x{hw:04x}"

    # -- exceptions -----------------------------------------------------------
    def _masks(self) -> tuple[int, int, int]:
        uc = self.uc
        return (uc.reg_read(A.UC_ARM_REG_PRIMASK), uc.reg_read(A.UC_ARM_REG_BASEPRI),
                uc.reg_read(A.UC_ARM_REG_FAULTMASK))

    def execution_priority(self, ignore_primask: bool = False) -> int:
        return self.scs.nvic.execution_priority(*self._masks(), ignore_primask=ignore_primask)

    def _take_pending(self) -> bool:
        exc = self.scs.nvic.preempting(self.execution_priority())
        if exc is None:
            return False
        self.sleeping = None
        self._enter(exc, self.pc)
        return True

    def _masked_pending(self) -> bool:
        nvic = self.scs.nvic
        exc = nvic.highest_pending()
        if exc is None:
            return False
        unmasked = nvic.execution_priority(0, 0, 0)
        return nvic.group_priority(nvic.priority(exc)) < unmasked

    def _wakes(self) -> bool:
        nvic = self.scs.nvic
        if self.sleeping == "wfe" and self.event_register:
            self.event_register = False
            return True
        return nvic.preempting(self.execution_priority(ignore_primask=True)) is not None

    def _privileged(self) -> bool:
        uc = self.uc
        return bool(uc.reg_read(A.UC_ARM_REG_IPSR)) or not uc.reg_read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV

    def current_exception(self) -> int:
        return self.uc.reg_read(A.UC_ARM_REG_IPSR) & 0x1FF

    def _notify(self, kind: str, exc: int) -> None:
        if self.exception_listeners:
            t = self.now_ns
            for listener in self.exception_listeners:
                listener(kind, exc, t)

    def _vector(self, exc: int, pc: int) -> int:
        address = self.scs.scb.vtor + 4 * exc
        try:
            vector = self.read_u32(address)
        except UcError:
            raise self._hardfault_error(Fault(HARDFAULT, 0, pc, f"vector table read failed for "
                                              f"{exception_name(exc)} at 0x{address:08x}", hfsr=HFSR_VECTTBL))
        if not vector & 1:
            raise self._hardfault_error(Fault(USAGEFAULT, INVSTATE, pc, f"{exception_name(exc)} vector "
                                              f"0x{vector:08x} (at 0x{address:08x}) has no Thumb bit"))
        return vector

    def _enter(self, exc: int, return_pc: int) -> None:
        """Exception entry: stack the frame on the current stack, vector."""
        uc = self.uc
        nvic = self.scs.nvic
        handler = self._vector(exc, return_pc)
        ipsr = uc.reg_read(A.UC_ARM_REG_IPSR) & 0x1FF
        control = uc.reg_read(A.UC_ARM_REG_CONTROL)
        msp, psp = uc.reg_read(A.UC_ARM_REG_MSP), uc.reg_read(A.UC_ARM_REG_PSP)
        on_psp = not ipsr and control & CONTROL_SPSEL
        fp = bool(control & CONTROL_FPCA)
        sp = psp if on_psp else msp
        size = 0x68 if fp else 0x20
        frame = (sp - size) & ~7
        regs = uc.reg_read_batch(CORE_REGS)
        xpsr = uc.reg_read(A.UC_ARM_REG_XPSR) | (1 << 9 if sp & 4 else 0)  # bit 9: realigned
        data = struct.pack("<8I", *regs, return_pc & ~1, xpsr)
        if fp:
            sregs = uc.reg_read_batch(S_REGS)
            data += struct.pack("<18I", *sregs, uc.reg_read(A.UC_ARM_REG_FPSCR), 0)
        try:
            uc.mem_write(frame, data)
        except UcError:
            raise self._hardfault_error(Fault(BUSFAULT, STKERR, return_pc, f"exception stacking for "
                                              f"{exception_name(exc)} failed: SP 0x{sp:08x} is not in RAM"))
        exc_return = 0xFFFFFFA1 | (0 if fp else 0x10) | (0 if ipsr else 0x8) | (0x4 if on_psp else 0) | 0x40
        # order matters: in handler mode the core is privileged and treats
        # the banked SP as MSP, so both stack pointers are written afterwards
        uc.reg_write(A.UC_ARM_REG_IPSR, exc)
        uc.reg_write(A.UC_ARM_REG_MSP, msp if on_psp else frame)
        uc.reg_write(A.UC_ARM_REG_PSP, frame if on_psp else psp)
        uc.reg_write(A.UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA | CONTROL_SFPA))
        uc.reg_write(A.UC_ARM_REG_EPSR, XPSR_T)  # clears the IT state
        uc.reg_write(A.UC_ARM_REG_LR, exc_return)
        uc.reg_write(A.UC_ARM_REG_PC, handler)
        nvic.activate(exc)
        self.event_register = True
        self._notify("enter", exc)

    def _exception_return(self, exc_return: int) -> None:
        uc = self.uc
        nvic = self.scs.nvic
        exc = uc.reg_read(A.UC_ARM_REG_IPSR) & 0x1FF
        if exc_return >> 24 != 0xFF or exc_return & 0x41 != 0x41 or exc_return & 2:
            raise self._hardfault_error(Fault(USAGEFAULT, INVPC, exc_return,
                                              f"bad EXC_RETURN 0x{exc_return:08x} from {exception_name(exc)}"))
        if not nvic.is_active(exc):
            raise self._hardfault_error(Fault(USAGEFAULT, INVPC, exc_return, f"exception return from "
                                              f"{exception_name(exc)}, which is not active"))
        nvic.deactivate(exc)
        self._notify("exit", exc)
        self.event_register = True
        primask, basepri, faultmask = self._masks()
        if exc != NMI:
            faultmask = 0
            uc.reg_write(A.UC_ARM_REG_FAULTMASK, 0)
        # tail-chain: a pending exception that preempts the context we would
        # return to runs now, on the frame that is already stacked
        nxt = nvic.preempting(nvic.execution_priority(primask, basepri, faultmask))
        if nxt is not None:
            uc.reg_write(A.UC_ARM_REG_IPSR, nxt)
            uc.reg_write(A.UC_ARM_REG_CONTROL, uc.reg_read(A.UC_ARM_REG_CONTROL) & ~(CONTROL_FPCA | CONTROL_SFPA))
            uc.reg_write(A.UC_ARM_REG_LR, exc_return)
            uc.reg_write(A.UC_ARM_REG_PC, self._vector(nxt, exc_return))
            nvic.activate(nxt)
            self._notify("enter", nxt)
            return
        to_thread = bool(exc_return & 0x8)
        on_psp = to_thread and bool(exc_return & 0x4)
        fp = not exc_return & 0x10
        msp, psp = uc.reg_read(A.UC_ARM_REG_MSP), uc.reg_read(A.UC_ARM_REG_PSP)
        frame = psp if on_psp else msp
        size = 0x68 if fp else 0x20
        try:
            raw = bytes(uc.mem_read(frame, size))
        except UcError:
            raise self._hardfault_error(Fault(BUSFAULT, UNSTKERR, exc_return, f"unstacking from "
                                              f"0x{frame:08x} failed (not RAM)"))
        words = struct.unpack(f"<{size // 4}I", raw)
        xpsr = words[7]
        new_sp = frame + size + (4 if xpsr & (1 << 9) else 0)
        ret_exc = xpsr & 0x1FF
        if to_thread != (ret_exc == 0):
            raise self._hardfault_error(Fault(USAGEFAULT, INVPC, exc_return, f"EXC_RETURN 0x{exc_return:08x} "
                                              f"does not match the stacked IPSR {ret_exc}"))
        control = uc.reg_read(A.UC_ARM_REG_CONTROL)
        final = (control & ~(CONTROL_SPSEL | CONTROL_FPCA | CONTROL_SFPA)) | (CONTROL_SPSEL if on_psp else 0) \
            | ((CONTROL_FPCA | CONTROL_SFPA) if fp else 0)
        # still privileged (handler mode): drop nPRIV for the stack pointer
        # writes below, restore it last
        uc.reg_write(A.UC_ARM_REG_CONTROL, final & ~CONTROL_NPRIV)
        uc.reg_write(A.UC_ARM_REG_IPSR, ret_exc)
        uc.reg_write(A.UC_ARM_REG_MSP, msp if on_psp else new_sp)
        uc.reg_write(A.UC_ARM_REG_PSP, new_sp if on_psp else psp)
        uc.reg_write(A.UC_ARM_REG_CONTROL, final)
        uc.reg_write_batch(list(zip(CORE_REGS, words[:6])))
        if fp:
            uc.reg_write_batch(list(zip(S_REGS, words[8:24])))
            uc.reg_write(A.UC_ARM_REG_FPSCR, words[24])
        uc.reg_write(A.UC_ARM_REG_XPSR_NZCVQG, xpsr & ~(1 << 9))
        uc.reg_write(A.UC_ARM_REG_PC, words[6] | 1)
        if nvic.has_candidate():
            self.request_exit()  # still pending but masked: let the run loop watch the masks
        if to_thread and self.scs.scb.sleeponexit:
            self.sleeping = "wfi"
            self.request_exit()

    # -- Unicorn hooks --------------------------------------------------------
    def _on_intr(self, uc: Uc, intno: int, _ud: object) -> None:
        try:
            if intno == EXCP_EXCEPTION_EXIT:
                pc = uc.reg_read(A.UC_ARM_REG_PC)
                thumb = (uc.reg_read(A.UC_ARM_REG_XPSR) >> 24) & 1
                self._exception_return(pc | thumb)
            elif intno == EXCP_SWI:
                self._svc(uc.reg_read(A.UC_ARM_REG_PC))
            elif intno == EXCP_BKPT:
                pc = uc.reg_read(A.UC_ARM_REG_PC)
                hw = self._halfword(pc) or 0
                self._fault = Fault(HARDFAULT, 0, pc, f"bkpt #{hw & 0xFF} with no debugger attached",
                                    hfsr=HFSR_DEBUGEVT)
                uc.emu_stop()
            elif intno == EXCP_NOCP:
                pc = uc.reg_read(A.UC_ARM_REG_PC)
                cp = ((self._halfword(pc + 2) or 0) >> 8) & 0xF
                if self.scs.scb.cp_access(cp, self._privileged()):
                    self.error = EmulationError(f"coprocessor p{cp} instruction{self._insn_text(pc)} is not "
                                                f"modeled, at {self.where(pc)}")
                else:
                    self._fault = Fault(USAGEFAULT, NOCP, pc, f"coprocessor p{cp} instruction while CPACR denies it")
                uc.emu_stop()
            else:
                pc = uc.reg_read(A.UC_ARM_REG_PC)
                self.error = EmulationError(f"CPU exception {intno} (not modeled) at {self.where(pc)}")
                uc.emu_stop()
        except EmulationError as exc:
            self.error = exc
            uc.emu_stop()

    def _svc(self, return_pc: int) -> None:
        nvic = self.scs.nvic
        if nvic.group_priority(nvic.priority(SVCALL)) >= self.execution_priority():
            raise self._hardfault_error(Fault(HARDFAULT, 0, return_pc - 2, "svc at or above SVCall priority "
                                              "(or with interrupts masked)", hfsr=HFSR_FORCED))
        self._enter(SVCALL, return_pc)

    def _on_bad_memory(self, uc: Uc, access: int, address: int, size: int, value: int, _ud: object) -> bool:
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        write = access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT)
        where = self.where(pc)
        if access in (UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT):
            lr = uc.reg_read(A.UC_ARM_REG_LR)
            self.error = EmulationError(f"instruction fetch from unmapped address 0x{address:08x} "
                                        f"(lr=0x{lr:08x} <{self.symbolize(lr & ~1)}>)")
        elif access in (UC_MEM_WRITE_PROT, UC_MEM_READ_PROT):
            region = self.describe_address(address)
            self.error = EmulationError(f"{'write' if write else 'read'} of {size} byte(s) at 0x{address:08x}"
                                        f" in read-only {region or 'memory'} at {where}")
        elif access in (UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_UNMAPPED):
            self.error = UnmodeledAccess(address, write, size, value if write else None,
                                         where=f"{where} (nothing is mapped there)")
        else:  # pragma: no cover - Unicorn has no other invalid kinds
            self.error = EmulationError(f"invalid memory access {access} at 0x{address:08x} at {where}")
        return False

    # -- faults ---------------------------------------------------------------
    def _take_fault(self, fault: Fault) -> None:
        """A configurable fault runs its handler if enabled and allowed to
        preempt; otherwise it escalates to HardFault, which stops the run."""
        scb = self.scs.scb
        nvic = self.scs.nvic
        scb.cfsr |= fault.cfsr
        target = fault.target
        if target != HARDFAULT and nvic.enabled_mask() >> target & 1 and \
                nvic.group_priority(nvic.priority(target)) < self.execution_priority():
            self._enter(target, fault.pc)
            return
        raise self._hardfault_error(fault)

    def _hardfault_error(self, fault: Fault) -> EmulationError:
        scb = self.scs.scb
        scb.cfsr |= fault.cfsr
        scb.hfsr |= fault.hfsr | (HFSR_FORCED if fault.target != HARDFAULT else 0)
        lockup = self.execution_priority() <= -1
        kind = "lockup (fault in HardFault/NMI)" if lockup else "HardFault"
        return EmulationError(
            f"{kind} at {self.where(fault.pc)}: {fault.what}; CFSR=0x{scb.cfsr:08x} "
            f"[{decode_bits(scb.cfsr, CFSR_BITS)}] HFSR=0x{scb.hfsr:08x} [{decode_bits(scb.hfsr, HFSR_BITS)}]")
