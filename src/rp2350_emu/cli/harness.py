"""The harness's subcommands of `rp2350-emu`: `monitor` and `test` (`register(subparsers)`).

Only argparse is imported here: the monitor and Robot load when their command runs.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add `monitor` and `test` to the `rp2350-emu` subcommands."""
    from rp2350_emu.robotlib import runner as renode_test

    mon = subparsers.add_parser("monitor", help="Renode-style monitor: run a .resc, then a prompt (or stdin)",
                                description="Renode's monitor over the built-in engine. With a terminal: "
                                "line editing and history (~/.rp2350_emu_history); otherwise commands "
                                "are read from stdin and the first error ends with status 1.")
    mon.add_argument("script", nargs="?", metavar="FILE.resc", help="script to run first")
    mon.add_argument("-e", "--execute", action="append", default=[], metavar="CMD",
                     help="command to run after the script; repeatable")
    mon.add_argument("--batch", action="store_true", help="read commands from stdin even on a terminal")
    mon.set_defaults(func=cmd_monitor)
    test = subparsers.add_parser("test", help="run Robot suites like Renode's renode-test",
                                 description=(renode_test.__doc__ or "").split("\n\n")[0])
    renode_test.add_arguments(test)
    test.set_defaults(func=cmd_test)


def cmd_test(args: argparse.Namespace) -> int:
    from rp2350_emu.robotlib import runner

    return runner.run_from_args(args)


def cmd_monitor(args: argparse.Namespace) -> int:
    from rp2350_emu.monitor.console import run_monitor_cli

    return run_monitor_cli(args.script, args.execute, interactive=False if args.batch else None)
