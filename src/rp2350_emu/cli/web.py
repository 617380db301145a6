"""`rp2350-emu run --web [PORT]`: the board in a browser page (rp2350_emu.web), until Ctrl-C.

cli/main.py adds the option (`add_run_options`); cli/run.py hands the run here
(`run_web`) instead of running it itself. The web layer loads only then.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from rp2350_emu.cli import args as cli_args
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.time.units import NS_PER_S
from rp2350_emu.web import DEFAULT_PORT

#: options that drive UART0 or the run some other way
_EXCLUSIVE = (("uart_pty", "--uart-pty"), ("uart_tcp", "--uart-tcp"), ("gdb", "--gdb"), ("wait_gdb", "--wait-gdb"),
              ("upload", "--upload"))


def add_run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--web", nargs="?", const=DEFAULT_PORT, type=cli_args.port, metavar="PORT",
                     help=f"show the board in a browser page at http://127.0.0.1:PORT/ (default {DEFAULT_PORT}; "
                     "0 picks a free port): LED, button, terminal, pins; time is paced to wall time while a "
                     "page is open, and the run lasts until Ctrl-C unless --seconds is given")


def run_web(args: argparse.Namespace, machine: Any, checks: Any, printer: Any, finish: Callable[[], None],
            verdict: Callable[[int], int], pending_input: bytes, start_ns: int, length_s: float) -> int:
    """The run, driven by the pages; the same outputs (`finish` closes them), checks and exit
    status (`verdict` of the virtual time run) as `run`."""
    from rp2350_emu.cli import insight as insight_cli

    for name, option in _EXCLUSIVE:
        value = getattr(args, name, None)
        if value is not None and value is not False:  # (a port 0 is given too)
            raise UsageError(f"--web and {option} cannot be combined: the page is UART0's terminal "
                             + ("(drop the .cwasm on the page instead)" if name == "upload" else "and drives the run"))
    from rp2350_emu.web.server import check_assets, serve
    from rp2350_emu.web.session import BoardSession

    check_assets()
    end_ns = start_ns + int(length_s * NS_PER_S) if args.seconds_given or args.timeout is not None else None
    insight = insight_cli.start(args, machine)  # --trace-wit (also shown on the page) / --vcd / --plot
    # --expect-uart / --fail-on-uart end the run when decided; a guest trap does not (the page shows
    # it, and the exit status still says so)
    checked = checks.expecting or checks.fail
    title = machine.image.path.name if getattr(machine, "image", None) is not None else "rp2350-emu"
    session = BoardSession(machine, title=title, tracer=insight.tracer, end_ns=end_ns,
                           stop=(lambda: checks.done) if checked else None)
    if pending_input:
        session.uart.feed(pending_input)  # held until the firmware enables its receiver
    try:
        session.start()
        serve(session, args.web, sys.stdout)
    finally:
        session.close()
        printer.flush_partial(machine.now_ns)
        finish()
        insight.finish()
    return verdict(machine.now_ns - start_ns)
