"""Base class for memory-mapped peripheral models.

A model declares a register table; the bus hands it offsets relative to its
base address. RP2350 APB/AHB blocks also decode three atomic aliases
(datasheet 2.1.3): +0x1000 XOR, +0x2000 SET, +0x3000 CLR. An alias write is a
read-modify-write done here with the side-effect-free `peek`, so writing an
alias of a FIFO data register never pops the FIFO.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from .errors import UnmodeledAccess

if TYPE_CHECKING:  # pragma: no cover
    from .scheduler import Scheduler

ALIAS_XOR = 0x1000
ALIAS_SET = 0x2000
ALIAS_CLR = 0x3000


class Signal:
    """A wire: an IRQ line or a GPIO level. Listeners see every change."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.level = False
        self._listeners: list[Callable[[bool], None]] = []

    def connect(self, listener: Callable[[bool], None]) -> None:
        self._listeners.append(listener)

    def set(self, level: bool) -> None:
        level = bool(level)
        if level == self.level:
            return
        self.level = level
        for listener in self._listeners:
            listener(level)


@dataclass
class Register:
    """One register. `value` holds the stored bits; hooks add behaviour.

    read:  optional fn(peripheral) -> int giving the live value (status bits).
           Must have no side effects; side effects go in `on_read`.
    on_read: optional fn(peripheral) -> int for reads with side effects
           (FIFO pops, clear-on-read); `read`/`value` is used for peeks.
    write: optional fn(peripheral, value) applying a write; without it the
           writable bits (`mask`) are stored in `value`.
    """

    name: str
    offset: int
    reset: int = 0
    mask: int = 0xFFFFFFFF
    read: Callable[["Peripheral"], int] | None = None
    on_read: Callable[["Peripheral"], int] | None = None
    write: Callable[["Peripheral", int], None] | None = None
    value: int = 0


class Peripheral:
    """A register-table peripheral. Subclasses fill `self.registers`."""

    #: bytes of address space the block occupies on the bus
    size: int = 0x4000
    #: whether the block decodes the XOR/SET/CLR aliases
    atomic_aliases: bool = True

    def __init__(self, name: str, scheduler: "Scheduler | None" = None) -> None:
        self.name = name
        self.scheduler = scheduler
        self.base = 0  # set by the bus when mapped
        self.registers: dict[int, Register] = {}

    # -- table construction -------------------------------------------------
    def add(self, reg: Register) -> Register:
        reg.value = reg.reset
        self.registers[reg.offset] = reg
        return reg

    def reset(self) -> None:
        """Block reset: every register back to its documented reset value."""
        for reg in self.registers.values():
            reg.value = reg.reset

    # -- access -------------------------------------------------------------
    def _lookup(self, offset: int, write: bool, size: int, value: int | None) -> Register:
        reg = self.registers.get(offset & ~3)
        if reg is None:
            raise UnmodeledAccess(self.base + offset, write, size, value,
                                  where=f"{self.name}+0x{offset:x}")
        return reg

    def peek(self, offset: int) -> int:
        """Register value without side effects (debugger, alias RMW)."""
        reg = self._lookup(offset, False, 4, None)
        return reg.read(self) if reg.read else reg.value

    def read(self, offset: int, size: int = 4) -> int:
        if self.atomic_aliases and offset >= 0x1000:
            offset &= 0xFFF  # reading an alias reads the register
        reg = self._lookup(offset, False, size, None)
        if reg.on_read:
            word = reg.on_read(self)
        elif reg.read:
            word = reg.read(self)
        else:
            word = reg.value
        shift = (offset & 3) * 8
        return (word >> shift) & ((1 << (size * 8)) - 1)

    def write(self, offset: int, value: int, size: int = 4) -> None:
        alias = offset & 0x3000 if self.atomic_aliases else 0
        offset &= 0xFFF if self.atomic_aliases else 0xFFFFFFFF
        reg = self._lookup(offset, True, size, value)
        if size != 4:
            # APB registers see a narrow write replicated across the word
            # lanes (datasheet 2.1.4); model that rather than masking.
            value = int.from_bytes(bytes([value & 0xFF]) * 4, "little") if size == 1 else \
                (value & 0xFFFF) * 0x10001
        if alias:
            current = self.peek(offset)
            if alias == ALIAS_XOR:
                value = current ^ value
            elif alias == ALIAS_SET:
                value = current | value
            else:
                value = current & ~value & 0xFFFFFFFF
        if reg.write:
            reg.write(self, value & 0xFFFFFFFF)
        else:
            reg.value = (reg.value & ~reg.mask) | (value & reg.mask)
