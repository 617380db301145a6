"""The harness's view of an emulation: machines, virtual time, log, host bridges.

Renode keeps one *emulation* holding named machines; the monitor, the Robot
keywords and the pytest fixtures all act on it. This module is that object
for the built-in engine. Everything the harness needs from the engine goes
through `Board` and the `Engine` protocol, so the rest of the harness never touches engine
internals.

Time model (why it differs from Renode on purpose): Renode runs the emulation
in background threads paced to wall time, so a test's outcome can depend on
host load. Here virtual time only moves inside `Emulation.advance`, which the
waits, asserts, `RunFor` and Robot's `Sleep` call. A test therefore sees the
same virtual timestamps on every run. When a host bridge (pty, TCP) is
attached, `advance` paces virtual time to wall time as Renode does, because a
person or program on the other end lives in wall time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from rp2350_emu.backends.builtin import engine_factory_from_env
from rp2350_emu.backends.engine import Engine, EngineFactory
from rp2350_emu.errors import EmulationError, HarnessError
from rp2350_emu.harness.board import Board
from rp2350_emu.harness.log import LEVELS, EngineLogForwarder, Logger
from rp2350_emu.time.units import NS_PER_MS, NS_PER_S, format_ns


class EmulationHalted(HarnessError):
    """The engine stopped the machine (fault, unmodeled access): time cannot advance."""


class Bridge(Protocol):
    """A host connection to a UART (pty, TCP): pumped between slices, closed with the emulation."""

    def pump(self) -> None: ...

    def close(self) -> None: ...


class WallClockPacer:
    """Keeps virtual time from running ahead of wall time (Renode's default pacing)."""

    def __init__(self) -> None:
        self._anchor: tuple[float, int] | None = None

    def reset(self) -> None:
        self._anchor = None

    def pace(self, virtual_ns: int) -> None:
        now = time.monotonic()
        if self._anchor is None:
            self._anchor = (now, virtual_ns)
            return
        wall0, virt0 = self._anchor
        ahead = (virtual_ns - virt0) / 1e9 - (now - wall0)
        if ahead > 0:
            time.sleep(ahead)
        elif ahead < -0.5:  # far behind (slow host): re-anchor rather than run flat out forever
            self._anchor = (now, virtual_ns)


class Emulation:
    """Renode's `EmulationManager.CurrentEmulation`, for the built-in engine."""

    #: virtual slice used when several machines or host bridges share time
    SLICE_NS = 1 * NS_PER_MS

    def __init__(self, machine_factory: EngineFactory | None = None) -> None:
        self.machine_factory: EngineFactory = machine_factory or engine_factory_from_env()
        self.machines: dict[str, Board] = {}
        self.current: Board | None = None
        self.log = Logger()
        self.started = False
        self.advance_immediately = False
        self.bridges: list[Bridge] = []
        self.lock = threading.RLock()
        self.pacer = WallClockPacer()
        self.on_clear: list[Callable[[], None]] = []
        self.single_step = False  # `cpu Step` leaves the CPU in SingleStep mode, as Renode does
        self.host_ns = 0  # wall time spent advancing
        self.current_load = float("nan")  # wall / virtual time of the last advance
        self._forwarder = EngineLogForwarder(self.log, lambda: self.now_ns)
        logging.getLogger("rp2350_emu").addHandler(self._forwarder)

    # -- machines --------------------------------------------------------------------
    def create_machine(self, name: str | None = None) -> Board:
        if name is None:
            index = 0
            while f"machine-{index}" in self.machines:
                index += 1
            name = f"machine-{index}"
        if name in self.machines:
            raise HarnessError(f"a machine named '{name}' already exists")
        handle = Board(name, self.machine_factory)
        handle.log = self.log.log
        self.machines[name] = handle
        self.current = handle
        return handle

    def adopt(self, engine: Engine, name: str | None = None) -> Board:
        """Wrap an engine machine built elsewhere (e.g. by `rp2350-emu run`)."""
        handle = self.create_machine(name)
        handle.adopt(engine)
        return handle

    def machine(self, name: str | None = None) -> Board:
        """By name; without one, the only machine (Renode's rule for keywords)."""
        if name is not None:
            if name not in self.machines:
                raise HarnessError(f"Machine with name {name} not found. Available machines: "
                                   f"[{', '.join(self.machines)}]")
            return self.machines[name]
        if not self.machines:
            raise HarnessError("There is no machine in the emulation (create one with `mach create` and "
                               "load a platform, e.g. `include @renode/rp2350.resc`)")
        if len(self.machines) > 1:
            raise HarnessError("No machine name provided. Don't know which one to choose. Available machines: "
                               f"[{', '.join(self.machines)}]")
        return next(iter(self.machines.values()))

    @property
    def now_ns(self) -> int:
        handle = self.current or next(iter(self.machines.values()), None)
        return handle.now_ns if handle is not None else 0

    def clear(self) -> None:
        """`Reset Emulation`: drop every machine, bridge and listener."""
        with self.lock:
            for callback in list(self.on_clear):
                callback()
            for bridge in self.bridges:
                bridge.close()
            self.bridges.clear()
            for handle in self.machines.values():
                if handle.gdb_server is not None:
                    handle.gdb_server.close()
            self.machines.clear()
            self.current = None
            self.started = False
            self.advance_immediately = False
            self.log.object_levels.clear()
            self.host_ns, self.current_load = 0, float("nan")
            self.single_step = False
            self.pacer.reset()

    def close(self) -> None:
        self.clear()
        logging.getLogger("rp2350_emu").removeHandler(self._forwarder)

    # -- time ------------------------------------------------------------------------------
    def start(self) -> None:
        self.started = True

    def pause(self) -> None:
        self.started = False
        self.pacer.reset()

    @property
    def paced(self) -> bool:
        return bool(self.bridges) and not self.advance_immediately

    def runnable(self) -> list[Board]:
        machines = [m for m in self.machines.values() if m.engine is not None]
        if not machines:
            raise HarnessError("no machine to run: load a platform and firmware first "
                               "(e.g. `include @renode/rp2350.resc`)")
        for m in machines:
            if m.halted is not None:
                raise EmulationHalted(f"machine '{m.name}' stopped at {format_ns(m.now_ns)}: {m.halted}")
        return machines

    def advance(self, duration_ns: int, stop: Callable[[], bool] | None = None) -> bool:
        """Run every machine `duration_ns` of virtual time, or until `stop()` is true.

        Returns whether `stop` fired. Raises EmulationHalted if the engine stops
        a machine (the error is also logged, as Renode logs a CPU abort).
        """
        with self.lock:
            wall0, virtual0 = time.perf_counter_ns(), self.now_ns
            try:
                return self._advance(duration_ns, stop)
            finally:
                # for `machine GetTimeSourceInfo`: host time spent running, and its ratio to virtual time
                wall = time.perf_counter_ns() - wall0
                self.host_ns += wall
                if self.now_ns > virtual0:
                    self.current_load = wall / (self.now_ns - virtual0)

    def _advance(self, duration_ns: int, stop: Callable[[], bool] | None) -> bool:
        machines = self.runnable()
        if self.single_step and duration_ns > 0:
            # Renode's CPU would wait for the next step (a wait then never ends): say so instead
            raise HarnessError("the CPU is in SingleStep mode (after `cpu Step`): time does not flow until "
                               "`cpu ExecutionMode Continuous`")
        if stop is not None and stop():
            return True
        if duration_ns <= 0:
            return False
        if len(machines) == 1 and not self.bridges:  # bridges are pumped between slices, paced or not
            return self._run(machines[0], duration_ns, stop)
        end = {m.name: m.now_ns + duration_ns for m in machines}
        while True:
            self.pump_bridges()
            progressed = False
            for m in machines:
                left = end[m.name] - m.now_ns
                if left > 0:
                    progressed = True
                    if self._run(m, min(left, self.SLICE_NS), stop):
                        return True
            if stop is not None and stop():
                return True
            if not progressed:
                return False
            if self.paced:
                self.pacer.pace(machines[0].now_ns)

    def _run(self, m: Board, duration_ns: int, stop: Callable[[], bool] | None) -> bool:
        engine = m.engine
        watches = m.run_pin_watches
        fired = [False]

        def predicate() -> bool:
            watches()
            fired[0] = fired[0] or bool(stop())  # type: ignore[misc]
            return fired[0]

        try:
            if stop is None:
                engine.run_for(duration_ns)
            else:
                engine.run_until(predicate, duration_ns)
        except EmulationError as exc:
            m.halted = exc
            self.log.log(LEVELS["Error"], "cpu", str(exc), m.now_ns)
            raise EmulationHalted(f"machine '{m.name}' stopped at {format_ns(m.now_ns)}: {exc}") from None
        watches()
        return stop is not None and (fired[0] or bool(stop()))

    # -- host bridges ----------------------------------------------------------------------
    def attach_bridge(self, bridge: Bridge) -> None:
        with self.lock:
            self.bridges.append(bridge)
            self.pacer.reset()

    def pump_bridges(self) -> None:
        for bridge in self.bridges:
            bridge.pump()


def state_report(emulation: Emulation, pin_limit: int = 200) -> str:
    """Every machine's UART transcripts (output and input) and recent pin changes, for failure reports."""
    parts = []
    for handle in emulation.machines.values():
        if handle.engine is None:
            continue
        parts.append(f"== {handle.name} at virtual {format_ns(handle.now_ns)}"
                     + (f" (stopped: {handle.halted})" if handle.halted else ""))
        for name, port in handle.uart_ports().items():
            parts.append(f"-- {name} output ({len(port.transcript)} bytes):\n"
                         + describe_uart_transcript(port.transcript))
            if port.rx_transcript:
                parts.append(f"-- {name} input:\n" + describe_uart_transcript(port.rx_transcript))
            overruns = [e for e in handle.engine.events if e.kind == "uart-overrun" and e.data["uart"] == name]
            if overruns:
                lost = sum(e.data["lost"] for e in overruns)
                parts.append(f"-- {name}: {len(overruns)} receive overrun(s), {lost} byte(s) of input lost "
                             f"(RX FIFO full; the first at {format_ns(overruns[0].data['since_ns'])})")
        history = handle.pin_history()
        parts.append("-- pin changes (virtual s, pin, level):\n" + ("\n".join(
            f"{t / NS_PER_S:.6f} GPIO{pin} {'high' if level else 'low'}" for t, pin, level in history[-pin_limit:])
            or "(none)"))
    return "\n".join(parts) + ("\n" if parts else "")


def describe_uart_transcript(data: bytes | bytearray, limit: int = 4000) -> str:
    """UART bytes as readable text for failure reports (CR dropped, controls escaped)."""
    text = bytes(data[-limit:]).decode("latin-1").replace("\r", "")
    out = []
    for ch in text:
        out.append(ch if ch == "\n" or 32 <= ord(ch) < 127 else f"\\x{ord(ch):02x}")
    prefix = f"... ({len(data) - limit} earlier bytes)\n" if len(data) > limit else ""
    return prefix + "".join(out)
