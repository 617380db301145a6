"""The Peripheral base: aliases, W1C, unknown offsets, held-in-reset blocks."""

from __future__ import annotations

import pytest

from rp2350_emu.errors import UnmodeledAccess
from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register


class Block(Peripheral):
    def __init__(self) -> None:
        super().__init__("block")
        self.add(Register("PLAIN", 0x0, reset=0x0000F0F0))
        self.add(Register("FLAGS", 0x4, reset=0, mask=0x0F, w1c=0xF0))


def test_xor_set_clr_aliases_modify_the_register() -> None:
    b = Block()
    b.write(0x1000, 0x000000FF)  # XOR
    assert b.read(0x0) == 0x0000F00F
    b.write(0x2000, 0x00010000)  # SET
    assert b.read(0x0) == 0x0001F00F
    b.write(0x3000, 0x0000F000)  # CLR
    assert b.read(0x0) == 0x0001000F
    assert b.read(0x2000) == b.read(0x0)  # an alias read reads the register


def test_unknown_offsets_raise() -> None:
    b = Block()
    with pytest.raises(UnmodeledAccess):
        b.read(0x8)
    with pytest.raises(UnmodeledAccess):
        b.write(0x2008, 1)


def test_w1c_bits_clear_on_one_and_alias_names_only_the_written_bits() -> None:
    b = Block()
    b.registers[0x4].value = 0xF0
    b.write(0x4, 0x10)
    assert b.read(0x4) == 0xE0
    b.write(0x2004, 0x20)  # SET alias on W1C bits clears exactly 0x20
    assert b.read(0x4) == 0xC0
    b.write(0x3004, 0xC0)  # CLR alias writes 0 to them: no effect
    assert b.read(0x4) == 0xC0


def test_held_block_drops_writes_and_reports_them() -> None:
    b = Block()
    seen: list[tuple[int, bool]] = []
    b.held_access = lambda p, off, write, value: seen.append((off, write))
    b.write(0x0, 0x1234)
    b.hold_reset(True)
    assert b.read(0x0) == 0x0000F0F0  # back to reset value
    b.write(0x0, 0x5678)
    assert b.read(0x0) == 0x0000F0F0
    assert (0x0, True) in seen and (0x0, False) in seen
    b.hold_reset(False)
    b.write(0x0, 0x5678)
    assert b.read(0x0) == 0x5678


def test_narrow_reads_pick_the_byte_lane() -> None:
    b = Block()
    assert b.read(0x1, size=1) == 0xF0
    assert b.read(0x0, size=2) == 0xF0F0
