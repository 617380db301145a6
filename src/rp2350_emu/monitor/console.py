"""The monitor as a program: interactive prompt with history, script mode, background running."""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import LEVEL_NAMES, LEVELS, LogEntry
from rp2350_emu.monitor.errors import MonitorError, MonitorQuit
from rp2350_emu.monitor.format import CRLF
from rp2350_emu.monitor.interpreter import Monitor


class ConsoleBackend:
    """Prints log entries as they happen (interactive monitor, `run`)."""

    def __init__(self, write: Callable[[str], None], level: int = LEVELS["Info"]) -> None:
        self.level = level
        self._write = write

    def write(self, entry: LogEntry) -> None:
        name = LEVEL_NAMES.get(entry.level, str(entry.level)).upper()
        self._write(f"[{name}] {entry.full_message}\n")


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


def split_semicolons(text: str) -> list[str]:
    """`a; b "c;d"` -> ["a", 'b "c;d"']: Renode's split of a -e argument."""
    parts, current, quote = [], "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ";":
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def run_monitor_cli(script: str | None, commands: list[str], interactive: bool | None = None,
                    emulation: Emulation | None = None) -> int:
    """`rp2350-emu monitor [FILE.resc] [-e CMD]...`: script first, then a prompt or stdin lines."""
    out = sys.stdout

    def write(text: str) -> None:
        out.write(text.replace(CRLF, "\n"))
        out.flush()

    emu = emulation or Emulation()
    monitor = Monitor(emu, write=write)
    monitor.stream = write  # every statement's output as soon as it ends, also from scripts
    emu.log.add(ConsoleBackend(write))
    runner = BackgroundRunner(emu, lambda msg: write(msg + "\n"))
    status = 0
    try:
        if script:
            try:
                with emu.lock, cancel_on_ctrl_c(monitor):
                    write(monitor.execute_script(Path(script)))
            except MonitorError as exc:
                sys.stderr.write(f"error: {exc}\n")
                return 1
        # as Renode's -e: each argument is split on `;` (outside quotes) into commands run in order
        for command in [part for argument in commands for part in split_semicolons(argument)]:
            try:
                with emu.lock, cancel_on_ctrl_c(monitor):
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


@contextlib.contextmanager
def cancel_on_ctrl_c(monitor: Monitor) -> Iterator[None]:
    """While a command runs, the first Ctrl-C asks it to stop (monitor.cancel: `emulation RunFor`
    ends at its next look); a second one interrupts whatever runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(_signum: int, _frame: object) -> None:
        if monitor.cancel.is_set():
            raise KeyboardInterrupt
        monitor.cancel.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    monitor.cancel.clear()
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        monitor.cancel.clear()


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
            except KeyboardInterrupt:  # Ctrl-C at the prompt: a fresh prompt, as in a shell
                write("\n")
                continue
            number += 1
            if not line.strip():
                continue
            try:
                with monitor.emulation.lock, cancel_on_ctrl_c(monitor):
                    write(monitor.execute(line, "<stdin>", number))
            except MonitorQuit:
                return 0
            except MonitorError as exc:
                write(f"error: {exc}\n")
            except KeyboardInterrupt:
                write("interrupted (Ctrl-C): back at the prompt\n")
    finally:
        if readline is not None:
            try:
                readline.write_history_file(HISTORY_FILE)
            except OSError:
                pass


def _from_stdin(monitor: Monitor, write: Callable[[str], None]) -> int:
    """Script mode: statements from stdin, each run as soon as its lines have come (a pipe can
    drive it line by line); the first error stops with status 1.

    If the script leaves the emulation started, keep running (paced) until
    interrupted, as Renode does.
    """
    for text, first in _stdin_statements():
        try:
            with monitor.emulation.lock, cancel_on_ctrl_c(monitor):
                write(monitor.execute(text, "<stdin>", first))
        except MonitorQuit:
            return 0
        except MonitorError as exc:
            write(exc.output)
            sys.stderr.write(f"error: {exc}\n")
            return 1
    while monitor.emulation.started:
        threading.Event().wait(0.2)
    return 0


def _stdin_statements() -> Iterator[tuple[str, int]]:
    """(text, first line number) of each statement on stdin, as soon as its last line is read:
    a triple-quoted string or a `macro name` / `set name` line waits for the lines it spans."""
    pending, first, number = "", 1, 0
    for line in iter(sys.stdin.readline, ""):
        number += 1
        pending += line
        if pending.count('"""') % 2 or _VALUE_NEXT.match(pending.strip()):
            continue
        yield pending, first
        pending, first = "", number + 1
    if pending.strip():
        yield pending, first


_VALUE_NEXT = re.compile(r"^(macro|set)\s+[A-Za-z_]\w*$")
