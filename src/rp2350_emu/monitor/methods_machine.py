"""Monitor methods of `machine`, `sysbus` and `cpu`: platform and firmware loading, bus and registers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu.backends import engine as engine_api
from rp2350_emu.monitor.args import arity, to_bool, to_int, to_str
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.format import fmt_hex, fmt_register
from rp2350_emu.monitor.gdb_link import start_gdb_server
from rp2350_emu.monitor.interpreter import Monitor
from rp2350_emu.monitor.registry import method
from rp2350_emu.monitor.script import Token

# -- machine ----------------------------------------------------------------------------------

@method("machine", "LoadPlatformDescription", 'machine LoadPlatformDescription @file.repl')
def machine_load_platform_description(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    path = mon.resolve_path(args[0], "machine LoadPlatformDescription")
    mon._machine().load_platform(path)
    return ""


@method("machine", "LoadPlatformDescriptionFromString", 'machine LoadPlatformDescription "repl text"')
def machine_load_platform_description_from_string(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    text = to_str(args[0], "machine LoadPlatformDescriptionFromString")
    # The engine reads files; a file next to the CWD keeps `using "./x"` meaning the same.
    with tempfile.NamedTemporaryFile("w", suffix=".repl", dir=mon.cwd, delete=False,
                                     encoding="utf-8") as fh:
        fh.write(text)
    try:
        mon._machine().load_platform(Path(fh.name))
    finally:
        os.unlink(fh.name)
    return ""


@method("machine", "StartGdbServer", 'machine StartGdbServer PORT [autostartEmulation=true]')
def machine_start_gdb_server(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 3, usage)
    port = to_int(args[0], "machine StartGdbServer")
    autostart = to_bool(args[1], "autostartEmulation") if len(args) > 1 else True
    handle = mon._machine()
    handle.require_engine("machine StartGdbServer")
    if handle.gdb_server is not None:
        raise MonitorError(f"machine StartGdbServer: a GDB server is already running for {handle.name}")
    factory = mon.gdb_server_factory or start_gdb_server
    # GDB's `monitor ...` gets a monitor of its own on the same emulation
    handle.gdb_server = factory(mon.emulation, handle, port, autostart, Monitor(mon.emulation).execute)
    return ""


@method("machine", "StopGdbServer", 'machine StopGdbServer')
def machine_stop_gdb_server(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 0, 0, usage)
    handle = mon._machine()
    if handle.gdb_server is None:
        raise MonitorError("machine StopGdbServer: no GDB server is running")
    handle.gdb_server.close()
    handle.gdb_server = None
    return ""


# -- sysbus ------------------------------------------------------------------------------------

@method("sysbus", "LoadELF", 'sysbus LoadELF @file.elf')
def sysbus_load_e_l_f(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 3, usage)
    mon._stopped("sysbus LoadELF")
    if len(args) > 1 and to_bool(args[1], "useVirtualAddress"):
        raise MonitorError("sysbus LoadELF: useVirtualAddress=true is not supported (RP2350 images use "
                           "physical addresses)")
    path = mon.resolve_path(args[0], "sysbus LoadELF")
    mon._machine().load_elf(path)
    return ""


def bus_access(mon: Monitor, args: list[Token], usage: str, width: int, write: bool) -> str:
    arity(args, 2 if write else 1, 2 if write else 1, usage)
    address = to_int(args[0], "address")
    engine = mon._engine("sysbus")
    if write:
        engine_api.bus_write(engine, address, to_int(args[1], "value"), width)
        return ""
    return fmt_hex(engine_api.bus_read(engine, address, width), width)


_WIDTHS = {"Byte": 1, "Word": 2, "DoubleWord": 4}


def _bus_method(width: int, write: bool) -> Callable[..., str]:
    def handler(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
        return bus_access(mon, args, usage, width, write)
    return handler


for _word, _width in _WIDTHS.items():
    method("sysbus", f"Read{_word}", f"sysbus Read{_word} ADDRESS")(_bus_method(_width, False))
for _word, _width in _WIDTHS.items():
    method("sysbus", f"Write{_word}", f"sysbus Write{_word} ADDRESS VALUE")(_bus_method(_width, True))


@method("sysbus", "GetSymbolAddress", 'sysbus GetSymbolAddress "symbol"')
def sysbus_get_symbol_address(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 1, 1, usage)
    name = to_str(args[0], "sysbus GetSymbolAddress")
    return fmt_hex(mon._machine().symbol_address(name), 8)


# -- cpu ------------------------------------------------------------------------------------------

def cpu_property(mon: Monitor, name: str, args: list[Token], usage: str, fmt: Callable[[int], str]) -> str:
    arity(args, 0, 1, usage)
    engine = mon._engine(f"cpu {name}")
    if args:
        engine_api.cpu_set(engine, name, to_int(args[0], f"cpu {name}"))
        return ""
    return fmt(engine_api.cpu_get(engine, name))


@method("cpu", "VectorTableOffset", 'cpu VectorTableOffset [ADDRESS]')
def cpu_vector_table_offset(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    return cpu_property(mon, "VectorTableOffset", args, usage, lambda v: fmt_hex(v, 4))


@method("cpu", "PC", 'cpu PC [VALUE]')
def cpu_p_c(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    return cpu_property(mon, "PC", args, usage, fmt_register)


@method("cpu", "SP", 'cpu SP [VALUE]')
def cpu_s_p(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    return cpu_property(mon, "SP", args, usage, fmt_register)


@method("cpu", "PerformanceInMips", 'cpu PerformanceInMips [MIPS]')
def cpu_performance_in_mips(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    return cpu_property(mon, "PerformanceInMips", args, usage, lambda v: fmt_hex(v, 4))
