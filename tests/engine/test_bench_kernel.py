"""The bench's C kernels (insight/kernels): they compute what the C says, their
instruction counts are linear in the iterations, and the engine counts
exactly the instructions bare Unicorn runs (the same object code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from unicorn.arm_const import UC_ARM_REG_PC, UC_ARM_REG_R0

from rp2350_emu.insight import bench_kernels as K
from rp2350_emu.platform.paths import default_repl

M = 0xFFFFFFFF


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> K.KernelImage:
    built = K.build(tmp_path_factory.mktemp("kernels"))
    assert not isinstance(built, str), built
    return built


def crc32_ref(iters: int) -> int:
    seed, buf = 0x12345678, []
    for _ in range(256):
        seed = (seed * 1103515245 + 12345) & M
        buf.append((seed >> 16) & 0xFF)
    crc = M
    for _ in range(iters):
        for byte in buf:
            crc ^= byte
            for _k in range(8):
                crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1) & M)
    return ~crc & M


def dispatch_ref(iters: int) -> int:
    a, b, c = 1, 2, 3
    for _ in range(iters):
        for op in (0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 0, 2, 1, 3, 5, 4):
            if op == 0:
                a = (a + b) & M
            elif op == 1:
                b ^= (a << 3) & M
            elif op == 2:
                c = (c * 7 + a) & M
            elif op == 3:
                a = (a >> 1) | ((c << 31) & M)
            elif op == 4:
                b = (b + c) & M
            else:
                c ^= b
    return (a + b + c) & M


def store_ref(iters: int) -> int:
    x = [(i * 0x9E3779B9) & M for i in range(16)]
    mem = bytearray(range(256))
    prog = [("addi", 1, 1, 3), ("add", 2, 1, 0), ("xor", 3, 2, 1), ("store", 3, 1), ("shl", 4, 3, 2),
            ("load", 5, 2), ("add", 6, 5, 4), ("addi", 0, 0, 1), ("store", 6, 0), ("xor", 7, 6, 3),
            ("add", 1, 7, 1), ("load", 2, 6), ("addi", 8, 2, 5), ("store", 8, 3)]
    for _ in range(iters):
        for op, d, a, *rest in prog:
            if op == "add":
                x[d] = (x[a] + x[rest[0]]) & M
            elif op == "xor":
                x[d] = x[a] ^ x[rest[0]]
            elif op == "shl":
                x[d] = (x[a] << (x[rest[0]] & 31)) & M
            elif op == "addi":
                x[d] = (x[a] + rest[0]) & M
            elif op == "load":
                at = x[a] & 0xFC
                x[d] = int.from_bytes(mem[at:at + 4], "little")
            else:
                at = x[a] & 0xFC
                mem[at:at + 4] = x[d].to_bytes(4, "little")
    return x[0] ^ x[1] ^ x[5] ^ x[8]


REFERENCE = {"crc32": crc32_ref, "dispatch": dispatch_ref, "store": store_ref}


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_kernel_computes_what_the_c_says(image: K.KernelImage, kernel: str) -> None:
    iters = 3
    uc = K._bare(image, image.patched(kernel, iters, K.RP2350_STACK, False))
    uc.emu_start(image.symbols["kernel_main"] | 1, image.symbols["kernel_halt"])
    assert uc.reg_read(UC_ARM_REG_PC) & ~1 == image.symbols["kernel_halt"]
    assert uc.reg_read(UC_ARM_REG_R0) == REFERENCE[kernel](iters)


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_instruction_count_is_linear_in_iterations(image: K.KernelImage, kernel: str) -> None:
    lin = K.linear_count(image, kernel)
    assert K.count(image, kernel, 5) == lin.at(5)


@pytest.mark.parametrize("kernel", K.KERNELS)
def test_engine_counts_the_same_instructions(image: K.KernelImage, kernel: str) -> None:
    _mips, executed = K.engine_mips(image, kernel, 7, default_repl())
    assert executed == K.linear_count(image, kernel).at(7)


def test_parameter_block_is_patched_in_place(image: K.KernelImage, tmp_path: Path) -> None:
    out = image.write(tmp_path / "k.elf", "store", 9, K.AN505_STACK, True)
    data = out.read_bytes()
    assert len(data) == len(image.data)
    assert data[image.params_at + 8:image.params_at + 24] == bytes.fromhex("020000000900000000000138" "01000000")
