"""Log tester: waits for emulation log entries (`uart0: …`, `cpu: …`) in virtual time.

It is a log backend like any other, so `logLevel` changes its threshold too.
Entries are matched on "<object>: <message>" as Renode does.
"""

from __future__ import annotations

from collections import deque

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import LEVELS, LogEntry, parse_level
from rp2350_emu.harness.testers.terminal import TesterFailure, compile_pattern
from rp2350_emu.time.units import format_ns


class LogTester:
    """Renode's log tester: one per emulation."""

    def __init__(self, emulation: Emulation, timeout_ns: int, default_pause: bool = False,
                 max_entries: int = 1_000_000) -> None:
        self.emulation = emulation
        self.timeout_ns = timeout_ns
        self.default_pause = default_pause
        self.max_entries = max_entries
        self.level = LEVELS["Info"]
        self.entries: deque[LogEntry] = deque()
        self.overflowed = False
        self.failing: list[tuple[str, bool]] = []
        self._dirty = True
        emulation.log.add(self)

    def detach(self) -> None:
        self.emulation.log.remove(self)

    def write(self, entry: LogEntry) -> None:
        if len(self.entries) >= self.max_entries:
            self.overflowed = True
            self.entries.popleft()
        self.entries.append(entry)
        self._dirty = True

    def clear(self) -> None:
        self.entries.clear()
        self.overflowed = False

    def _find(self, pattern: str, regex: bool, level: str | None, keep: bool) -> LogEntry | None:
        match = compile_pattern(pattern, regex)
        wanted = parse_level(level) if level is not None else None
        failing = [(compile_pattern(p, r), p) for p, r in self.failing]
        for index, entry in enumerate(self.entries):
            for fail, text in failing:
                if fail(entry.full_message):
                    raise TesterFailure(f"Test failing entry has been found in the log: {entry.full_message!r} "
                                        f"(failing string {text!r})")
            if (wanted is None or entry.level == wanted) and match(entry.full_message):
                if not keep:
                    for _ in range(index + 1):
                        self.entries.popleft()
                return entry
        return None

    def _run(self, pattern: str, timeout_ns: int | None, regex: bool, level: str | None, keep: bool,
             start: bool) -> LogEntry | None:
        timeout_ns = self.timeout_ns if timeout_ns is None else timeout_ns
        found: list[LogEntry] = []
        failed: list[TesterFailure] = []

        def poll() -> bool:
            # Runs inside the engine's loop: report, never raise, from here.
            if found or failed:
                return True  # stays true once it fired
            if not self._dirty:
                return False
            self._dirty = False
            try:
                entry = self._find(pattern, regex, level, keep)
            except TesterFailure as exc:
                failed.append(exc)
                return True
            if entry is not None:
                found.append(entry)
            return bool(found)

        self._dirty = True
        if not poll() and timeout_ns > 0 and any(m.engine is not None for m in self.emulation.machines.values()):
            if start:
                self.emulation.start()
            self.emulation.advance(timeout_ns, poll)
        if failed:
            raise failed[0]
        return found[0] if found else None

    def wait_for_entry(self, pattern: str, timeout_ns: int | None = None, keep: bool = False,
                       regex: bool = False, pause: bool | None = None, level: str | None = None,
                       start: bool = True) -> str:
        entry = self._run(pattern, timeout_ns, regex, level, keep, start)
        if entry is None:
            used = self.timeout_ns if timeout_ns is None else timeout_ns
            raise TesterFailure(f"Expected pattern {pattern!r} did not appear in the log within "
                                f"{format_ns(used)} of virtual time")
        if pause if pause is not None else self.default_pause:
            self.emulation.pause()
        return entry.full_message

    def should_not_be_in_log(self, pattern: str, timeout_ns: int | None = None, regex: bool = False,
                             pause: bool | None = None, level: str | None = None) -> None:
        entry = self._run(pattern, timeout_ns, regex, level, False, True)
        if entry is not None:
            raise TesterFailure(f"Unexpected line detected in the log: {entry.full_message!r} at virtual "
                                f"{format_ns(entry.t_ns)}")
        if self.overflowed:
            raise TesterFailure(f"Log tester lost entries: more than {self.max_entries} were buffered "
                                "(raise maxLogEntries)")
        if pause if pause is not None else self.default_pause:
            self.emulation.pause()


def require_log_tester(tester: LogTester | None) -> LogTester:
    if tester is None:
        raise HarnessError("Log tester is not available. Create it with the `Create Log Tester` keyword")
    return tester
