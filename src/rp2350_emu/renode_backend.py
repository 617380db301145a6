"""The Machine API on real Renode, through pyrenode3 (Renode's .NET assemblies in-process).

Subset of rp2350_emu.machine.Machine: `from_repl`, `load_elf`, `run_for`,
`uart_text` / `uart_input` / `on_uart_tx`, `pin_level`, `led_state`,
`press` / `release`, `now_ns`. Needs `pyrenode3` and a Renode it can load
(docs/renode.md); without them `require_renode()` raises RenodeUnavailable
saying what is missing and how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

INSTALL = ("pip install 'pyrenode3[all] @ git+https://github.com/antmicro/pyrenode3.git' and a Renode "
           "pyrenode3 can load: set PYRENODE_PKG (Arch package), PYRENODE_BUILD_DIR (source build, with "
           "PYRENODE_RUNTIME=coreclr for dotnet builds) or PYRENODE_BIN (portable binary); see docs/renode.md")
NS_PER_S = 1_000_000_000


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


class RenodeMachine:
    """One Renode machine built from a .repl, driven like the built-in engine's Machine."""

    def __init__(self, repl: str | Path, name: str = "rp2350") -> None:
        wrappers = require_renode()
        self._emulation = wrappers.Emulation()
        self._monitor = wrappers.Monitor()
        self.name = name
        self._mach = self._emulation.add_mach(name)
        self._mach.load_repl(str(Path(repl).resolve()))
        self._uart_text: dict[str, bytearray] = {}

    @classmethod
    def from_repl(cls, path: str | Path) -> RenodeMachine:
        return cls(path)

    def execute(self, command: str) -> str:
        """One Monitor command on this machine; raises on Monitor errors."""
        self._monitor.execute(f'mach set "{self.name}"')
        out, err = self._monitor.execute(command)
        if err:
            raise RuntimeError(f"Renode: {command}: {err.strip()}")
        return out

    def peripheral(self, path: str) -> Any:
        node = self._mach.sysbus
        for part in path.removeprefix("sysbus.").split("."):
            node = getattr(node, part)
        return node

    def load_elf(self, path: str | Path) -> None:
        """Load the image and boot from the flash vector table, as renode/rp2350.resc does."""
        self._mach.load_elf(str(Path(path).resolve()))
        self.execute("cpu VectorTableOffset 0x10000000")

    def run_for(self, ns: int) -> None:
        self.execute(f'emulation RunFor "{ns / NS_PER_S:.9f}"')

    @property
    def now_ns(self) -> int:
        return int(self.peripheral("sysbus").Machine.ElapsedVirtualTime.TimeElapsed.TotalNanoseconds)

    # -- UART ----------------------------------------------------------------------
    def on_uart_tx(self, uart: str, callback: Callable[[int], None]) -> None:
        self.peripheral(uart).CharReceived += lambda b: callback(int(b))

    def uart_text(self, uart: str = "uart0") -> bytes:
        if uart not in self._uart_text:
            self._uart_text[uart] = bytearray()
            self.on_uart_tx(uart, self._uart_text[uart].append)
        return bytes(self._uart_text[uart])

    def uart_input(self, uart: str, data: bytes | str) -> None:
        model = self.peripheral(uart)
        for byte in data.encode() if isinstance(data, str) else data:
            model.WriteChar(byte)

    # -- pins ----------------------------------------------------------------------
    def pin_level(self, pin: int) -> bool:
        return bool(self.peripheral("gpio").PinLevel(pin))

    def led_state(self, name: str = "gpio.led") -> bool:
        return bool(self.peripheral(name).State)

    def press(self, name: str = "gpio.button") -> None:
        self.peripheral(name).Press()

    def release(self, name: str = "gpio.button") -> None:
        self.peripheral(name).Release()
