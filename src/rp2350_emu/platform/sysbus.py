"""The debugger's view of the system bus (the monitor's `sysbus Read*/Write*`, GDB)."""

from __future__ import annotations

from unicorn import Uc

from rp2350_emu.errors import EmulationError
from rp2350_emu.platform.bus import Bus


class SysbusView:
    """Debugger-style bus access: MMIO reads go to the models, memory to Unicorn."""

    def __init__(self, bus: Bus, uc: Uc) -> None:
        self._bus, self._uc = bus, uc

    def mapped(self, address: int) -> bool:
        """Whether a memory or a model answers at `address` (the monitor warns and reads 0 where not)."""
        return self._bus.region_at(address) is not None

    def read(self, address: int, width: int = 4) -> int:
        region = self._bus.region_at(address)
        if region is None:
            raise EmulationError(f"sysbus read of {width} byte(s) at 0x{address:08x}: nothing is mapped there")
        if region.kind == "mmio":
            return region.device.read(address - region.base, width)
        return int.from_bytes(self._uc.mem_read(address, width), "little")

    def write(self, address: int, value: int, width: int = 4) -> None:
        region = self._bus.region_at(address)
        if region is None:
            raise EmulationError(f"sysbus write of {width} byte(s) at 0x{address:08x}: nothing is mapped there")
        if region.kind == "mmio":
            region.device.write(address - region.base, value, width)
        else:
            self._uc.mem_write(address, int(value).to_bytes(width, "little"))
