"""The few engine calls the monitor needs beyond the documented Machine API.

Bus and CPU register access are the engine team's to define; this module is
the one place that knows their spelling, so the monitor stays unchanged when
it moves. Each function fails with a HarnessError that says what is missing.
"""

from __future__ import annotations

from typing import Any

from .emulation import HarnessError
from .errors import EmulationError

_REGISTERS = {"PC": "pc", "SP": "sp"}


def _debug_bus(engine: Any) -> Any:
    # `sysbus` is the engine's debugger view (MMIO reads go to the models); `bus` is a fallback.
    for name in ("sysbus", "bus"):
        bus = getattr(engine, name, None)
        if bus is not None and hasattr(bus, "read") and hasattr(bus, "write"):
            return bus
    raise HarnessError("sysbus access is not available from this engine (no machine.sysbus.read/write)")


def bus_read(engine: Any, address: int, width: int) -> int:
    try:
        return int(_debug_bus(engine).read(address, width))
    except EmulationError as exc:
        raise HarnessError(str(exc)) from None


def bus_write(engine: Any, address: int, value: int, width: int) -> None:
    try:
        _debug_bus(engine).write(address, value & ((1 << (8 * width)) - 1), width)
    except EmulationError as exc:
        raise HarnessError(str(exc)) from None


def _cpu(engine: Any) -> Any:
    cpu = getattr(engine, "cpu", None)
    if cpu is None:
        raise HarnessError("this engine exposes no CPU object (machine.cpu)")
    return cpu


def cpu_get(engine: Any, prop: str) -> int:
    cpu = _cpu(engine)
    if prop in _REGISTERS:
        return int(getattr(cpu, _REGISTERS[prop]))
    if prop == "VectorTableOffset":
        return int(cpu.vtor)
    if prop == "PerformanceInMips":
        return int(cpu.mips)
    raise HarnessError(f"cpu {prop} is not supported")


def cpu_set(engine: Any, prop: str, value: int) -> None:
    cpu = _cpu(engine)
    if prop in _REGISTERS:
        setattr(cpu, _REGISTERS[prop], value)
    elif prop == "VectorTableOffset":
        cpu.vtor = value
    elif prop == "PerformanceInMips":
        cpu.mips = value
    else:
        raise HarnessError(f"cpu {prop} is not supported")


def cpu_register(engine: Any, register: int | str) -> int:
    """General register by number (0-15) or name (r0, sp, lr, pc, ...)."""
    cpu = _cpu(engine)
    name = f"r{register}" if isinstance(register, int) else register.lower()
    name = {"r13": "sp", "r14": "lr", "r15": "pc"}.get(name, name)
    reader = getattr(cpu, "reg", None)
    if callable(reader):
        return int(reader(name))
    if hasattr(cpu, name):
        return int(getattr(cpu, name))
    raise HarnessError(f"register '{register}' is not readable from this engine")
