"""The small interface a debugger front end (the GDB server) drives.

The GDB protocol layer only talks to a `DebugTarget`; `gdb_machine.EngineTarget`
is the one over the real engine, and the tests use a scripted fake. Run
control is cooperative so one thread can both run the core and read the
socket: `resume(step)` arms a run, then each `run(budget_ns)` executes at
most `budget_ns` of virtual time and returns a `StopEvent` once the core
stops (breakpoint, watchpoint, finished step, fault) or None if it is still
running. Between calls the core is halted and virtual time stands still.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

# GDB's own signal numbers (gdb/signals.def), not the host's
SIGINT = 2
SIGILL = 4
SIGTRAP = 5
SIGBUS = 10
SIGSEGV = 11


class StopReason(enum.Enum):
    STEP = "step"
    SW_BREAK = "swbreak"
    HW_BREAK = "hwbreak"
    WATCH = "watch"  # write
    RWATCH = "rwatch"  # read
    AWATCH = "awatch"  # read or write
    INTERRUPT = "interrupt"  # the debugger asked (Ctrl-C)
    FAULT = "fault"  # the core cannot go on; `message` says why


class WatchKind(enum.Enum):
    WRITE = 2  # the Z packet type numbers
    READ = 3
    ACCESS = 4


@dataclass(frozen=True)
class StopEvent:
    reason: StopReason
    signal: int = SIGTRAP
    #: data address for watchpoint stops
    address: int | None = None
    #: human-readable detail (the decoded fault) for the debugger's console
    message: str = ""


@dataclass(frozen=True)
class MemoryRegion:
    start: int
    length: int
    kind: str  # "ram", "rom" or "flash" (GDB memory-map types)
    name: str = ""
    blocksize: int = 0x1000  # flash erase block, for kind == "flash"


class TargetMemoryError(Exception):
    """Nothing (or nothing readable) at an address; the GDB reply is an E code."""


class MonitorUnavailable(Exception):
    """The target has no monitor to pass `monitor ...` commands to."""


class DebugTarget(Protocol):
    """What the GDB server needs from a core. Register names are the ones of
    gdb_target_xml.REGISTERS (r0-r12, sp, lr, pc, xpsr, msp, ..., d0-d15, fpscr)."""

    def read_register(self, name: str) -> int: ...

    def write_register(self, name: str, value: int) -> None: ...

    def read_memory(self, address: int, length: int) -> bytes:
        """Up to `length` bytes; fewer if the range runs into unreadable memory.
        Raises TargetMemoryError when not even the first byte can be read."""
        ...

    def write_memory(self, address: int, data: bytes) -> None: ...

    def memory_regions(self) -> list[MemoryRegion]: ...

    def resume(self, step: bool) -> None:
        """Arm a continue (or a single instruction step) for the next run() calls."""
        ...

    def run(self, budget_ns: int) -> StopEvent | None: ...

    def halt(self) -> StopEvent:
        """Stop an armed run between run() calls (the debugger's interrupt)."""
        ...

    def add_breakpoint(self, address: int, hardware: bool) -> bool: ...

    def remove_breakpoint(self, address: int, hardware: bool) -> bool: ...

    def add_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool: ...

    def remove_watchpoint(self, address: int, length: int, kind: WatchKind) -> bool: ...

    def clear_debug_state(self) -> None:
        """Drop every breakpoint and watchpoint (detach, lost client)."""
        ...

    def monitor(self, command: str) -> str:
        """Run a monitor command; raises MonitorUnavailable without a monitor."""
        ...

    def close(self) -> None:
        """The server is done with the target: take any hooks off the core."""
        ...

    @property
    def now_ns(self) -> int: ...
