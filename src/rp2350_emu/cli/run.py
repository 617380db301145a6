"""`rp2350-emu run`: one ELF in virtual time, UART lines and pin changes printed as they happen."""

from __future__ import annotations

import argparse
import codecs
import sys
from typing import TextIO

from rp2350_emu.cli import bridges as bridge_cli
from rp2350_emu.cli import insight as insight_cli
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.platform.events import Event, Fingerprint, canonical_event
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.paths import default_repl
from rp2350_emu.platform.pins import Button
from rp2350_emu.time.units import NS_PER_S

#: virtual time between two looks at a host bridge (its input stays live)
CHUNK_NS = 10_000_000
#: events `run` keeps in memory (all of them are printed, hashed and written as they happen)
EVENTS_KEPT = 10_000
DEFAULT_PRESS_S = 0.1


def format_time(t_ns: int) -> str:
    return f"[{t_ns // NS_PER_S:4d}.{t_ns % NS_PER_S:09d}]"


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
    """UART bytes become lines (timed at their newline); pins print as they change.

    A listener of the machine's event log: output appears as the run makes it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.partial: dict[str, bytearray] = {}

    def __call__(self, event: Event) -> None:
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
            self.out.flush()

    def _line(self, t_ns: int, uart: str, buf: bytearray) -> None:
        text = buf.decode("utf-8", "replace").replace("\r", "")
        self.out.write(f"{format_time(t_ns)} {uart}: {text}\n")
        self.out.flush()

    def flush_partial(self, t_ns: int) -> None:
        for uart, buf in sorted(self.partial.items()):
            if buf:
                self._line(t_ns, uart, buf)
        self.partial.clear()
        self.out.flush()


class EventFile:
    """`--events FILE`: every event as a canonical JSON line, written as it happens."""

    def __init__(self, path: str) -> None:
        self._fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def __call__(self, event: Event) -> None:
        self._fh.write(canonical_event(event) + "\n")

    def close(self) -> None:
        self._fh.close()


def _rx_enabled(machine: Machine, uart: str) -> bool:
    return machine[uart].rx_enabled


def cmd_run(args: argparse.Namespace) -> int:
    presses = [Press(spec) for spec in args.press or []]
    if args.seconds <= 0:
        raise UsageError("--seconds must be positive")
    if not args.elf and not args.restore:
        raise UsageError("run: an ELF is needed (or --restore FILE)")
    machine = insight_cli.machine_for_run(args, args.repl or default_repl())
    machine.cpu.skip_loops = not args.no_skip
    start_ns = machine.now_ns  # 0, or the snapshot's time with --restore
    for press in presses:
        press.schedule(machine)
    log = machine.events
    # a restored log counts for the fingerprint and the file, but was printed by the run that saved it
    sinks: list = []
    fp = Fingerprint() if args.fingerprint else None
    events_file = EventFile(args.events) if args.events else None
    for sink in (fp, events_file):
        if sink is not None:
            for event in log:
                sink(event)
            sinks.append(sink)
    printer = EventPrinter(sys.stdout)
    log.listeners += [printer, *sinks]
    log.limit = EVENTS_KEPT  # everything is streamed: keep only a recent window in memory
    if args.gdb is not None or args.wait_gdb:
        from rp2350_emu.cli.gdb import cli_run  # the GDB server drives the run

        try:
            return cli_run(args, machine, printer, bridge_cli.seconds_given())
        finally:
            _finish(fp, events_file)
    bridges = bridge_cli.open_bridges(args, machine)  # --uart-pty / --uart-tcp (harness), paced
    deadline = start_ns + (int(args.seconds * NS_PER_S) if bridges is None else
                           bridges.deadline_ns(args.seconds, bridge_cli.seconds_given()))
    insight = insight_cli.start(args, machine)  # --trace-wit / --vcd / --plot / --save-snapshot
    pending_input = codecs.decode(args.uart_input, "unicode_escape").encode("latin-1") \
        if args.uart_input else b""
    try:
        # bytes sent to a receiver that is still off are lost: wait for RXE
        if pending_input and machine.run_until(lambda: _rx_enabled(machine, "uart0"), deadline - machine.now_ns):
            machine.uart_input("uart0", pending_input)
        if bridges is not None:
            while machine.now_ns < deadline:
                bridges.run_for(min(CHUNK_NS, deadline - machine.now_ns))
        elif deadline > machine.now_ns:
            machine.run_for(deadline - machine.now_ns)
    finally:
        if bridges is not None:
            bridges.close()
        printer.flush_partial(machine.now_ns)
        _finish(fp, events_file)
        insight.finish()
    return 0


def _finish(fp: Fingerprint | None, events_file: EventFile | None) -> None:
    if events_file is not None:
        events_file.close()
    if fp is not None:
        print(f"fingerprint: {fp.hexdigest()}")
