"""PPB registers through the bus: reset values, key-protected writes,
byte lanes, set/clear pairs, and the edges of what is modelled."""

from __future__ import annotations

import pytest

from rp2350_emu.errors import UnmodeledAccess
from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import PLATFORM


@pytest.fixture
def bus():
    return Machine.from_repl(PLATFORM).sysbus


@pytest.mark.parametrize(("address", "value"), [
    (0xE000ED00, 0x411FD210),  # CPUID
    (0xE000ED14, 0x00000201),  # CCR
    (0xE000ED90, 0x00000800),  # MPU_TYPE: 8 regions
    (0xE000EDD4, 0x00000008),  # SAU_TYPE
    (0xE0001000, 0x73741824),  # DWT_CTRL: NOCYCCNT
    (0xE0080008, 0x00000002),  # EPPB SLEEPCTRL
    (0xE000ED88, 0x00000000),  # CPACR before any ELF is booted
    (0xE000E004, 0x00000001),  # ICTR: 2 x 32 interrupt lines
])
def test_reset_values(bus, address, value):
    assert bus.read(address) == value


def test_aircr_needs_its_key(bus):
    bus.write(0xE000ED0C, 0x00000500)  # PRIGROUP 5 without VECTKEY: ignored
    assert bus.read(0xE000ED0C) == 0xFA050000
    bus.write(0xE000ED0C, 0x05FA0500)
    assert bus.read(0xE000ED0C) == 0xFA050500


def test_priority_bytes_are_lanes(bus):
    bus.write(0xE000E405, 0xA5, 1)  # IRQ5 priority: only the top 4 bits exist
    bus.write(0xE000E406, 0x40, 1)
    assert bus.read(0xE000E404) == 0x0040A000
    bus.write(0xE000ED23, 0xFF, 1)  # SysTick priority byte of SHPR3
    assert bus.read(0xE000ED20) == 0xF0000000


def test_enable_set_and_clear_by_bytes(bus):
    bus.write(0xE000E100, 0x0000000F)
    bus.write(0xE000E181, 0x00, 1)  # a byte write of zeros to ICER clears nothing
    assert bus.read(0xE000E100) == 0x0F
    bus.write(0xE000E180, 0x02, 1)
    assert bus.read(0xE000E100) == 0x0D
    bus.write(0xE000E104, 0xFFFFFFFF)  # only IRQ32-51 exist in the second word
    assert bus.read(0xE000E104) == 0x000FFFFF
    assert bus.read(0xE000E108) == 0  # ISER2: RAZ/WI


def test_icsr_pends_pendsv_and_systick(bus):
    bus.write(0xE000ED04, 1 << 28 | 1 << 26)
    assert bus.read(0xE000ED04) & (1 << 28 | 1 << 26) == 1 << 28 | 1 << 26
    assert (bus.read(0xE000ED04) >> 12) & 0x1FF == 14  # VECTPENDING: PendSV (both priority 0)
    bus.write(0xE000ED04, 1 << 27 | 1 << 25)
    assert bus.read(0xE000ED04) & (1 << 28 | 1 << 26) == 0


def test_systick_countflag_clears_on_read(bus):
    bus.write(0xE000E014, 9)
    bus.write(0xE000E018, 0)
    assert bus.read(0xE000E018) == 0
    assert bus.read(0xE000E010) & (1 << 16) == 0


@pytest.mark.parametrize("address", [0xE000ED40, 0xE000EF50, 0xE0001004, 0xE008000C])
def test_unmodelled_ppb_registers_are_errors(bus, address):
    with pytest.raises(UnmodeledAccess):
        bus.read(address)


def test_nmi_mask_routes_an_irq_to_the_nmi():
    machine = Machine.from_repl(PLATFORM)
    nvic = machine.scs.nvic
    machine.sysbus.write(0xE0080004, 1 << (33 - 32))  # NMI_MASK1: UART0_IRQ (33)
    nvic.irq_lines[33](True)
    assert nvic.pending == 1 << 2  # NMI, not IRQ33
    nvic.irq_lines[34](True)
    assert nvic.pending == 1 << 2 | 1 << (16 + 34)
