"""The system bus: RAM/flash regions and MMIO peripheral blocks.

Each peripheral block gets one Unicorn `mmio_map` covering its whole size
(aliases included), whose callbacks call the model's read/write. Anything a
model refuses (an unknown register) and anything touching an unmapped
address stops the run with a one-line error naming the address, the access
and the PC with its symbol: never a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE

from rp2350_emu.core.access import CLOCK, INTERNAL, OTHER, PURE
from rp2350_emu.errors import ConfigError, EmulationError, UnmodeledAccess
from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.platform.address_map import name_of

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.core.cpu import CortexM33

PAGE = 0x1000


@dataclass(frozen=True)
class Region:
    name: str
    base: int
    size: int
    kind: str  # "ram", "rom" or "mmio"
    device: object = None
    where: str = ""  # file:line of the .repl entry

    @property
    def end(self) -> int:
        return self.base + self.size

    def __contains__(self, address: int) -> bool:
        return self.base <= address < self.end


def _register(device: object, offset: int) -> Register | None:
    if not isinstance(device, Peripheral):
        return None
    if device.atomic_aliases:
        offset &= 0xFFF
    return device.registers.get(offset & ~3)


def read_kind(device: object, offset: int) -> int:
    """How a read of this register may take part in a skipped loop pass
    (core/access.py): PURE without side effects and not moving with time
    (no `on_read`, not `varies`), CLOCK for a `clock` count, INTERNAL for a
    claim confined to the block's idle state, else OTHER."""
    reg = _register(device, offset)
    if reg is None:
        return OTHER
    if reg.internal:
        return INTERNAL
    if reg.clock is not None:
        return CLOCK
    return PURE if reg.on_read is None and not reg.varies else OTHER


def write_kind(device: object, offset: int) -> int:
    """INTERNAL for a write confined to the block's idle state, else OTHER."""
    reg = _register(device, offset)
    return INTERNAL if reg is not None and reg.internal else OTHER


def clock_reading(device: object, offset: int) -> tuple[int, Callable[[int], int | None]]:
    """(count now, time_of) of a CLOCK register."""
    reg = _register(device, offset)
    assert reg is not None and reg.clock is not None
    return reg.clock(device)


class Bus:
    def __init__(self, cpu: CortexM33) -> None:
        self.cpu = cpu
        self.regions: list[Region] = []
        cpu.describe_address = self.describe
        cpu.describe_unmapped = name_of
        cpu.read_kind = read_kind
        cpu.write_kind = write_kind
        cpu.clock_reading = clock_reading

    def _claim(self, name: str, base: int, size: int, kind: str, device: object = None,
               where: str = "") -> Region:
        at = f"{where}: {name}" if where else name
        if size <= 0:
            raise ConfigError(f"{at}: mapping 0x{base:08x} +0x{size:x} is empty, expected a size of 0x1000 or more")
        if base % PAGE or size % PAGE:
            raise ConfigError(f"{at}: mapping 0x{base:08x} +0x{size:x} is not 4 KiB aligned "
                              "(Unicorn maps whole pages), expected a 0x1000-aligned base and size")
        if base + size > 1 << 32:
            raise ConfigError(f"{at}: mapping 0x{base:08x} +0x{size:x} runs past the 4 GiB address space")
        for other in self.regions:
            if base < other.end and other.base < base + size:
                other_at = f", {other.where}" if other.where else ""
                raise ConfigError(f"{at}: 0x{base:08x} +0x{size:x} overlaps {other.name} "
                                  f"(0x{other.base:08x} +0x{other.size:x}{other_at}); expected a free address range")
        region = Region(name, base, size, kind, device, where)
        self.regions.append(region)
        return region

    def map_memory(self, name: str, base: int, size: int, writable: bool = True, where: str = "") -> Region:
        region = self._claim(name, base, size, "ram" if writable else "rom", where=where)
        perms = UC_PROT_READ | UC_PROT_EXEC | (UC_PROT_WRITE if writable else 0)
        self.cpu.uc.mem_map(base, size, perms)
        if writable:
            self.cpu.ram_ranges.append((base, base + size))
        return region

    def map_peripheral(self, device: Peripheral, base: int, size: int | None = None, where: str = "") -> Region:
        size = size or device.size
        mapped = -(-size // PAGE) * PAGE  # a 0x100 block still takes a page
        region = self._claim(device.name, base, mapped, "mmio", device, where)
        device.base = base
        if any(reg.internal for reg in device.registers.values()):
            self.cpu.idle_blocks.append(device)
        cpu = self.cpu
        read_model, write_model = device.read, device.write
        watch_read, watch_write = cpu.watch_read, cpu.watch_write

        def on_read(_uc: object, offset: int, width: int, _ud: object) -> int:
            try:
                if offset >= size:
                    raise UnmodeledAccess(base + offset, False, width, where=f"{device.name} past its end")
                value = read_model(offset, width)
                watch_read(base + offset, value, device, offset)
                return value
            except Exception as exc:  # noqa: BLE001 - every failure must stop the run
                self._fail(exc, device, base + offset, False, width, None)
                return 0

        def on_write(_uc: object, offset: int, width: int, value: int, _ud: object) -> None:
            try:
                if offset >= size:
                    raise UnmodeledAccess(base + offset, True, width, value, where=f"{device.name} past its end")
                watch_write(base + offset, device, offset)
                write_model(offset, value, width)
            except Exception as exc:  # noqa: BLE001
                self._fail(exc, device, base + offset, True, width, value)

        cpu.uc.mmio_map(base, mapped, on_read, None, on_write, None)
        return region

    def _fail(self, exc: Exception, device: Peripheral, address: int, write: bool, width: int,
              value: int | None) -> None:
        cpu = self.cpu
        where = f"{cpu.where()} in {device.name}+0x{address - device.base:x}"
        if isinstance(exc, UnmodeledAccess):
            name = name_of(address)
            if name:
                where += f" ({name}: not modeled)"
            error: EmulationError = UnmodeledAccess(address, write, width, value, where=where)
        elif isinstance(exc, EmulationError):
            error = EmulationError(f"{exc} ({where})")
        else:
            kind = "write" if write else "read"
            error = EmulationError(f"model {device.name} failed on a {kind} at 0x{address:08x}: "
                                   f"{type(exc).__name__}: {exc} ({where})")
            error.__cause__ = exc
        if cpu.error is None:
            cpu.error = error
        cpu.uc.emu_stop()

    def region_at(self, address: int) -> Region | None:
        for region in self.regions:
            if address in region:
                return region
        return None

    def describe(self, address: int) -> str:
        region = self.region_at(address)
        return f"{region.name}+0x{address - region.base:x}" if region else ""
