"""GPIO pin levels for bank 0 (GPIO0-47), computed from SIO, IO_BANK0, PADS.

Per pin, the output path is: the function selected by GPIOn_CTRL.FUNCSEL
(5 = SIO OUT/OE, 2 = UART TX/RX/CTS/RTS, 11 = UART TX/RX on the AUX pins,
4 = PWM slice output A/B, anything else = not driving) -> OUTOVER/OEOVER -> pad OD -> pad ISO latch.
The pad level is the chip's drive if enabled, else an external drive
(`pin(n).drive(level)`), else the pull resistor (PUE -> 1, PDE -> 0, both =
bus keeper, none = floating: keeps its last level). The chip sees the pad
level only with IE = 1 and ISO = 0, then INOVER, and that is what SIO
GPIO_IN and the IO_BANK0 interrupts get.

While ISO = 1 the pad keeps the drive it had when ISO was set (reset state:
not driving) and the input reads 0. If the chip and an external source both
drive a pin, the chip wins and `contention` counts it.

Updates are pushed, never polled: SIO/IO_BANK0/PADS/UART call in on every
change, and `add_listener(fn(pin, level))` / `pin(n).signal` report level
changes at the virtual time of the write that caused them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.signal import Signal

from .io_bank0 import FUNC_PWM, FUNC_SIO, FUNC_UART, FUNC_UART_AUX
from .pads_bank0 import IE, ISO, OD, PDE, PUE
from .pwm import DIVMODE_DIV, pin_channel

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

NUM_PINS = 48


def uart_function(n: int, funcsel: int) -> tuple[int, str] | None:
    """(UART index, "tx"/"rx"/"cts"/"rts") that FUNCSEL selects on pin n, if any."""
    index = (n + 4) // 8 % 2  # GPIO0-3 UART0, 4-11 UART1, 12-19 UART0, ...
    role = n & 3
    if funcsel == FUNC_UART:
        return index, ("tx", "rx", "cts", "rts")[role]
    if funcsel == FUNC_UART_AUX and role >= 2:
        return index, ("tx", "rx")[role - 2]
    return None


class Pin:
    """One GPIO pin as seen from outside the chip."""

    def __init__(self, gpio: Gpio, n: int) -> None:
        self._gpio = gpio
        self.n = n
        self.signal = Signal(f"gpio{n}")
        self.external: bool | None = None  # external drive; None = released
        # state computed by Gpio._update
        self.out = False  # output to pad, after overrides
        self.oe = False  # output enable to pad, after overrides and OD
        self.input = False  # what the chip sees (after IE/ISO and INOVER)
        self.iso_latch = (False, False)  # (oe, out) held while ISO = 1
        self.iso = True

    @property
    def level(self) -> bool:
        """Electrical level of the pad."""
        return self.signal.level

    def drive(self, level: bool | None) -> None:
        """Drive the pin from outside (True/False), or release it (None)."""
        self.external = None if level is None else bool(level)
        self._gpio.update(self.n)


class Gpio:
    """Bank-0 pin model. kwargs: sio, io_bank0, pads_bank0, uart0, uart1, pwm."""

    size = 0  # not on the bus: it couples the blocks that are

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        self.name = name
        self.scheduler = scheduler
        self.pins = [Pin(self, n) for n in range(NUM_PINS)]
        self.contention = 0
        self._listeners: list[Callable[[int, bool], None]] = []
        self.sio: Any = None
        self.io: Any = None
        self.pads: Any = None
        self.uarts: list[Any] = [None, None]
        self.pwm: Any = None
        self._inputs = 0
        self.connect(**kwargs)

    def connect(self, sio: Any = None, io_bank0: Any = None, pads_bank0: Any = None,
                uart0: Any = None, uart1: Any = None, pwm: Any = None) -> None:
        """Couple to the register blocks (any subset, any order)."""
        if sio is not None:
            self.sio = sio
            sio.gpio_listener = self._sio_changed
        if io_bank0 is not None:
            self.io = io_bank0
            io_bank0.listener = self._pin_changed
        if pads_bank0 is not None:
            self.pads = pads_bank0
            pads_bank0.listener = self._pin_changed
        for index, uart in enumerate((uart0, uart1)):
            if uart is not None:
                self.uarts[index] = uart
                uart.txd.connect(lambda _level, i=index: self._uart_changed(i))
                uart.rts_n.connect(lambda _level, i=index: self._uart_changed(i))
        if pwm is not None:
            self.pwm = pwm
            pwm.routed = self._pwm_routed
            pwm.on_output = self._pwm_changed
            pwm.input_level = self._pwm_b_input
        self.update_all()

    def pin(self, n: int) -> Pin:
        return self.pins[n]

    def add_listener(self, callback: Callable[[int, bool], None]) -> None:
        """fn(pin, level) run whenever a pad level changes."""
        self._listeners.append(callback)

    def reset(self) -> None:
        """Nothing of its own to reset; recompute from the blocks."""
        self.update_all()

    # -- change notifications ------------------------------------------------------
    def _sio_changed(self, lo: int, hi: int) -> None:
        changed = lo | (hi & 0xFFFF) << 32
        io = self.io
        while changed:
            low = changed & -changed
            n = low.bit_length() - 1
            if io is None or io.funcsel(n) == FUNC_SIO:
                self.update(n)
            changed ^= low

    def _pin_changed(self, n: int) -> None:
        if n < 0:
            self.update_all()
        else:
            self.update(n)
        if self.pwm is not None:  # FUNCSEL may have moved a pin to or from a PWM slice
            for i in range(len(self.pwm.slices)) if n < 0 else (pin_channel(n)[0],):
                self.pwm.routing_changed(i)

    # -- PWM ---------------------------------------------------------------------------------
    @staticmethod
    def _pwm_pins(slice_: int) -> tuple[int, ...]:
        """The GPIOs that can carry slice `slice_`'s outputs (A on the even one)."""
        if slice_ < 8:
            return 2 * slice_, 2 * slice_ + 1, 16 + 2 * slice_, 17 + 2 * slice_
        first = 32 + 2 * (slice_ - 8)
        return first, first + 1, first + 8, first + 9

    def _is_pwm(self, n: int) -> bool:
        return n < NUM_PINS and self.io is not None and self.io.funcsel(n) == FUNC_PWM

    def _pwm_routed(self, slice_: int, channel: int) -> bool:
        return any(self._is_pwm(n) for n in self._pwm_pins(slice_) if n & 1 == channel)

    def _pwm_changed(self, slice_: int) -> None:
        for n in self._pwm_pins(slice_):
            if self._is_pwm(n):
                self.update(n)

    def _pwm_b_input(self, slice_: int) -> bool:
        return any(self.pins[n].input for n in self._pwm_pins(slice_) if n & 1 and self._is_pwm(n))

    def _uart_changed(self, index: int) -> None:
        if self.io is None:
            return
        for n in range(NUM_PINS):
            func = uart_function(n, self.io.funcsel(n))
            if func is not None and func[0] == index:
                self.update(n)

    # -- the pin pipeline ----------------------------------------------------------------
    def _function_output(self, n: int, funcsel: int) -> tuple[bool, bool]:
        """(out, oe) the selected peripheral presents to pin n."""
        if funcsel == FUNC_SIO:
            sio = self.sio
            if sio is None:
                return False, False
            word = 0 if n < 32 else 1
            bit = n & 31
            return bool(sio.gpio[word] >> bit & 1), bool(sio.gpio[2 + word] >> bit & 1)
        if funcsel == FUNC_PWM:
            if self.pwm is None:
                return False, False
            slice_, channel = pin_channel(n)
            s = self.pwm.slices[slice_]
            if channel == 1 and s.divmode != DIVMODE_DIV:
                return False, False  # B is the counter's input in the gated and edge modes
            return s.output(channel), True
        func = uart_function(n, funcsel)
        if func is not None:
            uart = self.uarts[func[0]]
            if func[1] == "tx":
                return (uart.txd.level if uart is not None else True), True
            if func[1] == "rts":
                return (uart.rts_n.level if uart is not None else True), True
        return False, False

    def update_all(self) -> None:
        for n in range(NUM_PINS):
            self.update(n)

    def update(self, n: int) -> None:
        """Recompute pin n from the registers and the external drive."""
        pin = self.pins[n]
        ctrl = self.io.ctrl(n) if self.io is not None else 0x1F
        pad = self.pads.pad(n) if self.pads is not None else 0x052  # no pads model: plain IO
        out, oe = self._function_output(n, ctrl & 0x1F)
        outover, oeover = ctrl >> 12 & 3, ctrl >> 14 & 3
        out = (not out) if outover == 1 else (out if outover == 0 else outover == 3)
        oe = (not oe) if oeover == 1 else (oe if oeover == 0 else oeover == 3)
        oe = oe and not pad & OD
        iso = bool(pad & ISO)
        if iso and not pin.iso:
            pin.iso_latch = (pin.oe, pin.out)  # isolation holds the pad as it was
        pin.iso = iso
        drive_oe, drive_out = pin.iso_latch if iso else (oe, out)
        pin.oe, pin.out = oe, out
        if drive_oe:
            level = drive_out
            if pin.external is not None and pin.external != drive_out:
                self.contention += 1
        elif pin.external is not None:
            level = pin.external
        elif pad & PUE and not pad & PDE:
            level = True
        elif pad & PDE and not pad & PUE:
            level = False
        else:
            level = pin.signal.level  # bus keeper / floating: keeps its level
        in_from_pad = level and bool(pad & IE) and not iso
        inover = ctrl >> 16 & 3
        chip_in = (not in_from_pad) if inover == 1 else (in_from_pad if inover == 0 else inover == 3)
        if self.io is not None:
            self.io.set_pad_status(n, out, oe, in_from_pad)
        if chip_in != pin.input:
            pin.input = chip_in
            self._inputs ^= 1 << n
            if self.sio is not None:
                self.sio.set_gpio_inputs(self._inputs & 0xFFFFFFFF, self._inputs >> 32)
            if self.io is not None:
                self.io.set_input(n, chip_in)
            if n & 1 and self.pwm is not None and self._is_pwm(n):
                slice_ = pin_channel(n)[0]  # the slice sees the OR of its B pins
                self.pwm.input_changed(slice_, self._pwm_b_input(slice_))
        if level != pin.signal.level:
            pin.signal.set(level)
            for callback in self._listeners:
                callback(n, level)
