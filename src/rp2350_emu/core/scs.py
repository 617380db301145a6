"""Private Peripheral Bus blocks of the core: SCS (NVIC + SCB + SysTick) and DWT.

These are bus blocks like any other peripheral, with two differences from
the RP2350 APB blocks: no atomic XOR/SET/CLR aliases, and byte/halfword
accesses address byte lanes (NVIC_IPRn and SHPRn are byte arrays), where
the APB replicates a narrow write across the word.
"""

from __future__ import annotations

from rp2350_emu.core.nvic import Nvic
from rp2350_emu.core.scb import DWT_CTRL_RESET, Scb
from rp2350_emu.core.systick import SysTick
from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.time.scheduler import Scheduler


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
