"""PLL_SYS (0x40050000) / PLL_USB (0x40058000).

Output = ref / REFDIV * FBDIV / (POSTDIV1 * POSTDIV2), ref = the XOSC output.
CS.LOCK is live: the PLL is locked while it is powered (PWR.PD = VCOPD = 0),
has a running reference and the settings are within the datasheet limits
(FBDIV 16..320, ref/REFDIV >= 5 MHz, VCO 750..1600 MHz). Lock is immediate
(silicon needs some microseconds; the HAL only polls). Losing lock while
powered sets the sticky CS.LOCK_N and INTR.LOCK_N_STICKY.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.timebase import Listeners

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

CS_LOCK = 1 << 31
CS_LOCK_N = 1 << 30
CS_BYPASS = 1 << 8
PWR_VCOPD = 1 << 5
PWR_POSTDIVPD = 1 << 3
PWR_PD = 1 << 0

VCO_MIN_HZ, VCO_MAX_HZ = 750_000_000, 1_600_000_000
REF_MIN_HZ = 5_000_000


class Pll(Peripheral):
    """One PLL. kwargs: xosc (reference source object with .freq_hz and
    .listeners) or ref_hz (int or callable) for a fixed reference."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.listeners = Listeners()  # run when the output frequency changes
        self.irq = Signal(f"{name}.irq")
        self._ref: Callable[[], int] = lambda: 0
        self._locked = False
        self._lock_n = False
        self._out_hz = 0
        self.add(Register("CS", 0x00, reset=0x1, read=Pll._read_cs, write=Pll._write_cs))
        self.add(Register("PWR", 0x04, reset=0x2D, mask=0x2D, write=Pll._write_cfg(0x04)))
        self.add(Register("FBDIV_INT", 0x08, reset=0, mask=0xFFF, write=Pll._write_cfg(0x08)))
        self.add(Register("PRIM", 0x0C, reset=0x00077000, mask=0x00077000, write=Pll._write_cfg(0x0C)))
        self.add(Register("INTR", 0x10, read=Pll._read_intr, write=Pll._write_intr, w1c=1))
        self.add(Register("INTE", 0x14, mask=1, write=Pll._write_cfg(0x14)))
        self.add(Register("INTF", 0x18, mask=1, write=Pll._write_cfg(0x18)))
        self.add(Register("INTS", 0x1C, mask=0, read=Pll._read_ints))
        if kwargs.get("xosc") is not None:
            self.connect_reference(kwargs["xosc"])
        elif kwargs.get("ref_hz") is not None:
            ref = kwargs["ref_hz"]
            self._ref = ref if callable(ref) else (lambda: int(ref))
            self._update()

    def connect_reference(self, xosc: Any) -> None:
        """Use `xosc` (anything with .freq_hz and .listeners) as the reference."""
        self._ref = lambda: xosc.freq_hz
        xosc.listeners.add(self._update)
        self._update()

    # -- derived state ------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def freq_hz(self) -> int:
        """Primary output frequency in Hz (0 when not running)."""
        return self._out_hz

    @property
    def vco_hz(self) -> int:
        refdiv = self.registers[0x00].value & 0x3F
        return self._ref() // refdiv * self.registers[0x08].value if refdiv else 0

    def _compute_lock(self) -> bool:
        pwr = self.registers[0x04].value
        ref = self._ref()
        refdiv = self.registers[0x00].value & 0x3F
        fbdiv = self.registers[0x08].value
        if pwr & (PWR_PD | PWR_VCOPD) or not ref or not refdiv or not 16 <= fbdiv <= 320:
            return False
        if ref // refdiv < REF_MIN_HZ:
            return False
        return VCO_MIN_HZ <= ref * fbdiv // refdiv <= VCO_MAX_HZ

    def _compute_output(self) -> int:
        if self.registers[0x00].value & CS_BYPASS:
            return self._ref()
        prim = self.registers[0x0C].value
        pd1, pd2 = prim >> 16 & 7, prim >> 12 & 7
        if not self._locked or self.registers[0x04].value & PWR_POSTDIVPD or not pd1 or not pd2:
            return 0
        refdiv = self.registers[0x00].value & 0x3F
        return self._ref() * self.registers[0x08].value // (refdiv * pd1 * pd2)

    def _update(self) -> None:
        locked = self._compute_lock()
        if self._locked and not locked and not self.registers[0x04].value & (PWR_PD | PWR_VCOPD):
            self._lock_n = True  # lost lock while powered
        self._locked = locked
        self._update_irq()
        out = self._compute_output()
        if out != self._out_hz:
            self._out_hz = out
            self.listeners()

    def _update_irq(self) -> None:
        self.irq.set(bool(self._read_ints()))

    # -- registers ------------------------------------------------------------------
    def _read_cs(self) -> int:
        value = self.registers[0x00].value & 0x13F
        return value | (CS_LOCK if self._locked else 0) | (CS_LOCK_N if self._lock_n else 0)

    def _write_cs(self, value: int) -> None:
        if value & CS_LOCK_N:
            self._lock_n = False  # W1C
        self.registers[0x00].value = value & 0x13F
        self._update()

    @staticmethod
    def _write_cfg(offset: int) -> Callable[[Pll, int], None]:
        def write(self: Pll, value: int) -> None:
            reg = self.registers[offset]
            reg.value = value & reg.mask
            self._update()
        return write

    def _read_intr(self) -> int:
        return 1 if self._lock_n else 0

    def _write_intr(self, value: int) -> None:
        if value & 1:
            self._lock_n = False
        self._update_irq()

    def _read_ints(self) -> int:
        return (self._read_intr() & self.registers[0x14].value) | self.registers[0x18].value

    def reset(self) -> None:
        super().reset()
        self._lock_n = False
        self._locked = False
        self._update()
