"""Armv8-M architectural constants the core's parts share, and Unicorn register groups."""

from __future__ import annotations

from unicorn import arm_const as A

from rp2350_emu.core.regs import Batch

EXCP_UDEF, EXCP_SWI, EXCP_BKPT, EXCP_EXCEPTION_EXIT, EXCP_NOCP = 1, 2, 7, 8, 17
XPSR_T = 1 << 24
XPSR_IT = 0x0600FC00
CONTROL_NPRIV, CONTROL_SPSEL, CONTROL_FPCA, CONTROL_SFPA = 1, 2, 4, 8
WFI, WFE, SEV = 0xBF30, 0xBF20, 0xBF40
CORE_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R12,
             A.UC_ARM_REG_LR)
S_REGS = tuple(range(A.UC_ARM_REG_S0, A.UC_ARM_REG_S15 + 1))
LOW_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R4,
            A.UC_ARM_REG_R5, A.UC_ARM_REG_R6, A.UC_ARM_REG_R7)


CPSIE = (0xB662, 0xB661, 0xB663)  # cpsie i / f / if


def is_mask_msr(hw1: int, hw2: int) -> bool:
    """msr PRIMASK / BASEPRI / BASEPRI_MAX / FAULTMASK, rN (T1, mask 0b10)."""
    return hw1 & 0xFFF0 == 0xF380 and hw2 & 0xFF00 == 0x8800 and 0x10 <= hw2 & 0xFF <= 0x13
#: everything of the core one pass of an idle loop must leave as it found it
FULL_STATE_REGS = tuple(range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1)) + (
    A.UC_ARM_REG_SP, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR, A.UC_ARM_REG_FPSCR,
    A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK, A.UC_ARM_REG_CONTROL,
    A.UC_ARM_REG_MSP, A.UC_ARM_REG_PSP) + tuple(range(A.UC_ARM_REG_S0, A.UC_ARM_REG_S31 + 1))

# the same groups as one-call batches (regs.py)
CORE_BATCH = Batch(CORE_REGS)
S_BATCH = Batch(S_REGS)
FULL_STATE_BATCH = Batch(FULL_STATE_REGS)
MASK_BATCH = Batch((A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_BASEPRI, A.UC_ARM_REG_FAULTMASK))
