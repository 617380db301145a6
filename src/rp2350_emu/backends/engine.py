"""The engine interface: what the harness, monitor and keywords may use of an engine.

The built-in machine (platform/machine.py), the Renode backend (renode.py)
and the harness tests' fake engine all meet `Engine`; the harness uses
nothing else. The helpers below turn engine errors into harness errors
with the command's own words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from rp2350_emu.errors import EmulationError, HarnessError
from rp2350_emu.peripherals.roles import Pin


class EngineEvent(Protocol):
    """One recorded event: `t_ns`, `kind` ("pin", "uart-tx", "uart-rx"), `data` (a dict)."""

    @property
    def t_ns(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


class PinDeviceInfo(Protocol):
    """An LED or button of the platform (platform.pins.PinDeviceSpec)."""

    name: str
    kind: str  # "LED" or "Button"
    controller: str
    pin: int
    invert: bool


class CpuView(Protocol):
    """The core's registers as the monitor sees them."""

    pc: int
    sp: int
    vtor: int
    mips: float

    def reg(self, name: str) -> int: ...


class BusView(Protocol):
    """Debugger access to the system bus (MMIO reads reach the models)."""

    def read(self, address: int, width: int = 4) -> int: ...

    def write(self, address: int, value: int, width: int = 4) -> None: ...


@runtime_checkable
class Engine(Protocol):
    """One emulated machine, from a platform description."""

    @property
    def now_ns(self) -> int: ...

    @property
    def cpu_name(self) -> str: ...

    cpu: Any  # a CpuView
    sysbus: Any  # a BusView
    events: Any  # an EventLog (platform/events.py) of EngineEvents, oldest first

    def pin_device_specs(self) -> Mapping[str, PinDeviceInfo]: ...

    def load_elf(self, path: str) -> None: ...

    def run_for(self, ns: int) -> None: ...

    def run_until(self, predicate: Callable[[], bool], timeout_ns: int) -> bool: ...

    def __getitem__(self, name: str) -> Any: ...

    def peripheral_names(self) -> list[str]: ...

    def pin(self, n: int) -> Pin: ...

    def symbol_address(self, name: str) -> int: ...


EngineFactory = Callable[[str], Engine]

_REGISTERS = {"PC": "pc", "SP": "sp"}


def bus_read(engine: Engine, address: int, width: int) -> int:
    try:
        return int(engine.sysbus.read(address, width))
    except EmulationError as exc:
        raise HarnessError(str(exc)) from None


def bus_write(engine: Engine, address: int, value: int, width: int) -> None:
    try:
        engine.sysbus.write(address, value & ((1 << (8 * width)) - 1), width)
    except EmulationError as exc:
        raise HarnessError(str(exc)) from None


def cpu_get(engine: Engine, prop: str) -> int:
    cpu = engine.cpu
    if prop in _REGISTERS:
        return int(getattr(cpu, _REGISTERS[prop]))
    if prop == "VectorTableOffset":
        return int(cpu.vtor)
    if prop == "PerformanceInMips":
        return int(cpu.mips)
    raise HarnessError(f"cpu {prop} is not supported")


def cpu_set(engine: Engine, prop: str, value: int) -> None:
    cpu = engine.cpu
    if prop in _REGISTERS:
        setattr(cpu, _REGISTERS[prop], value)
    elif prop == "VectorTableOffset":
        cpu.vtor = value
    elif prop == "PerformanceInMips":
        cpu.mips = value
    else:
        raise HarnessError(f"cpu {prop} is not supported")


def cpu_register(engine: Engine, register: int | str) -> int:
    """General register by number (0-15) or name (r0, sp, lr, pc, ...)."""
    name = f"r{register}" if isinstance(register, int) else register.lower()
    name = {"r13": "sp", "r14": "lr", "r15": "pc"}.get(name, name)
    try:
        return int(engine.cpu.reg(name))
    except (AttributeError, KeyError):
        raise HarnessError(f"register '{register}' is not readable from this engine") from None
