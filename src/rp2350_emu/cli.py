"""`rp2350-emu`: run RP2350 firmware in virtual time from the command line.

Subcommands (argparse subparsers, so others can add theirs):
  run    run one ELF, print UART lines and pin changes with virtual times
  bench  speed figures per ELF against bare Unicorn

Exit status: 0 clean, 1 bad usage or bad input file, 2 emulation error
(always one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from . import harness_cli, insight_cli
from .errors import ConfigError, EmulationError
from .machine import Button, Event, Machine

NS_PER_S = 1_000_000_000
#: virtual time between two looks at new events (output stays live)
CHUNK_NS = 10_000_000
DEFAULT_PRESS_S = 0.1

Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage; 2 means an emulation error here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def default_repl() -> Path:
    """platforms/rp2350.repl of the source tree this package runs from."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "platforms" / "rp2350.repl"
        if candidate.is_file():
            return candidate
    return Path("platforms/rp2350.repl")


def format_time(t_ns: int) -> str:
    return f"[{t_ns // NS_PER_S:4d}.{t_ns % NS_PER_S:09d}]"


def canonical_event(event: Event) -> str:
    return json.dumps({"t_ns": event.t_ns, "kind": event.kind, "data": event.data},
                      sort_keys=True, separators=(",", ":"))


def fingerprint(events: Iterable[Event]) -> str:
    """SHA-256 over the canonical JSON lines of an event stream."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(canonical_event(event).encode() + b"\n")
    return digest.hexdigest()


# -- run --------------------------------------------------------------------------------
class Press:
    def __init__(self, spec: str) -> None:
        try:
            pin_text, when = spec.split("@", 1)
            at_text, _, dur_text = when.partition(":")
            self.pin = int(pin_text)
            self.at_ns = int(float(at_text) * NS_PER_S)
            self.duration_ns = int(float(dur_text or DEFAULT_PRESS_S) * NS_PER_S)
        except ValueError:
            raise UsageError(f"--press {spec!r}: expected PIN@SECONDS[:DURATION], e.g. 15@0.5:0.2") from None
        if not 0 <= self.pin < 48 or self.at_ns < 0 or self.duration_ns <= 0:
            raise UsageError(f"--press {spec!r}: pin 0-47, a time >= 0 and a positive duration expected")

    def schedule(self, machine: Machine) -> None:
        """A press pulls the pin low (active-low button), a release lets go."""
        button = next((d for d in machine.pin_devices.values()
                       if isinstance(d, Button) and d.pin == self.pin), None)
        pin = machine.gpio.pin(self.pin)

        def press() -> None:
            button.press() if button is not None else pin.drive(False)

        def release() -> None:
            button.release() if button is not None else pin.drive(None)

        machine.scheduler.schedule_at(self.at_ns, press, f"press {self.pin}")
        machine.scheduler.schedule_at(self.at_ns + self.duration_ns, release, f"release {self.pin}")


class EventPrinter:
    """UART bytes become lines (timed at their newline); pins print as they change."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.seen = 0
        self.partial: dict[str, bytearray] = {}

    def feed(self, events: Sequence[Event]) -> None:
        for event in events[self.seen:]:
            if event.kind == "uart-tx":
                uart = event.data["uart"]
                buf = self.partial.setdefault(uart, bytearray())
                if event.data["byte"] == 0x0A:
                    self._line(event.t_ns, uart, buf)
                    del self.partial[uart]
                else:
                    buf.append(event.data["byte"])
            elif event.kind == "pin":
                self.out.write(f"{format_time(event.t_ns)} pin {event.data['pin']} -> {event.data['level']}\n")
        self.seen = len(events)
        self.out.flush()

    def _line(self, t_ns: int, uart: str, buf: bytearray) -> None:
        text = buf.decode("utf-8", "replace").replace("\r", "")
        self.out.write(f"{format_time(t_ns)} {uart}: {text}\n")

    def flush_partial(self, t_ns: int) -> None:
        for uart, buf in sorted(self.partial.items()):
            if buf:
                self._line(t_ns, uart, buf)
        self.partial.clear()
        self.out.flush()


def _rx_enabled(machine: Machine, uart: str) -> bool:
    cr = machine[uart].peek(0x30)
    return cr & 0x201 == 0x201  # UARTEN and RXE


def cmd_run(args: argparse.Namespace) -> int:
    presses = [Press(spec) for spec in args.press or []]
    if args.seconds <= 0:
        raise UsageError("--seconds must be positive")
    if not args.elf and not args.restore:
        raise UsageError("run: an ELF is needed (or --restore FILE)")
    machine = insight_cli.machine_for_run(args, args.repl or default_repl())
    start_ns = machine.now_ns  # 0, or the snapshot's time with --restore
    for press in presses:
        press.schedule(machine)
    if args.gdb is not None or args.wait_gdb:
        from .gdb_server import cli_run  # the GDB server drives the run (docs/debugging.md)
        return cli_run(args, machine, EventPrinter(sys.stdout), harness_cli.seconds_given())
    bridges = harness_cli.open_bridges(args, machine)  # --uart-pty / --uart-tcp (harness), paced
    deadline = start_ns + (int(args.seconds * NS_PER_S) if bridges is None else
                           bridges.deadline_ns(args.seconds, harness_cli.seconds_given()))
    printer = EventPrinter(sys.stdout)
    printer.seen = len(machine.events)  # a restored log was printed by the run that saved it
    insight = insight_cli.start(args, machine)  # --trace-wit / --vcd / --plot / --save-snapshot
    pending_input = codecs.decode(args.uart_input, "unicode_escape").encode("latin-1") \
        if args.uart_input else b""
    try:
        while machine.now_ns < deadline:
            step = min(CHUNK_NS, deadline - machine.now_ns)
            if pending_input:
                # bytes sent to a receiver that is still off are lost: wait for RXE
                if machine.run_until(lambda: _rx_enabled(machine, "uart0"), step):
                    machine.uart_input("uart0", pending_input)
                    pending_input = b""
            elif bridges is not None:
                bridges.run_for(step)
            else:
                machine.run_for(step)
            printer.feed(machine.events)
    finally:
        if bridges is not None:
            bridges.close()
        printer.feed(machine.events)
        printer.flush_partial(machine.now_ns)
        if args.events:
            with open(args.events, "w", encoding="utf-8") as fh:
                fh.writelines(canonical_event(event) + "\n" for event in machine.events)
        if args.fingerprint:
            print(f"fingerprint: {fingerprint(machine.events)}")
        insight.finish()
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import bare_dispatch_mips, bare_unicorn_mips, bench_firmware, report

    repl = args.repl or default_repl()
    results = [bench_firmware(elf, repl, args.seconds, args.mips) for elf in args.elf]
    for line in report(results, bare_unicorn_mips(), bare_dispatch_mips()):
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rp2350-emu", description="RP2350 (Cortex-M33) emulator in virtual time")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run an ELF and print UART output and pin changes")
    run.add_argument("elf", nargs="?", help="firmware ELF (RP2350 Arm image); optional with --restore")
    run.add_argument("--seconds", type=float, default=1.0, help="virtual seconds to run (default 1)")
    run.add_argument("--press", action="append", metavar="PIN@T[:DUR]",
                     help="pull PIN low at T seconds for DUR seconds (default 0.1); repeatable")
    run.add_argument("--uart-input", metavar="TEXT", help="bytes for UART0 RX (\\r, \\n escapes), "
                     "sent once the receiver is enabled")
    run.add_argument("--events", metavar="FILE.jsonl", help="write every event as JSON lines")
    run.add_argument("--fingerprint", action="store_true", help="print the SHA-256 of the event stream")
    run.add_argument("--repl", help="platform description (default platforms/rp2350.repl)")
    run.add_argument("--mips", type=float, help="instructions per microsecond (default from the .repl)")
    run.add_argument("--gdb", type=int, metavar="PORT",
                     help="serve GDB on 127.0.0.1:PORT (0 picks a free port); the run then lasts until GDB "
                     "kills it, or --seconds if given")
    run.add_argument("--wait-gdb", action="store_true",
                     help="stay halted at the reset vector until GDB connects and continues (implies --gdb 3333)")
    harness_cli.add_bridge_options(run)
    insight_cli.add_run_options(run)
    run.set_defaults(func=cmd_run)
    bench = sub.add_parser("bench", help="emulated MIPS, real-time ratio, bare Unicorn comparison")
    bench.add_argument("elf", nargs="+", help="firmware ELFs")
    bench.add_argument("--seconds", type=float, default=1.0, help="virtual seconds per ELF (default 1)")
    bench.add_argument("--repl", help="platform description (default platforms/rp2350.repl)")
    bench.add_argument("--mips", type=float, help="instructions per microsecond")
    bench.set_defaults(func=cmd_bench)
    harness_cli.register(sub)  # monitor, test (the harness's subcommands)
    insight_cli.register(sub)  # report
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except UsageError as exc:
        parser.exit(1, f"rp2350-emu: error: {exc}\n")
    except ConfigError as exc:
        print(f"rp2350-emu: {_one_line(exc)}", file=sys.stderr)
        return 1
    except EmulationError as exc:
        sys.stdout.flush()
        print(f"rp2350-emu: emulation error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rp2350-emu: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
