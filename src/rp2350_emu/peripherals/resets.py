"""RESETS (0x40020000): per-block reset control for the RP2350.

RESET bit = 1 holds the block in reset; RESET_DONE bit = 1 once the block is
out of reset. Blocks are attached by bit number (`attach`); asserting a bit
calls the block's `hold_reset(True)`, which resets its registers and keeps
them there until the bit is cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

#: bit numbers, identical in RESET, WDSEL and RESET_DONE (RP2350 numbering)
BITS: dict[str, int] = {
    "adc": 0, "busctrl": 1, "dma": 2, "hstx": 3, "i2c0": 4, "i2c1": 5,
    "io_bank0": 6, "io_qspi": 7, "jtag": 8, "pads_bank0": 9, "pads_qspi": 10,
    "pio0": 11, "pio1": 12, "pio2": 13, "pll_sys": 14, "pll_usb": 15, "pwm": 16,
    "sha256": 17, "spi0": 18, "spi1": 19, "syscfg": 20, "sysinfo": 21, "tbman": 22,
    "timer0": 23, "timer1": 24, "trng": 25, "uart0": 26, "uart1": 27, "usbctrl": 28,
}
ALL_BLOCKS = 0x1FFFFFFF

#: blocks the A2 bootrom leaves out of reset on a flash boot (fact sheet 4.3):
#: USBCTRL, TRNG, TIMER0, SHA256, PADS_QSPI, PADS_BANK0, IO_QSPI, IO_BANK0
BOOTROM_RELEASED = sum(1 << BITS[b] for b in (
    "usbctrl", "trng", "timer0", "sha256", "pads_qspi", "pads_bank0", "io_qspi", "io_bank0"))
BOOTROM_RESET_VALUE = ALL_BLOCKS & ~BOOTROM_RELEASED  # 0x0D7DF93F

#: which generated clock a block's reset needs to complete, for `gate_with_clocks`
CLOCK_OF_BIT: dict[int, str] = {
    BITS["uart0"]: "peri", BITS["uart1"]: "peri", BITS["spi0"]: "peri", BITS["spi1"]: "peri",
    BITS["adc"]: "adc", BITS["usbctrl"]: "usb", BITS["hstx"]: "hstx",
}


class Resets(Peripheral):
    """RESETS block. kwargs: `blocks` = {bit: peripheral or [peripherals]}."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self._attached: dict[int, list[Peripheral]] = {}
        #: optional fn(bit) -> bool: is the clock the block's reset needs
        #: running? None = always (RESET_DONE follows RESET immediately)
        self.clock_gate: Callable[[int], bool] | None = None
        self.add(Register("RESET", 0x0, reset=ALL_BLOCKS, write=Resets._write_reset))
        self.add(Register("WDSEL", 0x4, reset=0, mask=ALL_BLOCKS))
        self.add(Register("RESET_DONE", 0x8, mask=0, read=Resets._read_done))
        for bit, blocks in (kwargs.get("blocks") or {}).items():
            for block in blocks if isinstance(blocks, (list, tuple)) else [blocks]:
                self.attach(int(bit), block)

    # -- wiring ---------------------------------------------------------------
    def attach(self, bit: int | str, peripheral: Peripheral) -> None:
        """Put `peripheral` under reset bit `bit` (number or name, e.g. "uart0")."""
        bit = BITS[bit] if isinstance(bit, str) else bit
        self._attached.setdefault(bit, []).append(peripheral)
        peripheral.hold_reset(bool(self.registers[0].value >> bit & 1))

    def gate_with_clocks(self, clocks: Any) -> None:
        """Make RESET_DONE wait for the block's clock (UART/SPI: clk_peri, ...).

        Reset is synchronous, so a block whose clock is stopped never reports
        done; firmware that unresets UART0 before enabling clk_peri spins.
        """
        self.clock_gate = lambda bit: clocks.freq_hz(CLOCK_OF_BIT[bit]) > 0 \
            if bit in CLOCK_OF_BIT else True

    # -- state ------------------------------------------------------------------
    @property
    def held(self) -> int:
        """Bitmap of blocks currently held in reset."""
        return self.registers[0].value

    def is_held(self, bit: int | str) -> bool:
        bit = BITS[bit] if isinstance(bit, str) else bit
        return bool(self.registers[0].value >> bit & 1)

    def _apply(self, old: int, new: int) -> None:
        changed = old ^ new
        if not changed:
            return
        for bit, blocks in self._attached.items():
            if changed >> bit & 1:
                for block in blocks:
                    block.hold_reset(bool(new >> bit & 1))

    def _write_reset(self, value: int) -> None:
        reg = self.registers[0]
        old, reg.value = reg.value, value & ALL_BLOCKS
        self._apply(old, reg.value)

    def _read_done(self) -> int:
        done = ~self.registers[0].value & ALL_BLOCKS
        gate = self.clock_gate
        if gate is not None and done:
            for bit in CLOCK_OF_BIT:
                if done >> bit & 1 and not gate(bit):
                    done &= ~(1 << bit)
        return done

    def reset(self) -> None:
        old = self.registers[0].value
        super().reset()
        self._apply(old, self.registers[0].value)

    def bootrom_state(self) -> None:
        """Reproduce what the A2 bootrom leaves behind on a flash boot (fact sheet 4.3).

        The ROM reset-pulses IO/PADS banks and TIMER0 and releases USBCTRL,
        TRNG and SHA256, so those come out of reset with reset-value registers.
        """
        self._write_reset(BOOTROM_RESET_VALUE)

    def watchdog_reset(self) -> None:
        """A watchdog reset pulses every block selected in WDSEL."""
        wdsel = self.registers[0x4].value
        for bit, blocks in self._attached.items():
            if wdsel >> bit & 1:
                for block in blocks:
                    block.reset()
