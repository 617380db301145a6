"""Keywords that look inside the built-in engine: WIT calls, waveforms, snapshots.

A separate library from `RenodeKeywords` on purpose: Renode cannot trace
the firmware's WIT host calls, so suites that use these keywords run only
under `rp2350-emu test` and live outside `robot/*.robot` (which the Renode
job runs), in `robot/builtin/`. The resource `renode-keywords.robot` imports
this library in its `Setup` and calls `Log Pin Waveform` (every test) from its
`Test Teardown` (a failed test's snapshot is the monitor's `Save`, as in
renode-test; `Save Machine Snapshot` is for suites that want one); under real
Renode that resource is Renode's own, so nothing here is needed there.

Call specs, as in `Wit Trace Should Contain    gpio.set-high(25)    timing.delay-ms(500)`:
`interface.function` (any arguments), `interface.function(a, b)` (these
arguments), optionally followed by ` -> value` (this result).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.board import Board
from rp2350_emu.platform.machine import Machine
from rp2350_emu.robotlib.active import active

_SPEC = re.compile(r"^\s*(?P<name>[\w-]+\.[\w-]+)\s*(?:\((?P<args>[^)]*)\))?\s*(?:->\s*(?P<ret>\S+))?\s*$")


def _number(text: str) -> int:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return int(text.lower() == "true")
    return int(text, 0)


class CallSpec:
    def __init__(self, text: str) -> None:
        m = _SPEC.match(text)
        if m is None:
            raise HarnessError(f"'{text}' is not a WIT call spec (expected e.g. gpio.set-high(25) or "
                               "uart.read-byte() -> 104)")
        self.text = text.strip()
        self.name = m.group("name")
        args = m.group("args")
        try:
            self.args = None if args is None else [_number(a) for a in args.split(",") if a.strip()]
            self.ret = None if m.group("ret") is None else _number(m.group("ret"))
        except ValueError:
            raise HarnessError(f"'{text}': arguments and result must be numbers or true/false") from None

    def matches(self, call: Any) -> bool:
        if call.call != self.name:
            return False
        if self.args is not None and [int(v) for v in call.args.values()] != self.args:
            return False
        return self.ret is None or (call.ret is not None and int(call.ret) == self.ret)


class InsightKeywords:
    """WIT call trace, pin waveform in the log, machine snapshots (built-in engine only)."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def __init__(self) -> None:
        self._tracers: dict[int, Any] = {}  # id(engine machine) -> WitTracer

    # -- plumbing ---------------------------------------------------------------------------
    @staticmethod
    def _handles() -> list[Board]:
        library = active()
        if library is None:
            raise HarnessError("the Renode keyword library is not loaded (run the suite with `rp2350-emu test`)")
        return [h for h in library.emulation.machines.values() if h.engine is not None]

    def _handle(self, machine: str | None) -> Board:
        library = active()
        if library is None:
            raise HarnessError("the Renode keyword library is not loaded (run the suite with `rp2350-emu test`)")
        handle = library.emulation.machine(machine)
        engine = handle.require_engine("WIT trace")
        if not isinstance(engine, Machine) or engine.image is None:
            raise HarnessError(f"machine '{handle.name}' has no firmware in the built-in engine to look into")
        return handle

    def _tracer(self, machine: str | None) -> Any:
        engine = self._handle(machine).engine
        tracer = self._tracers.get(id(engine))
        if tracer is None or tracer.machine is not engine:
            raise HarnessError("no WIT trace on this machine: call `Trace WIT Calls` after creating it")
        return tracer

    # -- WIT trace --------------------------------------------------------------------------
    def trace_wit_calls(self, machine: str | None = None) -> None:
        """Record every WIT host call the firmware makes from now on."""
        from rp2350_emu.errors import ConfigError
        from rp2350_emu.insight.wit_trace import WitTracer

        engine = self._handle(machine).engine
        self._tracers = {k: t for k, t in self._tracers.items() if t.machine is not engine}
        try:
            self._tracers[id(engine)] = WitTracer(engine).start()
        except ConfigError as exc:
            raise HarnessError(str(exc)) from None

    def get_wit_calls(self, spec: str | None = None, machine: str | None = None) -> list[Any]:
        """Recorded calls (all, or those matching `spec`), each with call, args, ret,
        t_ns, dur_ns, cycles, insns, gap_insns, gap_ns."""
        from dataclasses import asdict

        from robot.utils import DotDict

        wanted = CallSpec(spec) if spec else None
        return [DotDict(asdict(c)) for c in self._tracer(machine).calls if wanted is None or wanted.matches(c)]

    def wit_call_should_have_happened(self, spec: str, times: int | str | None = None,
                                      machine: str | None = None) -> list[Any]:
        """Fails unless a call matching `spec` was recorded (exactly `times` times if given)."""
        calls = self.get_wit_calls(spec, machine)
        if times is not None and len(calls) != int(times):
            raise HarnessError(f"WIT call {spec}: {len(calls)} recorded, expected {int(times)}\n"
                               + self._recent(machine))
        if times is None and not calls:
            raise HarnessError(f"WIT call {spec} did not happen\n" + self._recent(machine))
        return calls

    def wit_trace_should_contain(self, *specs: str, machine: str | None = None) -> int:
        """Fails unless calls matching `specs` were recorded one right after the other;
        returns the index of the first."""
        if not specs:
            raise HarnessError("Wit Trace Should Contain: give at least one call spec")
        wanted = [CallSpec(s) for s in specs]
        calls = self._tracer(machine).calls
        for start in range(len(calls) - len(wanted) + 1):
            if all(w.matches(calls[start + i]) for i, w in enumerate(wanted)):
                return start
        raise HarnessError("WIT trace does not contain " + " ; ".join(w.text for w in wanted) + "\n"
                           + self._recent(machine))

    def _recent(self, machine: str | None, count: int = 12) -> str:
        calls = self._tracer(machine).calls
        shown = "\n".join(f"  {c.t_ns / 1e9:.6f} s  {c.text()}" for c in calls[-count:])
        return f"last {min(count, len(calls))} of {len(calls)} recorded calls:\n{shown}" if calls else \
            "no calls recorded"

    # -- waveform in the log ----------------------------------------------------------------
    def log_pin_waveform(self) -> None:
        """Pin levels (and UART TX activity) of every machine so far, as a PNG in the log.
        Never fails the test: a problem is logged as a warning."""
        from robot.api import logger

        try:
            handles = [h for h in self._handles() if isinstance(h.engine, Machine) and h.engine.image is not None]
        except HarnessError:
            return
        for handle in handles:
            try:
                png = self._plot(handle)
            except Exception as exc:  # noqa: BLE001 - a teardown helper must not turn a pass into a fail
                logger.warn(f"pin waveform of machine '{handle.name}' not drawn: {exc}")
                continue
            if png:
                data = base64.b64encode(png).decode("ascii")
                logger.info(f'<img src="data:image/png;base64,{data}" alt="pin waveform of {handle.name}" '
                            'style="max-width:100%">', html=True)

    @staticmethod
    def _plot(handle: Board) -> bytes:
        from rp2350_emu.insight.waveform import Waveform, uart_line_settings

        engine = handle.engine
        pins = {dev.pin: int(dev.level) for dev in engine.pin_devices.values()}
        settings = {f"{name}.tx": uart_line_settings(engine[name]) for name in ("uart0", "uart1")
                    if name in engine.peripherals}
        wave = Waveform.from_events(engine.events, engine.now_ns, pins, settings)
        if not wave.pins and not wave.uarts:
            return b""
        return wave.plot_png(title=f"{handle.name}: {', '.join(p.name for p in handle.elf_paths)}")

    # -- snapshots --------------------------------------------------------------------------
    def save_machine_snapshot(self, path: str) -> list[str]:
        """Save every machine's state (a second machine gets its name added to the file
        name); `rp2350-emu run --restore FILE` continues from it. Never fails the test."""
        from robot.api import logger

        from rp2350_emu.platform import snapshot

        try:
            handles = [h for h in self._handles() if isinstance(h.engine, Machine) and h.engine.image is not None]
        except HarnessError:
            return []
        written = []
        for i, handle in enumerate(handles):
            target = Path(path)
            if i:
                target = target.with_name(f"{target.stem}.{handle.name}{target.suffix}")
            try:
                snapshot.save(handle.engine, target, note=f"machine {handle.name}"
                              + (f", stopped: {handle.halted}" if handle.halted else ""))
            except Exception as exc:  # noqa: BLE001 - see log_pin_waveform
                logger.warn(f"snapshot of machine '{handle.name}' not saved: {exc}")
                continue
            written.append(str(target))
            logger.info(f"machine state saved: {target} (continue it with: rp2350-emu run --restore "
                        f"'{target}' --seconds 1)")
        return written
