"""From .repl entries to constructed peripheral models.

How an entry finds its Python model:
* `Python.PythonPeripheral`: the stem of `filename` ("renode/peripherals/
  xosc.py" -> "xosc");
* any other type: the last part of the type name, "RP2350_" dropped, in
  snake_case ("Timers.RP2350_Timer" -> "timer", "RP2350_IOBank0" ->
  "io_bank0"), then a few aliases ("pl011" -> "uart_pl011");
* the key is looked up in the core models first (DWT, EPPB: part of the
  engine), then in `rp2350_emu.peripherals.MODELS`.

A model with `size == 0` is not a bus block (the GPIO pin model couples SIO,
IO_BANK0 and PADS); when its entry has a bus address it gets a companion bus
model there (`COMPANIONS`: gpio -> sio) passed to it as a keyword argument.

Constructor arguments are the entry's attributes that start with a lower
case letter (Renode's constructor parameters), camelCase -> snake_case,
with references resolved to the other constructed models (built first).
A list of references given to a model with `attach(name, model)` is
attached one by one instead (RESETS: `blocks: [uart0, timer0]`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rp2350_emu.core.scs import Dwt
from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.repl.ast import EMPTY, NONE, Entry, NewObject, Platform, Ref, normalise_type
from rp2350_emu.platform.repl.check import check_wiring
from rp2350_emu.time.scheduler import Scheduler

#: types the machine handles itself
CPU_TYPE = "CPU.CortexM"
NVIC_TYPE = "IRQControllers.NVIC"
MEMORY_TYPE = "Memory.MappedMemory"
LED_TYPE = "Miscellaneous.LED"
BUTTON_TYPE = "Miscellaneous.Button"
PYTHON_TYPE = "Python.PythonPeripheral"
SPECIAL_TYPES = {CPU_TYPE, NVIC_TYPE, MEMORY_TYPE, LED_TYPE, BUTTON_TYPE}
#: PythonPeripheral constructor parameters: meaningful to Renode only
RENODE_ONLY_ATTRS = {"size", "initable", "filename", "script"}

CORE_MODELS: dict[str, type] = {"dwt": Dwt}
KEY_ALIASES = {"pl011": "uart_pl011", "uart": "uart_pl011"}
COMPANIONS = {"gpio": "sio"}


def snake_case(name: str) -> str:
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])", "_", name)
    return name.lower()


def model_key(entry: Entry) -> str:
    type_name = normalise_type(entry.type or "")
    if type_name == PYTHON_TYPE:
        filename = entry.attrs.get("filename")
        if not isinstance(filename, str):
            raise ConfigError(f"{entry.where}: {entry.name} is a PythonPeripheral without a filename, "
                              'expected filename: "renode/peripherals/<model>.py"')
        return Path(filename).stem
    last = type_name.rsplit(".", 1)[-1]
    if last.upper().startswith("RP2350_"):
        last = last[len("RP2350_"):]
    key = snake_case(last)
    return KEY_ALIASES.get(key, key)


@dataclass
class Device:
    """One constructed entry: the model (what `machine[name]` returns) and
    the bus block mapped for it (the same object, or a companion)."""

    entry: Entry
    model: Any
    bus_model: Any = None
    attach_later: list[tuple[str, Any]] = field(default_factory=list)


class DeviceBuilder:
    def __init__(self, platform: Platform, scheduler: Scheduler, models: Mapping[str, type]) -> None:
        self.platform = platform
        self.scheduler = scheduler
        self.models = models
        self.devices: dict[str, Device] = {}
        self._building: list[str] = []

    def build_all(self) -> dict[str, Device]:
        check_wiring(self.platform)
        for entry in self.platform:
            if entry.type is None and entry.name == "sysbus":
                continue  # Renode's implicit bus; its init: block is for Renode (Tag, ...)
            if entry.type is None:
                raise ConfigError(f"{entry.where}: entry {entry.name!r} is never created (no type), "
                                  "expected 'name: Type @ registration' somewhere")
            if normalise_type(entry.type) not in SPECIAL_TYPES:
                self.build(entry.name)
        for device in self.devices.values():
            for name, other in device.attach_later:
                try:
                    device.model.attach(name, other)
                except (KeyError, ValueError) as exc:
                    raise ConfigError(f"{device.entry.where}: {device.entry.name} cannot attach {name!r} "
                                      f"({exc}), expected one of the blocks it controls") from None
        return self.devices

    def _class_for(self, entry: Entry, key: str) -> type:
        cls = CORE_MODELS.get(key) or self.models.get(key)
        if cls is None:
            known = ", ".join(sorted(set(CORE_MODELS) | set(self.models)))
            raise ConfigError(f"{entry.where}: no model for {entry.name} ({entry.type}, model key {key!r}); "
                              f"expected one of: {known}")
        return cls

    def build(self, name: str) -> Any:
        if name in self.devices:
            return self.devices[name].model
        if name in self._building:
            cycle = " -> ".join(self._building + [name])
            raise ConfigError(f"{self.platform[name].where}: reference cycle {cycle}")
        entry = self.platform.entries.get(name)
        if entry is None:
            raise ConfigError(f"reference to unknown entry {name!r}")
        if entry.type and normalise_type(entry.type) in SPECIAL_TYPES:
            raise ConfigError(f"{entry.where}: {name} ({entry.type}) cannot be passed to a model")
        self._building.append(name)
        try:
            key = model_key(entry)
            cls = self._class_for(entry, key)
            kwargs, attach = self._kwargs(entry, cls)
            bus_model = None
            bus_reg = entry.bus_registration()
            if getattr(cls, "size", 1) == 0 and bus_reg is not None and bus_reg.address is not None:
                companion_key = COMPANIONS.get(key)
                if companion_key is None:
                    raise ConfigError(f"{entry.where}: {name} ({key}) is not a bus block, expected no "
                                      "address or a model with registers")
                companion = self._class_for(entry, companion_key)
                bus_model = companion(name, self.scheduler)
                kwargs.setdefault(companion_key, bus_model)
            try:
                model = cls(name, self.scheduler, **kwargs)
            except TypeError as exc:
                raise ConfigError(f"{entry.where}: cannot construct {name} as {cls.__name__}: {exc}") from None
            if bus_model is None and getattr(model, "size", 0):
                bus_model = model
            self.devices[name] = Device(entry, model, bus_model, attach)
            return model
        finally:
            self._building.pop()

    def _kwargs(self, entry: Entry, cls: type) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
        kwargs: dict[str, Any] = {}
        attach: list[tuple[str, Any]] = []
        is_python = normalise_type(entry.type or "") == PYTHON_TYPE
        for attr, value in entry.attrs.items():
            if not attr[:1].islower() or (is_python and attr in RENODE_ONLY_ATTRS):
                continue  # Renode properties (upper case) and Renode-only parameters
            if value is NONE or value is EMPTY:
                continue
            if isinstance(value, list) and value and all(isinstance(v, Ref) for v in value) \
                    and hasattr(cls, "attach"):
                attach += [(ref.name, self.build(ref.name)) for ref in value]
                continue
            kwargs[snake_case(attr)] = self._resolve(entry, attr, value)
        return kwargs, attach

    def _resolve(self, entry: Entry, attr: str, value: Any) -> Any:
        if isinstance(value, Ref):
            if value.name in self.platform.entries:
                return self.build(value.name)
            return value.name  # an enum-like name: pass the text
        if isinstance(value, list):
            return [self._resolve(entry, attr, v) for v in value]
        if isinstance(value, NewObject):
            raise ConfigError(f"{entry.where}: {entry.name}.{attr}: inline objects (new {value.type}) "
                              "are not supported by the built-in engine")
        return value
