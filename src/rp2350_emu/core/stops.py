"""What stops a slice abnormally: Unicorn errors (undefined instructions, WFE) and bad memory accesses."""

from __future__ import annotations

from unicorn import (
    UC_ERR_INSN_INVALID,
    UC_MEM_FETCH_PROT,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_READ_PROT,
    UC_MEM_READ_UNMAPPED,
    UC_MEM_WRITE_PROT,
    UC_MEM_WRITE_UNMAPPED,
    Uc,
    UcError,
)
from unicorn import arm_const as A

from rp2350_emu.core.arch import WFE, XPSR_T
from rp2350_emu.core.faults import Fault
from rp2350_emu.core.nvic import USAGEFAULT
from rp2350_emu.core.scb import INVSTATE, UNDEFINSTR
from rp2350_emu.errors import EmulationError, UnmodeledAccess


class Stops:
    """Mixin of CortexM33 (cpu.py): Unicorn errors and invalid memory accesses, as faults or errors."""

    def _on_uc_error(self, failure: UcError, executed: int) -> None:
        pc = self.pc
        if failure.errno == UC_ERR_INSN_INVALID:
            xpsr = self.regs.read(A.UC_ARM_REG_XPSR)
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

    def _unmapped_text(self, address: int) -> str:
        name = self.describe_unmapped(address)
        return f"0x{address:08x} is {name}: not modeled" if name else "nothing is mapped there"

    def _on_bad_memory(self, uc: Uc, access: int, address: int, size: int, value: int, _ud: object) -> bool:
        pc = self.regs.read(A.UC_ARM_REG_PC)
        write = access in (UC_MEM_WRITE_UNMAPPED, UC_MEM_WRITE_PROT)
        where = self.where(pc)
        if access in (UC_MEM_FETCH_UNMAPPED, UC_MEM_FETCH_PROT):
            lr = self.regs.read(A.UC_ARM_REG_LR)
            self.error = EmulationError(f"instruction fetch from unmapped address 0x{address:08x} "
                                        f"(lr=0x{lr:08x} <{self.symbolize(lr & ~1)}>)")
        elif access in (UC_MEM_WRITE_PROT, UC_MEM_READ_PROT):
            region = self.describe_address(address)
            self.error = EmulationError(f"{'write' if write else 'read'} of {size} byte(s) at 0x{address:08x}"
                                        f" in read-only {region or 'memory'} at {where}")
        elif access in (UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_UNMAPPED):
            self.error = UnmodeledAccess(address, write, size, value if write else None,
                                         where=f"{where} ({self._unmapped_text(address)})")
        else:  # pragma: no cover - Unicorn has no other invalid kinds
            self.error = EmulationError(f"invalid memory access {access} at 0x{address:08x} at {where}")
        return False
