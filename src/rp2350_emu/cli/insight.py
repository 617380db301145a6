"""The "see inside" options of `rp2350-emu run`, and the `report` subcommand.

cli.py calls `add_run_options(run_parser)`, `machine_for_run(args)` (a new
machine, or one restored from `--restore`), `start(args, machine)` before
the run and `InsightSession.finish()` after it (also when it fails, so a
trace and waveform of a crashed run are still written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rp2350_emu.cli import args as cli_args

if TYPE_CHECKING:  # pragma: no cover - the engine loads only when `run` runs
    from rp2350_emu.platform.machine import Machine


def add_run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--trace-wit", metavar="FILE.jsonl", type=cli_args.output_file,
                     help="write every WIT host call (arguments, result, virtual time, cycles) as JSON lines")
    run.add_argument("--vcd", metavar="FILE.vcd", type=cli_args.output_file, help="write pin levels and UART lines (virtual ns) as a VCD file")
    run.add_argument("--plot", metavar="FILE.png", type=cli_args.output_file, help="write a plot of pin levels over virtual time")
    run.add_argument("--restore", metavar="FILE.json",
                     help="continue from a snapshot (the ELF argument may then be left out); "
                     "--seconds counts from the snapshot's time")
    run.add_argument("--save-snapshot", metavar="FILE.json", type=cli_args.output_file, help="save the machine state when the run ends")


def machine_for_run(args: argparse.Namespace, repl: str | Path) -> Machine:
    """The machine `run` drives: restored from --restore, else built and booted."""
    if args.restore:
        from rp2350_emu.platform import snapshot

        data = snapshot.load(args.restore)
        machine = snapshot.restore(data, elf=args.elf, repl=args.repl, source=args.restore)
        print(f"restored: {snapshot.describe(data)}", file=sys.stderr)
        return machine
    from rp2350_emu.platform.machine import Machine

    machine = Machine.from_repl(repl, mips=args.mips)
    machine.load_elf(args.elf)
    return machine


class InsightSession:
    """What `run` records besides its own output, written out by `finish`."""

    def __init__(self, args: argparse.Namespace, machine: Machine) -> None:
        self.args, self.machine = args, machine
        self.tracer = None
        self.recorder = None
        if args.trace_wit:
            from rp2350_emu.insight.wit_trace import WitTracer

            self.tracer = WitTracer(machine).start()
            print(f"trace-wit: {self.tracer.coverage()}", file=sys.stderr)
        if args.vcd or args.plot:
            from rp2350_emu.insight.waveform import WaveRecorder

            self.recorder = WaveRecorder(machine)

    def finish(self) -> None:
        args = self.args
        if self.tracer is not None:
            self.tracer.write_jsonl(args.trace_wit)
        if self.recorder is not None:
            wave = self.recorder.waveform(pins=[d.pin for d in self.machine.pin_devices.values()])
            if args.vcd:
                wave.write_vcd(args.vcd)
            if args.plot:
                name = self.machine.image.path.name if self.machine.image is not None else ""
                Path(args.plot).write_bytes(wave.plot_png(title=name))
        if args.save_snapshot:
            from rp2350_emu.platform import snapshot

            snapshot.save(self.machine, args.save_snapshot, note="rp2350-emu run --save-snapshot")


def start(args: argparse.Namespace, machine: Machine) -> InsightSession:
    return InsightSession(args, machine)


#: what `report` sends to images that read UART0 (insight/measure.py sends the same by default)
REPORT_UART_TEXT = "The quick brown fox jumps over the lazy dog\r"


def heap_spec(text: str) -> tuple[int, int]:
    """`ADDR:SIZE` (decimal or 0x hex) for --heap."""
    try:
        address, size = (int(part, 0) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ADDR:SIZE, e.g. 0x20000400:0x40000") from None
    if address < 0 or size <= 0 or address + size > 1 << 32:
        raise argparse.ArgumentTypeError(f"{text!r}: the arena must be a positive size within 32-bit addresses")
    return address, size


def register(subparsers: Any) -> None:
    """`rp2350-emu report ELF...` (insight/report.py, loaded when the command runs)."""
    rep = subparsers.add_parser("report", help="memory, host-call and interpreter figures vs the seed's claims",
                                description="The firmware's own figures, measured in virtual time, next to "
                                "the seed's claims: flash and RAM, heap and stack high-water marks, host-call "
                                "cost, Pulley against native code.")
    rep.add_argument("elf", nargs="+", help="firmware ELFs (build/compute.elf gives the Pulley figures; build/loader.elf one set per guest)")
    rep.add_argument("--seconds", type=cli_args.seconds, default=3.0, help="virtual seconds per ELF (default 3)")
    rep.add_argument("--uart-input", default=REPORT_UART_TEXT, metavar="TEXT",
                     help="bytes sent to images that read UART0")
    rep.add_argument("--repl", help="platform description (default platforms/boards/pico2.repl)")
    rep.add_argument("--json", metavar="FILE", type=cli_args.output_file, help="also write the figures as JSON")
    rep.add_argument("--heap", metavar="ADDR:SIZE", type=heap_spec,
                     help="the allocator's arena, when no symbol names it (e.g. 0x20000400:0x40000)")
    rep.add_argument("--guest", action="append", default=[], metavar="X.cwasm",
                     help="for the loader image: measure it with this guest in its flash partition, and time "
                     "its upload over UART0 (repeatable; default every build/guest/*.cwasm)")
    rep.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from rp2350_emu.cli.report_loader import runs_for
    from rp2350_emu.insight import report
    from rp2350_emu.platform.paths import default_repl

    return report.cmd_report(args, runs_for(args.elf, args.guest, args.repl or default_repl()))
