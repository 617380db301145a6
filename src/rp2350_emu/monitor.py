"""The Renode monitor for the built-in engine: same commands, spellings and output.

Output follows Renode's printing rules: integers as zero-padded upper-case
hex of the value's width (`0x00000147` for a double word), CPU registers as
`0x…` without padding, booleans as `True`/`False`, every line ending in CRLF.

Anything the monitor does not implement is an error that names the command
and the file:line it came from; nothing is silently ignored.
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .emulation import (
    LEVEL_NAMES,
    LEVELS,
    Button,
    CacheBackend,
    Emulation,
    FileBackend,
    HarnessError,
    Led,
    LogEntry,
    MachineHandle,
    UartPort,
    parse_level,
)
from .resc import ScriptSyntaxError, Statement, Token, read_script, split_statements, tokenize
from .uart_bridge import PtyBridge, TcpBridge, UartBridge
from .vtime import parse_interval

CRLF = "\r\n"


class MonitorError(HarnessError):
    """A monitor command failed; `where` is the file:line of the statement."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        self.included_from: list[str] = []
        super().__init__(message)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        for outer in self.included_from:
            text += f"\n  (included from {outer})"
        return text


class MonitorQuit(Exception):
    """`quit` was typed."""


# -- GDB server hook ------------------------------------------------------------------------

GdbFactory = Callable[[MachineHandle, int, bool], Any]
_gdb_factory: GdbFactory | None = None


def set_gdb_server_factory(factory: GdbFactory | None) -> None:
    """Install the GDB server behind `machine StartGdbServer PORT [autostart]`.

    `factory(machine_handle, port, autostart)` must start serving on
    127.0.0.1:PORT and return an object with `close()`.
    """
    global _gdb_factory
    _gdb_factory = factory


def _find_gdb_factory() -> GdbFactory | None:
    if _gdb_factory is not None:
        return _gdb_factory
    try:  # the GDB engineer's module registers itself on import, if present
        from . import gdb_server  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return None
    return _gdb_factory


# -- formatting -----------------------------------------------------------------------------

def fmt_hex(value: int, width_bytes: int) -> str:
    return f"0x{value & ((1 << (8 * width_bytes)) - 1):0{2 * width_bytes}X}" + CRLF


def fmt_register(value: int) -> str:
    return f"0x{value:x}" + CRLF


def fmt_bool(value: bool) -> str:
    return ("True" if value else "False") + CRLF


# -- log to the interactive console ------------------------------------------------------

class ConsoleBackend:
    """Prints log entries as they happen (interactive monitor, `run`)."""

    def __init__(self, write: Callable[[str], None], level: int = LEVELS["Info"]) -> None:
        self.level = level
        self._write = write

    def write(self, entry: LogEntry) -> None:
        name = LEVEL_NAMES.get(entry.level, str(entry.level)).upper()
        self._write(f"[{name}] {entry.full_message}\n")


class UartAnalyzer:
    """`showAnalyzer` without a GUI: each finished UART line becomes an Info log entry."""

    def __init__(self, emulation: Emulation, port: UartPort) -> None:
        self.emulation = emulation
        self.port = port
        self.line = ""
        self.last_t_ns = port.handle.now_ns
        port.subscribe(self._on_byte)

    def _on_byte(self, byte: int, t_ns: int) -> None:
        if byte == 0x0A:
            delta = t_ns - self.last_t_ns
            self.last_t_ns = t_ns
            self.emulation.log.log(LEVELS["Info"], self.port.name,
                                   f"[virt: {t_ns / 1e9:.6f}s (+{delta / 1e9:.6f}s)] {self.line}", t_ns)
            self.line = ""
        elif byte >= 0x20 and byte != 0x7F:
            self.line += chr(byte)

    def close(self) -> None:
        self.port.unsubscribe(self._on_byte)


# -- command table ------------------------------------------------------------------------

@dataclass
class _Command:
    name: str
    handler: Callable[[Monitor, list[Token], Statement], str]
    usage: str
    summary: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


_COMMANDS: dict[str, _Command] = {}


def _command(name: str, usage: str, summary: str, aliases: tuple[str, ...] = ()) -> Callable:
    def register(fn: Callable[[Monitor, list[Token], Statement], str]) -> Callable:
        cmd = _Command(name, fn, usage, summary, aliases)
        _COMMANDS[name] = cmd
        for alias in aliases:
            _COMMANDS[alias] = cmd
        return fn
    return register


# Object methods: (object kind, method) -> (usage, summary)
_METHODS: dict[str, dict[str, str]] = {
    "machine": {
        "LoadPlatformDescription": "machine LoadPlatformDescription @file.repl",
        "LoadPlatformDescriptionFromString": 'machine LoadPlatformDescription "repl text"',
        "StartGdbServer": "machine StartGdbServer PORT [autostartEmulation=true]",
        "StopGdbServer": "machine StopGdbServer",
    },
    "sysbus": {
        "LoadELF": "sysbus LoadELF @file.elf",
        "ReadByte": "sysbus ReadByte ADDRESS", "ReadWord": "sysbus ReadWord ADDRESS",
        "ReadDoubleWord": "sysbus ReadDoubleWord ADDRESS",
        "WriteByte": "sysbus WriteByte ADDRESS VALUE", "WriteWord": "sysbus WriteWord ADDRESS VALUE",
        "WriteDoubleWord": "sysbus WriteDoubleWord ADDRESS VALUE",
        "GetSymbolAddress": 'sysbus GetSymbolAddress "symbol"',
    },
    "cpu": {
        "VectorTableOffset": "cpu VectorTableOffset [ADDRESS]", "PC": "cpu PC [VALUE]",
        "SP": "cpu SP [VALUE]", "PerformanceInMips": "cpu PerformanceInMips [MIPS]",
    },
    "emulation": {
        "RunFor": 'emulation RunFor "hh:mm:ss.frac"',
        "CreateServerSocketTerminal": 'emulation CreateServerSocketTerminal PORT "name" [telnetMode=true] '
                                      "[flushOnConnect=false]",
        "CreateUartPtyTerminal": 'emulation CreateUartPtyTerminal "name" "/path/link" [forceCreate=false]',
        "SetGlobalAdvanceImmediately": "emulation SetGlobalAdvanceImmediately true|false",
        "SetGlobalQuantum": 'emulation SetGlobalQuantum "0.0001"',
    },
    "connector": {
        "Connect": "connector Connect sysbus.uart0 terminalName",
        "Disconnect": "connector Disconnect sysbus.uart0 terminalName",
    },
    "LED": {"State": "sysbus.gpio.led State"},
    "Button": {"Press": "sysbus.gpio.button Press", "Release": "sysbus.gpio.button Release",
               "Toggle": "sysbus.gpio.button Toggle", "PressAndRelease": "sysbus.gpio.button PressAndRelease",
               "Pressed": "sysbus.gpio.button Pressed"},
    "UART": {"WriteChar": "sysbus.uart0 WriteChar 0x41"},
}

_WIDTHS = {"Byte": 1, "Word": 2, "DoubleWord": 4}


class Monitor:
    """One monitor bound to an emulation (Renode has one per process)."""

    def __init__(self, emulation: Emulation, cwd: Path | None = None,
                 write: Callable[[str], None] | None = None) -> None:
        self.emulation = emulation
        self.cwd = Path(cwd or os.getcwd()).resolve()
        self.write = write  # where `start`-time messages go (interactive); None: returned only
        self.variables: dict[str, Token] = {}
        self.macros: dict[str, tuple[str, str]] = {}  # name -> (body, where defined)
        self.path: list[Path] = []
        self.usings: list[str] = ["sysbus."]
        self.origin_stack: list[Path] = []
        self.externals: dict[str, UartBridge] = {}
        self.analyzers: list[UartAnalyzer] = []
        self.quantum = "0.0001"
        self.recent = CacheBackend(limit=10_000)
        self.log_files: list[FileBackend] = []
        emulation.log.add(self.recent)
        emulation.on_clear.append(self._emulation_cleared)

    # -- lifecycle ------------------------------------------------------------------------------
    def _emulation_cleared(self) -> None:
        """Renode clears variables, macros, path and terminals with the emulation."""
        for analyzer in self.analyzers:
            analyzer.close()
        self.analyzers.clear()
        for bridge in self.externals.values():
            bridge.close()
        self.externals.clear()
        self.variables.clear()
        self.macros.clear()
        self.path.clear()
        self.usings = ["sysbus."]
        for backend in self.log_files:
            self.emulation.log.remove(backend)
            backend.close()
        self.log_files.clear()

    # -- entry points ---------------------------------------------------------------------------
    def execute(self, text: str, file: str = "<command>", line: int = 1) -> str:
        """Run one or more statements; returns their output (CRLF line ends)."""
        try:
            statements = split_statements(text, file, line)
        except ScriptSyntaxError as exc:
            raise MonitorError(exc.message, exc.where) from None
        return "".join(self.run_statement(st) for st in statements)

    def execute_script(self, path: Path, where: str = "") -> str:
        path = Path(path)
        if not path.is_file():
            raise MonitorError(f"script not found: {path}", where)
        try:
            statements = read_script(path)
        except ScriptSyntaxError as exc:
            raise MonitorError(exc.message, exc.where or where) from None
        self.origin_stack.append(path.resolve().parent)
        out = []
        try:
            for st in statements:
                try:
                    out.append(self.run_statement(st))
                except MonitorError as exc:
                    if where:
                        exc.included_from.append(where)
                    raise
        finally:
            self.origin_stack.pop()
        return "".join(out)

    def run_statement(self, st: Statement) -> str:
        try:
            tokens = tokenize(st.text, st.where)
            if not tokens:
                return ""
            return self._dispatch(tokens, st)
        except MonitorError as exc:
            if not exc.where:
                exc.where = st.where
            raise
        except ScriptSyntaxError as exc:
            raise MonitorError(exc.message, exc.where or st.where) from None
        except HarnessError as exc:
            raise MonitorError(str(exc), st.where) from None

    # -- dispatch -------------------------------------------------------------------------------
    def _dispatch(self, tokens: list[Token], st: Statement) -> str:
        head = tokens[0]
        if head.kind == "assign":
            name, only_if_unset, value = head.value  # type: ignore[misc]
            if not (only_if_unset and name in self.variables):
                self.variables[name] = self._expand(value, st)
            return ""
        if head.kind == "var" and len(tokens) == 1:
            return self._show_value(self._expand(head, st))
        if head.kind != "word":
            raise MonitorError(f"a command must start with a name, not {head.text!r}")
        name = str(head.value)
        if name in _COMMANDS:
            return _COMMANDS[name].handler(self, tokens[1:], st)
        kind, target = self._resolve_object(name)
        args = [self._expand(t, st) for t in tokens[1:]]
        return self._object_call(kind, target, name, args, st)

    def _resolve_object(self, name: str) -> tuple[str, Any]:
        if name in ("machine", "emulation", "connector", "sysbus"):
            return name, None
        handle = self.emulation.current
        bare = name
        for prefix in self.usings:
            if bare.startswith(prefix):
                bare = bare[len(prefix):]
                break
        if handle is not None and handle.engine is not None:
            if bare in self._cpu_names(handle):
                return "cpu", None
            parts = bare.split(".")
            dev = handle.gpio_devices.get(parts[-1])
            if dev is not None and (len(parts) == 1 or (len(parts) == 2 and parts[0] == dev[1])):
                return dev[0], handle.led(parts[-1]) if dev[0] == "LED" else handle.button(parts[-1])
            if len(parts) == 1 and handle.has_uart(bare):
                return "UART", handle.uart(bare)
            if len(parts) == 1:
                try:
                    return "peripheral", handle.engine_peripheral(bare)
                except HarnessError:
                    pass
        elif name == "cpu" or bare == "cpu":
            raise MonitorError("cpu: no platform loaded yet (run `machine LoadPlatformDescription "
                               "@platforms/rp2350.repl` first)")
        raise MonitorError(f"unknown command or object '{name}'" + _suggest(name, self._known_names())
                           + " (type 'help' for the list)")

    def _cpu_names(self, handle: MachineHandle) -> set[str]:
        names = {"cpu"}
        declared = getattr(handle.engine, "cpu_name", None)
        if isinstance(declared, str):
            names.add(declared)
        return names

    def _known_names(self) -> list[str]:
        names = list(_COMMANDS) + ["machine", "emulation", "connector", "sysbus", "cpu"]
        handle = self.emulation.current
        if handle is not None:
            names += [f"sysbus.{n}" for n in handle.peripheral_names()]
            names += [f"sysbus.{d[1]}.{n}" for n, d in handle.gpio_devices.items()]
        return names

    def _object_call(self, kind: str, target: Any, name: str, args: list[Token], st: Statement) -> str:
        methods = _METHODS.get(kind, {})
        if not args:
            listing = ", ".join(sorted(methods)) or "none"
            return f"{name}: available methods and properties: {listing}" + CRLF
        method_token, rest = args[0], args[1:]
        method = str(method_token.value) if method_token.kind == "word" else method_token.text
        if method not in methods:
            raise MonitorError(f"'{name}' has no method or property '{method}'" + _suggest(method, methods)
                               + (f" (available: {', '.join(sorted(methods))})" if methods else
                                  " (the built-in engine offers no monitor methods for it)"))
        handler = getattr(self, f"_{kind.lower()}_{method}", None)
        if handler is None:  # pragma: no cover - table and handlers are kept in step
            raise MonitorError(f"'{name} {method}' is not implemented")
        return handler(target, rest, usage=methods[method])

    # -- values -----------------------------------------------------------------------------------
    def _expand(self, token: Token, st: Statement) -> Token:
        if token.kind == "var":
            var, tail = token.value  # type: ignore[misc]
            value = self._variable(var)
            if tail:
                if value.kind not in ("path", "string"):
                    raise MonitorError(f"${var} is {value.text}, which cannot be followed by '{tail}'")
                return Token("path", str(value.value) + tail, token.text)
            return value
        if token.kind == "backtick":
            inner = self.execute(str(token.value), st.file, st.line).strip()
            try:
                parts = tokenize(inner, st.where)
            except ScriptSyntaxError:
                parts = []
            return parts[0] if len(parts) == 1 else Token("string", inner, inner)
        return token

    def _variable(self, name: str) -> Token:
        if name == "ORIGIN":
            origin = self.origin_stack[-1] if self.origin_stack else self.cwd
            return Token("path", str(origin), "$ORIGIN")
        if name == "CWD":
            return Token("path", str(self.cwd), "$CWD")
        if name not in self.variables:
            raise MonitorError(f"variable ${name} is not set (set it with ${name}=value or ${name}?=value)")
        return self.variables[name]

    def _show_value(self, token: Token) -> str:
        if token.kind == "path":
            return f"@{token.value}" + CRLF
        return f"{token.value}" + CRLF

    def resolve_path(self, token: Token, what: str) -> Path:
        if token.kind not in ("path", "string"):
            raise MonitorError(f"{what} expects a file path like @dir/file or \"/abs/file\", got {token.text!r}")
        text = str(token.value)
        if "://" in text:
            raise MonitorError(f"{what}: '{text}' is a URL; the built-in engine only loads local files")
        raw = Path(text).expanduser()
        if raw.is_absolute():
            if raw.exists():
                return raw
            raise MonitorError(f"{what}: file not found: {raw}")
        bases = [*self.path, self.cwd]
        for base in bases:
            candidate = base / raw
            if candidate.exists():
                return candidate
        raise MonitorError(f"{what}: file not found: {text} (looked in: {', '.join(str(b) for b in bases)})")

    @staticmethod
    def _int(token: Token, what: str) -> int:
        if token.kind == "int":
            return int(token.value)  # type: ignore[arg-type]
        if token.kind == "string":
            try:
                return int(str(token.value), 0)
            except ValueError:
                pass
        raise MonitorError(f"{what} expects a number (decimal or 0x hex), got {token.text!r}")

    @staticmethod
    def _bool(token: Token, what: str) -> bool:
        if token.kind == "bool":
            return bool(token.value)
        if token.kind == "string" and str(token.value).lower() in ("true", "false"):
            return str(token.value).lower() == "true"
        raise MonitorError(f"{what} expects true or false, got {token.text!r}")

    @staticmethod
    def _str(token: Token, what: str) -> str:
        if token.kind in ("string", "word"):
            return str(token.value)
        if token.kind in ("int", "float"):
            return token.text
        raise MonitorError(f"{what} expects a string, got {token.text!r}")

    @staticmethod
    def _arity(args: list[Token], low: int, high: int, usage: str) -> None:
        if not low <= len(args) <= high:
            got = " ".join(t.text for t in args) or "nothing"
            raise MonitorError(f"wrong arguments ({got}); usage: {usage}")

    def _machine(self) -> MachineHandle:
        if self.emulation.current is None:
            raise MonitorError("no machine selected: run `mach create` first")
        return self.emulation.current

    def _engine(self, what: str) -> Any:
        return self._machine().require_engine(what)

    def _stopped(self, what: str) -> None:
        if self.emulation.started:
            raise MonitorError(f"{what}: This action is not available when emulation is already started "
                               "(run `pause` first)")

    # -- machine ----------------------------------------------------------------------------------
    def _machine_LoadPlatformDescription(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        path = self.resolve_path(args[0], "machine LoadPlatformDescription")
        self._machine().load_platform(path)
        return ""

    def _machine_LoadPlatformDescriptionFromString(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        text = self._str(args[0], "machine LoadPlatformDescriptionFromString")
        # The engine reads files; a file next to the CWD keeps `using "./x"` meaning the same.
        with tempfile.NamedTemporaryFile("w", suffix=".repl", dir=self.cwd, delete=False,
                                         encoding="utf-8") as fh:
            fh.write(text)
        try:
            self._machine().load_platform(Path(fh.name))
        finally:
            os.unlink(fh.name)
        return ""

    def _machine_StartGdbServer(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 3, usage)
        port = self._int(args[0], "machine StartGdbServer")
        autostart = self._bool(args[1], "autostartEmulation") if len(args) > 1 else True
        handle = self._machine()
        handle.require_engine("machine StartGdbServer")
        factory = _find_gdb_factory()
        if factory is None:
            raise MonitorError("machine StartGdbServer: the GDB server is not available yet in rp2350-emu "
                               "(it is being written; use Renode for GDB debugging meanwhile)")
        if handle.gdb_server is not None:
            raise MonitorError(f"machine StartGdbServer: a GDB server is already running for {handle.name}")
        handle.gdb_server = factory(handle, port, autostart)
        return ""

    def _machine_StopGdbServer(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 0, 0, usage)
        handle = self._machine()
        if handle.gdb_server is None:
            raise MonitorError("machine StopGdbServer: no GDB server is running")
        handle.gdb_server.close()
        handle.gdb_server = None
        return ""

    # -- sysbus ------------------------------------------------------------------------------------
    def _sysbus_LoadELF(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 3, usage)
        self._stopped("sysbus LoadELF")
        if len(args) > 1 and self._bool(args[1], "useVirtualAddress"):
            raise MonitorError("sysbus LoadELF: useVirtualAddress=true is not supported (RP2350 images use "
                               "physical addresses)")
        path = self.resolve_path(args[0], "sysbus LoadELF")
        self._machine().load_elf(path)
        return ""

    def _bus_access(self, args: list[Token], usage: str, width: int, write: bool) -> str:
        self._arity(args, 2 if write else 1, 2 if write else 1, usage)
        address = self._int(args[0], "address")
        engine = self._engine("sysbus")
        from . import engine_api

        if write:
            engine_api.bus_write(engine, address, self._int(args[1], "value"), width)
            return ""
        return fmt_hex(engine_api.bus_read(engine, address, width), width)

    def _sysbus_GetSymbolAddress(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        name = self._str(args[0], "sysbus GetSymbolAddress")
        return fmt_hex(self._machine().symbol_address(name), 8)

    # -- cpu ------------------------------------------------------------------------------------------
    def _cpu_property(self, name: str, args: list[Token], usage: str, fmt: Callable[[int], str]) -> str:
        self._arity(args, 0, 1, usage)
        engine = self._engine(f"cpu {name}")
        from . import engine_api

        if args:
            engine_api.cpu_set(engine, name, self._int(args[0], f"cpu {name}"))
            return ""
        return fmt(engine_api.cpu_get(engine, name))

    def _cpu_VectorTableOffset(self, _t: Any, args: list[Token], usage: str) -> str:
        return self._cpu_property("VectorTableOffset", args, usage, lambda v: fmt_hex(v, 4))

    def _cpu_PC(self, _t: Any, args: list[Token], usage: str) -> str:
        return self._cpu_property("PC", args, usage, fmt_register)

    def _cpu_SP(self, _t: Any, args: list[Token], usage: str) -> str:
        return self._cpu_property("SP", args, usage, fmt_register)

    def _cpu_PerformanceInMips(self, _t: Any, args: list[Token], usage: str) -> str:
        return self._cpu_property("PerformanceInMips", args, usage, lambda v: fmt_hex(v, 4))

    # -- emulation --------------------------------------------------------------------------------
    def _emulation_RunFor(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        self._stopped("emulation RunFor")
        token = args[0]
        text = token.text if token.kind in ("int", "float") else self._str(token, "emulation RunFor")
        try:
            duration = parse_interval(text)
        except ValueError as exc:
            raise MonitorError(f"emulation RunFor: {exc}") from None
        self.emulation.runnable()
        self.emulation.start()
        try:
            self.emulation.advance(duration)
        finally:
            self.emulation.pause()
        return ""

    def _emulation_CreateServerSocketTerminal(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 2, 4, usage)
        port = self._int(args[0], "port")
        name = self._str(args[1], "terminal name")
        telnet = self._bool(args[2], "telnetMode") if len(args) > 2 else True
        flush = self._bool(args[3], "flushOnConnect") if len(args) > 3 else False
        self._new_external(name)
        self.externals[name] = TcpBridge(name, port, telnet=telnet, flush_on_connect=flush)
        return ""

    def _emulation_CreateUartPtyTerminal(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 2, 3, usage)
        name = self._str(args[0], "terminal name")
        link = self._str(args[1], "pty path") if args[1].kind != "path" else str(args[1].value)
        force = self._bool(args[2], "forceCreate") if len(args) > 2 else False
        self._new_external(name)
        bridge = PtyBridge(name, link, force=force)
        self.externals[name] = bridge
        return ""

    def _new_external(self, name: str) -> None:
        if name in self.externals:
            raise MonitorError(f"an external named '{name}' already exists")

    def _emulation_SetGlobalAdvanceImmediately(self, _t: Any, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        self.emulation.advance_immediately = self._bool(args[0], "SetGlobalAdvanceImmediately")
        return ""

    def _emulation_SetGlobalQuantum(self, _t: Any, args: list[Token], usage: str) -> str:
        # Kept for script compatibility: the engine has no quanta (time is exact), so it
        # only records the value; it cannot change any result.
        self._arity(args, 1, 1, usage)
        token = args[0]
        text = token.text if token.kind in ("int", "float") else self._str(token, "SetGlobalQuantum")
        parse_interval(text)
        self.quantum = text
        return ""

    # -- connector ----------------------------------------------------------------------------------
    def _connector_args(self, args: list[Token], usage: str) -> tuple[UartPort, UartBridge]:
        self._arity(args, 2, 2, usage)
        kind, port = self._resolve_object(self._str(args[0], "peripheral"))
        if kind != "UART":
            raise MonitorError(f"connector: '{args[0].text}' is not a UART")
        name = self._str(args[1], "terminal name")
        if name not in self.externals:
            raise MonitorError(f"connector: no terminal named '{name}' (create it with emulation "
                               "CreateServerSocketTerminal or CreateUartPtyTerminal)")
        return port, self.externals[name]

    def _connector_Connect(self, _t: Any, args: list[Token], usage: str) -> str:
        port, bridge = self._connector_args(args, usage)
        bridge.connect(port)
        self.emulation.attach_bridge(bridge)
        return ""

    def _connector_Disconnect(self, _t: Any, args: list[Token], usage: str) -> str:
        port, bridge = self._connector_args(args, usage)
        if bridge.port is not port:
            raise MonitorError(f"connector: '{bridge.name}' is not connected to {port.name}")
        bridge.disconnect()
        if bridge in self.emulation.bridges:
            self.emulation.bridges.remove(bridge)
        return ""

    # -- LED / button / UART -----------------------------------------------------------------------
    def _led_State(self, led: Led, args: list[Token], usage: str) -> str:
        self._arity(args, 0, 0, usage)
        return fmt_bool(led.state)

    def _button_Pressed(self, button: Button, args: list[Token], usage: str) -> str:
        self._arity(args, 0, 0, usage)
        return fmt_bool(button.pressed)

    def _uart_WriteChar(self, port: UartPort, args: list[Token], usage: str) -> str:
        self._arity(args, 1, 1, usage)
        value = self._int(args[0], "WriteChar")
        if not 0 <= value <= 0xFF:
            raise MonitorError(f"WriteChar expects a byte (0..0xFF), got {args[0].text}")
        port.inject(bytes([value]))
        return ""


# Button actions share one handler shape: no arguments, no output.
_BUTTON_ACTIONS: dict[str, Callable[[Button], None]] = {
    "Press": Button.press, "Release": Button.release, "Toggle": Button.toggle,
    "PressAndRelease": Button.press_and_release,
}


def _button_action(action: Callable[[Button], None]) -> Callable[..., str]:
    def handler(self: Monitor, button: Button, args: list[Token], usage: str) -> str:
        self._arity(args, 0, 0, usage)
        action(button)
        return ""
    return handler


for _name, _action in _BUTTON_ACTIONS.items():
    setattr(Monitor, f"_button_{_name}", _button_action(_action))

# Bus width variants share one handler.
for _w, _n in _WIDTHS.items():
    setattr(Monitor, f"_sysbus_Read{_w}",
            lambda self, _t, args, usage, n=_n: self._bus_access(args, usage, n, False))
    setattr(Monitor, f"_sysbus_Write{_w}",
            lambda self, _t, args, usage, n=_n: self._bus_access(args, usage, n, True))


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    lowered = [c for c in choices if str(c).lower() == word.lower()]
    pick = lowered[0] if lowered else (close[0] if close else None)
    return f" (did you mean '{pick}'?)" if pick else ""


# -- plain commands ----------------------------------------------------------------------------------

@_command("help", "help [command]", "list commands, or show one command's usage", aliases=("h", "?"))
def _help(mon: Monitor, args: list[Token], st: Statement) -> str:
    if args:
        word = str(args[0].value)
        if word in _COMMANDS:
            cmd = _COMMANDS[word]
            return f"{cmd.usage}{CRLF}    {cmd.summary}{CRLF}"
        if word in _METHODS:
            return "".join(f"{u}{CRLF}" for u in _METHODS[word].values())
        raise MonitorError(f"help: no command '{word}'" + _suggest(word, list(_COMMANDS) + list(_METHODS)))
    lines = ["Available commands:"]
    for cmd in sorted({id(c): c for c in _COMMANDS.values()}.values(), key=lambda c: c.name.lower()):
        alias = f"({', '.join(cmd.aliases)})" if cmd.aliases else ""
        lines.append(f"  {cmd.name:<14}{alias:<9} {cmd.summary}")
    lines.append("")
    lines.append("Objects and their methods:")
    for kind, methods in _METHODS.items():
        label = {"LED": "sysbus.gpio.led", "Button": "sysbus.gpio.button", "UART": "sysbus.uart0"}.get(kind, kind)
        lines.append(f"  {label}: {', '.join(methods)}")
    return CRLF.join(lines) + CRLF


@_command("mach", 'mach [create ["name"] | set "name"|N | rem "name" | clear]', "manage machines")
def _mach(mon: Monitor, args: list[Token], st: Statement) -> str:
    emu = mon.emulation
    if not args:
        lines = [f"{'*' if m is emu.current else ' '} {i}: {m.name}" for i, m in enumerate(emu.machines.values())]
        return CRLF.join(lines or ["no machines"]) + CRLF
    sub = str(args[0].value)
    rest = args[1:]
    if sub in ("create", "add"):
        Monitor._arity(rest, 0, 1, 'mach create ["name"]')
        previous = emu.current
        emu.create_machine(Monitor._str(rest[0], "machine name") if rest else None)
        if sub == "add" and previous is not None:
            emu.current = previous
        return ""
    if sub == "set":
        Monitor._arity(rest, 1, 1, 'mach set "name"|N')
        if rest[0].kind == "int":
            names = list(emu.machines)
            index = int(rest[0].value)  # type: ignore[arg-type]
            if not 0 <= index < len(names):
                raise MonitorError(f"mach set: no machine number {index}")
            emu.current = emu.machines[names[index]]
        else:
            emu.current = emu.machine(Monitor._str(rest[0], "machine name"))
        return ""
    if sub == "rem":
        Monitor._arity(rest, 1, 1, 'mach rem "name"')
        handle = emu.machine(Monitor._str(rest[0], "machine name"))
        del emu.machines[handle.name]
        if emu.current is handle:
            emu.current = None
        return ""
    if sub == "clear":
        Monitor._arity(rest, 0, 0, "mach clear")
        emu.current = None
        return ""
    raise MonitorError(f"mach: unknown subcommand '{sub}' (expected create, add, set, rem or clear)")


@_command("include", "include @file.resc|@file.repl", "run a monitor script, or load a platform file",
          aliases=("i",))
def _include(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 1, "include @file")
    path = mon.resolve_path(mon._expand(args[0], st), "include")
    suffix = path.suffix.lower()
    if suffix == ".repl":
        mon._machine().load_platform(path)
        return ""
    if suffix in (".py", ".cs"):
        raise MonitorError(f"include: {path.name} is a Renode plugin ({suffix}); the built-in engine models "
                           "peripherals in Python under src/rp2350_emu/peripherals instead")
    return mon.execute_script(path, st.where)


@_command("start", "start [@script.resc]", "start the emulation (time then flows while you wait)", aliases=("s",))
def _start(mon: Monitor, args: list[Token], st: Statement) -> str:
    out = ""
    if args:
        out = _include(mon, args, st)
    mon.emulation.runnable()
    if mon.emulation.started:
        return out + "Emulation is already started. Ignoring command" + CRLF
    mon.emulation.start()
    return out


@_command("pause", "pause", "pause the emulation", aliases=("p",))
def _pause(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 0, 0, "pause")
    mon.emulation.pause()
    return ""


@_command("quit", "quit", "leave the monitor", aliases=("q",))
def _quit(mon: Monitor, args: list[Token], st: Statement) -> str:
    raise MonitorQuit()


@_command("set", 'set name value', "set a variable (same as $name=value)")
def _set(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 2, 2, "set name value")
    mon.variables[Monitor._str(args[0], "variable name")] = mon._expand(args[1], st)
    return ""


@_command("macro", 'macro name """statements"""', "define a macro (run it with runMacro $name)")
def _macro(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 2, 2, 'macro name """statements"""')
    name = Monitor._str(args[0], "macro name")
    mon.macros[name] = (Monitor._str(args[1], "macro body"), st.where)
    return ""


@_command("runMacro", "runMacro $name", "run a macro")
def _run_macro(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 1, "runMacro $name")
    token = args[0]
    name = token.value[0] if token.kind == "var" else token.value  # type: ignore[index]
    if name not in mon.macros:
        raise MonitorError(f"runMacro: no macro named '{name}'"
                           + (f" (defined: {', '.join(mon.macros)})" if mon.macros else ""))
    body, defined_at = mon.macros[str(name)]
    try:
        # Body lines count from the `macro` statement, so errors point into the body.
        return mon.execute(body, f"macro {name} (defined at {defined_at}) body line", 0)
    except MonitorError as exc:
        exc.included_from.append(st.where)
        raise


@_command("logLevel", "logLevel [LEVEL [object]]", "show or set log levels (-1 Noisy .. 3 Error)")
def _log_level(mon: Monitor, args: list[Token], st: Statement) -> str:
    log = mon.emulation.log
    if not args:
        lines = [f"{type(b).__name__}: {LEVEL_NAMES.get(b.level, b.level)}" for b in log.backends]
        return CRLF.join(lines) + CRLF
    Monitor._arity(args, 1, 2, "logLevel [LEVEL [object]]")
    level = parse_level(args[0].value if args[0].kind in ("int", "word", "string") else args[0].text)
    if len(args) == 2:
        raise MonitorError("logLevel: per-object levels are not supported; set the global level instead")
    log.set_level(level)
    return ""


@_command("logFile", "logFile @path", "also write the log to a file")
def _log_file(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 1, "logFile @path")
    token = mon._expand(args[0], st)
    if token.kind not in ("path", "string"):
        raise MonitorError("logFile expects @path")
    path = Path(str(token.value))
    path = path if path.is_absolute() else mon.cwd / path
    backend = FileBackend(path)
    mon.log_files.append(backend)
    mon.emulation.log.add(backend)
    return ""


@_command("log", 'log "message"', "write a message to the log (Info)")
def _log(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 2, 'log "message" [LEVEL]')
    level = parse_level(args[1].value if args[1].kind != "path" else args[1].text) if len(args) > 1 \
        else LEVELS["Info"]
    mon.emulation.log.log(level, "", Monitor._str(mon._expand(args[0], st), "log"), mon.emulation.now_ns)
    return ""


@_command("lastLog", "lastLog [N]", "show the last N log entries (default 20)")
def _last_log(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 0, 1, "lastLog [N]")
    count = Monitor._int(args[0], "lastLog") if args else 20
    return "".join(e.format() + CRLF for e in mon.recent.entries[-count:])


@_command("showAnalyzer", "showAnalyzer sysbus.uart0", "log each line the UART sends (Info level)",
          aliases=("sa",))
def _show_analyzer(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 3, "showAnalyzer sysbus.uart0")
    objects = [a for a in args if a.kind == "word"]
    extra = [a for a in args if a.kind != "word"]
    if len(objects) != 1 or len(extra) > 1 or any(
            str(a.value) not in ("LoggingUartAnalyzer", "LoggingAnalyzer") and a.kind == "string" and
            a is not extra[0] for a in extra):
        raise MonitorError("showAnalyzer: usage: showAnalyzer sysbus.uart0")
    kind, port = mon._resolve_object(str(objects[0].value))
    if kind != "UART":
        raise MonitorError(f"showAnalyzer: '{objects[0].text}' is not a UART (only UART analyzers exist)")
    mon.analyzers.append(UartAnalyzer(mon.emulation, port))
    return ""


@_command("using", "using sysbus", "add an implicit name prefix")
def _using(mon: Monitor, args: list[Token], st: Statement) -> str:
    Monitor._arity(args, 1, 1, "using sysbus")
    prefix = Monitor._str(args[0], "using").rstrip(".") + "."
    if prefix not in mon.usings:
        mon.usings.insert(0, prefix)
    return ""


@_command("path", "path [add @dir | set @dir | reset]", "show or change where @paths are searched")
def _path(mon: Monitor, args: list[Token], st: Statement) -> str:
    if not args:
        return "; ".join(str(p) for p in [*mon.path, mon.cwd]) + CRLF
    sub = str(args[0].value)
    if sub == "reset":
        mon.path.clear()
        return ""
    if sub in ("add", "set") and len(args) == 2:
        token = mon._expand(args[1], st)
        if token.kind not in ("path", "string"):
            raise MonitorError(f"path {sub} expects @dir")
        directory = Path(str(token.value))
        directory = directory if directory.is_absolute() else mon.cwd / directory
        if not directory.is_dir():
            raise MonitorError(f"path {sub}: not a directory: {directory}")
        if sub == "set":
            mon.path.clear()
        mon.path.append(directory.resolve())
        return ""
    raise MonitorError("usage: path [add @dir | set @dir | reset]")


@_command("peripherals", "peripherals", "list the current machine's peripherals")
def _peripherals(mon: Monitor, args: list[Token], st: Statement) -> str:
    handle = mon._machine()
    lines = [f"Available peripherals of {handle.name}:", "  sysbus"]
    lines += [f"    {name}" for name in handle.peripheral_names()]
    lines += [f"    {d[1]}.{name} ({d[0]}, pin {d[2]})" for name, d in handle.gpio_devices.items()]
    return CRLF.join(lines) + CRLF


@_command("version", "version", "show the engine version")
def _version(mon: Monitor, args: list[Token], st: Statement) -> str:
    from . import __version__

    return f"rp2350-emu {__version__} (Renode-compatible monitor)" + CRLF


@_command("Save", "Save @file", "save a snapshot (not supported by the built-in engine)")
def _save(mon: Monitor, args: list[Token], st: Statement) -> str:
    raise MonitorError("Save: snapshots are not supported by the built-in engine; runs are deterministic, "
                       "so re-running the test reproduces the state instead")


# -- interactive / script front end ----------------------------------------------------------------

class BackgroundRunner:
    """While the emulation is started, advance it in the background paced to wall time."""

    SLICE_NS = 10_000_000

    def __init__(self, emulation: Emulation, on_error: Callable[[str], None]) -> None:
        self.emulation = emulation
        self.on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="emulation", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            emu = self.emulation
            if not emu.started:
                self._stop.wait(0.02)
                continue
            try:
                with emu.lock:
                    if not emu.started:
                        continue
                    emu.advance(self.SLICE_NS)
                    now = emu.now_ns
                if not emu.advance_immediately:
                    emu.pacer.pace(now)  # sleep outside the lock so commands get in
            except HarnessError as exc:
                emu.pause()
                self.on_error(f"emulation paused: {exc}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


HISTORY_FILE = Path.home() / ".rp2350_emu_history"


def run_monitor_cli(script: str | None, commands: list[str], interactive: bool | None = None,
                    emulation: Emulation | None = None) -> int:
    """`rp2350-emu monitor [FILE.resc] [-e CMD]...`: script first, then a prompt or stdin lines."""
    out = sys.stdout

    def write(text: str) -> None:
        out.write(text.replace(CRLF, "\n"))
        out.flush()

    emu = emulation or Emulation()
    monitor = Monitor(emu, write=write)
    emu.log.add(ConsoleBackend(write))
    runner = BackgroundRunner(emu, lambda msg: write(msg + "\n"))
    status = 0
    try:
        if script:
            try:
                with emu.lock:
                    write(monitor.execute_script(Path(script)))
            except MonitorError as exc:
                sys.stderr.write(f"error: {exc}\n")
                return 1
        for command in commands:
            try:
                with emu.lock:
                    write(monitor.execute(command, "<-e>"))
            except MonitorError as exc:
                sys.stderr.write(f"error: {exc}\n")
                return 1
        if interactive is None:
            interactive = sys.stdin.isatty()
        status = _interactive(monitor, write) if interactive else _from_stdin(monitor, write)
    except MonitorQuit:
        status = 0
    except KeyboardInterrupt:
        status = 130
    finally:
        runner.close()
        emu.close()
    return status


def _prompt(monitor: Monitor) -> str:
    current = monitor.emulation.current
    return f"({current.name}) " if current else "(monitor) "


def _interactive(monitor: Monitor, write: Callable[[str], None]) -> int:
    try:
        import readline
    except ImportError:  # pragma: no cover - readline ships with CPython on Linux/macOS
        readline = None  # type: ignore[assignment]
    if readline is not None:
        try:
            readline.read_history_file(HISTORY_FILE)
        except OSError:
            pass
        readline.set_history_length(1000)
    number = 0
    try:
        while True:
            try:
                line = input(_prompt(monitor))
            except EOFError:
                write("\n")
                return 0
            number += 1
            if not line.strip():
                continue
            try:
                with monitor.emulation.lock:
                    write(monitor.execute(line, "<stdin>", number))
            except MonitorQuit:
                return 0
            except MonitorError as exc:
                write(f"error: {exc}\n")
    finally:
        if readline is not None:
            try:
                readline.write_history_file(HISTORY_FILE)
            except OSError:
                pass


def _from_stdin(monitor: Monitor, write: Callable[[str], None]) -> int:
    """Script mode: statements from stdin; the first error stops with status 1.

    If the script leaves the emulation started, keep running (paced) until
    interrupted, as Renode does.
    """
    source = sys.stdin.read()
    try:
        with monitor.emulation.lock:
            write(monitor.execute(source, "<stdin>"))
    except MonitorQuit:
        return 0
    except MonitorError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    while monitor.emulation.started:
        threading.Event().wait(0.2)
    return 0
