"""`rp2350-emu run --gdb PORT [--wait-gdb]`: the GDB server drives the run (docs/debugging.md).

Here, and only here, the GDB server and the monitor meet: GDB's `monitor ...`
commands go to a Renode-style monitor bound to the same machine.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from rp2350_emu.errors import ConfigError
from rp2350_emu.gdb.engine_target import EngineTarget
from rp2350_emu.gdb.server import GdbServer
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor
from rp2350_emu.platform.machine import Machine
from rp2350_emu.time.units import NS_PER_S

DEFAULT_PORT = 3333


def machine_monitor(machine: Machine) -> Callable[[str], str]:
    """A Renode-style monitor bound to `machine`, for `monitor ...` in GDB."""
    emulation = Emulation()
    emulation.adopt(machine)
    return Monitor(emulation).execute


def run_with_gdb(machine: Machine, port: int, *, wait: bool, deadline_ns: float | None = None,
                 on_slice: Callable[[], None] | None = None, host: str = "127.0.0.1",
                 log: Callable[[str], None] | None = None) -> str:
    """Serve until killed or until virtual time reaches deadline_ns."""
    target = EngineTarget(machine, machine_monitor(machine))
    server = GdbServer(target, port, host, log=log)
    until = None if deadline_ns is None else (lambda: machine.now_ns >= deadline_ns)
    try:
        return server.serve(wait_for_client=wait, until=until, on_slice=on_slice)
    finally:
        server.close()


def cli_run(args: Any, machine: Machine, printer: Any, seconds_given: bool) -> int:
    """The `--gdb PORT [--wait-gdb]` branch of `rp2350-emu run`."""
    if args.uart_input or args.uart_pty is not None or args.uart_tcp is not None:
        raise ConfigError("--gdb cannot be combined with --uart-input/--uart-pty/--uart-tcp; send UART "
                          "input from GDB with `monitor sysbus.uart0 WriteChar 0x41` instead")
    port = DEFAULT_PORT if args.gdb is None else args.gdb
    if not 0 <= port <= 0xFFFF:
        raise ConfigError(f"--gdb {port}: expected a TCP port number (0 picks a free one)")
    deadline = args.seconds * NS_PER_S if seconds_given else None
    try:
        result = run_with_gdb(machine, port, wait=args.wait_gdb, deadline_ns=deadline)
    finally:
        printer.flush_partial(machine.now_ns)
    print(f"gdb: session ended ({result}) at {machine.now_ns} ns of virtual time", file=sys.stderr)
    return 0
