"""Emulation-level keywords: reset, start, monitor commands, states, the log tester and log cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.emulation import state_report
from rp2350_emu.harness.log import CacheBackend
from rp2350_emu.harness.testers.log import LogTester, require_log_tester
from rp2350_emu.monitor import MonitorError
from rp2350_emu.robotlib.args import Param as P
from rp2350_emu.robotlib.keyword import LOG_LEVEL, OPT_F, PAUSE, REPLAY_ALWAYS, keyword, ns
from rp2350_emu.time.units import seconds_to_ns


class EmulationKeywords:
    """Mixin of RenodeKeywords (library.py)."""

    @keyword("Reset Emulation")
    def reset_emulation(self) -> None:
        for tester in self.uart_testers:
            tester.detach()
        if self.log_tester is not None:
            self.log_tester.detach()
        self._reset_testers()
        self.emulation.clear()
        self.history = []

    @keyword("Start Emulation")
    def start_emulation(self) -> None:
        self.emulation.runnable()
        self.emulation.start()

    @keyword("Execute Command", P("command", "str"), P("machine", "str", None))
    def execute_command(self, command: str, machine: str | None) -> str:
        if machine is not None:
            self.emulation.current = self.emulation.machine(machine)
        try:
            return self.monitor.execute(command)
        except MonitorError as exc:
            raise HarnessError(f"Could not execute command '{command}': {exc}") from None

    @keyword("Execute Script", P("path", "str"))
    def execute_script(self, path: str) -> str:
        try:
            return self.monitor.execute_script(Path(path))
        except MonitorError as exc:
            raise HarnessError(f"Could not execute script '{path}': {exc}") from None

    @keyword("Execute Python", P("command", "str"), P("machine", "str", None))
    def execute_python(self, command: str, machine: str | None) -> None:
        raise HarnessError("Execute Python: the built-in engine has no IronPython; use Robot's own Python "
                           "(Evaluate) or a monitor command instead")

    @keyword("Provides", P("state", "str"), P("type", "enum:Serialization|Reexecution", "Serialization"))
    def provides(self, state: str, type: str) -> None:
        # Renode: Serialization saves the emulation and records the calls so far;
        # Reexecution only records them
        snapshot = None
        if type == "Serialization":
            snapshot = Path(self.allocate_temporary_file())
            self.monitor.execute(f'Save "{snapshot}"')
        current = self.emulation.current.name if self.emulation.current is not None else None
        self.states[state] = (list(self.history), snapshot, current)

    @keyword("Requires", P("state", "str"))
    def requires(self, state: str) -> None:
        if state not in self.states:
            raise HarnessError(f"KeywordException: Required state {state} not found.")
        recorded, snapshot, machine = self.states[state]
        self.reset_emulation()
        replay = recorded
        if snapshot is not None:
            self.monitor.execute(f'Load "{snapshot}"')
            if machine is not None:
                self.monitor.execute(f'mach set "{machine}"')
            replay = [call for call in recorded if call[0] in REPLAY_ALWAYS]
        self._replaying = True
        try:
            for name, args in replay:
                self.run_keyword(name, list(args))
        finally:
            self._replaying = False
        self.history = list(recorded)

    @keyword("Wait For Pause", P("timeout", "float"))
    def wait_for_pause(self, timeout: float) -> None:
        if not self.emulation.started:
            return
        self.emulation.advance(seconds_to_ns(timeout), lambda: not self.emulation.started)
        if self.emulation.started:
            raise HarnessError(f"Emulation did not pause within {timeout} s of virtual time")

    @keyword("Wait For Gdb Connection", P("port", "int"), P("machine", "str", None),
             P("pauseToWait", "bool", True), P("acceptRunningServer", "bool", True))
    def wait_for_gdb(self, port: int, machine: str | None, pauseToWait: bool, acceptRunningServer: bool) -> None:
        raise HarnessError("Wait For Gdb Connection: the GDB server is not available yet in rp2350-emu")

    @keyword("Allocate Temporary File")
    def allocate_temporary_file(self) -> str:
        fd, path = tempfile.mkstemp(prefix="rp2350-emu-")
        os.close(fd)
        return path

    @keyword("Allocate Temporary Directory", P("dirName", "str", None))
    def allocate_temporary_directory(self, dirName: str | None) -> str:
        return tempfile.mkdtemp(prefix=(dirName or "rp2350-emu") + "-")

    @keyword("Download File", P("uri", "str"))
    def download_file(self, uri: str) -> str:
        raise HarnessError(f"Download File: downloads are not supported ({uri}); keep test inputs in the "
                           "repository and use ${CURDIR}-relative paths")

    @keyword("Create Log Tester", P("timeout", "float"), P("defaultPauseEmulation", "bool?", None),
             P("maxLogEntries", "int", 1_000_000))
    def create_log_tester(self, timeout: float, defaultPauseEmulation: bool | None, maxLogEntries: int) -> None:
        if self.log_tester is not None:
            self.log_tester.detach()
        self.log_tester = LogTester(self.emulation, seconds_to_ns(timeout), bool(defaultPauseEmulation),
                                    maxLogEntries)

    @keyword("Wait For Log Entry", P("pattern", "str"), P("timeout", OPT_F, None), P("keep", "bool", False),
             P("treatAsRegex", "bool", False), PAUSE, P("level", LOG_LEVEL, None),
             P("startEmulation", "bool", True))
    def wait_for_log_entry(self, pattern: str, timeout: float | None, keep: bool, treatAsRegex: bool,
                           pauseEmulation: bool | None, level: str | None, startEmulation: bool) -> str:
        return require_log_tester(self.log_tester).wait_for_entry(
            pattern, ns(timeout), keep, treatAsRegex, pauseEmulation, level, startEmulation)

    @keyword("Should Not Be In Log", P("pattern", "str"), P("timeout", OPT_F, None),
             P("treatAsRegex", "bool", False), PAUSE, P("level", LOG_LEVEL, None))
    def should_not_be_in_log(self, pattern: str, timeout: float | None, treatAsRegex: bool,
                             pauseEmulation: bool | None, level: str | None) -> None:
        require_log_tester(self.log_tester).should_not_be_in_log(pattern, ns(timeout), treatAsRegex,
                                                                 pauseEmulation, level)

    @keyword("Register Failing Log String", P("pattern", "str"), P("treatAsRegex", "bool", False))
    def register_failing_log_string(self, pattern: str, treatAsRegex: bool) -> None:
        require_log_tester(self.log_tester).failing.append((pattern, treatAsRegex))

    @keyword("Unregister Failing Log String", P("pattern", "str"), P("treatAsRegex", "bool", False))
    def unregister_failing_log_string(self, pattern: str, treatAsRegex: bool) -> None:
        tester = require_log_tester(self.log_tester)
        if (pattern, treatAsRegex) not in tester.failing:
            raise HarnessError(f"'{pattern}' is not a registered failing log string")
        tester.failing.remove((pattern, treatAsRegex))

    @keyword("Clear Log Tester History")
    def clear_log_tester_history(self) -> None:
        require_log_tester(self.log_tester).clear()

    @keyword("Log To File", P("filePath", "str"), P("flushAfterEveryWrite", "bool", False))
    def log_to_file(self, filePath: str, flushAfterEveryWrite: bool) -> None:
        self.monitor.execute(f'logFile @"{filePath}"')

    @keyword("Enable Logging To Cache")
    def enable_logging_to_cache(self) -> None:
        if self.cache is None:
            self.cache = CacheBackend()
            self.emulation.log.add(self.cache)

    @keyword("Save Cached Log", P("filePath", "str"))
    def save_cached_log(self, filePath: str) -> None:
        path = Path(filePath)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.cache.text() if self.cache is not None else ""
        path.write_text(text + self._state_report(), encoding="utf-8")

    @keyword("Clear Cached Log")
    def clear_cached_log(self) -> None:
        if self.cache is not None:
            self.cache.entries.clear()

    @keyword("Stop Remote Server")
    def stop_remote_server(self) -> None:
        """No server process exists: the keywords run inside Robot's own process."""

    @keyword("Handle Hot Spot", P("action", "enum:None|Pause|Serialize"))
    def handle_hot_spot(self, action: str) -> None:
        if action != "None":
            raise HarnessError("Handle Hot Spot: snapshots and hot-spot pauses are not supported")

    @keyword("Log Emulation State")
    def log_emulation_state(self) -> None:
        """Harness addition (not a Renode keyword): UART transcripts and pin history into Robot's log."""
        from robot.api import logger

        logger.info(self._state_report())

    def _state_report(self) -> str:
        return state_report(self.emulation)
