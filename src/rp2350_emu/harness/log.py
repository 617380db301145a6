"""The emulation's log: levels as Renode names them, entries, and the backends they fan out to."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rp2350_emu.errors import HarnessError
from rp2350_emu.time.units import format_ns

LEVELS: dict[str, int] = {"Noisy": -1, "Debug": 0, "Info": 1, "Warning": 2, "Error": 3}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


def parse_level(value: str | int) -> int:
    """`logLevel` argument (number or name, any case) -> level number."""
    if isinstance(value, int):
        if value in LEVEL_NAMES:
            return value
    else:
        text = str(value).strip()
        for name, number in LEVELS.items():
            if text.lower() == name.lower():
                return number
        if re.fullmatch(r"-?\d+", text) and int(text) in LEVEL_NAMES:
            return int(text)
    raise HarnessError(f"unknown log level '{value}' (expected one of "
                       + ", ".join(f"{n} ({k})" for k, n in LEVELS.items()) + ")")


@dataclass(frozen=True)
class LogEntry:
    t_ns: int
    level: int
    source: str  # object name without the `sysbus.` prefix, e.g. "uart0", "cpu"
    message: str

    @property
    def full_message(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message

    def format(self) -> str:
        return f"[{LEVEL_NAMES.get(self.level, self.level)}] {self.full_message} (virt {format_ns(self.t_ns)})"


class LogBackend(Protocol):
    level: int

    def write(self, entry: LogEntry) -> None: ...


class Logger:
    """Fans log entries out to backends, each with its own level filter."""

    def __init__(self) -> None:
        self.backends: list[LogBackend] = []
        #: `logLevel LEVEL sysbus.x`: a source's own threshold, on every backend (Renode's per-object level)
        self.object_levels: dict[str, int] = {}

    def add(self, backend: LogBackend) -> None:
        self.backends.append(backend)

    def remove(self, backend: LogBackend) -> None:
        if backend in self.backends:
            self.backends.remove(backend)

    def log(self, level: int, source: str, message: str, t_ns: int) -> None:
        entry = LogEntry(t_ns, level, source, message)
        own = self.object_levels.get(source)
        for backend in list(self.backends):
            if level >= (backend.level if own is None else own):
                backend.write(entry)

    def set_level(self, level: int, source: str | None = None) -> None:
        """Every backend's threshold, or (`source`) that object's on every backend."""
        if source is not None:
            self.object_levels[source] = level
            return
        for backend in self.backends:
            backend.level = level


class CacheBackend:
    """Keeps entries in memory for `Save Cached Log` (Robot) and failure reports."""

    def __init__(self, level: int = LEVELS["Info"], limit: int = 100_000) -> None:
        self.level = level
        self.limit = limit
        self.entries: list[LogEntry] = []

    def write(self, entry: LogEntry) -> None:
        if len(self.entries) < self.limit:
            self.entries.append(entry)

    def text(self) -> str:
        return "".join(e.format() + "\n" for e in self.entries)


class FileBackend:
    """`logFile @path`: appends formatted entries to a host file."""

    def __init__(self, path: Path, level: int = LEVELS["Info"]) -> None:
        self.level = level
        self.path = path
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the backend

    def write(self, entry: LogEntry) -> None:
        self._file.write(entry.format() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class EngineLogForwarder(logging.Handler):
    """Engine warnings logged with Python `logging` become entries of a harness log."""

    def __init__(self, log: Logger, now_ns: Callable[[], int]) -> None:
        super().__init__(logging.DEBUG)
        self.log, self.now_ns = log, now_ns

    def emit(self, record: logging.LogRecord) -> None:
        level = (LEVELS["Error"] if record.levelno >= logging.ERROR else
                 LEVELS["Warning"] if record.levelno >= logging.WARNING else
                 LEVELS["Info"] if record.levelno >= logging.INFO else LEVELS["Debug"])
        source = record.name.rsplit(".", 1)[-1]
        self.log.log(level, source, record.getMessage(), self.now_ns())
