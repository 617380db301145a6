"""Private Peripheral Bus blocks: SCS (NVIC + SCB + SysTick), DWT, EPPB.

These are bus blocks like any other peripheral, with two differences from
the RP2350 APB blocks: no atomic XOR/SET/CLR aliases, and byte/halfword
accesses address byte lanes (NVIC_IPRn and SHPRn are byte arrays), where
the APB replicates a narrow write across the word.
"""

from __future__ import annotations

from .nvic import Nvic
from .peripheral import Peripheral, Register
from .scb import DWT_CTRL_RESET, Scb
from .scheduler import Scheduler
from .systick import SysTick


class PpbBlock(Peripheral):
    atomic_aliases = False
    size = 0x1000
    #: registers whose narrow writes merge into the other lanes (byte arrays);
    #: for the rest a narrow write leaves the other lanes zero (W1S/W1C safe)
    byte_arrays: tuple[str, ...] = ()

    def add_all(self, regs: list[Register]) -> None:
        for reg in regs:
            self.add(reg)

    def write(self, offset: int, value: int, size: int = 4) -> None:
        if size != 4:
            lane = (offset & 3) * 8
            mask = ((1 << (size * 8)) - 1) << lane
            word = (value << lane) & mask
            reg = self._lookup(offset, True, size, value)
            if reg.name.startswith(self.byte_arrays):
                word |= self.peek(offset & ~3) & ~mask
            offset &= ~3
            value = word
        reg = self._lookup(offset, True, 4, value)
        if reg.write:
            reg.write(self, value & 0xFFFFFFFF)
        else:
            reg.value = (reg.value & ~reg.mask) | (value & reg.mask)


class Scs(PpbBlock):
    """System Control Space at 0xE000E000 (Renode's IRQControllers.NVIC)."""

    byte_arrays = ("NVIC_IPR", "SHPR")

    def __init__(self, name: str, scheduler: Scheduler, *, cpu_hz: int, num_irqs: int = 52,
                 priority_mask: int = 0xF0, systick_hz: int | None = None) -> None:
        super().__init__(name, scheduler)
        self.nvic = Nvic(num_irqs, priority_mask)
        self.scb = Scb(self.nvic)
        self.systick = SysTick(scheduler, self.nvic, systick_hz or cpu_hz)
        self.add_all(self.nvic.registers() + self.scb.registers() + self.systick.registers())

    def reset(self) -> None:
        self.nvic.reset()
        self.scb.reset()
        self.systick.reset()


class Dwt(PpbBlock):
    """DWT at 0xE0001000: the RP2350 M33 has no cycle counter (NOCYCCNT)."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **_ignored: object) -> None:
        super().__init__(name, scheduler)
        self.add(Register("DWT_CTRL", 0x0, reset=DWT_CTRL_RESET, mask=0xFFF))


class Eppb(PpbBlock):
    """RP2350 extended PPB at 0xE0080000: NMI masks and SLEEPCTRL.

    The machine sets `nvic`; IRQs whose NMI_MASK bit is set then raise the
    NMI instead of their own exception."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **_ignored: object) -> None:
        super().__init__(name, scheduler)
        self.nvic: Nvic | None = None
        self.add(Register("NMI_MASK0", 0x0, write=lambda p, v: p._set_mask(0, v)))
        self.add(Register("NMI_MASK1", 0x4, mask=0xFFFFF, write=lambda p, v: p._set_mask(1, v & 0xFFFFF)))
        self.add(Register("SLEEPCTRL", 0x8, reset=0x2, mask=0x7))

    def _set_mask(self, word: int, value: int) -> None:
        self.registers[4 * word].value = value
        if self.nvic is not None:
            self.nvic.nmi_mask = self.registers[0].value | self.registers[4].value << 32

    def reset(self) -> None:
        super().reset()
        if self.nvic is not None:
            self.nvic.nmi_mask = 0
