"""Monitor methods of `machine`, `sysbus` and `cpu`: platform and firmware loading, bus and registers."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu.backends import engine as engine_api
from rp2350_emu.harness.log import LEVELS
from rp2350_emu.monitor.args import arity, to_bool, to_int, to_port, to_str, to_uint
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.format import CRLF, fmt_bool, fmt_hex, fmt_register
from rp2350_emu.monitor.gdb_link import start_gdb_server
from rp2350_emu.monitor.interpreter import Monitor
from rp2350_emu.monitor.registry import method
from rp2350_emu.monitor.script import Token
from rp2350_emu.monitor.stepping import step_instructions
from rp2350_emu.time.units import parse_interval

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
    port = to_port(args[0], "machine StartGdbServer")
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


@method("sysbus", "LoadBinary", 'sysbus LoadBinary @file.bin ADDRESS')
def sysbus_load_binary(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    """Renode: the file's bytes into memory at ADDRESS, as a programmer writes them (flash too;
    a reset keeps them in Renode, so scripts that need them after one load them in `macro reset`)."""
    arity(args, 2, 2, usage)
    path = mon.resolve_path(args[0], "sysbus LoadBinary")
    address = to_int(args[1], "sysbus LoadBinary address")
    engine = mon._engine("sysbus LoadBinary")
    data = path.read_bytes()
    inside = [(base, size) for base, size in getattr(engine, "memories", {}).values()
              if base <= address and address + len(data) <= base + size]
    if not inside or not hasattr(engine, "cpu") or not hasattr(engine.cpu, "uc"):
        raise MonitorError(f"sysbus LoadBinary: 0x{address:08X} (+0x{len(data):X} bytes of {path.name}) is not "
                           "inside one memory of the platform")
    mon.emulation.log.log(LEVELS["Info"], "sysbus", f"Loading block of {len(data)} bytes length at "
                          f"0x{address:X}.", mon.emulation.now_ns)
    engine.cpu.uc.mem_write(address, data)
    return ""


def bus_access(mon: Monitor, args: list[Token], usage: str, width: int, write: bool) -> str:
    arity(args, 2 if write else 1, 2 if write else 1, usage)
    address = to_uint(args[0], "address")
    engine = mon._engine("sysbus")
    mapped = getattr(engine.sysbus, "mapped", None)
    if mapped is not None and not mapped(address):
        # Renode: an access where nothing is mapped logs a warning; a read gives 0
        name = f"{'Write' if write else 'Read'}{_WORD_OF[width]}"
        if write:
            value = to_uint(args[1], "value", 8 * width)
            text = f"{name} to non existing peripheral at 0x{address:X}, value 0x{value:X}."
        else:
            text = f"{name} from non existing peripheral at 0x{address:X}."
        mon.emulation.log.log(LEVELS["Warning"], "sysbus", text, mon.emulation.now_ns)
        return "" if write else fmt_hex(0, width)
    if write:
        engine_api.bus_write(engine, address, to_uint(args[1], "value", 8 * width), width)
        return ""
    return fmt_hex(engine_api.bus_read(engine, address, width), width)


_WIDTHS = {"Byte": 1, "Word": 2, "DoubleWord": 4}
_WORD_OF = {width: word for word, width in _WIDTHS.items()}


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


@method("machine", "Reset", 'machine Reset')
def machine_reset(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    """Renode: every peripheral and the core reset, virtual time goes on, then the `reset` macro
    (renode/rp2350.resc's loads the ELF again) runs for this machine."""
    arity(args, 0, 0, usage)
    handle = mon._machine()
    engine = handle.require_engine("machine Reset")
    if not hasattr(engine, "reset"):
        raise MonitorError("machine Reset: this engine cannot reset a machine")
    with mon.emulation.lock:
        engine.reset(keep_time=True)
        handle.after_reset()
    if "reset" not in mon.macros:
        # Renode names the macro as it looks it up: machine name ("-" as "_") + ".reset"
        mon.emulation.log.log(LEVELS["Warning"], "", f"No action for reset - macro "
                              f"{handle.name.replace('-', '_')}.reset is not registered.", handle.now_ns)
        return ""
    body, _where = mon.macros["reset"]
    return mon.execute(body, "macro reset body line", 0)


@method("machine", "GetTimeSourceInfo", 'machine GetTimeSourceInfo')
def machine_get_time_source_info(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    """Renode's TimeSourceBase text: virtual time exact, host time what the advances took."""
    arity(args, 0, 0, usage)
    emu = mon.emulation
    virtual, host = emu.now_ns, emu.host_ns
    cumulative = host / virtual if virtual else float("nan")
    lines = [f"Elapsed Virtual Time: {time_interval(virtual)}",
             f"Elapsed Host Time: {time_interval(host - host % 100)}",  # Renode: 100 ns host ticks
             f"Current load: {csharp_double(emu.current_load)}",
             f"Cumulative load: {csharp_double(cumulative)}",
             f"State: {'Running' if emu.started else 'Idle'}",
             f"Advance immediately: {emu.advance_immediately}",
             f"Quantum: {time_interval(parse_interval(mon.quantum))}"]
    return CRLF.join(lines) + CRLF


def time_interval(ns: int) -> str:
    """Renode's TimeInterval.ToString: hh:mm:ss.nnnnnnnnn."""
    seconds, frac = divmod(int(ns), 1_000_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{hours:02}:{minutes:02}:{seconds:02}.{frac:09}"


def csharp_double(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return f"{value:.15g}"


@method("emulation", "IsStarted", 'emulation IsStarted')
def emulation_is_started(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 0, 0, usage)
    return fmt_bool(mon.emulation.started)


#: the most instructions one `cpu Step` runs: more is a run, not a step (and would not answer for minutes)
MAX_STEPS = 10_000_000


@method("cpu", "Step", 'cpu Step [N]')
def cpu_step(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    """Renode: executes N instructions (default 1) and prints the PC; the emulation is then started
    with the CPU in SingleStep mode (`cpu ExecutionMode Continuous` lets it run again)."""
    arity(args, 0, 1, usage)
    count = to_int(args[0], "cpu Step") if args else 1
    if not 1 <= count <= MAX_STEPS:
        raise MonitorError(f"cpu Step expects 1..{MAX_STEPS} instructions, got {count} (for longer, "
                           'emulation RunFor "seconds")')
    handle = mon._machine()
    with mon.emulation.lock:
        pc = step_instructions(mon, handle, count)
        mon.emulation.start()
        mon.emulation.single_step = True
    return f"0x{pc:016X}" + CRLF


@method("cpu", "ExecutionMode", 'cpu ExecutionMode [Continuous|SingleStep]')
def cpu_execution_mode(mon: Monitor, _t: Any, args: list[Token], usage: str) -> str:
    arity(args, 0, 1, usage)
    mon._engine("cpu ExecutionMode")
    if not args:
        return ("SingleStep" if mon.emulation.single_step else "Continuous") + CRLF
    mode = to_str(args[0], "cpu ExecutionMode")
    if mode not in ("Continuous", "SingleStep"):
        raise MonitorError(f"cpu ExecutionMode: '{mode}' is not Continuous or SingleStep")
    mon.emulation.single_step = mode == "SingleStep"
    return ""
