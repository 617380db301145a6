"""What the machine and the harness may ask of a model, by role, as typed protocols.

A model takes a role by having these members; `isinstance(model, UartDevice)`
(runtime-checkable protocols) replaces probing for attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from rp2350_emu.mmio.signal import Signal


@runtime_checkable
class UartDevice(Protocol):
    """A serial port: bytes leave on TX (listeners see each at its stop bit), arrive on RX."""

    def on_tx(self, listener: Callable[[int], None]) -> None: ...

    def on_rx(self, listener: Callable[[int], None]) -> None: ...

    def inject(self, data: bytes) -> None: ...

    @property
    def rx_enabled(self) -> bool: ...


@runtime_checkable
class UartOverruns(Protocol):
    """A UART that reports receive overruns: fn(lost, since_ns) once each is over."""

    def on_overrun(self, listener: Callable[[int, int], None]) -> None: ...


@runtime_checkable
class Pin(Protocol):
    """One GPIO pad: its level, and a host drive (None lets go)."""

    @property
    def level(self) -> bool: ...

    def drive(self, level: bool | None) -> None: ...


@runtime_checkable
class PinController(Protocol):
    """A GPIO controller: pins by number, and a listener for every level change."""

    def pin(self, n: int) -> Pin: ...

    def add_listener(self, listener: Callable[[int, bool], None]) -> None: ...


@runtime_checkable
class Resettable(Protocol):
    """A model with state of its own to put back at power-on or system reset."""

    def reset(self) -> None: ...


@runtime_checkable
class IrqSource(Protocol):
    """A model with one interrupt output (`IRQ` in a .repl)."""

    irq: Signal


@runtime_checkable
class NumberedIrqSource(Protocol):
    """A model with numbered outputs (`[0-3] -> nvic@[0-3]`)."""

    irqs: Sequence[Signal]
