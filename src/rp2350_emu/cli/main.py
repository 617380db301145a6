"""`rp2350-emu`: run RP2350 firmware in virtual time from the command line.

Subcommands (argparse subparsers, so others can add theirs):
  run    run one ELF, print UART lines and pin changes with virtual times
  bench  speed figures of both flavours against their goals, bare Unicorn and QEMU
  guest  compile and package WebAssembly guests for the loader image

Exit status (always one line on stderr, never a traceback):
  0  the run ended as asked (with --expect-uart: the text was seen)
  1  it failed: a --fail-on-uart text, an emulation error, or a fault or guest
     trap reported by the firmware (unless --allow-trap)
  2  bad usage or bad input (arguments, files)
  3  --timeout was reached before every --expect-uart text was seen
  130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from rp2350_emu.cli import args as cli_args
from rp2350_emu.cli import bridges as bridge_cli
from rp2350_emu.cli import guest as guest_cli
from rp2350_emu.cli import harness as harness_cli
from rp2350_emu.cli import insight as insight_cli
from rp2350_emu.cli import web as web_cli
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.errors import ConfigError, EmulationError

Command = Callable[[argparse.Namespace], int]


EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """Usage errors: the usage line, one error line, status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def cmd_run(args: argparse.Namespace) -> int:
    from rp2350_emu.cli.run import cmd_run as run  # the engine loads only for a command that runs it

    return run(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rp2350_emu.insight.bench import run_bench

    build = Path(args.build)
    if not (build / "blinky.elf").is_file() and not (build / "busywait" / "blinky.elf").is_file():
        raise UsageError(f"--build {build}: no blinky.elf there or in busywait/ (make firmware-all builds both)")
    for line in run_bench(build, quick=args.quick, runs=args.runs,
                          log=lambda text: print(text, file=sys.stderr, flush=True)):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rp2350-emu", description="RP2350 (Cortex-M33) emulator in virtual time")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run an ELF and print UART output and pin changes")
    run.add_argument("elf", nargs="?", help="firmware ELF (RP2350 Arm image); optional with --restore")
    run.add_argument("--seconds", type=cli_args.seconds, help="virtual seconds to run (default 1; with a UART "
                     "bridge or GDB: until stopped)")
    run.add_argument("--press", action="append", metavar="PIN@T[:DUR]",
                     help="pull PIN low at T seconds for DUR seconds (default 0.1); repeatable")
    run.add_argument("--uart-input", metavar="TEXT", help="bytes for UART0 RX (\\r, \\n escapes), "
                     "sent once the receiver is enabled")
    run.add_argument("--events", metavar="FILE.jsonl", type=cli_args.output_file,
                     help="write every event as JSON lines")
    run.add_argument("--fingerprint", action="store_true", help="print the SHA-256 of the event stream")
    run.add_argument("--repl", help="platform description (default platforms/boards/pico2.repl)")
    run.add_argument("--mips", type=cli_args.mips, help="instructions per microsecond (default from the .repl)")
    run.add_argument("--no-skip", action="store_true",
                     help="run every instruction: no idle/poll-loop skipping or delay fast-forward "
                     "(the events are the same; for checking that)")
    run.add_argument("--gdb", type=cli_args.port, metavar="PORT",
                     help="serve GDB on 127.0.0.1:PORT (0 picks a free port); the run then lasts until GDB "
                     "kills it, or --seconds if given")
    run.add_argument("--wait-gdb", action="store_true",
                     help="stay halted at the reset vector until GDB connects and continues (implies --gdb 3333)")
    checks = run.add_argument_group("checks for CI (see the exit status above)")
    checks.add_argument("--expect-uart", action="append", default=[], metavar="TEXT", type=cli_args.uart_text,
                        help="end the run with status 0 as soon as UART0 has sent TEXT (every one, if repeated)")
    checks.add_argument("--fail-on-uart", action="append", default=[], metavar="TEXT", type=cli_args.uart_text,
                        help="end the run with status 1 as soon as UART0 sends TEXT; repeatable")
    checks.add_argument("--timeout", type=cli_args.seconds, metavar="SECONDS",
                        help="virtual seconds to wait for --expect-uart before giving up with status 3 "
                        "(default: --seconds)")
    checks.add_argument("--allow-trap", action="store_true",
                        help="a guest trap, panic or hard fault the firmware reports ('*** guest trap', "
                        "'*** panic', '*** hard fault' on UART0) is not a failure")
    bridge_cli.add_bridge_options(run)
    insight_cli.add_run_options(run)
    web_cli.add_run_options(run)  # --web (the board in a browser page)
    guest_cli.add_run_options(run)  # --guest, --upload (the loader image)
    run.set_defaults(func=cmd_run)
    bench = sub.add_parser("bench", help="speed figures of both firmware flavours against their goals, "
                           "bare Unicorn and QEMU")
    bench.add_argument("--build", default="build", help="where the images are: DIR/*.elf and DIR/busywait/*.elf "
                       "(default build)")
    bench.add_argument("--runs", type=int, help="runs per figure, the median is shown (default 3)")
    bench.add_argument("--quick", action="store_true", help="tiny budget: every row, rough figures (for tests)")
    bench.set_defaults(func=cmd_bench)
    harness_cli.register(sub)  # monitor, test (the harness's subcommands)
    insight_cli.register(sub)  # report
    guest_cli.register(sub)  # guest compile / package / info
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"rp2350-emu: error: {exc}\n")
    except ConfigError as exc:
        print(f"rp2350-emu: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except EmulationError as exc:
        sys.stdout.flush()
        print(f"rp2350-emu: emulation error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("rp2350-emu: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly; later flushes must not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
