"""Base class for memory-mapped peripheral models.

A model declares a register table; the bus hands it offsets relative to its
base address. RP2350 APB/AHB blocks also decode three atomic aliases
(datasheet 2.1.3): +0x1000 XOR, +0x2000 SET, +0x3000 CLR. An alias write is a
read-modify-write done here with the side-effect-free `peek`, so writing an
alias of a FIFO data register never pops the FIFO.

A block can be held in reset by RESETS (`hold_reset`): its registers go back
to their reset values and stay there, so writes are dropped until release.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rp2350_emu.errors import UnmodeledAccess
from rp2350_emu.mmio.register import Register

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

ALIAS_XOR = 0x1000
ALIAS_SET = 0x2000
ALIAS_CLR = 0x3000


class Peripheral:
    """A register-table peripheral. Subclasses fill `self.registers`."""

    #: bytes of address space the block occupies on the bus
    size: int = 0x4000
    #: whether the block decodes the XOR/SET/CLR aliases
    atomic_aliases: bool = True

    def __init__(self, name: str, scheduler: Scheduler | None = None) -> None:
        self.name = name
        self.scheduler = scheduler
        self.base = 0  # set by the bus when mapped
        self.registers: dict[int, Register] = {}
        #: True while RESETS holds the block in reset
        self.in_reset = False
        #: optional fn(peripheral, offset, write, value) told about every
        #: access made while the block is held in reset (for logging; what
        #: silicon does then is unconfirmed, the model drops the writes)
        self.held_access: Callable[[Peripheral, int, bool, int | None], None] | None = None

    def idle_state(self) -> object:
        """What the `internal` registers' side effects change (compared before
        and after a loop pass); None for a block without such registers."""
        return None

    # -- table construction -------------------------------------------------
    def add(self, reg: Register) -> Register:
        reg.value = reg.reset
        self.registers[reg.offset] = reg
        return reg

    def reset(self) -> None:
        """Block reset: every register back to its documented reset value.

        Subclasses with state outside the table (FIFOs, pending events)
        extend this and call super().reset().
        """
        for reg in self.registers.values():
            reg.value = reg.reset

    def hold_reset(self, held: bool) -> None:
        """Assert (True) or release (False) the block's reset line."""
        if held:
            self.in_reset = True
            self.reset()
        elif self.in_reset:
            self.in_reset = False
            self.reset_released()

    def reset_released(self) -> None:
        """Hook run when RESETS lets the block out of reset."""

    # -- access -------------------------------------------------------------
    def _lookup(self, offset: int, write: bool, size: int, value: int | None) -> Register:
        reg = self.registers.get(offset & ~3)
        if reg is None:
            raise UnmodeledAccess(self.base + offset, write, size, value,
                                  where=f"{self.name}+0x{offset:x}")
        return reg

    def peek(self, offset: int) -> int:
        """Register value without side effects (debugger, alias RMW)."""
        if self.atomic_aliases:
            offset &= 0xFFF
        reg = self._lookup(offset, False, 4, None)
        return reg.read(self) if reg.read else reg.value

    def read(self, offset: int, size: int = 4) -> int:
        if self.atomic_aliases:
            offset &= 0xFFF  # reading an alias reads the register
        reg = self.registers.get(offset & ~3)
        if reg is None:
            raise UnmodeledAccess(self.base + offset, False, size, None,
                                  where=f"{self.name}+0x{offset:x}")
        if self.in_reset and self.held_access is not None:
            self.held_access(self, offset, False, None)
        fn = reg.on_read or reg.read
        word = fn(self) if fn is not None else reg.value
        if size == 4 and not offset & 3:
            return word  # the common case, kept short: this is the MMIO hot path
        shift = (offset & 3) * 8
        return (word >> shift) & ((1 << (size * 8)) - 1)

    def write(self, offset: int, value: int, size: int = 4) -> None:
        if self.atomic_aliases:
            alias = offset & 0x3000
            offset &= 0xFFF
        else:
            alias = 0
        reg = self.registers.get(offset & ~3)
        if reg is None:
            raise UnmodeledAccess(self.base + offset, True, size, value,
                                  where=f"{self.name}+0x{offset:x}")
        if self.in_reset:
            if self.held_access is not None:
                self.held_access(self, offset, True, value)
            return  # registers held at their reset values
        if size != 4:
            # APB registers see a narrow write replicated across the word
            # lanes (datasheet 2.1.4); model that rather than masking.
            value = int.from_bytes(bytes([value & 0xFF]) * 4, "little") if size == 1 else \
                (value & 0xFFFF) * 0x10001
        if alias:
            current = self.peek(offset)
            if alias == ALIAS_XOR:
                merged = current ^ value
            elif alias == ALIAS_SET:
                merged = current | value
            else:
                merged = current & ~value
            if reg.w1c:
                # W1C bits: the alias names the bits to act on (see Register)
                named = 0 if alias == ALIAS_CLR else value
                merged = (merged & ~reg.w1c) | (named & reg.w1c)
            value = merged
        fn = reg.write
        if fn is not None:
            fn(self, value & 0xFFFFFFFF)
        else:
            reg.value = ((reg.value & ~reg.mask) | (value & reg.mask)) & ~(value & reg.w1c)
