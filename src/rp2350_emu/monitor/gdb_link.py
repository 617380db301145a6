"""`machine StartGdbServer PORT [autostartEmulation]`: a GDB server beside the monitor.

While a client is attached the server runs the core and the monitor's own
runner is paused (two drivers would fight over the breakpoints); on detach
the emulation is started again, so the firmware keeps running. With
autostartEmulation=false, GDB's continue waits until the monitor says `start`.
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.gdb.engine_target import EngineTarget
from rp2350_emu.gdb.server import GdbServer
from rp2350_emu.harness.board import Board
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.harness.log import LEVELS


def start_gdb_server(emulation: Emulation, handle: Board, port: int, autostart: bool,
                     monitor: Callable[[str], str]) -> GdbServer:
    """Serve GDB for `handle` on a background thread; `monitor` answers GDB's `monitor ...`."""
    machine = handle.require_engine("machine StartGdbServer")
    target = EngineTarget(machine, monitor)
    released = [autostart]

    def attach() -> None:
        emulation.pause()

    def detach() -> None:
        emulation.start()

    def gate() -> bool:
        if not released[0] and emulation.started:
            released[0] = True  # the monitor said `start`: from now on GDB runs the core
            emulation.pause()
        return released[0]

    server = GdbServer(target, port, lock=emulation.lock, free_run=False, exit_on_kill=False, gate=gate,
                       on_attach=attach, on_detach=detach,
                       log=lambda text: emulation.log.log(LEVELS["Info"], "gdb", text, machine.now_ns))
    return server.start(wait_for_client=True)
