"""Speed figures: the engine on real firmware against bare Unicorn.

`rp2350-emu bench` prints, per ELF, the instructions Unicorn executed per
wall second (over the whole run, and over the stretches where the core was
busy rather than asleep), virtual seconds per wall second, the wall time to
the first UART line, and the same machine's bare Unicorn speed (with and
without the count-bounded slices the engine needs) on two kernels to put
them in proportion: a two-instruction loop, and an interpreter loop that
dispatches through a jump table like Pulley does (kernels/dispatch.c).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_HOOK_CODE, UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, Uc
from unicorn import arm_const as A

from rp2350_emu.platform.machine import Machine

# 1: subs r0, #1 ; bne 1b ; b .   (r0 = iterations)
_LOOP = bytes.fromhex("0138fdd1fee7")
_BASE = 0x10000000
# kernels/dispatch.c built for 0x10000000 (`run` at the base; r0 = iterations)
DISPATCH = bytes.fromhex(
    "00283ed070b50321451e4ff0020c01201d4c1e4e46f001031b4a18475378604404eb83035b6943f001030132"
    "1847013df0d26044084470bd537881ea0c0104eb83035b69efe753784feac17e04eb83035b694eea5000e6e7"
    "5378c1ebc10104eb83035b690144dee753788ceac00c04eb83035b69d7e753788c4404eb83035b69d1e70620"
    "704700bf900000101c00001000010203000102030405000201030504060000001c0000106800001058000010"
    "4600001076000010380000102e000010")
_RETURN = _BASE + 0x800  # where `run` returns to (LR); the run stops there


@dataclass
class BareSpeed:
    free_mips: float  # one emu_start, no instruction count
    sliced_mips: float  # count-bounded slices as the engine runs them


def _fresh(code: bytes, r0: int) -> Uc:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
    uc.mem_map(_BASE, 0x1000, UC_PROT_ALL)
    uc.mem_map(0x20000000, 0x1000, UC_PROT_ALL)
    uc.mem_write(_BASE, code)
    uc.reg_write(A.UC_ARM_REG_R0, r0)
    uc.reg_write(A.UC_ARM_REG_SP, 0x20001000)
    uc.reg_write(A.UC_ARM_REG_LR, _RETURN | 1)
    return uc


def count_instructions(code: bytes, r0: int, stop: int) -> int:
    """Instructions from the base to `stop`, counted one by one (slow: use
    small inputs)."""
    uc = _fresh(code, r0)
    n = [0]

    def tick(*_: object) -> None:
        n[0] += 1
    uc.hook_add(UC_HOOK_CODE, tick)
    uc.emu_start(_BASE | 1, stop)
    return n[0]


def _bare(code: bytes, r0: int, stop: int, total: int, slice_len: int) -> BareSpeed:
    uc = _fresh(code, r0)
    t0 = time.perf_counter()
    uc.emu_start(_BASE | 1, stop)
    free = total / (time.perf_counter() - t0)
    uc = _fresh(code, r0)
    pc, left = _BASE | 1, total
    t0 = time.perf_counter()
    while left > 0:
        n = min(slice_len, left)
        uc.emu_start(pc, 0, count=n)
        pc = uc.reg_read(A.UC_ARM_REG_PC) | 1
        left -= n
    sliced = total / (time.perf_counter() - t0)
    return BareSpeed(free / 1e6, sliced / 1e6)


def bare_unicorn_mips(iterations: int = 20_000_000, slice_len: int = 1_000_000) -> BareSpeed:
    """The tight loop: Unicorn's best case."""
    return _bare(_LOOP, iterations, _BASE + 4, 2 * iterations, slice_len)


def bare_dispatch_mips(iterations: int = 300_000, slice_len: int = 1_000_000) -> BareSpeed:
    """The interpreter loop: what Unicorn manages on code shaped like Pulley."""
    # the count is linear in the iterations: measure two points exactly
    one, two = (count_instructions(DISPATCH, n, _RETURN) for n in (1, 2))
    total = one + (two - one) * (iterations - 1)
    return _bare(DISPATCH, iterations, _RETURN, total, slice_len)


@dataclass
class FirmwareSpeed:
    name: str
    virtual_s: float
    wall_s: float
    executed: int  # instructions Unicorn ran
    fast_forwarded: int  # delay-loop and poll-loop instructions accounted without running them
    idle_s: float  # virtual time skipped while asleep
    first_line_wall_s: float | None
    busy_executed: int = 0  # instructions run in windows where the core was busy
    busy_wall_s: float = 0.0

    @property
    def busy_mips(self) -> float | None:
        return self.busy_executed / self.busy_wall_s / 1e6 if self.busy_wall_s else None

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
    # The rest in windows: a window in which the core executed nearly every
    # cycle (no sleep, no skipped loop) measures the engine while it computes.
    cpu = machine.cpu
    window = 10_000_000
    busy_executed, busy_wall = 0, 0.0
    cycles_per_window = window * (mips or cpu.mips) / 1e3
    while machine.now_ns < deadline:
        before, w0 = cpu.instructions, time.perf_counter()
        machine.run_for(min(window, deadline - machine.now_ns))
        ran, spent = cpu.instructions - before, time.perf_counter() - w0
        if ran >= 0.9 * cycles_per_window:
            busy_executed += ran
            busy_wall += spent
    wall = time.perf_counter() - t0
    return FirmwareSpeed(Path(elf).name, machine.now_ns / 1e9, wall, cpu.instructions, cpu.fast_forwarded,
                         cpu.idle_ns / 1e9, first, busy_executed, busy_wall)


def report(results: list[FirmwareSpeed], bare: BareSpeed, dispatch: BareSpeed | None = None) -> list[str]:
    lines = [(f"bare unicorn tight loop: {bare.free_mips:7.1f} MIPS free-running, "
              f"{bare.sliced_mips:7.1f} MIPS in 1M-instruction slices")]
    if dispatch is not None:
        lines.append(f"bare unicorn dispatch loop (Pulley-shaped): {dispatch.free_mips:7.1f} MIPS free-running, "
                     f"{dispatch.sliced_mips:7.1f} MIPS in 1M-instruction slices")
    for r in results:
        first = f"{r.first_line_wall_s:.3f} s" if r.first_line_wall_s is not None else "none"
        lines.append(
            f"{r.name}: {r.virtual_s:.3f} virtual s in {r.wall_s:.3f} wall s = {r.realtime_ratio:.2f}x real time; "
            f"executed {r.executed} insns = {r.mips:.1f} MIPS "
            f"({r.mips / bare.free_mips:.2f} of bare, {r.mips / bare.sliced_mips:.2f} of sliced); "
            f"skipped {r.fast_forwarded} insns of delay/poll loops; idle {r.idle_s:.3f} s; first UART line {first}")
        busy = r.busy_mips
        if busy is not None:
            vs = f"; {busy / dispatch.free_mips:.2f} of bare dispatch loop" if dispatch else ""
            lines.append(f"  while busy (10 ms windows with the core running): {busy:.1f} MIPS over "
                         f"{r.busy_executed} insns{vs}")
    return lines
