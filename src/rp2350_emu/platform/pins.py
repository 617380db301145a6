"""LEDs and buttons on GPIO pins: found once in the platform, then driven or read.

`pin_device_specs` is the one place that reads Miscellaneous.LED / .Button
entries of a .repl; the machine, the harness and the other engines all take
their LED and button names, pins and inversion from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rp2350_emu.errors import ConfigError
from rp2350_emu.peripherals.gpio import NUM_PINS
from rp2350_emu.platform.repl.ast import Platform, normalise_type
from rp2350_emu.platform.wiring import BUTTON_TYPE, LED_TYPE

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.peripherals.roles import PinController


@dataclass(frozen=True)
class PinDeviceSpec:
    """An LED or button entry: `name: Miscellaneous.LED @ controller pin`."""

    name: str
    kind: str  # "LED" or "Button"
    controller: str
    pin: int
    invert: bool


def check_pin_numbers(platform: Platform, controllers: dict[str, object]) -> None:
    """Every pin a .repl names on a GPIO controller (`@ gpio N`, `N -> led@0`, `-> gpio@N`) exists."""
    counts = {name: len(getattr(model, "pins", ())) or NUM_PINS for name, model in controllers.items()}

    def check(where: str, controller: str, pin: int, written: str) -> None:
        count = counts[controller]
        if not 0 <= pin < count:
            raise ConfigError(f"{where}: {written}: {controller} has pins 0-{count - 1}, expected a pin number "
                              "in that range")

    for entry in platform:
        for reg in entry.registrations:
            if reg.parent in counts and reg.address is not None:
                check(entry.where, reg.parent, reg.address, f"{entry.name} @ {reg.parent} {reg.address}")
        for conn in entry.irqs:
            where = f"{conn.file}:{conn.line}"
            if entry.name in counts and isinstance(conn.source, int):
                targets = ", ".join(f"{t.target}@{t.pin}" for t in conn.targets)
                check(where, entry.name, conn.source, f"{entry.name}: {conn.source} -> {targets}")
            for target in conn.targets:
                if target.target in counts:
                    check(where, target.target, target.pin, f"-> {target.target}@{target.pin}")


def pin_device_specs(platform: Platform, controllers: set[str] | dict[str, object] | None = None,
                     ) -> dict[str, PinDeviceSpec]:
    """Every LED/Button entry of the platform, in file order.

    `controllers`, if given, are the names a device may be registered on; given
    with their models, every pin number the .repl names on them is checked too."""
    if isinstance(controllers, dict):
        check_pin_numbers(platform, controllers)
    specs: dict[str, PinDeviceSpec] = {}
    for entry in platform.of_type(LED_TYPE, BUTTON_TYPE):
        reg = entry.registrations[0] if entry.registrations else None
        if reg is None or reg.address is None or (controllers is not None and reg.parent not in controllers):
            raise ConfigError(f"{entry.where}: {entry.name} must be registered on a GPIO controller "
                              "with a pin number, e.g. '@ gpio 25'")
        kind = "LED" if normalise_type(entry.type or "") == LED_TYPE else "Button"
        specs[entry.name] = PinDeviceSpec(entry.name, kind, reg.parent, reg.address,
                                          bool(entry.attrs.get("invert", False)))
    return specs


class PinDevice:
    """A Renode Miscellaneous.LED / .Button on a pin of a GPIO controller."""

    def __init__(self, spec: PinDeviceSpec, gpio: PinController) -> None:
        self.spec = spec
        self.name, self.pin, self.invert = spec.name, spec.pin, spec.invert
        self._gpio = gpio

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def controller(self) -> str:
        return self.spec.controller

    @property
    def level(self) -> bool:
        return bool(self._gpio.pin(self.pin).level)


class Led(PinDevice):
    @property
    def state(self) -> bool:
        """Lit or not, after `invert`."""
        return self.level != self.invert


class Button(PinDevice):
    def __init__(self, spec: PinDeviceSpec, gpio: PinController) -> None:
        super().__init__(spec, gpio)
        self.pressed = False

    def press(self) -> None:
        self.pressed = True
        self._gpio.pin(self.pin).drive(not self.invert)

    def release(self) -> None:
        self.pressed = False
        self._gpio.pin(self.pin).drive(self.invert)

    def toggle(self) -> None:
        self.release() if self.pressed else self.press()


def make_pin_device(spec: PinDeviceSpec, gpio: PinController) -> PinDevice:
    return (Led if spec.kind == "LED" else Button)(spec, gpio)
