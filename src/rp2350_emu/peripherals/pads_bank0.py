"""PADS_BANK0 (0x40038000): pad electrical control for GPIO0-47.

Every GPIO pad resets to 0x116 (ISO=1, IE=0, DRIVE=4 mA, PDE=1, SCHMITT=1):
on the RP2350 a pad is isolated and its input disabled until software
configures it. The GPIO model listens (`listener(pin)`) and recomputes the
pin level on every change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

NUM_PINS = 48
PAD_RESET = 0x116
SWD_RESET = 0x05A
PAD_MASK = 0x1FF
ISO, OD, IE, PUE, PDE = 1 << 8, 1 << 7, 1 << 6, 1 << 3, 1 << 2


class PadsBank0(Peripheral):
    """Bank-0 pads. `pad(n)` is the register value of GPIOn's pad."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        #: fn(pin) run when a GPIO pad register changes (pin -1: all pins)
        self.listener: Callable[[int], None] | None = None
        self.add(Register("VOLTAGE_SELECT", 0x00, mask=0x1))
        for n in range(NUM_PINS):
            self.add(Register(f"GPIO{n}", 0x04 + 4 * n, reset=PAD_RESET, mask=PAD_MASK,
                              write=self._pad_writer(n)))
        self.add(Register("SWCLK", 0xC4, reset=SWD_RESET, mask=PAD_MASK))
        self.add(Register("SWD", 0xC8, reset=SWD_RESET, mask=PAD_MASK))

    def pad(self, n: int) -> int:
        return self.registers[0x04 + 4 * n].value

    def _pad_writer(self, n: int) -> Callable[[Peripheral, int], None]:
        reg_off = 0x04 + 4 * n

        def write(p: Peripheral, value: int) -> None:
            reg = self.registers[reg_off]
            new = value & PAD_MASK
            if new != reg.value:
                reg.value = new
                if self.listener is not None:
                    self.listener(n)
        return write

    def reset(self) -> None:
        super().reset()
        if self.listener is not None:
            self.listener(-1)
