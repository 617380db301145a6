"""The Renode monitor for the built-in engine: same commands, spellings and output.

This module is the interpreter: statements, variables, paths and the
dispatch to commands (commands.py) and object methods (methods_*.py),
declared with the decorators of registry.py; output follows format.py.

Anything the monitor does not implement is an error that names the command
and the file:line it came from; nothing is silently ignored.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.board import Board
from rp2350_emu.harness.bridges import UartBridge
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import CacheBackend, FileBackend
from rp2350_emu.monitor.analyzer import UartAnalyzer
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.format import CRLF, suggest
from rp2350_emu.monitor.registry import COMMANDS, METHODS
from rp2350_emu.monitor.script import (
    ScriptSyntaxError,
    Statement,
    Token,
    read_script,
    split_statements,
    tokenize,
)

#: starts a GDB server for `machine StartGdbServer`: (emulation, machine, port, autostart,
#: monitor command runner) -> an object with close()
GdbServerFactory = Callable[[Emulation, Board, int, bool, Callable[[str], str]], Any]


class Monitor:
    """One monitor bound to an emulation (Renode has one per process)."""

    def __init__(self, emulation: Emulation, cwd: Path | None = None,
                 write: Callable[[str], None] | None = None,
                 gdb_server_factory: GdbServerFactory | None = None) -> None:
        self.emulation = emulation
        self.gdb_server_factory = gdb_server_factory
        self.cwd = Path(cwd or os.getcwd()).resolve()
        self.write = write  # where `start`-time messages go (interactive); None: returned only
        self.variables: dict[str, Token] = {}
        self.macros: dict[str, tuple[str, str]] = {}  # name -> (body, where defined)
        self.path: list[Path] = []
        self.usings: list[str] = ["sysbus."]
        self.origin_stack: list[Path] = []
        self.script_stack: list[Path] = []  # the scripts being run, outermost first (include cycles)
        self.externals: dict[str, UartBridge] = {}
        self.analyzers: list[UartAnalyzer] = []
        self.quantum = "0.0001"
        self.recent = CacheBackend(limit=10_000)
        self.log_files: list[FileBackend] = []
        self.cancel = threading.Event()  # set by Ctrl-C: a long command (RunFor) stops at its next look
        self.stream: Callable[[str], None] | None = None  # set: each statement's output goes there at once
        emulation.log.add(self.recent)
        emulation.on_clear.append(self._emulation_cleared)

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

    def execute(self, text: str, file: str = "<command>", line: int = 1) -> str:
        """Run one or more statements; returns their output (CRLF line ends)."""
        try:
            statements = split_statements(text, file, line)
        except ScriptSyntaxError as exc:
            raise MonitorError(exc.message, exc.where) from None
        return self._run_all(statements)

    def _run_all(self, statements: list[Statement], where: str = "") -> str:
        """Run statements in order; output goes to `stream` as it comes, or is returned. On an
        error, the output of the statements before it is kept on the error (`output`)."""
        out: list[str] = []
        for st in statements:
            try:
                text = self.run_statement(st)
            except MonitorError as exc:
                if where:
                    exc.included_from.append(where)
                exc.output = "".join(out) + exc.output
                raise
            if self.stream is not None:
                self.stream(text)
            else:
                out.append(text)
        return "".join(out)

    def execute_script(self, path: Path, where: str = "") -> str:
        path = Path(path)
        if not path.is_file():
            raise MonitorError(f"script not found: {path}", where)
        try:
            statements = read_script(path)
        except ScriptSyntaxError as exc:
            raise MonitorError(exc.message, exc.where or where) from None
        key = path.resolve()
        chain = [*self.script_stack, key]
        if key in self.script_stack:
            raise MonitorError("include: " + " -> ".join(map(str, chain)) + " includes itself; a script "
                               "cannot include a script that is running (remove that include)", where)
        self.origin_stack.append(key.parent)
        self.script_stack.append(key)
        try:
            return self._run_all(statements, where)
        finally:
            self.origin_stack.pop()
            self.script_stack.pop()

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
        if name in COMMANDS:
            return COMMANDS[name].handler(self, tokens[1:], st)
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
            if dev is not None and (len(parts) == 1 or (len(parts) == 2 and parts[0] == dev.controller)):
                return dev.kind, handle.led(parts[-1]) if dev.kind == "LED" else handle.button(parts[-1])
            if len(parts) == 1 and handle.has_uart(bare):
                return "UART", handle.uart(bare)
            if len(parts) == 1:
                try:
                    return "peripheral", handle.engine_peripheral(bare)
                except HarnessError:
                    pass
        elif name == "cpu" or bare == "cpu":
            raise MonitorError("cpu: no platform loaded yet (run `machine LoadPlatformDescription "
                               "@platforms/boards/pico2.repl` first)")
        raise MonitorError(f"unknown command or object '{name}'" + suggest(name, self._known_names())
                           + " (type 'help' for the list)")

    def _cpu_names(self, handle: Board) -> set[str]:
        names = {"cpu"}
        names.add(handle.engine.cpu_name)
        return names

    def _known_names(self) -> list[str]:
        names = list(COMMANDS) + ["machine", "emulation", "connector", "sysbus", "cpu"]
        handle = self.emulation.current
        if handle is not None:
            names += [f"sysbus.{n}" for n in handle.peripheral_names()]
            names += [f"sysbus.{d.controller}.{n}" for n, d in handle.gpio_devices.items()]
        return names

    def _object_call(self, kind: str, target: Any, name: str, args: list[Token], st: Statement) -> str:
        methods = METHODS.get(kind, {})
        if not args:
            listing = ", ".join(sorted(methods)) or "none"
            return f"{name}: available methods and properties: {listing}" + CRLF
        method_token, rest = args[0], args[1:]
        method = str(method_token.value) if method_token.kind == "word" else method_token.text
        if method not in methods:
            raise MonitorError(f"'{name}' has no method or property '{method}'" + suggest(method, methods)
                               + (f" (available: {', '.join(sorted(methods))})" if methods else
                                  " (the built-in engine offers no monitor methods for it)"))
        entry = methods[method]
        return entry.handler(self, target, rest, entry.usage)

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

    def _machine(self) -> Board:
        if self.emulation.current is None:
            raise MonitorError("no machine selected: run `mach create` first")
        return self.emulation.current

    def _engine(self, what: str) -> Any:
        return self._machine().require_engine(what)

    def _stopped(self, what: str) -> None:
        if self.emulation.started:
            raise MonitorError(f"{what}: This action is not available when emulation is already started "
                               "(run `pause` first)")
