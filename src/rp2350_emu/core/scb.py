"""System Control Block and the other SCS registers of the Cortex-M33.

The exception state behind ICSR, AIRCR.PRIGROUP, SHPR, SHCSR and
SCR.SEVONPEND belongs to the NVIC (nvic.py); those registers are views of it.

Values and reset states follow the RP2350 (datasheet section 3.7, Cortex-M33
registers; pico-sdk hardware/regs/m33.h). Registers that configure hardware the engine does
not emulate (MPU, SAU, debug) are kept as plain storage: firmware can write
and read them back, nothing is enforced.
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.core.nvic import (
    BUSFAULT,
    MEMMANAGE,
    NMI,
    PENDSV,
    SECUREFAULT,
    SVCALL,
    SYSTICK,
    USAGEFAULT,
    Nvic,
)
from rp2350_emu.mmio.register import Register

CPUID = 0x411FD210
AIRCR_VECTKEY = 0x05FA
AIRCR_VECTKEYSTAT = 0xFA05
CCR_RESET = 0x201
FPCCR_RESET = 0xC0000004  # ASPEN | LSPEN | S: automatic FP state preservation
MVFR = (0x10110021, 0x11000011, 0x00000040)  # FPv5 single precision
DWT_CTRL_RESET = 0x73741824  # NOCYCCNT = 1: the RP2350 core has no cycle counter

# CFSR / HFSR bits, for decoding faults in error messages
CFSR_BITS = {
    0: "IACCVIOL", 1: "DACCVIOL", 3: "MUNSTKERR", 4: "MSTKERR", 5: "MLSPERR", 7: "MMARVALID",
    8: "IBUSERR", 9: "PRECISERR", 10: "IMPRECISERR", 11: "UNSTKERR", 12: "STKERR", 13: "LSPERR",
    15: "BFARVALID", 16: "UNDEFINSTR", 17: "INVSTATE", 18: "INVPC", 19: "NOCP", 20: "STKOF",
    24: "UNALIGNED", 25: "DIVBYZERO",
}
HFSR_BITS = {1: "VECTTBL", 30: "FORCED", 31: "DEBUGEVT"}
UNDEFINSTR, INVSTATE, INVPC, NOCP = 1 << 16, 1 << 17, 1 << 18, 1 << 19
IBUSERR, PRECISERR, STKERR, UNSTKERR, BFARVALID = 1 << 8, 1 << 9, 1 << 12, 1 << 11, 1 << 15
HFSR_VECTTBL, HFSR_FORCED, HFSR_DEBUGEVT = 1 << 1, 1 << 30, 1 << 31

_SHCSR_ACTIVE = {MEMMANAGE: 0, BUSFAULT: 1, 3: 2, USAGEFAULT: 3, SECUREFAULT: 4, NMI: 5,
                 SVCALL: 7, 12: 8, PENDSV: 10, SYSTICK: 11}
_SHCSR_PENDED = {USAGEFAULT: 12, MEMMANAGE: 13, BUSFAULT: 14, SVCALL: 15}


def decode_bits(value: int, names: dict[int, str]) -> str:
    return "|".join(name for bit, name in sorted(names.items()) if value >> bit & 1) or "-"


class Scb:
    def __init__(self, nvic: Nvic) -> None:
        self.nvic = nvic
        #: hooks the machine fills in
        self.current_exception: Callable[[], int] = lambda: 0
        self.on_cpacr_write: Callable[[int], None] = lambda value: None
        self.on_system_reset: Callable[[], None] = lambda: None
        self.reset()

    def reset(self) -> None:
        self.vtor = 0
        self.aircr_bits = 0  # SYSRESETREQS, BFHFNMINS, PRIS: stored only
        self.scr = 0
        self.ccr = CCR_RESET
        self.cfsr = 0
        self.hfsr = 0
        self.dfsr = 0
        self.mmfar = 0
        self.bfar = 0
        self.cpacr = 0
        self.nsacr = 0
        self.fpccr = FPCCR_RESET
        self.fpcar = 0
        self.fpdscr = 0
        self.plain: dict[str, int] = {}

    # -- queries used by the CPU -----------------------------------------------
    @property
    def sleeponexit(self) -> bool:
        return bool(self.scr & 0x2)

    def fp_access(self, privileged: bool) -> bool:
        """CPACR CP10 (CP11 must match): 0b01 privileged only, 0b11 full."""
        cp10 = (self.cpacr >> 20) & 3
        return cp10 == 3 or (cp10 == 1 and privileged)

    def cp_access(self, cp: int, privileged: bool) -> bool:
        field = (self.cpacr >> (2 * cp)) & 3
        return field == 3 or (field == 1 and privileged)

    # -- registers ------------------------------------------------------------
    def _plain(self, name: str, offset: int, reset: int = 0, mask: int = 0xFFFFFFFF) -> Register:
        self.plain.setdefault(name, reset)

        def write(_p: object, v: int) -> None:
            self.plain[name] = v & mask
        return Register(name, offset, reset=reset, read=lambda _p: self.plain[name], write=write)

    def _const(self, name: str, offset: int, value: int) -> Register:
        return Register(name, offset, reset=value, read=lambda _p: value, write=lambda _p, v: None)

    def registers(self) -> list[Register]:
        nvic = self.nvic
        regs = [
            self._const("ICTR", 0x004, (nvic.num_irqs + 31) // 32 - 1),
            self._plain("ACTLR", 0x008),
            self._const("CPUID", 0xD00, CPUID),
            Register("ICSR", 0xD04, read=lambda _p: self._read_icsr(), write=lambda _p, v: self._write_icsr(v)),
            Register("VTOR", 0xD08, read=lambda _p: self.vtor, write=lambda _p, v: setattr(self, "vtor", v & ~0x7F)),
            Register("AIRCR", 0xD0C, read=lambda _p: self._read_aircr(), write=lambda _p, v: self._write_aircr(v)),
            Register("SCR", 0xD10, read=lambda _p: self.scr, write=lambda _p, v: self._write_scr(v)),
            Register("CCR", 0xD14, read=lambda _p: self.ccr,
                     write=lambda _p, v: setattr(self, "ccr", CCR_RESET | (v & 0x71A))),
            Register("SHPR1", 0xD18, read=lambda _p: self._read_shpr(4), write=lambda _p, v: self._write_shpr(4, v)),
            Register("SHPR2", 0xD1C, read=lambda _p: self._read_shpr(8), write=lambda _p, v: self._write_shpr(8, v)),
            Register("SHPR3", 0xD20, read=lambda _p: self._read_shpr(12),
                     write=lambda _p, v: self._write_shpr(12, v)),
            Register("SHCSR", 0xD24, read=lambda _p: self._read_shcsr(), write=lambda _p, v: self._write_shcsr(v)),
            Register("CFSR", 0xD28, read=lambda _p: self.cfsr, write=lambda _p, v: setattr(self, "cfsr", self.cfsr & ~v)),
            Register("HFSR", 0xD2C, read=lambda _p: self.hfsr, write=lambda _p, v: setattr(self, "hfsr", self.hfsr & ~v)),
            Register("DFSR", 0xD30, read=lambda _p: self.dfsr, write=lambda _p, v: setattr(self, "dfsr", self.dfsr & ~v)),
            Register("MMFAR", 0xD34, read=lambda _p: self.mmfar, write=lambda _p, v: setattr(self, "mmfar", v)),
            Register("BFAR", 0xD38, read=lambda _p: self.bfar, write=lambda _p, v: setattr(self, "bfar", v)),
            self._plain("AFSR", 0xD3C),
            Register("CPACR", 0xD88, read=lambda _p: self.cpacr, write=lambda _p, v: self._write_cpacr(v)),
            Register("NSACR", 0xD8C, read=lambda _p: self.nsacr, write=lambda _p, v: setattr(self, "nsacr", v & 0xCFF)),
            self._const("MPU_TYPE", 0xD90, 0x800),
            self._plain("MPU_CTRL", 0xD94, mask=0x7),
            self._plain("MPU_RNR", 0xD98, mask=0xFF),
            self._plain("MPU_RBAR", 0xD9C),
            self._plain("MPU_RLAR", 0xDA0),
            self._plain("MPU_MAIR0", 0xDC0),
            self._plain("MPU_MAIR1", 0xDC4),
            self._plain("SAU_CTRL", 0xDD0, mask=0x3),
            self._const("SAU_TYPE", 0xDD4, 0x8),
            self._plain("SAU_RNR", 0xDD8, mask=0xFF),
            self._plain("SAU_RBAR", 0xDDC),
            self._plain("SAU_RLAR", 0xDE0),
            self._plain("SFSR", 0xDE4),
            self._plain("SFAR", 0xDE8),
            self._plain("DHCSR", 0xDF0),
            self._plain("DCRSR", 0xDF4),
            self._plain("DCRDR", 0xDF8),
            self._plain("DEMCR", 0xDFC),
            Register("STIR", 0xF00, read=lambda _p: 0, write=lambda _p, v: nvic.software_trigger(v)),
            Register("FPCCR", 0xF34, read=lambda _p: self.fpccr, write=lambda _p, v: setattr(self, "fpccr", v)),
            Register("FPCAR", 0xF38, read=lambda _p: self.fpcar, write=lambda _p, v: setattr(self, "fpcar", v & ~7)),
            Register("FPDSCR", 0xF3C, read=lambda _p: self.fpdscr,
                     write=lambda _p, v: setattr(self, "fpdscr", v & 0x07C00000)),
        ]
        regs += [self._const(f"MVFR{i}", 0xF40 + 4 * i, v) for i, v in enumerate(MVFR)]
        return regs

    def _read_icsr(self) -> int:
        nvic = self.nvic
        active = self.current_exception()
        pending = nvic.highest_pending() or 0
        value = active & 0x1FF
        if nvic.active.bit_count() <= 1:
            value |= 1 << 11  # RETTOBASE
        value |= (pending & 0x1FF) << 12
        if nvic.pending >> 16:
            value |= 1 << 22  # ISRPENDING
        if nvic.pending >> SYSTICK & 1:
            value |= 1 << 26
        if nvic.pending >> PENDSV & 1:
            value |= 1 << 28
        if nvic.pending >> NMI & 1:
            value |= 1 << 31
        return value

    def _write_icsr(self, v: int) -> None:
        # (clear bit, set bit, exception): clearing wins when both are written
        for clr, set_, exc in ((27, 28, PENDSV), (25, 26, SYSTICK), (30, 31, NMI)):
            if v >> clr & 1:
                self.nvic.clear_pending(exc)
            elif v >> set_ & 1:
                self.nvic.set_pending(exc)

    def _read_aircr(self) -> int:
        return (AIRCR_VECTKEYSTAT << 16) | (self.nvic.prigroup << 8) | self.aircr_bits

    def _write_aircr(self, v: int) -> None:
        if v >> 16 != AIRCR_VECTKEY:
            return  # the architecture ignores writes without the key
        self.nvic.prigroup = (v >> 8) & 7
        self.aircr_bits = v & 0x6008  # PRIS, BFHFNMINS, SYSRESETREQS
        self.nvic.on_change()
        if v & 0x4:
            self.on_system_reset()

    def _read_shpr(self, first: int) -> int:
        return sum(self.nvic.system_priority[first + lane] << (8 * lane) for lane in range(4))

    def _write_shpr(self, first: int, v: int) -> None:
        implemented = {MEMMANAGE, BUSFAULT, USAGEFAULT, SECUREFAULT, SVCALL, 12, PENDSV, SYSTICK}
        for lane in range(4):
            exc = first + lane
            if exc in implemented:
                self.nvic.system_priority[exc] = (v >> (8 * lane)) & self.nvic.priority_mask
        self.nvic.on_change()

    def _read_shcsr(self) -> int:
        nvic = self.nvic
        value = nvic.fault_enables
        for exc, bit in _SHCSR_ACTIVE.items():
            if nvic.active >> exc & 1:
                value |= 1 << bit
        for exc, bit in _SHCSR_PENDED.items():
            if nvic.pending >> exc & 1:
                value |= 1 << bit
        return value

    def _write_shcsr(self, v: int) -> None:
        self.nvic.fault_enables = v & 0x000F0000  # MEM/BUS/USG/SECURE FAULTENA
        if v & (1 << 15):
            self.nvic.set_pending(SVCALL)
        self.nvic.on_change()

    def _write_scr(self, v: int) -> None:
        self.scr = v & 0x1E
        self.nvic.sevonpend = bool(v & 0x10)

    def _write_cpacr(self, v: int) -> None:
        self.cpacr = v & 0x00F0FFFF  # CP0-CP7, CP10, CP11
        self.on_cpacr_write(self.cpacr)

