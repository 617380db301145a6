"""RP2350 extended PPB at 0xE0080000: NMI masks and SLEEPCTRL (datasheet 3.7.5)."""

from __future__ import annotations

from rp2350_emu.core.nvic import Nvic
from rp2350_emu.core.scs import PpbBlock
from rp2350_emu.mmio.register import Register
from rp2350_emu.time.scheduler import Scheduler


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
