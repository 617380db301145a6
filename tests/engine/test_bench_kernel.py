"""The bench's dispatch kernel: its bytes are kernels/dispatch.c as built by
the command below, and it computes what the C says."""

from __future__ import annotations

import subprocess
from pathlib import Path

from unicorn.arm_const import UC_ARM_REG_R0

from rp2350_emu.insight import bench

SOURCE = Path(bench.__file__).parent / "kernels" / "dispatch.c"


def test_kernel_bytes_match_the_source(tmp_path: Path) -> None:
    elf, raw = tmp_path / "k.elf", tmp_path / "k.bin"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m33", "-mthumb", "-O2", "-nostdlib", "-ffreestanding",
                    "-Wl,-Ttext=0x10000000", "-Wl,--no-warn-rwx-segments", "-e", "run", str(SOURCE),
                    "-o", str(elf)], check=True)
    subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", "-j", ".text", "-j", ".rodata", str(elf), str(raw)],
                   check=True)
    assert raw.read_bytes() == bench.DISPATCH, "regenerate DISPATCH in bench.py from kernels/dispatch.c"


def reference(iters: int) -> int:
    a, b, c = 1, 2, 3
    m = 0xFFFFFFFF
    ops = [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 2, 1, 3, 5, 4]
    for _ in range(iters):
        for op in ops:
            if op == 0:
                a = (a + b) & m
            elif op == 1:
                b ^= (a << 3) & m
            elif op == 2:
                c = (c * 7 + a) & m
            elif op == 3:
                a = (a >> 1) | ((c << 31) & m)
            elif op == 4:
                b = (b + c) & m
            else:
                c ^= b
    return (a + b + c) & m


def test_kernel_computes_what_the_c_says() -> None:
    uc = bench._fresh(bench.DISPATCH, 50)
    uc.emu_start(bench._BASE | 1, bench._RETURN)
    assert uc.reg_read(UC_ARM_REG_R0) == reference(50)


def test_instruction_count_is_linear_in_iterations() -> None:
    one, two, five = (bench.count_instructions(bench.DISPATCH, n, bench._RETURN) for n in (1, 2, 5))
    assert five == one + 4 * (two - one)
