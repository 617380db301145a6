"""Unicorn exits: the instructions the core stops before, and what it does there.

The code scan (codescan.py) finds the sites; this part keeps the exit set in
step with the state that decides it (CPACR gating the FPU, an interrupt
waiting on a mask, tracer address hooks), and handles a stop at an exit:
SEV, unmasking, FP access checks, delay loops (fastpath.py) and hooks.
"""

from __future__ import annotations

from collections.abc import Callable

from unicorn import arm_const as A

from rp2350_emu.core.arch import CPSIE, SEV, is_mask_msr
from rp2350_emu.core.codescan import scan_cached
from rp2350_emu.core.faults import Fault
from rp2350_emu.core.nvic import USAGEFAULT
from rp2350_emu.core.scb import NOCP


class ExitSites:
    """Mixin of CortexM33 (cpu.py): exit sites and the stops at them."""

    def scan_code(self, ranges: list[tuple[int, bytes]]) -> None:
        """Find FP instructions, SEV and delay loops in executable segments.

        Every halfword position is tried, so data and mid-instruction hits are
        included; harmless, as exits only act on instruction starts. The scan
        is a pure function of the code, so its result is kept per image:
        test suites boot the same firmware many times.
        """
        fp, sev, delay, unmask = scan_cached(ranges)
        self._fp_sites, self._sev_sites, self._delay_sites = set(fp), set(sev), dict(delay)
        self._unmask_sites = set(unmask)
        self._exits_dirty = True

    def fp_gate_changed(self) -> None:
        """CPACR was written: re-decide the FP exits at the end of this slice."""
        self._exits_dirty = True
        self.request_exit()

    def _exit_set(self) -> set[int]:
        exits = set(self._sev_sites) | set(self._address_hooks)
        if self.skip_loops:
            exits |= set(self._delay_sites)
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

    def _on_exit(self, pc: int) -> None:
        hooks = self._address_hooks.get(pc)
        if hooks:
            for callback in list(hooks):
                callback(pc)
            if pc in self._address_hooks:
                self._step_over_hook(pc)  # still hooked: run the instruction once past the exit
            return  # else the next slice runs it (or stops again for another kind of exit)
        hw = self._halfword(pc) or 0
        if self.skip_loops and pc in self._delay_sites and hw & 0xF8FF == 0x3801 and self._halfword(pc + 2) == 0xD1FD:
            self._fast_forward_delay(pc, self._delay_sites[pc])
        elif pc in self._sev_sites and hw == SEV:
            self.event_register = True
            self.regs.write(A.UC_ARM_REG_PC, (pc + 2) | 1)
            self.cycles += 1
            self.instructions += 1
        elif pc in self._unmask_sites and (hw in CPSIE or is_mask_msr(hw, self._halfword(pc + 2) or 0)):
            self._emulate_unmask(pc, hw)
        elif pc in self._fp_sites:
            if self.scs.scb.fp_access(self._privileged()):
                self._step_over_exit(pc)
            else:
                self._take_fault(Fault(USAGEFAULT, NOCP, pc, "FPU instruction while CPACR denies CP10/CP11"))
        else:
            self._step_over_exit(pc)  # an exit on something that is no longer what we scanned

    def _unmask_at_pc(self) -> bool:
        """If the next instruction unmasks interrupts, execute it here (as its exit would)."""
        pc = self.pc
        if pc not in self._unmask_sites:
            return False
        hw = self._halfword(pc) or 0
        if hw in CPSIE or is_mask_msr(hw, self._halfword(pc + 2) or 0):
            self._emulate_unmask(pc, hw)
            return True
        return False

    def _emulate_unmask(self, pc: int, hw: int) -> None:
        """Execute cpsie / msr <mask>, rN here (the site is an exit)."""
        if hw in CPSIE:
            if hw & 2:
                self.regs.write(A.UC_ARM_REG_PRIMASK, 0)
            if hw & 1:
                self.regs.write(A.UC_ARM_REG_FAULTMASK, 0)
            size = 2
        else:
            hw2 = self._halfword(pc + 2) or 0
            value = self.regs.read(A.UC_ARM_REG_R0 + (hw & 0xF)) if hw & 0xF < 13 else 0
            target = {0x10: A.UC_ARM_REG_PRIMASK, 0x11: A.UC_ARM_REG_BASEPRI,
                      0x12: A.UC_ARM_REG_BASEPRI_MAX, 0x13: A.UC_ARM_REG_FAULTMASK}[hw2 & 0xFF]
            if self._privileged():
                self.regs.write(target, value)
            size = 4
        self.regs.write(A.UC_ARM_REG_PC, (pc + size) | 1)
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
