"""Exception entry and return, SVC, faults: what Unicorn leaves to the core.

Stacking, EXC_RETURN, vectoring, tail-chaining and the priority checks
(PRIMASK / BASEPRI / FAULTMASK) follow Armv8-M; the NVIC (nvic.py) owns the
exception state, this part moves the core in and out of handlers.
"""

from __future__ import annotations

import struct

from unicorn import Uc, UcError
from unicorn import arm_const as A

from rp2350_emu.core.arch import (
    CONTROL_FPCA,
    CONTROL_NPRIV,
    CONTROL_SFPA,
    CONTROL_SPSEL,
    CORE_BATCH,
    EXCP_BKPT,
    EXCP_EXCEPTION_EXIT,
    EXCP_NOCP,
    EXCP_SWI,
    MASK_BATCH,
    S_BATCH,
    XPSR_T,
)
from rp2350_emu.core.faults import Fault
from rp2350_emu.core.nvic import BUSFAULT, HARDFAULT, NMI, SVCALL, USAGEFAULT, exception_name
from rp2350_emu.core.scb import (
    CFSR_BITS,
    HFSR_BITS,
    HFSR_DEBUGEVT,
    HFSR_FORCED,
    HFSR_VECTTBL,
    INVPC,
    INVSTATE,
    NOCP,
    STKERR,
    UNSTKERR,
    decode_bits,
)
from rp2350_emu.errors import EmulationError


class ExceptionModel:
    """Mixin of CortexM33 (cpu.py): exceptions, SVC and faults."""

    def _masks(self) -> tuple[int, int, int]:
        """PRIMASK, BASEPRI, FAULTMASK, in one C call."""
        return self.regs.read_batch(MASK_BATCH)  # type: ignore[return-value]

    def execution_priority(self, ignore_primask: bool = False) -> int:
        return self.scs.nvic.execution_priority(*self._masks(), ignore_primask=ignore_primask)

    def _take_pending(self) -> bool:
        if self.sleeping == "halted":  # out of reset with no vector table: nothing runs
            return False
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
        if self.sleeping == "halted":
            return False
        if self.sleeping == "wfe" and self.event_register:
            self.event_register = False
            return True
        return nvic.preempting(self.execution_priority(ignore_primask=True)) is not None

    def _privileged(self) -> bool:
        return bool(self.regs.read(A.UC_ARM_REG_IPSR)) or not self.regs.read(A.UC_ARM_REG_CONTROL) & CONTROL_NPRIV

    def current_exception(self) -> int:
        return self.regs.read(A.UC_ARM_REG_IPSR) & 0x1FF

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
        ipsr = self.regs.read(A.UC_ARM_REG_IPSR) & 0x1FF
        control = self.regs.read(A.UC_ARM_REG_CONTROL)
        msp, psp = self.regs.read(A.UC_ARM_REG_MSP), self.regs.read(A.UC_ARM_REG_PSP)
        on_psp = not ipsr and control & CONTROL_SPSEL
        fp = bool(control & CONTROL_FPCA)
        sp = psp if on_psp else msp
        size = 0x68 if fp else 0x20
        frame = (sp - size) & ~7
        regs = self.regs.read_batch(CORE_BATCH)
        xpsr = self.regs.read(A.UC_ARM_REG_XPSR) | (1 << 9 if sp & 4 else 0)  # bit 9: realigned
        data = struct.pack("<8I", *regs, return_pc & ~1, xpsr)
        if fp:
            sregs = self.regs.read_batch(S_BATCH)
            data += struct.pack("<18I", *sregs, self.regs.read(A.UC_ARM_REG_FPSCR), 0)
        try:
            uc.mem_write(frame, data)
        except UcError:
            raise self._hardfault_error(Fault(BUSFAULT, STKERR, return_pc, f"exception stacking for "
                                              f"{exception_name(exc)} failed: SP 0x{sp:08x} is not in RAM"))
        exc_return = 0xFFFFFFA1 | (0 if fp else 0x10) | (0 if ipsr else 0x8) | (0x4 if on_psp else 0) | 0x40
        # order matters: in handler mode the core is privileged and treats
        # the banked SP as MSP, so both stack pointers are written afterwards
        self.regs.write(A.UC_ARM_REG_IPSR, exc)
        self.regs.write(A.UC_ARM_REG_MSP, msp if on_psp else frame)
        self.regs.write(A.UC_ARM_REG_PSP, frame if on_psp else psp)
        self.regs.write(A.UC_ARM_REG_CONTROL, control & ~(CONTROL_SPSEL | CONTROL_FPCA | CONTROL_SFPA))
        self.regs.write(A.UC_ARM_REG_EPSR, XPSR_T)  # clears the IT state
        self.regs.write(A.UC_ARM_REG_LR, exc_return)
        self.regs.write(A.UC_ARM_REG_PC, handler)
        nvic.activate(exc)
        self.event_register = True
        self._notify("enter", exc)

    def _exception_return(self, exc_return: int) -> None:
        uc = self.uc
        nvic = self.scs.nvic
        exc = self.regs.read(A.UC_ARM_REG_IPSR) & 0x1FF
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
            self.regs.write(A.UC_ARM_REG_FAULTMASK, 0)
        # tail-chain: a pending exception that preempts the context we would
        # return to runs now, on the frame that is already stacked
        nxt = nvic.preempting(nvic.execution_priority(primask, basepri, faultmask))
        if nxt is not None:
            self.regs.write(A.UC_ARM_REG_IPSR, nxt)
            self.regs.write(A.UC_ARM_REG_CONTROL, self.regs.read(A.UC_ARM_REG_CONTROL) & ~(CONTROL_FPCA | CONTROL_SFPA))
            self.regs.write(A.UC_ARM_REG_LR, exc_return)
            self.regs.write(A.UC_ARM_REG_PC, self._vector(nxt, exc_return))
            nvic.activate(nxt)
            self._notify("enter", nxt)
            return
        to_thread = bool(exc_return & 0x8)
        on_psp = to_thread and bool(exc_return & 0x4)
        fp = not exc_return & 0x10
        msp, psp = self.regs.read(A.UC_ARM_REG_MSP), self.regs.read(A.UC_ARM_REG_PSP)
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
        control = self.regs.read(A.UC_ARM_REG_CONTROL)
        final = (control & ~(CONTROL_SPSEL | CONTROL_FPCA | CONTROL_SFPA)) | (CONTROL_SPSEL if on_psp else 0) \
            | ((CONTROL_FPCA | CONTROL_SFPA) if fp else 0)
        # still privileged (handler mode): drop nPRIV for the stack pointer
        # writes below, restore it last
        self.regs.write(A.UC_ARM_REG_CONTROL, final & ~CONTROL_NPRIV)
        self.regs.write(A.UC_ARM_REG_IPSR, ret_exc)
        self.regs.write(A.UC_ARM_REG_MSP, msp if on_psp else new_sp)
        self.regs.write(A.UC_ARM_REG_PSP, new_sp if on_psp else psp)
        self.regs.write(A.UC_ARM_REG_CONTROL, final)
        self.regs.write_batch(CORE_BATCH, words[:6])
        if fp:
            self.regs.write_batch(S_BATCH, words[8:24])
            self.regs.write(A.UC_ARM_REG_FPSCR, words[24])
        self.regs.write(A.UC_ARM_REG_XPSR_NZCVQG, xpsr & ~(1 << 9))
        self.regs.write(A.UC_ARM_REG_PC, words[6] | 1)
        if nvic.has_candidate():
            self.request_exit()  # still pending but masked: let the run loop watch the masks
        if to_thread and self.scs.scb.sleeponexit:
            self.sleeping = "wfi"
            self.request_exit()

    def _on_intr(self, uc: Uc, intno: int, _ud: object) -> None:
        try:
            if intno == EXCP_EXCEPTION_EXIT:
                pc = self.regs.read(A.UC_ARM_REG_PC)
                thumb = (self.regs.read(A.UC_ARM_REG_XPSR) >> 24) & 1
                self._exception_return(pc | thumb)
            elif intno == EXCP_SWI:
                self._svc(self.regs.read(A.UC_ARM_REG_PC))
            elif intno == EXCP_BKPT:
                pc = self.regs.read(A.UC_ARM_REG_PC)
                hw = self._halfword(pc) or 0
                self._fault = Fault(HARDFAULT, 0, pc, f"bkpt #{hw & 0xFF} with no debugger attached",
                                    hfsr=HFSR_DEBUGEVT)
                uc.emu_stop()
            elif intno == EXCP_NOCP:
                pc = self.regs.read(A.UC_ARM_REG_PC)
                cp = ((self._halfword(pc + 2) or 0) >> 8) & 0xF
                if self.scs.scb.cp_access(cp, self._privileged()):
                    self.error = EmulationError(f"coprocessor p{cp} instruction{self._insn_text(pc)} is not "
                                                f"modeled, at {self.where(pc)}")
                else:
                    self._fault = Fault(USAGEFAULT, NOCP, pc, f"coprocessor p{cp} instruction while CPACR denies it")
                uc.emu_stop()
            else:
                pc = self.regs.read(A.UC_ARM_REG_PC)
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
