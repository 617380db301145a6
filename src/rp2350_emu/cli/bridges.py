"""`rp2350-emu run --uart-pty/--uart-tcp`: UART0 bridged to the host, time paced to wall time.

The harness (its emulation, ports and bridges) is imported only when a bridge is asked for.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rp2350_emu.cli import args as cli_args
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.time.units import NS_PER_S


def add_bridge_options(run_parser: argparse.ArgumentParser) -> None:
    run_parser.add_argument("--uart-pty", nargs="?", const="", metavar="LINK",
                            help="connect UART0 to a new pseudo-terminal (its path is printed; LINK, if "
                            "given, becomes a symlink to it); time is then paced to wall time and the run "
                            "lasts until Ctrl-C unless --seconds is given")
    run_parser.add_argument("--uart-tcp", type=cli_args.port, metavar="PORT",
                            help="serve UART0 as a raw TCP socket on 127.0.0.1:PORT (paced, like --uart-pty)")


class BridgeSession:
    """UART0 bridges for `run`: pumps host input and paces virtual time to wall time."""

    def __init__(self, machine: Any, bridges: list[Any]) -> None:
        from rp2350_emu.harness.emulation import Emulation

        self.emulation = Emulation()
        self.handle = self.emulation.adopt(machine)
        self.bridges = bridges
        port = self.handle.uart("uart0")
        for bridge in bridges:
            bridge.connect(port)
            self.emulation.attach_bridge(bridge)

    def run_for(self, ns: int) -> None:
        from rp2350_emu.harness.emulation import EmulationHalted

        try:
            self.emulation.advance(ns)
        except EmulationHalted:
            raise self.handle.halted from None  # the engine's own error, for cli's reporting

    def deadline_ns(self, seconds: float, seconds_given: bool) -> float:
        return seconds * NS_PER_S if seconds_given else float("inf")

    def close(self) -> None:
        self.emulation.close()


def open_bridges(args: argparse.Namespace, machine: Any, out: Any = None) -> BridgeSession | None:
    """Bridges asked for on the command line, attached and announced; None when there are none."""
    if args.uart_pty is None and args.uart_tcp is None:
        return None
    from rp2350_emu.errors import HarnessError
    from rp2350_emu.harness.bridges import PtyBridge, TcpBridge, UartBridge

    out = out or sys.stdout
    bridges: list[UartBridge] = []
    option = "--uart-pty"
    try:
        if args.uart_pty is not None:
            # force: a pty link left by an earlier run is replaced; anything else is refused
            bridges.append(PtyBridge("uart0-pty", args.uart_pty or None, force=True))
        option = "--uart-tcp"
        if args.uart_tcp is not None:
            bridges.append(TcpBridge("uart0-tcp", args.uart_tcp, telnet=False))
    except HarnessError as exc:
        for bridge in bridges:
            bridge.close()
        raise UsageError(f"{option}: {exc}") from None
    if not bridges:
        return None
    for bridge in bridges:
        if isinstance(bridge, PtyBridge):
            out.write(f"uart0: pty {bridge.path}" + (f" (link {bridge.link})" if bridge.link else "") + "\n")
        elif isinstance(bridge, TcpBridge):
            out.write(f"uart0: tcp 127.0.0.1:{bridge.port_number}\n")
    out.flush()
    return BridgeSession(machine, bridges)
