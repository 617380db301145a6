"""Errors the engine reports to its users (never a bare traceback)."""

from __future__ import annotations


class EmulationError(Exception):
    """The emulated machine cannot go on: unmodeled access, fault, lockup."""


class UnmodeledAccess(EmulationError):
    """Firmware touched an address or register the engine does not model."""

    def __init__(self, address: int, write: bool, size: int, value: int | None = None,
                 where: str = "") -> None:
        self.address = address
        self.write = write
        self.size = size
        self.value = value
        self.where = where  # filled in by the CPU: "pc=0x... <symbol+off>"
        super().__init__(self.describe())

    def describe(self) -> str:
        kind = "write" if self.write else "read"
        val = f" value=0x{self.value:08x}" if self.write and self.value is not None else ""
        at = f" at {self.where}" if self.where else ""
        return f"unmodeled {kind} of {self.size} byte(s) at 0x{self.address:08x}{val}{at}"


class ConfigError(Exception):
    """Bad user input: a file that is missing, malformed or of the wrong kind."""


class HarnessError(Exception):
    """A user-facing failure of a monitor command or keyword (message only, no traceback)."""

    ROBOT_SUPPRESS_NAME = True  # Robot shows just the message
