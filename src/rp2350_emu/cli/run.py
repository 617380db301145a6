"""`rp2350-emu run`: one ELF in virtual time, UART lines and pin changes printed as they happen."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TextIO

from rp2350_emu import inputs
from rp2350_emu.cli import bridges as bridge_cli
from rp2350_emu.cli import guest as guest_cli
from rp2350_emu.cli import insight as insight_cli
from rp2350_emu.cli.usage import UsageError
from rp2350_emu.errors import ConfigError
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
DEFAULT_SECONDS = 1.0


def format_time(t_ns: int) -> str:
    return f"[{t_ns // NS_PER_S:4d}.{t_ns % NS_PER_S:09d}]"


class Press:
    def __init__(self, spec: str) -> None:
        pin_text, sep, when = spec.partition("@")
        at_text, _, dur_text = when.partition(":")
        if not sep or not pin_text.strip().isdigit():
            raise UsageError(f"--press {spec!r}: expected PIN@SECONDS[:DURATION], e.g. 15@0.5:0.2")
        self.pin = int(pin_text)
        if not 0 <= self.pin < 48:
            raise UsageError(f"--press {spec!r}: pin {self.pin} does not exist (GPIO 0-47)")
        try:
            self.at_ns = int(inputs.seconds(at_text, f"--press {spec!r}: time", allow_zero=True) * NS_PER_S)
            self.duration_ns = int(inputs.seconds(dur_text or DEFAULT_PRESS_S, f"--press {spec!r}: duration")
                                   * NS_PER_S)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None

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
        self.overruns = OverrunTally()

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
        for line in self.overruns.summary():
            print(f"rp2350-emu: warning: {line}", file=sys.stderr)


class OverrunTally:
    """Receive overruns per UART (`uart-overrun` events), summed up at the end of a run."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}  # uart -> [overruns, bytes lost]

    def __call__(self, event: Event) -> None:
        if event.kind == "uart-overrun":
            tally = self.counts.setdefault(event.data["uart"], [0, 0])
            tally[0] += 1
            tally[1] += event.data["lost"]

    def summary(self) -> list[str]:
        return [f"{uart}: {n} receive overrun{'s' if n != 1 else ''} in this run, {lost} byte"
                f"{'s' if lost != 1 else ''} of input lost" for uart, (n, lost) in sorted(self.counts.items())]


class EventFile:
    """`--events FILE`: every event as a canonical JSON line, written as it happens."""

    def __init__(self, path: str) -> None:
        self._fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def __call__(self, event: Event) -> None:
        self._fh.write(canonical_event(event) + "\n")

    def close(self) -> None:
        self._fh.close()


#: what the firmware prints when a guest traps, it panics, or the core faults (runtime.rs)
TRAP_MARKERS = ("*** guest trap", "*** panic", "*** hard fault")


class UartChecks:
    """--expect-uart / --fail-on-uart / trap reports, watched on UART0 as its bytes leave."""

    def __init__(self, expect: list[str], fail: list[str], allow_trap: bool) -> None:
        self.pending = [t.encode("latin-1", "replace") for t in expect]
        self.fail = [t.encode("latin-1", "replace") for t in fail]
        self.markers = [] if allow_trap else [m.encode() for m in TRAP_MARKERS]
        self.expecting = bool(expect)
        self.failure: str | None = None
        self._tail = bytearray()
        self._keep = max([len(t) for t in self.pending + self.fail] + [120])

    def __call__(self, event: Event) -> None:
        if event.kind != "uart-tx" or event.data["uart"] != "uart0" or self.failure is not None:
            return
        tail = self._tail
        tail.append(event.data["byte"])
        for text in self.fail:
            if tail.endswith(text):
                self.failure = f"UART0 sent {text.decode('latin-1')!r} (--fail-on-uart)"
        if event.data["byte"] == 0x0A and self.markers:
            line = bytes(tail).rsplit(b"\n", 2)[-2] if tail.count(b"\n") >= 1 else b""
            line = line.rsplit(b"\n", 1)[-1].strip(b"\r")
            if any(line.startswith(m) for m in self.markers):
                self.failure = f"the firmware reported: {line.decode('latin-1')} (--allow-trap to accept it)"
        self.pending = [t for t in self.pending if not bytes(tail).endswith(t) and t not in tail]
        if len(tail) > 2 * self._keep:
            del tail[:-self._keep]

    @property
    def done(self) -> bool:
        return self.failure is not None or (self.expecting and not self.pending)


def _rx_enabled(machine: Machine, uart: str) -> bool:
    return machine[uart].rx_enabled


def cmd_run(args: argparse.Namespace) -> int:
    args.seconds_given = args.seconds is not None  # a bridge or GDB otherwise runs until stopped
    if args.seconds is None:
        args.seconds = DEFAULT_SECONDS
    presses = [Press(spec) for spec in args.press or []]
    if not args.elf and not args.restore:
        raise UsageError("run: an ELF is needed (or --restore FILE)")
    pending_input = inputs.escaped_bytes(args.uart_input, "--uart-input") if args.uart_input else b""
    _refuse_clobbering_inputs(args)
    machine = insight_cli.machine_for_run(args, args.repl or default_repl())
    upload_blob = guest_cli.prepare(args, machine)  # --guest placed in flash; --upload checked
    machine.cpu.skip_loops = not args.no_skip
    start_ns = machine.now_ns  # 0, or the snapshot's time with --restore
    length_s = args.timeout if args.timeout is not None else args.seconds
    for press in presses:
        if start_ns + press.at_ns >= start_ns + int(length_s * NS_PER_S):
            print(f"rp2350-emu: warning: --press {press.pin}@{press.at_ns / NS_PER_S:g} is at or after the end of "
                  f"the run ({length_s:g} s): it will not happen", file=sys.stderr)
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
    checks = UartChecks(args.expect_uart, args.fail_on_uart, args.allow_trap)
    log.listeners += [printer, *sinks, checks, printer.overruns]
    log.limit = EVENTS_KEPT  # everything is streamed: keep only a recent window in memory
    warnings = _WarningPrinter()  # engine warnings (UART overruns): one line each on stderr
    logging.getLogger("rp2350_emu").addHandler(warnings)
    try:
        if getattr(args, "web", None) is not None:  # the pages drive the run (cli/web.py)
            from rp2350_emu.cli.web import run_web

            return run_web(args, machine, checks, printer, lambda: _finish(fp, events_file),
                           lambda ran_ns: _verdict(checks, ran_ns), pending_input, start_ns, length_s)
        if args.gdb is not None or args.wait_gdb:
            from rp2350_emu.cli.gdb import cli_run  # the GDB server drives the run

            try:
                return cli_run(args, machine, printer, args.seconds_given)
            finally:
                _finish(fp, events_file)
        return _run(args, machine, checks, printer, fp, events_file, pending_input, start_ns, length_s,
                    upload_blob)
    finally:
        logging.getLogger("rp2350_emu").removeHandler(warnings)


class _WarningPrinter(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.flush()
        print(f"rp2350-emu: warning: {record.getMessage()}", file=sys.stderr)


def _run(args: argparse.Namespace, machine: Machine, checks: UartChecks, printer: EventPrinter,
         fp: Fingerprint | None, events_file: EventFile | None, pending_input: bytes, start_ns: int,
         length_s: float, upload_blob: bytes | None = None) -> int:
    bridges = bridge_cli.open_bridges(args, machine)  # --uart-pty / --uart-tcp (harness), paced
    deadline = start_ns + (int(length_s * NS_PER_S) if bridges is None else
                           bridges.deadline_ns(length_s, args.seconds_given
                                               or args.timeout is not None))
    insight = insight_cli.start(args, machine)  # --trace-wit / --vcd / --plot / --save-snapshot
    stop = (lambda: checks.done) if (checks.expecting or checks.fail or checks.markers) else None
    try:
        if upload_blob is not None and not guest_cli.upload(machine, upload_blob, deadline, lambda: checks.done):
            return 1
        # bytes sent to a receiver that is still off are lost: wait for RXE
        if pending_input and machine.run_until(lambda: _rx_enabled(machine, "uart0") or checks.done,
                                               deadline - machine.now_ns) and not checks.done:
            machine.uart_input("uart0", pending_input)
        if bridges is not None:
            while machine.now_ns < deadline and not checks.done:
                bridges.run_for(min(CHUNK_NS, deadline - machine.now_ns))
        elif deadline > machine.now_ns and not checks.done:
            if stop is None:
                machine.run_for(deadline - machine.now_ns)
            else:
                machine.run_until(stop, deadline - machine.now_ns)
    finally:
        if bridges is not None:
            bridges.close()
        printer.flush_partial(machine.now_ns)
        _finish(fp, events_file)
        insight.finish()
    return _verdict(checks, machine.now_ns - start_ns)


_OUTPUTS = ("events", "trace_wit", "vcd", "plot", "save_snapshot")


def _refuse_clobbering_inputs(args: argparse.Namespace) -> None:
    """An output option naming an input (the ELF, the .repl, the snapshot read) would destroy it."""
    sources = {"the firmware ELF": args.elf, "the --repl file": args.repl, "the --restore snapshot": args.restore}
    read = {Path(v).resolve(): what for what, v in sources.items() if v}
    written: dict[Path, str] = {}
    for name in _OUTPUTS:
        value = getattr(args, name, None)
        if not value:
            continue
        option = "--" + name.replace("_", "-")
        target = Path(value).resolve()
        if target in read:
            raise UsageError(f"{option} {value}: that is {read[target]}; writing it would destroy it "
                             "(choose another file name)")
        if target in written:
            raise UsageError(f"{option} {value}: {written[target]} writes the same file")
        written[target] = option


def _verdict(checks: UartChecks, ran_ns: int) -> int:
    if checks.failure is not None:
        print(f"rp2350-emu: failed: {checks.failure}", file=sys.stderr)
        return 1
    if checks.expecting and checks.pending:
        missing = ", ".join(repr(t.decode("latin-1")) for t in checks.pending)
        print(f"rp2350-emu: timeout: after {ran_ns / NS_PER_S:g} s of virtual time UART0 had not sent {missing}",
              file=sys.stderr)
        return 3
    return 0


def _finish(fp: Fingerprint | None, events_file: EventFile | None) -> None:
    if events_file is not None:
        events_file.close()
    if fp is not None:
        print(f"fingerprint: {fp.hexdigest()}")
