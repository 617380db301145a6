"""Renode's Robot keywords for the built-in engine.

`RenodeKeywords` is a Robot *dynamic* library: it publishes Renode's keyword
names with no argument specs, exactly like Renode's remote keyword server,
so Robot passes every argument through as given and we parse `name=value`
ourselves (see args.py). Import it the way Renode's resource does::

    Import Library    rp2350_emu.robot_keywords.RenodeKeywords    AS    Renode

or use the resource `renode-keywords.robot` next to this file (``RESOURCE``),
which `rp2350-emu test` injects into every suite as `renode-test` does.

Time: waits and asserts advance virtual time; Robot's `Sleep` advances
virtual time too while the emulation is started (see `install_virtual_sleep`).
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..emulation import CacheBackend, Emulation, HarnessError, describe_uart_transcript
from ..led_tester import LedTester
from ..log_tester import LogTester, require_log_tester
from ..monitor import Monitor, MonitorError
from ..terminal_tester import END_LINE_OPTIONS, LineMatch, TerminalTester
from ..vtime import NS_PER_S, format_ns, seconds_to_ns
from .args import Param, bind

RESOURCE = Path(__file__).with_name("renode-keywords.robot")

_active: RenodeKeywords | None = None

P = Param
_OPT_F = "float?"
_TESTER = P("testerId", "int?", None)
_PAUSE_N = P("pauseEmulation", "bool?", None)
_LOG_LEVEL = "enum:Noisy|Debug|Info|Warning|Error?"

# name -> (C# parameters in order, method name)
KEYWORDS: dict[str, tuple[tuple[Param, ...], str]] = {
    # emulation
    "Reset Emulation": ((), "reset_emulation"),
    "Start Emulation": ((), "start_emulation"),
    "Execute Command": ((P("command", "str"), P("machine", "str", None)), "execute_command"),
    "Execute Script": ((P("path", "str"),), "execute_script"),
    "Execute Python": ((P("command", "str"), P("machine", "str", None)), "execute_python"),
    "Provides": ((P("state", "str"), P("type", "enum:Serialization|Reexecution", "Serialization")), "provides"),
    "Requires": ((P("state", "str"),), "requires"),
    "Wait For Pause": ((P("timeout", "float"),), "wait_for_pause"),
    "Wait For Gdb Connection": ((P("port", "int"), P("machine", "str", None), P("pauseToWait", "bool", True),
                                 P("acceptRunningServer", "bool", True)), "wait_for_gdb"),
    "Allocate Temporary File": ((), "allocate_temporary_file"),
    "Allocate Temporary Directory": ((P("dirName", "str", None),), "allocate_temporary_directory"),
    "Download File": ((P("uri", "str"),), "download_file"),
    "Create Log Tester": ((P("timeout", "float"), P("defaultPauseEmulation", "bool?", None),
                           P("maxLogEntries", "int", 1_000_000)), "create_log_tester"),
    "Wait For Log Entry": ((P("pattern", "str"), P("timeout", _OPT_F, None), P("keep", "bool", False),
                            P("treatAsRegex", "bool", False), _PAUSE_N, P("level", _LOG_LEVEL, None),
                            P("startEmulation", "bool", True)), "wait_for_log_entry"),
    "Should Not Be In Log": ((P("pattern", "str"), P("timeout", _OPT_F, None), P("treatAsRegex", "bool", False),
                              _PAUSE_N, P("level", _LOG_LEVEL, None)), "should_not_be_in_log"),
    "Register Failing Log String": ((P("pattern", "str"), P("treatAsRegex", "bool", False)),
                                    "register_failing_log_string"),
    "Unregister Failing Log String": ((P("pattern", "str"), P("treatAsRegex", "bool", False)),
                                      "unregister_failing_log_string"),
    "Clear Log Tester History": ((), "clear_log_tester_history"),
    "Log To File": ((P("filePath", "str"), P("flushAfterEveryWrite", "bool", False)), "log_to_file"),
    "Enable Logging To Cache": ((), "enable_logging_to_cache"),
    "Save Cached Log": ((P("filePath", "str"),), "save_cached_log"),
    "Clear Cached Log": ((), "clear_cached_log"),
    "Stop Remote Server": ((), "stop_remote_server"),
    "Handle Hot Spot": ((P("action", "enum:None|Pause|Serialize"),), "handle_hot_spot"),
    "Log Emulation State": ((), "log_emulation_state"),
    # UART
    "Set Default Uart Timeout": ((P("timeout", "float"),), "set_default_uart_timeout"),
    "Create Terminal Tester": ((P("uart", "str"), P("timeout", _OPT_F, None), P("machine", "str", None),
                                P("endLineOption", "enum:" + "|".join(END_LINE_OPTIONS) + "?", None),
                                P("defaultPauseEmulation", "bool?", None), P("defaultWaitForEcho", "bool?", None),
                                P("defaultMatchNextLine", "bool?", None), P("binaryMode", "bool", False)),
                               "create_terminal_tester"),
    "Set Default Tester": ((P("id", "int?"),), "set_default_tester"),
    "Wait For Line On Uart": ((P("content", "str"), P("timeout", _OPT_F, None), _TESTER,
                               P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False),
                               _PAUSE_N, P("matchNextLine", "bool?", None)), "wait_for_line_on_uart"),
    "Wait For Prompt On Uart": ((P("prompt", "str"), _TESTER, P("timeout", _OPT_F, None),
                                 P("treatAsRegex", "bool", False), _PAUSE_N), "wait_for_prompt_on_uart"),
    "Wait For Lines On Uart": ((P("content", "str[]"), P("timeout", _OPT_F, None), _TESTER,
                                P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False),
                                _PAUSE_N, P("matchFromNextLine", "bool", False)), "wait_for_lines_on_uart"),
    "Wait For Next Line On Uart": ((P("timeout", _OPT_F, None), _TESTER, _PAUSE_N), "wait_for_next_line_on_uart"),
    "Wait For Bytes On Uart": ((P("content", "str"), P("timeout", _OPT_F, None), _TESTER,
                                P("treatAsRegex", "bool", False), _PAUSE_N, P("matchStart", "bool", False)),
                               "wait_for_bytes_on_uart"),
    "Should Not Be On Uart": ((P("content", "str"), P("timeout", _OPT_F, None), _TESTER,
                               P("treatAsRegex", "bool", False), P("includeUnfinishedLine", "bool", False)),
                              "should_not_be_on_uart"),
    "Write Line To Uart": ((P("content", "str", ""), _TESTER, P("waitForEcho", "bool?", None), _PAUSE_N),
                           "write_line_to_uart"),
    "Write To Uart": ((P("content", "str"), _TESTER), "write_to_uart"),
    "Write Char On Uart": ((P("c", "char"), _TESTER), "write_char_on_uart"),
    "Send Key To Uart": ((P("c", "byte"), _TESTER), "send_key_to_uart"),
    "Test If Uart Is Idle": ((P("timeout", "float"), _TESTER, _PAUSE_N), "test_if_uart_is_idle"),
    "Write Char Delay": ((P("delay", "float"), _TESTER), "write_char_delay"),
    "Register Failing Uart String": ((P("pattern", "str"), P("treatAsRegex", "bool", False), _TESTER),
                                     "register_failing_uart_string"),
    "Unregister Failing Uart String": ((P("pattern", "str"), P("treatAsRegex", "bool", False), _TESTER),
                                       "unregister_failing_uart_string"),
    "Get Terminal Tester Report": ((_TESTER,), "get_terminal_tester_report"),
    "Clear Terminal Tester Report": ((_TESTER,), "clear_terminal_tester_report"),
    # LED
    "Set Default LED Timeout": ((P("timeout", "float"),), "set_default_led_timeout"),
    "Create LED Tester": ((P("led", "str"), P("defaultTimeout", _OPT_F, None), P("machine", "str", None)),
                          "create_led_tester"),
    "Assert LED State": ((P("state", "bool"), P("timeout", _OPT_F, None), _TESTER,
                          P("pauseEmulation", "bool", False)), "assert_led_state"),
    "Assert And Hold LED State": ((P("initialState", "bool"), P("timeoutAssert", "float"),
                                   P("timeoutHold", "float"), _TESTER, P("pauseEmulation", "bool", False)),
                                  "assert_and_hold_led_state"),
    "Assert LED Is Blinking": ((P("testDuration", "float"), P("onDuration", "float"), P("offDuration", "float"),
                                P("tolerance", "float", 0.05), _TESTER, P("pauseEmulation", "bool", False)),
                               "assert_led_is_blinking"),
    "Assert LED Duty Cycle": ((P("testDuration", "float"), P("expectedDutyCycle", "float"),
                               P("tolerance", "float", 0.05), _TESTER, P("pauseEmulation", "bool", False)),
                              "assert_led_duty_cycle"),
    # CPU
    "PC Should Be Equal": ((P("value", "int"), P("machine", "str", None), P("cpuName", "str", None)),
                           "pc_should_be_equal"),
    "Register Should Be Equal": ((P("register", "reg"), P("value", "int"), P("machine", "str", None),
                                  P("cpuName", "str", None), P("message", "str", None)),
                                 "register_should_be_equal"),
    "Run Until Breakpoint": ((P("timeout", _OPT_F, None), P("machine", "str", None), P("cpuName", "str", None),
                              P("address", "int?", None)), "run_until_breakpoint"),
}

#: keywords whose calls are recorded for `Provides`/`Requires` replay
_NOT_REPLAYED = {"Provides", "Requires", "Reset Emulation", "Log Emulation State", "Save Cached Log",
                 "Get Terminal Tester Report", "Stop Remote Server"}


def _ns(seconds: float | None) -> int | None:
    return None if seconds is None else seconds_to_ns(seconds)


def _result(match: LineMatch | None) -> Any:
    from robot.utils import DotDict

    if match is None:
        return None
    return DotDict(Line=match.line, Timestamp=match.timestamp_ms, Groups=list(match.groups),
                   IsFailingString=match.is_failing_string)


def _pick(testers: list[Any], tester_id: int | None, kind: str, create: str) -> Any:
    """Renode's tester choice: by id; else the only one; several without an id is an error."""
    if tester_id is not None:
        if not 0 <= tester_id < len(testers):
            raise HarnessError(f"{kind} for given ID={tester_id} was not found. Did you forget to call `{create}`?")
        return testers[tester_id]
    if not testers:
        raise HarnessError(f"There is no {kind.lower()}. Did you forget to call `{create}`?")
    if len(testers) > 1:
        raise HarnessError("There is more than one tester available - please specify ID")
    return testers[0]


class RenodeKeywords:
    """Renode's keyword set (emulation, UART, LED, CPU) over the built-in engine."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def __init__(self, machine_factory: Callable[[str], Any] | None = None, cwd: str | None = None) -> None:
        global _active
        self.emulation = Emulation(machine_factory)
        self.monitor = Monitor(self.emulation, cwd=Path(cwd) if cwd else None)
        self.uart_timeout_s: float | int = 8
        self.led_timeout_s: float | int = 0
        self.default_pause = False
        self.default_wait_for_echo = True
        self.default_match_next_line = False
        self.cache: CacheBackend | None = None
        self.states: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
        self.history: list[tuple[str, tuple[Any, ...]]] = []
        self._replaying = False
        self._reset_testers()
        install_virtual_sleep()
        _active = self

    def _reset_testers(self) -> None:
        self.uart_testers: list[TerminalTester] = []
        self.default_uart_tester: int | None = None
        self.led_testers: list[LedTester] = []
        self.log_tester: LogTester | None = None

    # -- Robot dynamic library API ----------------------------------------------------------
    def get_keyword_names(self) -> list[str]:
        return list(KEYWORDS)

    def get_keyword_arguments(self, name: str) -> list[str]:
        return ["*args"]  # like Renode's server: Robot passes everything through

    def get_keyword_documentation(self, name: str) -> str:
        if name in ("__intro__", "__init__"):
            return __doc__ or ""
        params, _ = KEYWORDS[name]
        return f"Renode keyword. Arguments: {', '.join(p.signature() for p in params) or 'none'}"

    def run_keyword(self, name: str, args: list[Any]) -> Any:
        params, method = KEYWORDS[name]
        values = bind(name, params, args)
        result = getattr(self, method)(**values)
        if not self._replaying and name not in _NOT_REPLAYED:
            self.history.append((name, tuple(args)))
        return result

    # -- emulation ------------------------------------------------------------------------------
    def reset_emulation(self) -> None:
        for tester in self.uart_testers:
            tester.detach()
        if self.log_tester is not None:
            self.log_tester.detach()
        self._reset_testers()
        self.emulation.clear()
        self.history = []

    def start_emulation(self) -> None:
        self.emulation.runnable()
        self.emulation.start()

    def execute_command(self, command: str, machine: str | None) -> str:
        if machine is not None:
            self.emulation.current = self.emulation.machine(machine)
        try:
            return self.monitor.execute(command)
        except MonitorError as exc:
            raise HarnessError(f"Could not execute command '{command}': {exc}") from None

    def execute_script(self, path: str) -> str:
        try:
            return self.monitor.execute_script(Path(path))
        except MonitorError as exc:
            raise HarnessError(f"Could not execute script '{path}': {exc}") from None

    def execute_python(self, command: str, machine: str | None) -> None:
        raise HarnessError("Execute Python: the built-in engine has no IronPython; use Robot's own Python "
                           "(Evaluate) or a monitor command instead")

    def provides(self, state: str, type: str) -> None:
        # The engine is deterministic, so replaying the recorded keywords rebuilds the
        # state exactly; that serves both of Renode's modes without snapshots.
        self.states[state] = list(self.history)

    def requires(self, state: str) -> None:
        if state not in self.states:
            raise HarnessError(f"Required state '{state}' was not provided: run the test that calls "
                               f"`Provides  {state}` first")
        recorded = self.states[state]
        self.reset_emulation()
        self._replaying = True
        try:
            for name, args in recorded:
                if name == "Sleep":
                    advance_virtual_seconds(self, float(args[0]))
                else:
                    self.run_keyword(name, list(args))
        finally:
            self._replaying = False
        self.history = list(recorded)

    def wait_for_pause(self, timeout: float) -> None:
        if not self.emulation.started:
            return
        self.emulation.advance(seconds_to_ns(timeout), lambda: not self.emulation.started)
        if self.emulation.started:
            raise HarnessError(f"Emulation did not pause within {timeout} s of virtual time")

    def wait_for_gdb(self, port: int, machine: str | None, pauseToWait: bool, acceptRunningServer: bool) -> None:
        raise HarnessError("Wait For Gdb Connection: the GDB server is not available yet in rp2350-emu")

    def allocate_temporary_file(self) -> str:
        fd, path = tempfile.mkstemp(prefix="rp2350-emu-")
        os.close(fd)
        return path

    def allocate_temporary_directory(self, dirName: str | None) -> str:
        return tempfile.mkdtemp(prefix=(dirName or "rp2350-emu") + "-")

    def download_file(self, uri: str) -> str:
        raise HarnessError(f"Download File: downloads are not supported ({uri}); keep test inputs in the "
                           "repository and use ${CURDIR}-relative paths")

    def create_log_tester(self, timeout: float, defaultPauseEmulation: bool | None, maxLogEntries: int) -> None:
        if self.log_tester is not None:
            self.log_tester.detach()
        self.log_tester = LogTester(self.emulation, seconds_to_ns(timeout), bool(defaultPauseEmulation),
                                    maxLogEntries)

    def wait_for_log_entry(self, pattern: str, timeout: float | None, keep: bool, treatAsRegex: bool,
                           pauseEmulation: bool | None, level: str | None, startEmulation: bool) -> str:
        return require_log_tester(self.log_tester).wait_for_entry(
            pattern, _ns(timeout), keep, treatAsRegex, pauseEmulation, level, startEmulation)

    def should_not_be_in_log(self, pattern: str, timeout: float | None, treatAsRegex: bool,
                             pauseEmulation: bool | None, level: str | None) -> None:
        require_log_tester(self.log_tester).should_not_be_in_log(pattern, _ns(timeout), treatAsRegex,
                                                                 pauseEmulation, level)

    def register_failing_log_string(self, pattern: str, treatAsRegex: bool) -> None:
        require_log_tester(self.log_tester).failing.append((pattern, treatAsRegex))

    def unregister_failing_log_string(self, pattern: str, treatAsRegex: bool) -> None:
        tester = require_log_tester(self.log_tester)
        if (pattern, treatAsRegex) not in tester.failing:
            raise HarnessError(f"'{pattern}' is not a registered failing log string")
        tester.failing.remove((pattern, treatAsRegex))

    def clear_log_tester_history(self) -> None:
        require_log_tester(self.log_tester).clear()

    def log_to_file(self, filePath: str, flushAfterEveryWrite: bool) -> None:
        self.monitor.execute(f'logFile @"{filePath}"')

    def enable_logging_to_cache(self) -> None:
        if self.cache is None:
            self.cache = CacheBackend()
            self.emulation.log.add(self.cache)

    def save_cached_log(self, filePath: str) -> None:
        path = Path(filePath)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.cache.text() if self.cache is not None else ""
        path.write_text(text + self._state_report(), encoding="utf-8")

    def clear_cached_log(self) -> None:
        if self.cache is not None:
            self.cache.entries.clear()

    def stop_remote_server(self) -> None:
        """No server process exists: the keywords run inside Robot's own process."""

    def handle_hot_spot(self, action: str) -> None:
        if action != "None":
            raise HarnessError("Handle Hot Spot: snapshots and hot-spot pauses are not supported")

    def log_emulation_state(self) -> None:
        """Harness addition (not a Renode keyword): UART transcripts and pin history into Robot's log."""
        from robot.api import logger

        logger.info(self._state_report())

    def _state_report(self) -> str:
        parts = []
        for handle in self.emulation.machines.values():
            if handle.engine is None:
                continue
            parts.append(f"== {handle.name} at virtual {format_ns(handle.now_ns)}"
                         + (f" (stopped: {handle.halted})" if handle.halted else ""))
            for name, port in handle._uarts.items():
                parts.append(f"-- {name} output ({len(port.transcript)} bytes):\n"
                             + describe_uart_transcript(port.transcript))
                if port.rx_transcript:
                    parts.append(f"-- {name} input:\n" + describe_uart_transcript(port.rx_transcript))
            history = handle.pin_history()
            if history:
                parts.append("-- pin changes (virtual s, pin, level):\n" + "\n".join(
                    f"{t / NS_PER_S:.6f} GPIO{pin} {'high' if level else 'low'}" for t, pin, level in history[-200:]))
        return "\n".join(parts) + ("\n" if parts else "")

    # -- UART -----------------------------------------------------------------------------------
    def set_default_uart_timeout(self, timeout: float) -> None:
        self.uart_timeout_s = timeout

    def _peripheral_path(self, path: str, what: str) -> str:
        if not path.startswith("sysbus."):
            raise HarnessError(f"Peripheral for machine not found or of wrong type: {path} ({what} names are "
                               f"full paths starting with 'sysbus.', e.g. sysbus.{path})")
        return path[len("sysbus."):]

    def create_terminal_tester(self, uart: str, timeout: float | None, machine: str | None,
                               endLineOption: str | None, defaultPauseEmulation: bool | None,
                               defaultWaitForEcho: bool | None, defaultMatchNextLine: bool | None,
                               binaryMode: bool) -> int:
        handle = self.emulation.machine(machine)
        name = self._peripheral_path(uart, "UART")
        if not handle.has_uart(name):
            raise HarnessError(f"Peripheral for machine {handle.name} not found or of wrong type: {uart}")
        port = handle.uart(name)
        # Renode keeps these per keyword provider: each call overwrites them for all testers.
        self.default_pause = bool(defaultPauseEmulation)
        self.default_wait_for_echo = True if defaultWaitForEcho is None else defaultWaitForEcho
        self.default_match_next_line = bool(defaultMatchNextLine)
        for index, tester in enumerate(self.uart_testers):
            if tester.port is port:
                return index
        seconds = self.uart_timeout_s if timeout is None else timeout
        tester = TerminalTester(self.emulation, port, seconds_to_ns(seconds),
                                endLineOption or END_LINE_OPTIONS[0], binaryMode)
        self.uart_testers.append(tester)
        return len(self.uart_testers) - 1

    def set_default_tester(self, id: int | None) -> None:
        if id is not None and not 0 <= id < len(self.uart_testers):
            raise HarnessError(f"There is no tester with ID {id}")
        self.default_uart_tester = id

    def _uart(self, tester_id: int | None) -> TerminalTester:
        return _pick(self.uart_testers, self.default_uart_tester if tester_id is None else tester_id,
                     "Terminal tester", "Create Terminal Tester")

    def _pause(self, value: bool | None) -> bool:
        return self.default_pause if value is None else value

    def wait_for_line_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                              treatAsRegex: bool, includeUnfinishedLine: bool, pauseEmulation: bool | None,
                              matchNextLine: bool | None) -> Any:
        next_line = self.default_match_next_line if matchNextLine is None else matchNextLine
        return _result(self._uart(testerId).wait_for_line(content, _ns(timeout), treatAsRegex,
                                                          includeUnfinishedLine, self._pause(pauseEmulation),
                                                          next_line))

    def wait_for_prompt_on_uart(self, prompt: str, testerId: int | None, timeout: float | None,
                                treatAsRegex: bool, pauseEmulation: bool | None) -> Any:
        return _result(self._uart(testerId).wait_for_line(prompt, _ns(timeout), treatAsRegex, True,
                                                          self._pause(pauseEmulation)))

    def wait_for_lines_on_uart(self, content: list[str], timeout: float | None, testerId: int | None,
                               treatAsRegex: bool, includeUnfinishedLine: bool, pauseEmulation: bool | None,
                               matchFromNextLine: bool) -> Any:
        return _result(self._uart(testerId).wait_for_lines(content, _ns(timeout), treatAsRegex,
                                                           includeUnfinishedLine, self._pause(pauseEmulation),
                                                           matchFromNextLine))

    def wait_for_next_line_on_uart(self, timeout: float | None, testerId: int | None,
                                   pauseEmulation: bool | None) -> Any:
        return _result(self._uart(testerId).wait_for_next_line(_ns(timeout), self._pause(pauseEmulation)))

    def wait_for_bytes_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                               treatAsRegex: bool, pauseEmulation: bool | None, matchStart: bool) -> Any:
        return _result(self._uart(testerId).wait_for_bytes(content, _ns(timeout), treatAsRegex,
                                                           self._pause(pauseEmulation), matchStart))

    def should_not_be_on_uart(self, content: str, timeout: float | None, testerId: int | None,
                              treatAsRegex: bool, includeUnfinishedLine: bool) -> None:
        self._uart(testerId).should_not_be_on_uart(content, _ns(timeout), treatAsRegex, includeUnfinishedLine)

    def write_line_to_uart(self, content: str, testerId: int | None, waitForEcho: bool | None,
                           pauseEmulation: bool | None) -> None:
        echo = self.default_wait_for_echo if waitForEcho is None else waitForEcho
        self._uart(testerId).write_line(content, echo, self._pause(pauseEmulation))

    def write_to_uart(self, content: str, testerId: int | None) -> None:
        self._uart(testerId).write(content)

    def write_char_on_uart(self, c: str, testerId: int | None) -> None:
        self._uart(testerId).write(c)

    def send_key_to_uart(self, c: int, testerId: int | None) -> None:
        self._uart(testerId).write(chr(c))

    def test_if_uart_is_idle(self, timeout: float, testerId: int | None, pauseEmulation: bool | None) -> None:
        self._uart(testerId).test_if_idle(seconds_to_ns(timeout), self._pause(pauseEmulation))

    def write_char_delay(self, delay: float, testerId: int | None) -> None:
        self._uart(testerId).write_char_delay_ns = seconds_to_ns(delay)

    def register_failing_uart_string(self, pattern: str, treatAsRegex: bool, testerId: int | None) -> None:
        self._uart(testerId).failing.append((pattern, treatAsRegex))

    def unregister_failing_uart_string(self, pattern: str, treatAsRegex: bool, testerId: int | None) -> None:
        tester = self._uart(testerId)
        if (pattern, treatAsRegex) not in tester.failing:
            raise HarnessError(f"'{pattern}' is not a registered failing UART string")
        tester.failing.remove((pattern, treatAsRegex))

    def get_terminal_tester_report(self, testerId: int | None) -> str:
        return self._uart(testerId).report_text()

    def clear_terminal_tester_report(self, testerId: int | None) -> None:
        self._uart(testerId).clear_report()

    # -- LED ------------------------------------------------------------------------------------
    def set_default_led_timeout(self, timeout: float) -> None:
        self.led_timeout_s = timeout

    def create_led_tester(self, led: str, defaultTimeout: float | None, machine: str | None) -> int:
        handle = self.emulation.machine(machine)
        parts = self._peripheral_path(led, "LED").split(".")
        entry = handle.gpio_devices.get(parts[-1])
        if entry is None or entry[0] != "LED" or (len(parts) == 2 and parts[0] != entry[1]) or len(parts) > 2:
            raise HarnessError(f"Peripheral for machine {handle.name} not found or of wrong type: {led}")
        device = handle.led(parts[-1])
        for index, tester in enumerate(self.led_testers):
            if tester.led is device:
                return index
        seconds = self.led_timeout_s if defaultTimeout is None else defaultTimeout
        self.led_testers.append(LedTester(self.emulation, device, seconds_to_ns(seconds)))
        return len(self.led_testers) - 1

    def _led(self, tester_id: int | None) -> LedTester:
        return _pick(self.led_testers, tester_id, "LED tester", "Create LED Tester")

    def assert_led_state(self, state: bool, timeout: float | None, testerId: int | None,
                         pauseEmulation: bool) -> None:
        self._led(testerId).assert_state(state, _ns(timeout), pauseEmulation)

    def assert_and_hold_led_state(self, initialState: bool, timeoutAssert: float, timeoutHold: float,
                                  testerId: int | None, pauseEmulation: bool) -> None:
        self._led(testerId).assert_and_hold(initialState, seconds_to_ns(timeoutAssert),
                                            seconds_to_ns(timeoutHold), pauseEmulation)

    def assert_led_is_blinking(self, testDuration: float, onDuration: float, offDuration: float,
                               tolerance: float, testerId: int | None, pauseEmulation: bool) -> None:
        self._led(testerId).assert_blinking(seconds_to_ns(testDuration), float(onDuration), float(offDuration),
                                            float(tolerance), pauseEmulation)

    def assert_led_duty_cycle(self, testDuration: float, expectedDutyCycle: float, tolerance: float,
                              testerId: int | None, pauseEmulation: bool) -> None:
        self._led(testerId).assert_duty_cycle(seconds_to_ns(testDuration), float(expectedDutyCycle),
                                              float(tolerance), pauseEmulation)

    # -- CPU ------------------------------------------------------------------------------------
    def _cpu_engine(self, machine: str | None, cpuName: str | None) -> Any:
        handle = self.emulation.machine(machine)
        engine = handle.require_engine("CPU keyword")
        if cpuName is not None and cpuName not in ("cpu", "sysbus.cpu", getattr(engine, "cpu_name", "cpu")):
            raise HarnessError(f"no CPU named '{cpuName}' on machine {handle.name}")
        return engine

    def pc_should_be_equal(self, value: int, machine: str | None, cpuName: str | None) -> None:
        from .. import engine_api

        pc = engine_api.cpu_get(self._cpu_engine(machine, cpuName), "PC")
        if pc != value:
            raise HarnessError(f"PC assertion failed: expected 0x{value:x}, got 0x{pc:x}")

    def register_should_be_equal(self, register: int | str, value: int, machine: str | None,
                                 cpuName: str | None, message: str | None) -> None:
        from .. import engine_api

        actual = engine_api.cpu_register(self._cpu_engine(machine, cpuName), register)
        if actual != value:
            raise HarnessError(message or f"Register {register} assertion failed: expected 0x{value:x}, "
                                          f"got 0x{actual:x}")

    def run_until_breakpoint(self, timeout: float | None, machine: str | None, cpuName: str | None,
                             address: int | None) -> None:
        raise HarnessError("Run Until Breakpoint: breakpoints are not available yet in rp2350-emu")


# -- Robot's Sleep in virtual time ------------------------------------------------------------------

def advance_virtual_seconds(library: RenodeKeywords, seconds: float) -> None:
    library.emulation.advance(seconds_to_ns(Decimal(str(seconds))))


def install_virtual_sleep() -> None:
    """Make BuiltIn `Sleep` advance virtual time while an emulation is started.

    Under Renode the emulation runs in the background paced to wall time, so
    `Sleep 0.3s` between a button press and release lets 0.3 s of virtual
    time pass. Here time moves only on request, so `Sleep` makes that request
    instead of idling the host; a paused emulation sleeps in wall time as usual.
    """
    from robot.libraries.BuiltIn import _Misc
    from robot.utils import secs_to_timestr, timestr_to_secs

    original = _Misc.sleep
    if getattr(original, "_rp2350_virtual", False):
        return

    @functools.wraps(original)  # Robot reads the signature: it must stay the original's
    def sleep(self, time_, reason=None):
        library = _active
        if library is None or not library.emulation.started or not any(
                m.engine is not None for m in library.emulation.machines.values()):
            return original(self, time_, reason)
        seconds = timestr_to_secs(time_)
        advance_virtual_seconds(library, seconds)
        if not library._replaying:
            library.history.append(("Sleep", (seconds,)))
        self.log(f"Advanced virtual time by {secs_to_timestr(seconds)} (now {format_ns(library.emulation.now_ns)})")
        if reason:
            self.log(reason)

    sleep._rp2350_virtual = True  # type: ignore[attr-defined]
    _Misc.sleep = sleep  # type: ignore[method-assign]
