"""An RP2350 machine built from a Renode .repl file.

The .repl is the only source of the memory map: the CPU entry gives the
instruction rate, the NVIC entry the SCS block, MappedMemory entries the
RAM/flash, every other bus entry a peripheral model (see wiring.py), and
LED/Button entries registered on the GPIO controller become pin devices.

Typical use:

    m = Machine.from_repl("platforms/boards/pico2.repl")
    m.load_elf("build/blinky.elf")
    m.run_until(lambda: b"On" in m.uart_text("uart0"), timeout_ns=2_000_000_000)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rp2350_emu.core.cpu import CortexM33
from rp2350_emu.core.scs import Scs
from rp2350_emu.errors import ConfigError, EmulationError
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.eppb import Eppb
from rp2350_emu.peripherals.resets import Resets
from rp2350_emu.peripherals.roles import (
    NumberedIrqSource,
    Pin,
    PinController,
    UartDevice,
    UartOverruns,
)
from rp2350_emu.platform.bus import Bus
from rp2350_emu.platform.elf import FirmwareImage, SymbolTable
from rp2350_emu.platform.events import Event, EventLog
from rp2350_emu.platform.pins import Button, PinDevice, PinDeviceSpec, make_pin_device, pin_device_specs
from rp2350_emu.platform.repl.ast import Entry, IrqConnection, Platform, normalise_type
from rp2350_emu.platform.repl.parser import parse_repl
from rp2350_emu.platform.resetting import Resetting
from rp2350_emu.platform.sysbus import SysbusView
from rp2350_emu.platform.wiring import (
    CPU_TYPE,
    MEMORY_TYPE,
    NVIC_TYPE,
    PYTHON_TYPE,
    DeviceBuilder,
    snake_case,
)
from rp2350_emu.time.slices import SliceScheduler

#: bytes of each UART's output `uart_text` keeps (about; older ones are let go)
UART_TEXT_KEPT = 1 << 20
#: the entry name the bootrom boots from (RP2350 flash boot: XIP at its base)
BOOT_MEMORY = "flash"
#: receive overruns logged as warnings per UART (all of them are events)
OVERRUN_WARNINGS = 20


def _seconds(t_ns: int) -> str:
    return f"{t_ns // 1_000_000_000}.{t_ns % 1_000_000_000:09d}"


class Machine(Resetting):
    def __init__(self, platform: Platform, *, mips: float | None = None,
                 models: Mapping[str, type] | None = None) -> None:
        if models is None:
            from rp2350_emu.peripherals import MODELS
            models = MODELS
        self.platform = platform
        self.models = models
        self.events = EventLog()
        self.image: FirmwareImage | None = None
        self.symbols: SymbolTable | None = None
        self._mips_override = mips
        self._uart_text: dict[str, bytearray] = {}
        self._overrun_warnings: dict[str, int] = {}
        self._start_from_vectors = False  # a `machine Reset` waits for its boot (resetting.py)
        self._build()

    @classmethod
    def from_repl(cls, path: str | Path, *, mips: float | None = None,
                  models: Mapping[str, type] | None = None) -> Machine:
        return cls(parse_repl(path), mips=mips, models=models)

    # -- construction ---------------------------------------------------------
    def _only(self, type_name: str, what: str) -> Entry:
        found = self.platform.of_type(type_name)
        if len(found) != 1:
            files = ", ".join(self.platform.files) or "<string>"
            raise ConfigError(f"{files}: {len(found)} {type_name} entries, expected exactly one ({what})")
        return found[0]

    def _build(self) -> None:
        cpu_entry = self._only(CPU_TYPE, "the Cortex-M33")
        cpu_type = cpu_entry.attrs.get("cpuType")
        if cpu_type != "cortex-m33":
            raise ConfigError(f"{cpu_entry.attr_where('cpuType')}: cpuType {cpu_type!r}, expected \"cortex-m33\"")
        mips = self._mips_override or cpu_entry.attrs.get("PerformanceInMips", 100)
        if not isinstance(mips, (int, float)) or mips <= 0:
            raise ConfigError(f"{cpu_entry.attr_where('PerformanceInMips')}: PerformanceInMips {mips!r}, "
                              "expected a positive number")
        self.scheduler = SliceScheduler()
        self.cpu = CortexM33(self.scheduler, int(mips * 1_000_000))
        self.bus = Bus(self.cpu)
        self.sysbus = SysbusView(self.bus, self.cpu.uc)
        self._build_nvic()
        self._build_memories()
        builder = DeviceBuilder(self.platform, self.scheduler, self.models)
        self.devices = builder.build_all()
        self.peripherals: dict[str, Any] = {"nvic": self.scs, **{n: d.model for n, d in self.devices.items()}}
        for device in self.devices.values():
            reg = device.entry.bus_registration()
            if device.bus_model is not None:
                if reg is None or reg.address is None:
                    raise ConfigError(f"{device.entry.where}: {device.entry.name} has registers but no bus "
                                      "address, expected '@ sysbus 0x...'")
                size = reg.size
                if size is None and normalise_type(device.entry.type or "") == PYTHON_TYPE:
                    size = device.entry.attrs.get("size")  # a PythonPeripheral's window
                self.bus.map_peripheral(device.bus_model, reg.address, size if isinstance(size, int) else None,
                                        device.entry.where)
        for device in self.devices.values():
            if isinstance(device.model, Eppb):
                device.model.nvic = self.scs.nvic
        self._build_pin_devices()
        self._wire_irqs()
        self._watch_outputs()

    def _build_nvic(self) -> None:
        entry = self._only(NVIC_TYPE, "the SCS/NVIC block")
        reg = entry.bus_registration()
        if reg is None or reg.address is None:
            raise ConfigError(f"{entry.where}: nvic without an address, expected @ sysbus 0xE000E000")
        prio_mask = entry.attrs.get("priorityMask", 0xFF)
        systick = entry.attrs.get("systickFrequency", self.cpu.hz)
        if not isinstance(prio_mask, int) or not isinstance(systick, int) or systick <= 0:
            raise ConfigError(f"{entry.where}: priorityMask/systickFrequency must be numbers")
        self.nvic_name = entry.name
        self.scs = Scs(entry.name, self.scheduler, cpu_hz=self.cpu.hz, priority_mask=prio_mask,
                       systick_hz=systick)
        self.bus.map_peripheral(self.scs, reg.address, reg.size)
        cpu = self.cpu
        scb = self.scs.scb
        cpu.scs = self.scs
        scb.current_exception = cpu.current_exception
        scb.on_cpacr_write = lambda _value: cpu.fp_gate_changed()
        scb.on_system_reset = self._request_system_reset
        self.scs.nvic.on_change = cpu.request_exit
        self.scs.nvic.on_pend_event = self._pend_event

    def _pend_event(self) -> None:
        self.cpu.event_register = True

    def _build_memories(self) -> None:
        self.memories: dict[str, tuple[int, int]] = {}
        for entry in self.platform.of_type(MEMORY_TYPE):
            size = entry.attrs.get("size")
            reg = entry.bus_registration()
            if not isinstance(size, int) or reg is None or reg.address is None:
                raise ConfigError(f"{entry.where}: {entry.name} needs '@ sysbus 0xADDR' and 'size: 0x...'")
            if len(entry.registrations) > 1:
                raise ConfigError(f"{entry.where}: {entry.name}: memory aliases (several registrations) are "
                                  "not supported, expected one '@ sysbus' address")
            self.bus.map_memory(entry.name, reg.address, size, entry.name != BOOT_MEMORY, entry.where)
            self.memories[entry.name] = (reg.address, size)
        if BOOT_MEMORY not in self.memories:
            raise ConfigError(f"{', '.join(self.platform.files)}: no Memory.MappedMemory named "
                              f"'{BOOT_MEMORY}', expected the boot flash")

    def _build_pin_devices(self) -> None:
        self.pin_devices: dict[str, PinDevice] = {}
        controllers = {name: model for name, model in self.peripherals.items() if isinstance(model, PinController)}
        for name, spec in pin_device_specs(self.platform, controllers).items():
            self.pin_devices[name] = make_pin_device(spec, self.peripherals[spec.controller])
        for device in self.pin_devices.values():
            if isinstance(device, Button):
                device.release()  # the released level is driven from the start, as in Renode

    def _signal(self, entry: Entry, conn: IrqConnection) -> Any:
        model = self.peripherals.get(entry.name)
        source = conn.source
        if model is None:
            raise ConfigError(f"{conn.file}:{conn.line}: {entry.name} has no model to take an IRQ from")
        if isinstance(source, int):
            irqs = model.irqs if isinstance(model, NumberedIrqSource) else None
            if irqs is None or source >= len(irqs):
                raise ConfigError(f"{conn.file}:{conn.line}: {entry.name} has no numbered output {source}, "
                                  f"expected 0..{len(irqs or []) - 1}")
            return irqs[source]
        attr = "irq" if source in (None, "IRQ") else snake_case(source)
        signal = getattr(model, attr, None)
        device = self.devices.get(entry.name)
        if signal is None and device is not None and device.bus_model is not None:
            signal = getattr(device.bus_model, attr, None)  # e.g. SIO's FIFO IRQ behind the gpio model
        if not isinstance(signal, Signal):
            raise ConfigError(f"{conn.file}:{conn.line}: {entry.name} has no output {source or 'IRQ'} "
                              f"(looked for .{attr})")
        return signal

    def _wire_irqs(self) -> None:
        nvic_lines = self.scs.nvic.irq_lines
        for entry in self.platform:
            for conn in entry.irqs:
                for target in conn.targets:
                    where = f"{conn.file}:{conn.line}"
                    if target.target == self.nvic_name and entry.name != self.nvic_name:
                        if not 0 <= target.pin < len(nvic_lines):
                            raise ConfigError(f"{where}: nvic@{target.pin}, expected 0..{len(nvic_lines) - 1}")
                        signal = self._signal(entry, conn)
                        signal.connect(nvic_lines[target.pin])
                        if signal.level:
                            nvic_lines[target.pin](True)
                    elif entry.name == self.nvic_name or target.target in self.pin_devices or \
                            entry.name in self.pin_devices:
                        continue  # nvic -> cpu, gpio -> led, button -> gpio: built in
                    else:
                        raise ConfigError(f"{where}: {entry.name} -> {target.target}@{target.pin} is not "
                                          "supported, expected an IRQ to the NVIC")

    def _watch_outputs(self) -> None:
        for name, model in self.peripherals.items():
            if isinstance(model, UartDevice):
                model.on_tx(lambda byte, name=name: self._on_uart_tx(name, byte))
                # received bytes are logged when their stop bit arrives, not
                # when a test queued them: the log shows the line's timing
                model.on_rx(lambda byte, name=name: self._on_uart_rx(name, byte))
            if isinstance(model, UartOverruns):
                model.on_overrun(lambda lost, since, name=name: self._on_uart_overrun(name, lost, since))
            if isinstance(model, PinController):
                model.add_listener(self._on_pin)

    def _on_uart_tx(self, uart: str, byte: int) -> None:
        self.events.record(Event(self.now_ns, "uart-tx", {"uart": uart, "byte": byte}))
        text = self._uart_text.setdefault(uart, bytearray())
        text.append(byte)
        if len(text) > 2 * UART_TEXT_KEPT:  # a long run's memory stays flat
            del text[:-UART_TEXT_KEPT]

    def _on_uart_rx(self, uart: str, byte: int) -> None:
        self.events.record(Event(self.now_ns, "uart-rx", {"uart": uart, "byte": byte}))

    def _on_uart_overrun(self, uart: str, lost: int, since_ns: int) -> None:
        self.events.record(Event(self.now_ns, "uart-overrun", {"uart": uart, "lost": lost, "since_ns": since_ns}))
        warned = self._overrun_warnings.get(uart, 0)
        if warned < OVERRUN_WARNINGS:
            self._overrun_warnings[uart] = warned + 1
            more = "; later overruns are only counted in the events" if warned + 1 == OVERRUN_WARNINGS else ""
            logging.getLogger(f"rp2350_emu.{uart}").warning(
                "%s: receive overrun at %s s: %d byte%s lost (RX FIFO full: the input came faster than the "
                "firmware read it)%s", uart, _seconds(since_ns), lost, "" if lost == 1 else "s", more)

    def _on_pin(self, pin: int, level: bool) -> None:
        self.events.record(Event(self.now_ns, "pin", {"pin": pin, "level": int(bool(level))}))

    # -- access ---------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        if name in self.peripherals:
            return self.peripherals[name]
        if name in self.pin_devices:
            return self.pin_devices[name]
        if name == "cpu":
            return self.cpu
        raise KeyError(f"no peripheral named {name!r} (known: {', '.join(self.peripheral_names())})")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("peripherals", "pin_devices"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def peripheral_names(self) -> list[str]:
        return sorted(set(self.peripherals) | set(self.pin_devices))

    def pin_device_specs(self) -> dict[str, PinDeviceSpec]:
        """The platform's LEDs and buttons (the harness names them from this)."""
        return {name: device.spec for name, device in self.pin_devices.items()}

    @property
    def cpu_name(self) -> str:
        """The CPU entry's name in the .repl (`cpu` in ours)."""
        return self._only(CPU_TYPE, "the Cortex-M33").name

    def pin(self, n: int) -> Pin:
        """GPIO pin `n` of the pin controller (the one LEDs and buttons hang on)."""
        return self._pin_controller().pin(n)

    def _pin_controller(self) -> PinController:
        # found once: isinstance on a runtime-checkable Protocol is slow, and asked per pin access
        if (found := self.__dict__.get("_pin_controller_found")) is None:
            found = next((m for m in self.peripherals.values() if isinstance(m, PinController)), None)
            if found is None:
                raise ConfigError(f"{', '.join(self.platform.files)}: no GPIO controller in the platform")
            self._pin_controller_found = found
        return found

    @property
    def now_ns(self) -> int:
        # the scheduler's clock: exact inside a slice and, while an event
        # fires, the event's own time (the core may be a cycle past it)
        return self.scheduler.now_ns

    def uart_text(self, uart: str = "uart0") -> bytes:
        """Everything a UART has sent so far."""
        return bytes(self._uart_text.get(uart, b""))

    def get_symbol_address(self, name: str) -> int:
        if self.symbols is None:
            raise ConfigError("no ELF loaded: no symbols")
        return self.symbols.address(name)

    symbol_address = get_symbol_address

    def symbolize(self, address: int) -> str:
        return self.symbols.lookup(address) if self.symbols is not None else ""

    # -- firmware -------------------------------------------------------------
    def load_elf(self, path: str | Path) -> None:
        """Load an RP2350 Arm image and boot it as the bootrom would (4.3)."""
        base, size = self.memories[BOOT_MEMORY]
        image = FirmwareImage(path, base, size, list(self.memories.values()))
        self.image = image
        self.symbols = image.symbols
        self.cpu.symbolize = self.symbolize
        self._boot()

    def _boot(self) -> None:
        image = self.image
        assert image is not None
        self._start_from_vectors = False
        uc = self.cpu.uc
        for seg in image.segments:
            uc.mem_write(seg.address, seg.data)
        self.cpu.scan_code(image.executable_ranges())
        base, _ = self.memories[BOOT_MEMORY]
        self.cpu.boot(base, image.vector_sp, image.entry)
        scb = self.scs.scb
        scb.cpacr, scb.nsacr = 0x0000C000, 0x80  # what the bootrom leaves (CP7 for its own use)
        resets = self.peripherals.get("resets")
        if isinstance(resets, Resets):
            resets.bootrom_state()

    # -- running --------------------------------------------------------------
    def run_for(self, ns: int) -> None:
        """Run `ns` nanoseconds of virtual time (raises EmulationError)."""
        self._require_image()
        self.cpu.run(self.now_ns + int(ns))

    def run_until(self, predicate: Callable[[], bool], timeout_ns: int) -> bool:
        """Run until `predicate()` holds (True) or `timeout_ns` passed (False)."""
        self._require_image()
        return self.cpu.run(self.now_ns + int(timeout_ns), predicate)

    def _require_image(self) -> None:
        if self.image is None:
            raise EmulationError("no firmware loaded (call load_elf first)")
        if self._start_from_vectors:
            self._core_leaves_reset()

    def uart_input(self, uart: str, data: bytes | str) -> None:
        """Bytes arriving on a UART's RX line, paced at the line rate."""
        model = self[uart]
        raw = data.encode() if isinstance(data, str) else bytes(data)
        model.inject(raw)

