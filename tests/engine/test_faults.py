"""Faults and bad accesses stop the run with one decoded line (faults.c)."""

from __future__ import annotations

import re

import pytest

from rp2350_emu.errors import EmulationError, UnmodeledAccess
from tests.engine.helpers import run_to_done, word

PC = r"pc=0x1000[0-9a-f]{4}"


@pytest.mark.parametrize(("scenario", "patterns"), [
    (1, [r"^HardFault at " + PC + r" <do_udf>: undefined instruction 0xde2a",
         r"CFSR=0x00010000 \[UNDEFINSTR\]", r"HFSR=0x40000000 \[FORCED\]"]),
    (2, [r"^HardFault at " + PC + r" <do_fpu_without_cpacr>", r"CPACR", r"\[NOCP\]", r"\[FORCED\]"]),
    (5, [r"^HardFault at " + PC + r" <do_bkpt>: bkpt #3", r"\[DEBUGEVT\]"]),
    (7, [r"^HardFault at " + PC + r" <svc_masked\+0x2>: svc", r"\[FORCED\]"]),
    (8, [r"instruction fetch from unmapped address 0x30000000 \(lr=0x1000[0-9a-f]{4} <jump_nowhere\+0x[0-9a-f]*[02468ace]>\)"]),
    (9, [r"write of 4 byte\(s\) at 0x10001000 in read-only flash\+0x1000 at " + PC + r" <write_flash"]),
])
def test_fault_message(boot, scenario, patterns):
    machine = boot("faults", scenario)
    with pytest.raises(EmulationError) as info:
        machine.run_for(10_000_000)
    message = str(info.value)
    assert "\n" not in message
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"


def test_unmapped_read_names_address_pc_and_symbol(boot):
    machine = boot("faults", 3)
    with pytest.raises(UnmodeledAccess) as info:
        machine.run_for(10_000_000)
    error = info.value
    assert (error.address, error.write, error.size) == (0x400F0000, False, 4)
    assert re.fullmatch(r"unmodeled read of 4 byte\(s\) at 0x400f0000 at " + PC +
                        r" <bad_read\+0x[0-9a-f]+> \(0x400f0000 is TRNG\+0x0: not modeled\)", str(error)), str(error)


def test_unknown_register_of_a_mapped_block(boot):
    machine = boot("faults", 4)
    with pytest.raises(UnmodeledAccess) as info:
        machine.run_for(10_000_000)
    message = str(info.value)
    assert re.fullmatch(r"unmodeled write of 4 byte\(s\) at 0xe000ed40 value=0x00000001 at " + PC +
                        r" <bad_register\+0x[0-9a-f]+> in nvic\+0xd40 \(PPB ID_PFR0: not modeled\)", message), \
        message


def test_enabled_usage_fault_runs_its_handler(boot):
    machine = boot("faults", 6)
    run_to_done(machine)
    assert word(machine, "usage_count") == 2
    assert word(machine, "usage_cfsr") == 1 << 16  # UNDEFINSTR, cleared by the handler each time
    assert machine.scs.scb.hfsr == 0  # not escalated


def test_fpu_works_once_cpacr_enables_it(boot):
    machine = boot("faults", 10)
    run_to_done(machine)
    assert machine.cpu.uc.reg_read(__import__("unicorn").arm_const.UC_ARM_REG_S1) == 0x40000000  # 2.0f


def test_the_error_stays_raised(boot):
    machine = boot("faults", 1)
    with pytest.raises(EmulationError):
        machine.run_for(10_000_000)
    with pytest.raises(EmulationError):
        machine.run_for(10_000_000)
