"""The engine's containment check (insight/containment.py, docs/loader.md) must
catch a weakened loader: a store planted into the interpreter's own code path
into a firmware static or a peripheral, and a change made behind the core's
back from a host function (gpio.set-high). (That every hostile guest passes the check is
asserted in test_loader_containment.py, on the runs it already makes.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from unicorn import arm_const as A

from rp2350_emu.guests.upload import READY_LINE
from rp2350_emu.insight.containment import ContainmentChecker, Violation
from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import S
from tests.firmware.loader_helpers import boot_loader, run_until_line

WATCHDOG_SCRATCH0 = 0x400D_800C
ALLOCATOR = "runtime4HEAP"  # the allocator's state (`HEAP`, 32 B of .bss next to the arena)
#: Wasmtime's trampoline for the first host closure of `loader::host::link` (gpio.set-high)
SET_HIGH = re.compile(r"6loader4host\w*?4link0T.*15cabi_entrypoint")


def checked_run(elf: Path, blob: bytes, plant=None) -> tuple[Machine, ContainmentChecker]:
    m = boot_loader(elf, blob)
    checker = ContainmentChecker(m).arm()
    if plant is not None:
        plant(m, checker)
    run_until_line(m, READY_LINE, timeout_ns=10 * S)
    checker.finish()
    return m, checker


def symbol_address(m: Machine, part: str) -> int:
    assert m.symbols is not None
    found = [a for name, a in m.symbols.items() if part in name and m.symbols.size_of(name)]
    assert len(found) == 1, (part, found)
    return found[0]


#: what the last push plant saw: SP, the pushed values
PLANTED: dict[str, object] = {}


def plant_push(target: int, restore: bool):
    """At the interpreter loop's first instruction, a `push {..., lr}`: SP is
    pointed at `target` for that one instruction, so the core itself stores the
    pushed registers there from the interpreter's PC; then the frame is put
    where it belongs (and `target` restored if asked) and the guest goes on."""

    def plant(m: Machine, checker: ContainmentChecker) -> None:
        cpu, entry = m.cpu, checker.run_entry
        hw = int.from_bytes(cpu.uc.mem_read(entry, 2), "little")
        assert hw & 0xFE00 == 0xB400, f"Interpreter::run starts with 0x{hw:04x}, not a 16-bit push"
        regs = [A.UC_ARM_REG_R0 + i for i in range(8) if hw >> i & 1] + ([A.UC_ARM_REG_LR] if hw & 0x100 else [])
        size = 4 * len(regs)
        state = PLANTED
        state.clear()

        def before(_pc: int) -> None:
            cpu.remove_address_hook(entry, before)
            state["sp"] = cpu.uc.reg_read(A.UC_ARM_REG_SP)
            state["values"] = [cpu.uc.reg_read(r) for r in regs]
            if restore:
                state["old"] = bytes(cpu.uc.mem_read(target, size))
            cpu.uc.reg_write(A.UC_ARM_REG_SP, target + size)
            cpu.add_address_hook(entry + 2, after)

        def after(_pc: int) -> None:
            cpu.remove_address_hook(entry + 2, after)
            sp = int(state["sp"]) - size  # type: ignore[call-overload]
            frame = b"".join(v.to_bytes(4, "little") for v in state["values"])  # type: ignore[attr-defined]
            cpu.uc.mem_write(sp, frame)
            if restore:
                cpu.uc.mem_write(target, state["old"])  # type: ignore[arg-type]
            cpu.uc.reg_write(A.UC_ARM_REG_SP, sp)

        cpu.add_address_hook(entry, before)

    return plant


def hostile(hostile_guests: Path, name: str) -> bytes:
    return (hostile_guests / f"{name}.cwasm").read_bytes()


@pytest.mark.parametrize("name", ["oob-store", "returns"])
def test_a_store_from_the_interpreter_into_a_firmware_static_is_caught(firmware, hostile_guests, name) -> None:
    m0 = boot_loader(firmware["loader"])
    target = symbol_address(m0, ALLOCATOR)
    m, checker = checked_run(firmware["loader"], hostile(hostile_guests, name), plant_push(target, restore=True))
    report = checker.report
    assert report.started and not report.ok
    assert {v.kind for v in report.violations} == {"ram-write"}, [v.text() for v in report.violations]
    for v in report.violations:
        assert target <= v.address < target + 20 and ALLOCATOR in v.symbol, v.text()
        assert v.pc == checker.run_entry and "18pulley_interpreter" in v.pc_symbol, v.text()
    assert sorted(v.address for v in report.violations) == list(range(target, target + 20, 4))
    # the plant is invisible to the firmware: the guest still ended as it does unchecked
    assert m.uart_text().decode("latin-1").count(READY_LINE) == 1


def test_a_peripheral_write_from_the_interpreter_is_caught(firmware, hostile_guests) -> None:
    m, checker = checked_run(firmware["loader"], hostile(hostile_guests, "div-zero"),
                             plant_push(WATCHDOG_SCRATCH0, restore=False))
    report = checker.report
    assert [(v.kind, v.address) for v in report.violations] == [
        ("mmio-write", WATCHDOG_SCRATCH0 + 4 * i) for i in range(5)], [v.text() for v in report.violations]
    assert all(v.pc == checker.run_entry and "18pulley_interpreter" in v.pc_symbol for v in report.violations)
    pushed = PLANTED["values"]  # r4 first: the store reached the peripheral
    assert [m["watchdog"].read(0x0C + 4 * i) for i in range(5)] == pushed
    assert "integer divide by zero" in m.uart_text().decode("latin-1")


def test_a_change_behind_the_cores_back_from_a_host_function_is_caught(firmware, hostile_guests) -> None:
    """At the entry of gpio.set-high a firmware static is changed without a core
    store (what a DMA or a stray debugger write would do): the snapshot shows it."""

    def plant(m: Machine, _checker: ContainmentChecker) -> None:
        # the loader registers its host functions as closures of `loader::host::link`;
        # gpio.set-high is the first (`link::{closure#0}`), entered at Wasmtime's
        # lowered trampoline for it (as --trace-wit finds the images' trampolines)
        assert m.symbols is not None
        found = {a for name, a in m.symbols.items() if SET_HIGH.search(name.split(".llvm.")[0])}
        assert len(found) == 1, f"expected one trampoline for loader::host::link::{{closure#0}}, found {found}"
        set_high = found.pop()
        target = symbol_address(m, ALLOCATOR) + 28

        def poke(_pc: int) -> None:
            m.cpu.remove_address_hook(set_high, poke)
            m.cpu.uc.mem_write(target, bytes(b ^ 0x5A for b in m.cpu.uc.mem_read(target, 4)))

        m.cpu.add_address_hook(set_high, poke)

    _m, checker = checked_run(firmware["loader"], hostile(hostile_guests, "returns"), plant)
    changed = [v for v in checker.report.violations if v.kind == "ram-changed"]
    assert changed and all(ALLOCATOR in v.symbol and v.pc is None for v in changed), \
        [v.text() for v in checker.report.violations]
    assert "changed with no store by the core" in changed[0].text()


def test_the_unweakened_runs_pass(firmware, hostile_guests) -> None:
    """The same guests without a plant: no violation, the window opened."""
    for name in ("oob-store", "returns", "div-zero"):
        _m, checker = checked_run(firmware["loader"], hostile(hostile_guests, name))
        assert checker.report.ok, (name, [v.text() for v in checker.report.violations])
        assert checker.report.ram_writes > 0 and checker.report.mmio_writes > 0


def test_violation_text_names_address_symbol_and_pc() -> None:
    v = Violation("ram-write", 0x2004003C, 4, "HEAP", 0x10017CA4, "Interpreter::run")
    assert v.text() == "ram-write: 4 B at 0x2004003c (HEAP) written from pc 0x10017ca4 (Interpreter::run)"
