"""Peripherals as the harness sees them: a UART port with listeners, LEDs and buttons on pins.

They reach the engine only through the machine that holds them (`DeviceHost`,
met by board.Board): the engine's clock, its pins and its pin-change events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from rp2350_emu.peripherals.roles import Pin, UartDevice


class DeviceHost(Protocol):
    """What a device view needs of the machine it belongs to."""

    @property
    def now_ns(self) -> int: ...

    def engine_pin(self, n: int) -> Pin: ...

    def add_pin_watch(self, callback: Callable[[], None]) -> None: ...

    def pin_changes_since(self, pin: int, reader: object) -> list[tuple[int, bool]]: ...


TxListener = Callable[[int, int], None]  # (byte, t_ns)


class UartPort:
    """One engine UART with any number of listeners (testers, analyzers, bridges).

    The engine calls us once per byte at the virtual time the byte leaves the
    wire; we timestamp it with the machine's clock and fan it out.
    """

    def __init__(self, handle: DeviceHost, name: str, engine_uart: UartDevice) -> None:
        self.handle = handle
        self.name = name
        self.engine_uart = engine_uart
        self.listeners: list[TxListener] = []
        self.transcript = bytearray()  # everything sent, for failure reports
        self.rx_transcript = bytearray()
        engine_uart.on_tx(self._on_tx)

    def _on_tx(self, byte: int) -> None:
        t_ns = self.handle.now_ns
        self.transcript.append(byte)
        for listener in list(self.listeners):
            listener(byte, t_ns)

    def subscribe(self, listener: TxListener) -> None:
        self.listeners.append(listener)

    def unsubscribe(self, listener: TxListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    @property
    def rx_enabled(self) -> bool:
        """The firmware has enabled the receiver: injected bytes are received, not dropped."""
        return bool(self.engine_uart.rx_enabled)

    def inject(self, data: bytes) -> None:
        """Host -> guest bytes; the engine paces them at the line rate."""
        if not data:
            return
        self.rx_transcript += data
        self.engine_uart.inject(bytes(data))


class PinView:
    """A GPIO pin seen through an LED or button: level, and changes with timestamps."""

    def __init__(self, handle: DeviceHost, pin: int, invert: bool = False) -> None:
        self.handle = handle
        self.pin = pin
        self.invert = invert

    @property
    def engine_pin(self) -> Pin:
        return self.handle.engine_pin(self.pin)

    @property
    def state(self) -> bool:
        """Logical state (LED lit / button pressed) after inversion."""
        return bool(self.engine_pin.level) != self.invert

    def drive_state(self, state: bool) -> None:
        self.engine_pin.drive(bool(state) != self.invert)


#: (level, source, message, t_ns) -> None: where a device's log entries go
LogSink = Callable[[int, str, str, int], None]
NOISY = -1  # harness.log LEVELS["Noisy"]


class Led:
    """`Miscellaneous.LED` registered on a GPIO pin: `State` and its change history.

    Like Renode's LED it logs each change at Noisy level as `LED state changed to
    True|False`, under its name below sysbus (`gpio.led`)."""

    def __init__(self, handle: DeviceHost, name: str, pin: int, invert: bool, log: LogSink | None = None,
                 log_source: str = "") -> None:
        self.handle = handle
        self.name = name
        self.log = log
        self.log_source = log_source or name
        self.view = PinView(handle, pin, invert)
        self.changes: list[tuple[int, bool]] = []  # (t_ns, new state)
        self._last = self.view.state
        handle.add_pin_watch(self._check)

    @property
    def state(self) -> bool:
        self._check()
        return self._last

    def _check(self) -> None:
        # Called after every engine step; pin events give exact timestamps.
        for t_ns, level in self.handle.pin_changes_since(self.view.pin, self):
            state = level != self.view.invert
            if state != self._last:
                self._changed(t_ns, state)
        current = self.view.state
        if current != self._last:  # engine without pin events: time of discovery
            self._changed(self.handle.now_ns, current)

    def _changed(self, t_ns: int, state: bool) -> None:
        self._last = state
        self.changes.append((t_ns, state))
        if self.log is not None:
            self.log(NOISY, self.log_source, f"LED state changed to {state}", t_ns)


class Button:
    """`Miscellaneous.Button` on a GPIO pin; `invert: true` means pressed = low."""

    def __init__(self, handle: DeviceHost, name: str, pin: int, invert: bool, release: bool = True) -> None:
        self.handle = handle
        self.name = name
        self.view = PinView(handle, pin, invert)
        self.pressed = False
        if release:
            self.release()  # the released level is driven from the start, as Renode does
        else:
            self.pressed = self.view.state  # a restored machine: the pin keeps the saved drive

    def press(self) -> None:
        self.pressed = True
        self.view.drive_state(True)

    def release(self) -> None:
        self.pressed = False
        self.view.drive_state(False)

    def toggle(self) -> None:
        if self.pressed:
            self.release()
        else:
            self.press()

    def press_and_release(self) -> None:
        """Both at the same instant, as Renode does: firmware that polls will not see it."""
        self.press()
        self.release()
