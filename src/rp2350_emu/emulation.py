"""The harness's view of an emulation: machines, virtual time, log, host bridges.

Renode keeps one *emulation* holding named machines; the monitor, the Robot
keywords and the pytest fixtures all act on it. This module is that object
for the built-in engine. Everything the harness needs from the engine goes
through `MachineHandle`, so the rest of the harness never touches engine
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

import importlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ConfigError, EmulationError
from .vtime import NS_PER_MS, format_ns

if TYPE_CHECKING:  # pragma: no cover
    from .uart_bridge import UartBridge


class HarnessError(Exception):
    """A user-facing failure of a monitor command or keyword (message only, no traceback)."""

    ROBOT_SUPPRESS_NAME = True  # Robot shows just the message


class EmulationHalted(HarnessError):
    """The engine stopped the machine (fault, unmodeled access): time cannot advance."""


# -- log ------------------------------------------------------------------------

LEVELS: dict[str, int] = {"Noisy": -1, "Debug": 0, "Info": 1, "Warning": 2, "Error": 3}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


def parse_level(value: str | int) -> int:
    """`logLevel` argument (number or name, any case) -> level number."""
    if isinstance(value, int):
        if value in LEVEL_NAMES:
            return value
    else:
        text = str(value).strip()
        for name, number in LEVELS.items():
            if text.lower() == name.lower():
                return number
        if re.fullmatch(r"-?\d+", text) and int(text) in LEVEL_NAMES:
            return int(text)
    raise HarnessError(f"unknown log level '{value}' (expected one of "
                       + ", ".join(f"{n} ({k})" for k, n in LEVELS.items()) + ")")


@dataclass(frozen=True)
class LogEntry:
    t_ns: int
    level: int
    source: str  # object name without the `sysbus.` prefix, e.g. "uart0", "cpu"
    message: str

    @property
    def full_message(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message

    def format(self) -> str:
        return f"[{LEVEL_NAMES.get(self.level, self.level)}] {self.full_message} (virt {format_ns(self.t_ns)})"


class LogBackend(Protocol):
    level: int

    def write(self, entry: LogEntry) -> None: ...


class Logger:
    """Fans log entries out to backends, each with its own level filter."""

    def __init__(self) -> None:
        self.backends: list[LogBackend] = []

    def add(self, backend: LogBackend) -> None:
        self.backends.append(backend)

    def remove(self, backend: LogBackend) -> None:
        if backend in self.backends:
            self.backends.remove(backend)

    def log(self, level: int, source: str, message: str, t_ns: int) -> None:
        entry = LogEntry(t_ns, level, source, message)
        for backend in list(self.backends):
            if level >= backend.level:
                backend.write(entry)

    def set_level(self, level: int) -> None:
        for backend in self.backends:
            backend.level = level


class CacheBackend:
    """Keeps entries in memory for `Save Cached Log` (Robot) and failure reports."""

    def __init__(self, level: int = LEVELS["Info"], limit: int = 100_000) -> None:
        self.level = level
        self.limit = limit
        self.entries: list[LogEntry] = []

    def write(self, entry: LogEntry) -> None:
        if len(self.entries) < self.limit:
            self.entries.append(entry)

    def text(self) -> str:
        return "".join(e.format() + "\n" for e in self.entries)


class FileBackend:
    """`logFile @path`: appends formatted entries to a host file."""

    def __init__(self, path: Path, level: int = LEVELS["Info"]) -> None:
        self.level = level
        self.path = path
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the backend

    def write(self, entry: LogEntry) -> None:
        self._file.write(entry.format() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class _EngineLogForwarder(logging.Handler):
    """Engine warnings logged with Python `logging` become emulation log entries."""

    def __init__(self, emulation: Emulation) -> None:
        super().__init__(logging.DEBUG)
        self.emulation = emulation

    def emit(self, record: logging.LogRecord) -> None:
        level = (LEVELS["Error"] if record.levelno >= logging.ERROR else
                 LEVELS["Warning"] if record.levelno >= logging.WARNING else
                 LEVELS["Info"] if record.levelno >= logging.INFO else LEVELS["Debug"])
        source = record.name.rsplit(".", 1)[-1]
        self.emulation.log.log(level, source, record.getMessage(), self.emulation.now_ns)


# -- peripherals as the harness sees them ---------------------------------------------

TxListener = Callable[[int, int], None]  # (byte, t_ns)


class UartPort:
    """One engine UART with any number of listeners (testers, analyzers, bridges).

    The engine calls us once per byte at the virtual time the byte leaves the
    wire; we timestamp it with the machine's clock and fan it out.
    """

    def __init__(self, handle: MachineHandle, name: str, engine_uart: Any) -> None:
        self.handle = handle
        self.name = name
        self.engine_uart = engine_uart
        self.listeners: list[TxListener] = []
        self.transcript = bytearray()  # everything sent, for failure reports
        self.rx_transcript = bytearray()
        engine_uart.on_tx(self._on_tx)

    def _on_tx(self, byte: int) -> None:
        t_ns = self.handle.now_ns
        self.transcript.append(byte)
        for listener in list(self.listeners):
            listener(byte, t_ns)

    def subscribe(self, listener: TxListener) -> None:
        self.listeners.append(listener)

    def unsubscribe(self, listener: TxListener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def inject(self, data: bytes) -> None:
        """Host -> guest bytes; the engine paces them at the line rate."""
        if not data:
            return
        self.rx_transcript += data
        self.engine_uart.inject(bytes(data))


class PinView:
    """A GPIO pin seen through an LED or button: level, and changes with timestamps."""

    def __init__(self, handle: MachineHandle, pin: int, invert: bool = False) -> None:
        self.handle = handle
        self.pin = pin
        self.invert = invert

    @property
    def engine_pin(self) -> Any:
        return self.handle.engine.gpio.pin(self.pin)

    @property
    def state(self) -> bool:
        """Logical state (LED lit / button pressed) after inversion."""
        return bool(self.engine_pin.level) != self.invert

    def drive_state(self, state: bool) -> None:
        self.engine_pin.drive(bool(state) != self.invert)


class Led:
    """`Miscellaneous.LED` registered on a GPIO pin: `State` and its change history."""

    def __init__(self, handle: MachineHandle, name: str, pin: int, invert: bool) -> None:
        self.handle = handle
        self.name = name
        self.view = PinView(handle, pin, invert)
        self.changes: list[tuple[int, bool]] = []  # (t_ns, new state)
        self._last = self.view.state
        handle.add_pin_watch(self._check)

    @property
    def state(self) -> bool:
        self._check()
        return self._last

    def _check(self) -> None:
        # Called after every engine step; pin events give exact timestamps.
        for t_ns, level in self.handle.pin_changes_since(self.view.pin, self):
            state = level != self.view.invert
            if state != self._last:
                self._last = state
                self.changes.append((t_ns, state))
        current = self.view.state
        if current != self._last:  # engine without pin events: time of discovery
            self._last = current
            self.changes.append((self.handle.now_ns, current))


class Button:
    """`Miscellaneous.Button` on a GPIO pin; `invert: true` means pressed = low."""

    def __init__(self, handle: MachineHandle, name: str, pin: int, invert: bool) -> None:
        self.handle = handle
        self.name = name
        self.view = PinView(handle, pin, invert)
        self.pressed = False
        self.release()  # the released level is driven from the start, as Renode does

    def press(self) -> None:
        self.pressed = True
        self.view.drive_state(True)

    def release(self) -> None:
        self.pressed = False
        self.view.drive_state(False)

    def toggle(self) -> None:
        if self.pressed:
            self.release()
        else:
            self.press()

    def press_and_release(self) -> None:
        """Both at the same instant, as Renode does: firmware that polls will not see it."""
        self.press()
        self.release()


_GPIO_DEVICE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*Miscellaneous\.(?P<type>LED|Button)\s*@\s*(?P<ctrl>\w+)\s+(?P<pin>\d+)"
    r"(?P<body>(?:\n(?:[ \t]+.*|\s*))*)", re.MULTILINE)


def scan_gpio_devices(repl_text: str) -> dict[str, tuple[str, str, int, bool]]:
    """LED/Button entries of a .repl: name -> (type, controller, pin, invert).

    The engine builds its own model from the same file; we only need the
    registration point and `invert` to speak in LED/button terms.
    """
    found: dict[str, tuple[str, str, int, bool]] = {}
    for m in _GPIO_DEVICE.finditer(repl_text):
        invert = re.search(r"^\s+invert\s*:\s*true\b", m.group("body") or "", re.MULTILINE) is not None
        found[m.group("name")] = (m.group("type"), m.group("ctrl"), int(m.group("pin")), invert)
    return found


# -- machines ---------------------------------------------------------------------------

MachineFactory = Callable[[str], Any]


#: `module:attribute` of a machine factory to use instead of the engine (harness tests)
FACTORY_ENV = "RP2350_EMU_MACHINE_FACTORY"


def default_machine_factory(repl_path: str) -> Any:
    from .machine import Machine  # engine module; imported late so the harness loads without it

    return Machine.from_repl(repl_path)


def machine_factory_from_env() -> MachineFactory:
    """The factory named by $RP2350_EMU_MACHINE_FACTORY, else the engine's Machine.from_repl."""
    spec = os.environ.get(FACTORY_ENV)
    if not spec:
        return default_machine_factory
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class MachineHandle:
    """A Renode machine: empty after `mach create`, an engine machine once a platform is loaded."""

    def __init__(self, emulation: Emulation, name: str) -> None:
        self.emulation = emulation
        self.name = name
        self.engine: Any = None
        self.platform_path: Path | None = None
        self.elf_paths: list[Path] = []
        self.gpio_devices: dict[str, tuple[str, str, int, bool]] = {}
        self.halted: BaseException | None = None
        self._uarts: dict[str, UartPort] = {}
        self._leds: dict[str, Led] = {}
        self._buttons: dict[str, Button] = {}
        self._pin_watches: list[Callable[[], None]] = []
        self._event_cursor: dict[int, int] = {}
        self._symbols: dict[str, int] | None = None
        self.gdb_server: Any = None

    # -- state ------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        return int(self.engine.now_ns) if self.engine is not None else 0

    def require_engine(self, what: str) -> Any:
        if self.engine is None:
            raise HarnessError(f"{what}: machine '{self.name}' has no platform yet "
                               "(run `machine LoadPlatformDescription @platforms/rp2350.repl` first)")
        return self.engine

    def load_platform(self, path: Path) -> None:
        if self.engine is not None:
            raise HarnessError(f"machine '{self.name}' already has a platform ({self.platform_path}); "
                               "create another machine with `mach create` or reset the emulation")
        try:
            self.engine = self.emulation.machine_factory(str(path))
        except ConfigError as exc:
            raise HarnessError(str(exc)) from None
        self.platform_path = path
        self.learn_gpio_devices()

    def learn_gpio_devices(self) -> None:
        """LED/Button entries of the platform: from the engine's reading of the .repl
        when it has one (usings, overrides), else from the .repl text."""
        devices: dict[str, tuple[str, str, int, bool]] = {}
        if self.platform_path is not None:
            try:
                devices = scan_gpio_devices(self.platform_path.read_text(encoding="utf-8"))
            except OSError:
                pass
        engine_pins = getattr(self.engine, "pin_devices", None)
        if isinstance(engine_pins, dict):
            entries = {getattr(e, "name", None): e for e in getattr(self.engine, "platform", None) or []}
            for name, dev in engine_pins.items():
                kind = "Button" if hasattr(dev, "press") else "LED"
                registrations = getattr(entries.get(name), "registrations", None) or [None]
                controller = getattr(registrations[0], "parent", None) or devices.get(name, ("", "gpio"))[1]
                devices[name] = (kind, controller, int(dev.pin), bool(dev.invert))
        self.gpio_devices = devices
        # Created now so a button drives its released level from the start (Renode's
        # Button releases on reset) and an LED's history starts at time zero.
        for name, (kind, *_rest) in devices.items():
            self.gpio_device(name, kind)

    def load_elf(self, path: Path) -> None:
        engine = self.require_engine("sysbus LoadELF")
        try:
            engine.load_elf(str(path))
        except ConfigError as exc:
            raise HarnessError(str(exc)) from None
        self.elf_paths.append(path)
        self._symbols = None

    # -- peripherals ----------------------------------------------------------------
    def peripheral_names(self) -> list[str]:
        engine = self.engine
        if engine is None:
            return []
        names = getattr(engine, "peripheral_names", None)
        if callable(names):
            return list(names())
        peripherals = getattr(engine, "peripherals", None)
        if isinstance(peripherals, dict):
            return list(peripherals)
        return []

    def engine_peripheral(self, name: str) -> Any:
        engine = self.require_engine(name)
        try:
            return engine[name]
        except (KeyError, TypeError, AttributeError):
            pass
        obj = getattr(engine, name, None)
        if obj is None:
            raise HarnessError(f"no peripheral '{name}' on machine '{self.name}'"
                               + self._known_suffix())
        return obj

    def _known_suffix(self) -> str:
        names = sorted(set(self.peripheral_names()) | set(self.gpio_devices))
        return f" (known: {', '.join(names)})" if names else ""

    def uart(self, name: str) -> UartPort:
        port = self._uarts.get(name)
        if port is None:
            engine_uart = self.engine_peripheral(name)
            if not (hasattr(engine_uart, "on_tx") and hasattr(engine_uart, "inject")):
                raise HarnessError(f"'{name}' on machine '{self.name}' is not a UART")
            port = self._uarts[name] = UartPort(self, name, engine_uart)
        return port

    def has_uart(self, name: str) -> bool:
        try:
            self.uart(name)
        except HarnessError:
            return False
        return True

    def gpio_device(self, name: str, kind: str) -> Led | Button:
        entry = self.gpio_devices.get(name)
        if entry is None or entry[0] != kind:
            raise HarnessError(f"no {kind} named '{name}' on machine '{self.name}'" + self._known_suffix())
        _, _ctrl, pin, invert = entry
        if kind == "LED":
            if name not in self._leds:
                self._leds[name] = Led(self, name, pin, invert)
            return self._leds[name]
        if name not in self._buttons:
            self._buttons[name] = Button(self, name, pin, invert)
        return self._buttons[name]

    def led(self, name: str) -> Led:
        dev = self.gpio_device(name, "LED")
        assert isinstance(dev, Led)
        return dev

    def button(self, name: str) -> Button:
        dev = self.gpio_device(name, "Button")
        assert isinstance(dev, Button)
        return dev

    # -- pin history from the engine's event list -------------------------------------
    def add_pin_watch(self, callback: Callable[[], None]) -> None:
        self._pin_watches.append(callback)

    def run_pin_watches(self) -> None:
        for watch in self._pin_watches:
            watch()

    def pin_changes_since(self, pin: int, reader: object) -> list[tuple[int, bool]]:
        """Pin `pin` level changes from `machine.events` not yet seen by `reader`."""
        events = getattr(self.engine, "events", None)
        if events is None:
            return []
        key = id(reader)
        start = self._event_cursor.get(key, 0)
        if start > len(events):  # the engine cleared its list
            start = 0
        self._event_cursor[key] = len(events)
        out: list[tuple[int, bool]] = []
        for event in events[start:]:
            parsed = parse_pin_event(event)
            if parsed is not None and parsed[1] == pin:
                out.append((parsed[0], parsed[2]))
        return out

    def pin_history(self) -> list[tuple[int, int, bool]]:
        """Every pin change the engine recorded: (t_ns, pin, level)."""
        out = []
        for event in getattr(self.engine, "events", None) or []:
            parsed = parse_pin_event(event)
            if parsed is not None:
                out.append(parsed)
        return out

    # -- symbols ------------------------------------------------------------------------
    def symbol_address(self, name: str) -> int:
        engine_symbols = getattr(self.engine, "symbols", None)
        if engine_symbols is not None and len(self.elf_paths) == 1 and hasattr(engine_symbols, "address"):
            try:  # the engine already parsed the ELF; parsing it again costs half a second
                return int(engine_symbols.address(name))
            except KeyError:
                raise HarnessError(f"no symbol named '{name}' in {self.elf_paths[0]}") from None
        if self._symbols is None:
            self._symbols = {}
            for path in self.elf_paths:
                self._symbols.update(read_elf_symbols(path))
        if name not in self._symbols:
            raise HarnessError(f"no symbol named '{name}' in "
                               + (", ".join(str(p) for p in self.elf_paths) or "any loaded ELF"))
        return self._symbols[name]


def parse_pin_event(event: Any) -> tuple[int, int, bool] | None:
    """Engine event -> (t_ns, pin, level) when it is a pin change.

    Events are (t_ns, kind, data); pin data may be (pin, level) or a mapping.
    """
    try:
        t_ns, kind, data = event[0], event[1], event[2]
    except (TypeError, IndexError, KeyError):
        t_ns = getattr(event, "t_ns", None)
        kind = getattr(event, "kind", None)
        data = getattr(event, "data", None)
    if kind != "pin" or t_ns is None:
        return None
    if isinstance(data, dict):
        pin, level = data.get("pin"), data.get("level")
    elif isinstance(data, (tuple, list)) and len(data) >= 2:
        pin, level = data[0], data[1]
    else:
        pin, level = getattr(data, "pin", None), getattr(data, "level", None)
    if pin is None or level is None:
        return None
    return int(t_ns), int(pin), bool(level)


def read_elf_symbols(path: Path) -> dict[str, int]:
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    symbols: dict[str, int] = {}
    with open(path, "rb") as fh:
        elf = ELFFile(fh)
        for section in elf.iter_sections():
            if isinstance(section, SymbolTableSection):
                for sym in section.iter_symbols():
                    if sym.name and sym["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE"):
                        value = sym["st_value"]
                        if sym["st_info"]["type"] == "STT_FUNC":
                            value &= ~1  # Thumb bit: Renode reports the code address
                        symbols.setdefault(sym.name, value)
    return symbols


# -- the emulation ------------------------------------------------------------------------

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

    def __init__(self, machine_factory: MachineFactory | None = None) -> None:
        self.machine_factory: MachineFactory = machine_factory or machine_factory_from_env()
        self.machines: dict[str, MachineHandle] = {}
        self.current: MachineHandle | None = None
        self.log = Logger()
        self.started = False
        self.advance_immediately = False
        self.bridges: list[UartBridge] = []
        self.lock = threading.RLock()
        self.pacer = WallClockPacer()
        self.on_clear: list[Callable[[], None]] = []
        self._forwarder = _EngineLogForwarder(self)
        logging.getLogger("rp2350_emu").addHandler(self._forwarder)

    # -- machines --------------------------------------------------------------------
    def create_machine(self, name: str | None = None) -> MachineHandle:
        if name is None:
            index = 0
            while f"machine-{index}" in self.machines:
                index += 1
            name = f"machine-{index}"
        if name in self.machines:
            raise HarnessError(f"a machine named '{name}' already exists")
        handle = MachineHandle(self, name)
        self.machines[name] = handle
        self.current = handle
        return handle

    def adopt(self, engine: Any, name: str | None = None) -> MachineHandle:
        """Wrap an engine machine built elsewhere (e.g. by `rp2350-emu run`)."""
        handle = self.create_machine(name)
        handle.engine = engine
        handle.learn_gpio_devices()
        return handle

    def machine(self, name: str | None = None) -> MachineHandle:
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

    def runnable(self) -> list[MachineHandle]:
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
            machines = self.runnable()
            if stop is not None and stop():
                return True
            if duration_ns <= 0:
                return False
            if len(machines) == 1 and not self.paced:
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

    def _run(self, m: MachineHandle, duration_ns: int, stop: Callable[[], bool] | None) -> bool:
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
    def attach_bridge(self, bridge: UartBridge) -> None:
        with self.lock:
            self.bridges.append(bridge)
            self.pacer.reset()

    def pump_bridges(self) -> None:
        for bridge in self.bridges:
            bridge.pump()


def describe_uart_transcript(data: bytes | bytearray, limit: int = 4000) -> str:
    """UART bytes as readable text for failure reports (CR dropped, controls escaped)."""
    text = bytes(data[-limit:]).decode("latin-1").replace("\r", "")
    out = []
    for ch in text:
        out.append(ch if ch == "\n" or 32 <= ord(ch) < 127 else f"\\x{ord(ch):02x}")
    prefix = f"... ({len(data) - limit} earlier bytes)\n" if len(data) > limit else ""
    return prefix + "".join(out)

