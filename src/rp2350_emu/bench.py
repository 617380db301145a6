"""Speed figures: the engine on real firmware against bare Unicorn.

`rp2350-emu bench` prints, per ELF, the instructions Unicorn executed per
wall second, virtual seconds per wall second, the wall time to the first
UART line, and the same machine's bare Unicorn speed on a tight loop (with
and without the count-bounded slices the engine needs) to put them in
proportion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, Uc
from unicorn import arm_const as A

from .machine import Machine

# 1: subs r0, #1 ; bne 1b ; b .   (r0 = iterations)
_LOOP = bytes.fromhex("0138fdd1fee7")
_BASE = 0x10000000


@dataclass
class BareSpeed:
    free_mips: float  # one emu_start, no instruction count
    sliced_mips: float  # count-bounded slices as the engine runs them


def bare_unicorn_mips(iterations: int = 20_000_000, slice_len: int = 1_000_000) -> BareSpeed:
    def fresh() -> Uc:
        uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        uc.mem_map(_BASE, 0x1000, UC_PROT_ALL)
        uc.mem_write(_BASE, _LOOP)
        uc.reg_write(A.UC_ARM_REG_R0, iterations)
        return uc

    uc = fresh()
    t0 = time.perf_counter()
    uc.emu_start(_BASE | 1, _BASE + 4)  # runs the loop out
    free = 2 * iterations / (time.perf_counter() - t0)
    uc = fresh()
    pc, left = _BASE | 1, 2 * iterations
    t0 = time.perf_counter()
    while left > 0:
        n = min(slice_len, left)
        uc.emu_start(pc, 0, count=n)
        pc = uc.reg_read(A.UC_ARM_REG_PC) | 1
        left -= n
    sliced = 2 * iterations / (time.perf_counter() - t0)
    return BareSpeed(free / 1e6, sliced / 1e6)


@dataclass
class FirmwareSpeed:
    name: str
    virtual_s: float
    wall_s: float
    executed: int  # instructions Unicorn ran
    fast_forwarded: int  # delay-loop and poll-loop instructions accounted without running them
    idle_s: float  # virtual time skipped while asleep
    first_line_wall_s: float | None

    @property
    def mips(self) -> float:
        return self.executed / self.wall_s / 1e6 if self.wall_s else 0.0

    @property
    def realtime_ratio(self) -> float:
        return self.virtual_s / self.wall_s if self.wall_s else float("inf")


def bench_firmware(elf: str | Path, repl: str | Path, seconds: float, mips: float | None = None,
                   uart: str = "uart0") -> FirmwareSpeed:
    machine = Machine.from_repl(repl, mips=mips)
    machine.load_elf(elf)
    deadline = int(seconds * 1e9)
    t0 = time.perf_counter()
    seen_line = machine.run_until(lambda: b"\n" in machine.uart_text(uart), deadline)
    first = time.perf_counter() - t0 if seen_line else None
    left = deadline - machine.now_ns
    if left > 0:
        machine.run_for(left)
    wall = time.perf_counter() - t0
    cpu = machine.cpu
    return FirmwareSpeed(Path(elf).name, machine.now_ns / 1e9, wall, cpu.instructions, cpu.fast_forwarded,
                         cpu.idle_ns / 1e9, first)


def report(results: list[FirmwareSpeed], bare: BareSpeed) -> list[str]:
    lines = [(f"bare unicorn tight loop: {bare.free_mips:7.1f} MIPS free-running, "
              f"{bare.sliced_mips:7.1f} MIPS in 1M-instruction slices")]
    for r in results:
        first = f"{r.first_line_wall_s:.3f} s" if r.first_line_wall_s is not None else "none"
        lines.append(
            f"{r.name}: {r.virtual_s:.3f} virtual s in {r.wall_s:.3f} wall s = {r.realtime_ratio:.2f}x real time; "
            f"executed {r.executed} insns = {r.mips:.1f} MIPS "
            f"({r.mips / bare.free_mips:.2f} of bare, {r.mips / bare.sliced_mips:.2f} of sliced); "
            f"skipped {r.fast_forwarded} insns of delay/poll loops; idle {r.idle_s:.3f} s; first UART line {first}")
    return lines
