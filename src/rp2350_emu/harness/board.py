"""One machine of the emulation as the harness holds it: its engine and its device views.

Renode calls it a machine: empty after `mach create`, an engine once a
platform is loaded. Everything the harness needs of the engine goes through
the `Engine` protocol (backends/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu.backends.engine import Engine, EngineFactory, PinDeviceInfo
from rp2350_emu.errors import ConfigError, HarnessError
from rp2350_emu.harness.devices import Button, Led, UartPort
from rp2350_emu.peripherals.roles import Pin, UartDevice


class Board:
    """A named machine: platform path, loaded ELFs, UART ports, LEDs and buttons."""

    def __init__(self, name: str, engine_factory: EngineFactory) -> None:
        self.name = name
        self.engine_factory = engine_factory
        self.engine: Any = None  # an Engine once a platform is loaded
        self.platform_path: Path | None = None
        self.elf_paths: list[Path] = []
        self.gpio_devices: dict[str, PinDeviceInfo] = {}
        self.halted: BaseException | None = None
        self._uarts: dict[str, UartPort] = {}
        self._leds: dict[str, Led] = {}
        self._buttons: dict[str, Button] = {}
        self._pin_watches: list[Callable[[], None]] = []
        self._event_cursor: dict[int, int] = {}
        self._symbols: dict[str, int] | None = None
        self.gdb_server: Any = None
        #: (level, source, message, t_ns): the emulation's log (set by Emulation.create_machine)
        self.log: Callable[[int, str, str, int], None] | None = None

    # -- state ------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        return int(self.engine.now_ns) if self.engine is not None else 0

    def require_engine(self, what: str) -> Engine:
        if self.engine is None:
            raise HarnessError(f"{what}: machine '{self.name}' has no platform yet "
                               "(run `machine LoadPlatformDescription @platforms/boards/pico2.repl` first)")
        return self.engine

    def load_platform(self, path: Path) -> None:
        if self.engine is not None:
            raise HarnessError(f"machine '{self.name}' already has a platform ({self.platform_path}); "
                               "create another machine with `mach create` or reset the emulation")
        try:
            self.engine = self.engine_factory(str(path))
        except ConfigError as exc:
            raise HarnessError(str(exc)) from None
        self.platform_path = path
        self.learn_gpio_devices()

    def adopt(self, engine: Engine, restored: bool = False) -> None:
        """Hold an engine built elsewhere (`rp2350-emu run`; `Load`: `restored`, whose
        buttons keep the state they were saved in)."""
        self.engine = engine
        self.learn_gpio_devices(release_buttons=not restored)

    def learn_gpio_devices(self, release_buttons: bool = True) -> None:
        """The platform's LEDs and buttons, as the engine read them from the .repl."""
        self.gpio_devices = dict(self.engine.pin_device_specs())
        # Created now so a button drives its released level from the start (Renode's
        # Button releases on reset) and an LED's history starts at time zero.
        for name, spec in self.gpio_devices.items():
            if spec.kind == "Button" and not release_buttons:
                self._buttons[name] = Button(self, name, spec.pin, spec.invert, release=False)
            self.gpio_device(name, spec.kind)

    def load_elf(self, path: Path) -> None:
        engine = self.require_engine("sysbus LoadELF")
        try:
            engine.load_elf(str(path))
        except ConfigError as exc:
            raise HarnessError(str(exc)) from None
        self.elf_paths.append(path)
        self._symbols = None

    def after_reset(self) -> None:
        """The engine reset the machine (`machine Reset`): buttons are released again."""
        for button in self._buttons.values():
            button.pressed = False
        self.run_pin_watches()

    # -- peripherals ----------------------------------------------------------------
    def peripheral_names(self) -> list[str]:
        return list(self.engine.peripheral_names()) if self.engine is not None else []

    def engine_peripheral(self, name: str) -> Any:
        engine = self.require_engine(name)
        try:
            return engine[name]
        except KeyError:
            raise HarnessError(f"no peripheral '{name}' on machine '{self.name}'" + self._known_suffix()) from None

    def engine_pin(self, n: int) -> Pin:
        return self.require_engine(f"pin {n}").pin(n)

    def _known_suffix(self) -> str:
        names = sorted(set(self.peripheral_names()) | set(self.gpio_devices))
        return f" (known: {', '.join(names)})" if names else ""

    def uart(self, name: str) -> UartPort:
        port = self._uarts.get(name)
        if port is None:
            engine_uart = self.engine_peripheral(name)
            if not isinstance(engine_uart, UartDevice):
                raise HarnessError(f"'{name}' on machine '{self.name}' is not a UART")
            port = self._uarts[name] = UartPort(self, name, engine_uart)
        return port

    def uart_ports(self) -> dict[str, UartPort]:
        """The UART ports opened so far (by a tester, an analyzer or a bridge)."""
        return dict(self._uarts)

    def has_uart(self, name: str) -> bool:
        try:
            self.uart(name)
        except HarnessError:
            return False
        return True

    def gpio_device(self, name: str, kind: str) -> Led | Button:
        spec = self.gpio_devices.get(name)
        if spec is None or spec.kind != kind:
            raise HarnessError(f"no {kind} named '{name}' on machine '{self.name}'" + self._known_suffix())
        if kind == "LED":
            if name not in self._leds:
                self._leds[name] = Led(self, name, spec.pin, spec.invert, self.log, f"{spec.controller}.{name}")
            return self._leds[name]
        if name not in self._buttons:
            self._buttons[name] = Button(self, name, spec.pin, spec.invert)
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
        """Pin `pin` level changes from the engine's events not yet seen by `reader`."""
        if self.engine is None:
            return []
        events = self.engine.events
        total = events.total  # an EventLog: a bounded one counts what it let go
        dropped = total - len(events)
        key = id(reader)
        start = self._event_cursor.get(key, 0)
        if start > total:  # the engine cleared its log
            start = 0
        self._event_cursor[key] = total
        return [(e.t_ns, bool(e.data["level"])) for e in events[max(start - dropped, 0):]
                if e.kind == "pin" and e.data["pin"] == pin]

    def pin_history(self) -> list[tuple[int, int, bool]]:
        """Every pin change the engine recorded: (t_ns, pin, level)."""
        if self.engine is None:
            return []
        return [(e.t_ns, e.data["pin"], bool(e.data["level"])) for e in self.engine.events if e.kind == "pin"]

    # -- symbols ------------------------------------------------------------------------
    def symbol_address(self, name: str) -> int:
        if self.engine is not None and len(self.elf_paths) == 1:
            try:  # the engine already parsed the ELF; parsing it again costs half a second
                return int(self.engine.symbol_address(name))
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


def read_elf_symbols(path: Path) -> dict[str, int]:
    """Function and object symbols of an ELF (several ELFs loaded: the engine knows only the last)."""
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
