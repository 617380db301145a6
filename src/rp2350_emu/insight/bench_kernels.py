"""The bench's C kernels: the same object code in the engine, bare Unicorn and QEMU.

kernels/kernels.c (CRC-32, a jump-table interpreter, a store-heavy
Pulley-like interpreter) and kernels/start.c are built once with
arm-none-eabi-gcc into one image for 0x10000000 that uses no RAM but its
stack. The bench patches the image's parameter block (kernel, iterations,
stack, how to stop) in the ELF file's bytes, so every run executes the same
instructions:

* the engine boots it as any RP2350 image (all peripherals of the .repl
  mapped) and times the stretch from `kernel_main` to `kernel_halt` (address
  hooks, so the count is the engine's exact one);
* bare Unicorn maps the image and a stack and runs `kernel_main` to
  `kernel_halt` in one `emu_start`, and again in the count-bounded slices
  the engine needs;
* QEMU (`qemu-system-arm -M mps2-an505`, a Cortex-M33) boots it with the
  stack in its Secure SRAM and leaves through semihosting SYS_EXIT; its
  figure is the difference between a run of N iterations and one of none.

Instruction counts are linear in the iterations: two small counts with a
per-instruction hook give them exactly for any N.
"""

from __future__ import annotations

import resource
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from unicorn import UC_ARCH_ARM, UC_HOOK_CODE, UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, Uc
from unicorn import arm_const as A

from rp2350_emu.platform.elf_file import ElfFile

KERNEL_DIR = Path(__file__).parent / "kernels"
KERNELS = ("crc32", "dispatch", "store")
MAGIC = struct.pack("<II", 0x4150524B, 0x21534D41)
RP2350_STACK = 0x20080000
AN505_STACK = 0x38010000  # mps2-an505: Secure alias of SSRAM2
GCC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"
CFLAGS = ["-mcpu=cortex-m33", "-mthumb", "-O2", "-ffreestanding", "-nostdlib", "-fno-builtin",
          "-Wall", "-Werror", "-Wl,--no-warn-rwx-segments"]


class KernelImage:
    """The built image: its bytes, the parameter block's file offset, symbols."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        self.params_at = self.data.find(MAGIC)
        if self.params_at < 0:
            raise RuntimeError(f"{path}: no parameter block")
        elf = ElfFile(self.data, str(path))
        self.symbols = {s.name: s.value & ~1 for s in elf.symbols() if s.name}
        self.segments = [(ph.paddr, seg) for ph, seg in elf.load_segments()]

    def patched(self, kernel: str, iters: int, stack: int, semihosting: bool) -> bytes:
        data = bytearray(self.data)
        struct.pack_into("<IIII", data, self.params_at + 8, KERNELS.index(kernel), iters, stack,
                         int(semihosting))
        return bytes(data)

    def write(self, out: Path, kernel: str, iters: int, stack: int, semihosting: bool) -> Path:
        out.write_bytes(self.patched(kernel, iters, stack, semihosting))
        return out


def build(out_dir: Path) -> KernelImage | str:
    """Build the kernel image; a string says why it cannot be built."""
    gcc = shutil.which(GCC)
    if gcc is None:
        return f"{GCC} not found (make setup installs it)"
    elf = out_dir / "kernels.elf"
    cmd = [gcc, *CFLAGS, "-T", str(KERNEL_DIR / "kernels.ld"), str(KERNEL_DIR / "start.c"),
           str(KERNEL_DIR / "kernels.c"), "-o", str(elf)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"{GCC} failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    return KernelImage(elf)


# -- bare Unicorn -------------------------------------------------------------------------------
def _bare(image: KernelImage, data: bytes) -> Uc:
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
    uc.mem_map(0x10000000, 0x10000, UC_PROT_ALL)
    uc.mem_map(RP2350_STACK - 0x10000, 0x10000, UC_PROT_ALL)
    for address, seg in image.segments:
        uc.mem_write(address, seg)
    # the patched parameter block, at its address in the image
    params_addr = image.symbols["params"]
    uc.mem_write(params_addr, data[image.params_at:image.params_at + 24])
    uc.reg_write(A.UC_ARM_REG_SP, RP2350_STACK)
    return uc


def count(image: KernelImage, kernel: str, iters: int) -> int:
    """Instructions from `kernel_main` to `kernel_halt`, counted one by one."""
    uc = _bare(image, image.patched(kernel, iters, RP2350_STACK, False))
    n = [0]

    def tick(*_: object) -> None:
        n[0] += 1
    uc.hook_add(UC_HOOK_CODE, tick)
    uc.emu_start(image.symbols["kernel_main"] | 1, image.symbols["kernel_halt"])
    return n[0]


@dataclass(frozen=True)
class Linear:
    base: int
    per_iter: int

    def at(self, iters: int) -> int:
        return self.base + self.per_iter * iters


def linear_count(image: KernelImage, kernel: str) -> Linear:
    one, two = count(image, kernel, 1), count(image, kernel, 2)
    return Linear(one - (two - one), two - one)


def bare_mips(image: KernelImage, kernel: str, iters: int, slice_len: int = 0) -> float:
    """Bare Unicorn MIPS (CPU time): one emu_start, or count-bounded slices of `slice_len`."""
    total = linear_count(image, kernel).at(iters)
    uc = _bare(image, image.patched(kernel, iters, RP2350_STACK, False))
    start, halt = image.symbols["kernel_main"] | 1, image.symbols["kernel_halt"]
    t0 = time.process_time()
    if not slice_len:
        uc.emu_start(start, halt)
    else:
        pc, left = start, total
        while left > 0:
            n = min(slice_len, left)
            uc.emu_start(pc, 0, count=n)
            pc = uc.reg_read(A.UC_ARM_REG_PC) | 1
            left -= n
    spent = time.process_time() - t0
    if (uc.reg_read(A.UC_ARM_REG_PC) & ~1) != halt:
        raise RuntimeError(f"bare Unicorn: {kernel} did not reach kernel_halt")
    return total / spent / 1e6


# -- the engine ---------------------------------------------------------------------------------
def engine_mips(image: KernelImage, kernel: str, iters: int, repl: str | Path) -> tuple[float, int]:
    """The engine's MIPS (CPU time from kernel_main to kernel_halt) and its instruction count."""
    from rp2350_emu.platform.machine import Machine

    with tempfile.TemporaryDirectory() as tmp:
        elf = image.write(Path(tmp) / "k.elf", kernel, iters, RP2350_STACK, False)
        machine = Machine.from_repl(repl)
        machine.load_elf(elf)
    cpu = machine.cpu
    marks: list[tuple[float, int]] = []

    def mark(address: int) -> None:
        marks.append((time.process_time(), cpu.instructions))
        cpu.remove_address_hook(address, mark)

    cpu.add_address_hook(image.symbols["kernel_main"], mark)
    cpu.add_address_hook(image.symbols["kernel_halt"], mark)
    machine.run_until(lambda: len(marks) == 2, 3600 * 10**9)
    if len(marks) != 2:
        raise RuntimeError(f"engine: {kernel} did not reach kernel_halt")
    (t0, i0), (t1, i1) = marks
    return (i1 - i0) / (t1 - t0) / 1e6, i1 - i0


# -- QEMU ---------------------------------------------------------------------------------------
def _qemu_cpu(elf: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([QEMU, "-M", "mps2-an505", "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          capture_output=True, timeout=600, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{QEMU} exited with {done.returncode}: {done.stderr.decode(errors='replace')[:200]}")
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def qemu_available() -> str | None:
    """None if QEMU is there, else why not."""
    return None if shutil.which(QEMU) else f"{QEMU} not found (make setup installs it)"


def qemu_run_cpu(image: KernelImage, kernel: str, iters: int, tmp: Path) -> float:
    """CPU seconds of one QEMU process running `iters` iterations (start-up included)."""
    return _qemu_cpu(image.write(tmp / f"q-{kernel}-{iters}.elf", kernel, iters, AN505_STACK, True))
