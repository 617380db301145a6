"""`rp2350-emu run`: one ELF in virtual time, UART lines and pin changes printed as they happen."""

from __future__ import annotations

import argparse
import codecs
import sys
from collections.abc import Sequence
from typing import TextIO

from rp2350_emu.cli import bridges as bridge_cli
from rp2350_emu.cli import insight as insight_cli
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.platform.events import Event, canonical_event, fingerprint
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.paths import default_repl
from rp2350_emu.platform.pins import Button
from rp2350_emu.time.units import NS_PER_S

#: virtual time between two looks at new events (output stays live)
CHUNK_NS = 10_000_000
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
    if args.gdb is not None or args.wait_gdb:
        from rp2350_emu.cli.gdb import cli_run  # the GDB server drives the run

        return cli_run(args, machine, EventPrinter(sys.stdout), bridge_cli.seconds_given())
    bridges = bridge_cli.open_bridges(args, machine)  # --uart-pty / --uart-tcp (harness), paced
    deadline = start_ns + (int(args.seconds * NS_PER_S) if bridges is None else
                           bridges.deadline_ns(args.seconds, bridge_cli.seconds_given()))
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
