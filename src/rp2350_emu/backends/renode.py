"""The Engine protocol on real Renode, through pyrenode3 (Renode's .NET assemblies in-process).

`RenodeEngine` meets backends/engine.py's `Engine`: the harness, monitor and
keywords drive it as they drive the built-in machine. It needs `pyrenode3`
and a Renode it can load (docs/renode.md); without them `require_renode()`
raises RenodeUnavailable saying what is missing and how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from rp2350_emu.platform.events import Event, EventLog
from rp2350_emu.platform.pins import PinDeviceSpec, pin_device_specs
from rp2350_emu.platform.repl.parser import parse_repl
from rp2350_emu.time.units import NS_PER_S

INSTALL = ("pip install 'pyrenode3[all] @ git+https://github.com/antmicro/pyrenode3.git' and a Renode "
           "pyrenode3 can load: set PYRENODE_PKG (Arch package), PYRENODE_BUILD_DIR (source build, with "
           "PYRENODE_RUNTIME=coreclr for dotnet builds) or PYRENODE_BIN (portable binary); see docs/renode.md")


class RenodeUnavailable(RuntimeError):
    """pyrenode3 or Renode is missing; the message says what and how to install it."""


def require_renode() -> Any:
    """Import pyrenode3's wrappers, or raise RenodeUnavailable with the install steps."""
    try:
        import pyrenode3  # noqa: F401 - its import loads Renode's assemblies
    except ImportError:
        raise RenodeUnavailable(f"the Renode engine needs the Python package pyrenode3, which is not "
                                f"installed: {INSTALL}") from None
    except Exception as exc:  # noqa: BLE001 - pyrenode3 raises plain errors when it finds no Renode
        found = [v for v in ("PYRENODE_PKG", "PYRENODE_BUILD_DIR", "PYRENODE_BIN") if os.environ.get(v)]
        raise RenodeUnavailable(f"pyrenode3 is installed but could not load Renode ({exc}); "
                                f"set: {', '.join(found) or 'none of PYRENODE_PKG/BUILD_DIR/BIN'}. {INSTALL}") \
            from None
    from pyrenode3 import wrappers

    return wrappers


class RenodeUart:
    """A Renode UART as a `UartDevice`: CharReceived is its TX, WriteChar its RX."""

    def __init__(self, engine: RenodeEngine, name: str, peripheral: Any) -> None:
        self._engine, self.name, self._peripheral = engine, name, peripheral
        self._rx: list[Callable[[int], None]] = []
        peripheral.CharReceived += lambda b: engine.record("uart-tx", {"uart": name, "byte": int(b)})

    def on_tx(self, listener: Callable[[int], None]) -> None:
        self._peripheral.CharReceived += lambda b: listener(int(b))

    def on_rx(self, listener: Callable[[int], None]) -> None:
        self._rx.append(listener)

    def inject(self, data: bytes) -> None:
        for byte in data:
            self._peripheral.WriteChar(byte)
            for listener in self._rx:
                listener(byte)

    @property
    def rx_enabled(self) -> bool:
        return True  # Renode's model buffers what arrives before the receiver is on


class RenodePin:
    """A pin of the RP2350_GPIO model: its pad level, and an outside drive."""

    def __init__(self, gpio: Any, n: int) -> None:
        self._gpio, self.n = gpio, n

    @property
    def level(self) -> bool:
        return bool(self._gpio.PinLevel(self.n))

    def drive(self, level: bool | None) -> None:
        if level is None:
            self._gpio.ReleasePin(self.n)
        else:
            self._gpio.OnGPIO(self.n, bool(level))


class RenodeCpu:
    """The Cortex-M core as a `CpuView`, through Renode's monitor."""

    def __init__(self, engine: RenodeEngine) -> None:
        self._engine = engine

    def _get(self, prop: str) -> int:
        return int(self._engine.execute(f"cpu {prop}").strip().split()[-1], 0)

    def reg(self, name: str) -> int:
        return int(self._engine.execute(f"cpu GetRegisterUnsafe {name}" if not name.startswith("r") else
                                        f"cpu GetRegisterUnsafe {int(name[1:])}").strip(), 0)

    @property
    def pc(self) -> int:
        return self._get("PC")

    @pc.setter
    def pc(self, value: int) -> None:
        self._engine.execute(f"cpu PC 0x{value:x}")

    @property
    def sp(self) -> int:
        return self._get("SP")

    @sp.setter
    def sp(self, value: int) -> None:
        self._engine.execute(f"cpu SP 0x{value:x}")

    @property
    def vtor(self) -> int:
        return self._get("VectorTableOffset")

    @vtor.setter
    def vtor(self, value: int) -> None:
        self._engine.execute(f"cpu VectorTableOffset 0x{value:x}")

    @property
    def mips(self) -> float:
        return float(self._get("PerformanceInMips"))

    @mips.setter
    def mips(self, value: float) -> None:
        self._engine.execute(f"cpu PerformanceInMips {int(value)}")


class RenodeBus:
    """Debugger access to Renode's system bus."""

    _WIDTHS: ClassVar[dict[int, str]] = {1: "Byte", 2: "Word", 4: "DoubleWord"}

    def __init__(self, engine: RenodeEngine) -> None:
        self._engine = engine

    def read(self, address: int, width: int = 4) -> int:
        return int(self._engine.execute(f"sysbus Read{self._WIDTHS[width]} 0x{address:x}").strip(), 0)

    def write(self, address: int, value: int, width: int = 4) -> None:
        self._engine.execute(f"sysbus Write{self._WIDTHS[width]} 0x{address:x} 0x{value:x}")


class RenodeEngine:
    """One Renode machine built from a .repl, driven like the built-in engine."""

    def __init__(self, repl: str | Path, name: str = "rp2350") -> None:
        wrappers = require_renode()
        self._emulation = wrappers.Emulation()
        self._monitor = wrappers.Monitor()
        self.name = name
        if self._emulation.get_mach(name) is not None:  # one Renode per process: a new engine replaces the old
            self._emulation.rem_mach(name)
        self._mach = self._emulation.add_mach(name)
        path = Path(repl).resolve()
        self._mach.load_repl(str(path))
        self._pin_devices = pin_device_specs(parse_repl(path))
        self.events = EventLog()
        self.cpu = RenodeCpu(self)
        self.sysbus = RenodeBus(self)
        self._uarts: dict[str, RenodeUart] = {}
        self._symbols_elf: str | None = None

    @classmethod
    def from_repl(cls, path: str | Path) -> RenodeEngine:
        return cls(path)

    def execute(self, command: str) -> str:
        """One Monitor command on this machine; raises on Monitor errors."""
        self._monitor.execute(f'mach set "{self.name}"')
        out, err = self._monitor.execute(command)
        if err:
            raise RuntimeError(f"Renode: {command}: {err.strip()}")
        return out

    def record(self, kind: str, data: dict[str, Any]) -> None:
        self.events.record(Event(self.now_ns, kind, data))

    def _peripheral(self, path: str) -> Any:
        node = self._mach.sysbus
        for part in path.removeprefix("sysbus.").split("."):
            node = getattr(node, part)
        return node

    # -- Engine ------------------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        # the C# Machine itself: "sysbus" is the root, not a child of it
        return int(self._mach.internal.ElapsedVirtualTime.TimeElapsed.TotalNanoseconds)

    @property
    def cpu_name(self) -> str:
        return "cpu"

    def pin_device_specs(self) -> dict[str, PinDeviceSpec]:
        return dict(self._pin_devices)

    def load_elf(self, path: str | Path) -> None:
        """Load the image and boot from the flash vector table, as renode/rp2350.resc does."""
        self._mach.load_elf(str(Path(path).resolve()))
        self.execute("cpu VectorTableOffset 0x10000000")
        self._symbols_elf = str(path)

    def run_for(self, ns: int) -> None:
        self.execute(f'emulation RunFor "{ns / NS_PER_S:.9f}"')

    def run_until(self, predicate: Callable[[], bool], timeout_ns: int) -> bool:
        step = 1_000_000
        end = self.now_ns + timeout_ns
        while self.now_ns < end:
            if predicate():
                return True
            self.run_for(min(step, end - self.now_ns))
        return predicate()

    def __getitem__(self, name: str) -> Any:
        if name not in self._uarts and name.startswith("uart"):
            self._uarts[name] = RenodeUart(self, name, self._peripheral(name))
        if name in self._uarts:
            return self._uarts[name]
        try:
            return self._peripheral(name)
        except AttributeError:
            raise KeyError(name) from None

    def peripheral_names(self) -> list[str]:
        return sorted(str(n).removeprefix("sysbus.") for n in self.execute("peripherals").split() if "." in n)

    def pin(self, n: int) -> RenodePin:
        return RenodePin(self._peripheral("gpio"), n)

    def symbol_address(self, name: str) -> int:
        try:
            return int(self.execute(f'sysbus GetSymbolAddress "{name}"').strip(), 0)
        except RuntimeError:
            raise KeyError(name) from None
