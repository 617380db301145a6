"""Errors of the monitor: a failed statement (with its file:line), and `quit`."""

from __future__ import annotations

from rp2350_emu.errors import HarnessError


class MonitorError(HarnessError):
    """A monitor command failed; `where` is the file:line of the statement."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        self.included_from: list[str] = []
        self.output = ""  # what the statements before the failing one printed (not streamed)
        super().__init__(message)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        for outer in self.included_from:
            text += f"\n  (included from {outer})"
        return text


class MonitorQuit(Exception):
    """`quit` was typed."""
