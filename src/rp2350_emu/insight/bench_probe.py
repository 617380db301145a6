"""The bench's in-process measurements, each run in a fresh child process.

`python -m rp2350_emu.insight.bench_probe WHAT ARG...` prints one JSON object.
What a child measures is either deterministic (instruction counts) or timed
with its own CPU clock around the stretch that matters, so the start-up of
the child does not enter the figure:

* counts ELF SECONDS: instructions executed and skipped over SECONDS of
  virtual time (no input), and the virtual time slept;
* pulley ELF: the engine's MIPS while the core is busy (10 ms windows in
  which it executed nearly every cycle: the compute guest's Pulley CRC);
* kernel-engine / kernel-bare KERNEL ITERS [SLICE]: the C kernels
  (bench_kernels.py) in the engine and in bare Unicorn.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from rp2350_emu.insight import bench_kernels
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.paths import default_repl

WINDOW_NS = 10_000_000


def counts(elf: str, seconds: float) -> dict[str, float]:
    machine = Machine.from_repl(default_repl())
    machine.load_elf(elf)
    machine.run_for(int(seconds * 1e9))
    cpu = machine.cpu
    return {"executed": cpu.instructions, "skipped": cpu.fast_forwarded, "idle_s": cpu.idle_ns / 1e9,
            "virtual_s": machine.now_ns / 1e9}


def pulley(elf: str, seconds: float = 1.0) -> dict[str, float]:
    machine = Machine.from_repl(default_repl())
    machine.load_elf(elf)
    cpu = machine.cpu
    full = WINDOW_NS * cpu.hz // 10**9
    executed, spent = 0, 0.0
    deadline = int(seconds * 1e9)
    while machine.now_ns < deadline:
        before, t0 = cpu.instructions, time.process_time()
        machine.run_for(WINDOW_NS)
        ran, dt = cpu.instructions - before, time.process_time() - t0
        if ran >= 0.9 * full:
            executed += ran
            spent += dt
    return {"mips": executed / spent / 1e6 if spent else 0.0, "instructions": executed}


def _image(tmp: str) -> bench_kernels.KernelImage:
    image = bench_kernels.build(Path(tmp))
    if isinstance(image, str):
        raise SystemExit(image)
    return image


def kernel_engine(kernel: str, iters: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp)
        expected = bench_kernels.linear_count(image, kernel).at(iters)
        mips, executed = bench_kernels.engine_mips(image, kernel, iters, default_repl())
    return {"mips": mips, "instructions": executed, "exact": executed == expected}


def kernel_bare(kernel: str, iters: int, slice_len: int = 0) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp)
        return {"mips": bench_kernels.bare_mips(image, kernel, iters, slice_len)}


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "counts":
        out = counts(args[0], float(args[1]))
    elif what == "pulley":
        out = pulley(args[0], float(args[1]) if len(args) > 1 else 1.0)
    elif what == "kernel-engine":
        out = kernel_engine(args[0], int(args[1]))
    elif what == "kernel-bare":
        out = kernel_bare(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 0)
    else:
        print(f"bench_probe: unknown measurement {what!r}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
