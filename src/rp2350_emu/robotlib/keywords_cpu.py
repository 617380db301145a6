"""CPU keywords: PC and register assertions, breakpoints."""

from __future__ import annotations

from typing import Any

from rp2350_emu.backends import engine as engine_api
from rp2350_emu.errors import HarnessError
from rp2350_emu.robotlib.args import Param as P
from rp2350_emu.robotlib.keyword import OPT_F, keyword


class CpuKeywords:
    """Mixin of RenodeKeywords (library.py)."""

    def _cpu_engine(self, machine: str | None, cpuName: str | None) -> Any:
        handle = self.emulation.machine(machine)
        engine = handle.require_engine("CPU keyword")
        if cpuName is not None and cpuName not in ("cpu", "sysbus.cpu", engine.cpu_name):
            raise HarnessError(f"no CPU named '{cpuName}' on machine {handle.name}")
        return engine

    @keyword("PC Should Be Equal", P("value", "int"), P("machine", "str", None), P("cpuName", "str", None))
    def pc_should_be_equal(self, value: int, machine: str | None, cpuName: str | None) -> None:
        pc = engine_api.cpu_get(self._cpu_engine(machine, cpuName), "PC")
        if pc != value:
            raise HarnessError(f"PC assertion failed: expected 0x{value:x}, got 0x{pc:x}")

    @keyword("Register Should Be Equal", P("register", "reg"), P("value", "int"), P("machine", "str", None),
             P("cpuName", "str", None), P("message", "str", None))
    def register_should_be_equal(self, register: int | str, value: int, machine: str | None,
                                 cpuName: str | None, message: str | None) -> None:
        actual = engine_api.cpu_register(self._cpu_engine(machine, cpuName), register)
        if actual != value:
            raise HarnessError(message or f"Register {register} assertion failed: expected 0x{value:x}, "
                                          f"got 0x{actual:x}")

    @keyword("Run Until Breakpoint", P("timeout", OPT_F, None), P("machine", "str", None),
             P("cpuName", "str", None), P("address", "int?", None))
    def run_until_breakpoint(self, timeout: float | None, machine: str | None, cpuName: str | None,
                             address: int | None) -> None:
        raise HarnessError("Run Until Breakpoint: breakpoints are not available yet in rp2350-emu")
