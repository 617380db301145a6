"""`rp2350-emu bench`: the engine's speed as a user sees it, beside its goals.

Every figure comes from child processes: the CLI (`rp2350-emu run` and
`rp2350-emu test`, timed by the CPU time and, where the goal says so, wall
time and peak memory of the child) or a probe (bench_probe.py) for what the
CLI does not print (instruction counts, MIPS while the core is busy, the C
kernels). Each is the median of a few runs. Both firmware flavours are
measured side by side: build/*.elf (delays sleep on timer alarms) and
build/busywait/*.elf (spin loops, cargo's default release profile).

Figures taken as differences (two CLI runs of different virtual length,
or with and without input) leave out start-up and boot, so "after boot"
figures are the engine's cost per virtual second. The machine is shared:
CPU time is the honest measure, wall time only where a goal asks for it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rp2350_emu.insight import bench_kernels
from rp2350_emu.insight.bench_table import (
    FLAVOURS,
    KernelRow,
    Row,
    at_least,
    at_most,
    figures_table,
    kernels_table,
    micros,
    mips,
    ratio_note,
    seconds,
    times,
)

#: images per flavour, with what makes each print its first UART line
IMAGES: dict[str, list[str]] = {
    "blinky": [], "button": ["--press", "15@0.1"], "uart-echo": ["--uart-input", "hi\\r"],
    "compute": [], "servo": [], "trap": ["--allow-trap"], "loader": [],
}
BUTTON_PIN = 15
POLLS_PER_S = 100  # the button firmware checks the pin every 10 ms (both flavours)
LINE_RATE_US = 1e6 / (115200 / 10)  # one 8N1 byte at 115200 baud
ECHO_LINE = "the quick brown fox jumps 0123456789\\r"  # 37 bytes, escapes as --uart-input takes them
ROBOT_SUITES = ("blinky", "button", "uart-echo")


@dataclass
class Budget:
    runs: int = 3
    after_boot_s: float = 60.0  # blinky / uart-echo virtual seconds measured after the first one
    button_s: float = 20.0
    echo_lines: int = 60
    hour_s: float = 3600.0
    kernel_engine: float = 40e6  # instructions per kernel run
    kernel_bare: float = 60e6
    kernel_qemu: float = 300e6
    robot_filter: str | None = None
    images: tuple[str, ...] = tuple(IMAGES)  # the per-image rows


QUICK = Budget(runs=1, after_boot_s=0.5, button_s=0.3, echo_lines=2, hour_s=2.0, kernel_engine=2e5,
               kernel_bare=2e5, kernel_qemu=2e6, robot_filter="Boots And Reports The LED On",
               images=("blinky", "uart-echo"))


@dataclass
class Child:
    cpu_s: float
    wall_s: float
    max_rss_kb: int
    returncode: int
    first_line_wall_s: float | None = None
    stdout: str = ""


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("rp2350-emu")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from rp2350_emu.cli.main import main; sys.exit(main())"]


def spawn(cmd: list[str], *, first_line: str | None = None, keep_output: bool = False,
          timeout_s: float = 900.0) -> Child:
    """Run a child; its CPU time (user + system), wall time and peak RSS. With `first_line`,
    stop it at the first stdout line containing that text (unbuffered output, as on a terminal)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    out_mode = subprocess.PIPE if first_line is not None or keep_output else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_mode, stderr=subprocess.DEVNULL,
                            env=env, text=True)
    seen, text = None, ""
    if first_line is not None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if first_line in line:
                seen = time.perf_counter() - t0
                proc.kill()
                break
        proc.stdout.close()
    elif keep_output:
        assert proc.stdout is not None
        text = proc.stdout.read()
        proc.stdout.close()
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Child(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss, proc.returncode, seen, text)


def median(runs: int, measure: Callable[[], float | None]) -> float | None:
    values = [v for v in (measure() for _ in range(runs)) if v is not None]
    return statistics.median(values) if values else None


def probe(*args: str) -> dict[str, float]:
    child = spawn([sys.executable, "-m", "rp2350_emu.insight.bench_probe", *args], keep_output=True)
    if child.returncode != 0:
        raise RuntimeError(f"bench probe {' '.join(args)} failed (exit {child.returncode})")
    return json.loads(child.stdout.strip().splitlines()[-1])


class Bench:
    def __init__(self, build: Path, budget: Budget, log: Callable[[str], None]) -> None:
        self.dirs = {"wfi": build, "busywait": build / "busywait"}
        self.budget = budget
        self.log = log
        self.cli = _cli()

    def elf(self, flavour: str, name: str) -> Path:
        return self.dirs[flavour] / f"{name}.elf"

    def have(self, flavour: str, name: str) -> bool:
        return self.elf(flavour, name).is_file()

    def run_cpu(self, flavour: str, name: str, *args: str) -> float:
        return spawn([*self.cli, "run", str(self.elf(flavour, name)), *args]).cpu_s

    def per_flavour(self, row: Row, name: str, measure: Callable[[str], float | None]) -> Row:
        for flavour in FLAVOURS:
            if not self.have(flavour, name):
                row.notes[flavour] = f"no {self.elf(flavour, name)}"
                continue
            self.log(f"  {row.label} [{flavour}]")
            row.values[flavour] = measure(flavour)
        return row

    # -- rows ----------------------------------------------------------------------------------
    def startup(self, kernel_image: bench_kernels.KernelImage | str, tmp: Path) -> list[Row]:
        b = self.budget
        floor = self.per_flavour(Row("start-up floor: run blinky --seconds 0.001, CPU", fmt=seconds,
                                     goal="<= 0.15 s", meets=at_most(0.15)), "blinky",
                                 lambda f: median(b.runs, lambda: self.run_cpu(f, "blinky", "--seconds", "0.001")))
        bare_code = ("from unicorn import *; from unicorn import arm_const as A; "
                     "uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS); "
                     "uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33); uc.mem_map(0x10000000, 0x1000); "
                     "uc.mem_write(0x10000000, b'\\x00\\xbf\\x00\\xbf'); uc.emu_start(0x10000001, 0x10000004)")
        bare = median(b.runs, lambda: spawn([sys.executable, "-c", bare_code]).cpu_s)
        qemu = None
        if not isinstance(kernel_image, str) and bench_kernels.qemu_available() is None:
            qemu = median(b.runs, lambda: bench_kernels.qemu_run_cpu(kernel_image, "crc32", 0, tmp))
        engine = floor.values.get("wfi")
        floor.bare = ratio_note(engine, bare, seconds, higher_is_better=False)
        floor.qemu = ratio_note(engine, qemu, seconds, higher_is_better=False) if qemu else "-"
        first = self.per_flavour(Row("first UART line of blinky, wall (from the start of the process)",
                                     fmt=seconds, goal="<= 0.2 s", meets=at_most(0.2)), "blinky",
                                 lambda f: median(b.runs, lambda: spawn(
                                     [*self.cli, "run", str(self.elf(f, "blinky")), "--seconds", "3"],
                                     first_line="uart0:").first_line_wall_s))
        return [floor, first]

    def sleeping(self) -> list[Row]:
        b = self.budget
        span = b.after_boot_s

        def after_boot(flavour: str, name: str, extra: list[str] | None = None) -> float | None:
            def one() -> float | None:
                long = self.run_cpu(flavour, name, "--seconds", f"{1 + span:g}", *(extra or []))
                short = self.run_cpu(flavour, name, "--seconds", "1")
                return span / (long - short) if long > short else None
            return median(b.runs, one)

        rows = [self.per_flavour(Row(f"blinky x real time after boot (CLI, {span:g} virtual s after the first)",
                                     fmt=times, goal=">= 1000x (>= 50x)", meets=at_least(1000)), "blinky",
                                 lambda f: after_boot(f, "blinky")),
                self.per_flavour(Row("blinky x real time, whole run --seconds 1 (CPU)", fmt=times, goal=">= 10x",
                                     meets=at_least(10)), "blinky",
                                 lambda f: median(b.runs, lambda: 1 / self.run_cpu(f, "blinky", "--seconds", "1")))]
        presses = [a for k in range(int(b.button_s // 2) or 1) for a in ("--press", f"{BUTTON_PIN}@{1.5 + 2 * k:g}:0.5")]
        button_s = b.button_s

        def button(flavour: str) -> float | None:
            def one() -> float | None:
                long = self.run_cpu(flavour, "button", "--seconds", f"{1 + button_s:g}", *presses)
                short = self.run_cpu(flavour, "button", "--seconds", "1")
                return (long - short) / (button_s * POLLS_PER_S) * 1e6 if long > short else None
            return median(b.runs, one)
        wake = self.per_flavour(Row(f"button CPU per 10 ms poll/wake ({button_s:g} virtual s, a press every 2 s)",
                                    fmt=micros, goal="<= 100 us", meets=at_most(100)), "button", button)
        rows.append(wake)
        rows.append(Row("button x real time after boot (same runs)", fmt=times, goal=">= 100x (>= 50x)",
                        meets=at_least(100), values={f: (1e6 / (v * POLLS_PER_S) if v else None)
                                                     for f, v in wake.values.items()}, notes=dict(wake.notes)))
        rows.append(self.per_flavour(Row(f"uart-echo waiting for input, x real time after boot ({span:g} s)",
                                         fmt=times, goal=">= 50x", meets=at_least(50)), "uart-echo",
                                     lambda f: after_boot(f, "uart-echo")))
        text = ECHO_LINE * b.echo_lines
        n_bytes = len(ECHO_LINE.replace("\\r", "\r")) * b.echo_lines
        echo_s = f"{1 + n_bytes * LINE_RATE_US / 1e6 * 1.2:.3f}"

        def echo(flavour: str) -> float | None:
            def one() -> float | None:
                fed = self.run_cpu(flavour, "uart-echo", "--seconds", echo_s, "--uart-input", text)
                idle = self.run_cpu(flavour, "uart-echo", "--seconds", echo_s)
                return (fed - idle) / n_bytes * 1e6 if fed > idle else None
            return median(b.runs, one)
        per_byte = self.per_flavour(Row(f"uart-echo CPU per echoed byte ({n_bytes} bytes at 115200 baud)",
                                        fmt=micros, goal="<= 17 us", meets=at_most(17)), "uart-echo", echo)
        rows.append(per_byte)
        rows.append(Row("uart-echo x line rate (same runs)", fmt=times, goal=">= 5x", meets=at_least(5),
                        values={f: (LINE_RATE_US / v if v else None) for f, v in per_byte.values.items()},
                        notes=dict(per_byte.notes)))
        return rows

    def per_image(self) -> list[Row]:
        b = self.budget
        rows = []
        for name in b.images:
            extra = IMAGES[name]
            hint = f", {' '.join(extra)}" if extra else ""
            rows.append(self.per_flavour(
                Row(f"boot to first UART line, CPU: {name}{hint}", fmt=seconds, goal="<= 0.3 s",
                    meets=at_most(0.3)), name,
                lambda f, name=name, extra=extra: median(b.runs, lambda: self._first_line_cpu(f, name, extra))))
        for name in b.images:
            row = Row(f"instructions per virtual s, run / skipped: {name} (first s, no input)")

            def measure(f: str, name: str = name, row: Row = row) -> float:
                c = probe("counts", str(self.elf(f, name)), "1")
                row.texts[f] = (f"{c['executed'] / 1e6:.2f} M / {c['skipped'] / 1e6:.2f} M "
                                f"(asleep {c['idle_s']:.2f} s)")
                return c["executed"]
            rows.append(self.per_flavour(row, name, measure))
        return rows

    def _first_line_cpu(self, flavour: str, name: str, extra: list[str]) -> float | None:
        child = spawn([*self.cli, "run", str(self.elf(flavour, name)), "--seconds", "3", *extra],
                      first_line="uart0:")
        return child.cpu_s if child.first_line_wall_s is not None else None

    def busy(self, kernel_rows: list[KernelRow]) -> Row:
        row = self.per_flavour(Row("busy Pulley code (compute guest), MIPS", fmt=mips, goal=">= 150 MIPS",
                                   meets=at_least(150)), "compute",
                               lambda f: median(self.budget.runs, lambda: probe("pulley", str(self.elf(f, "compute")),
                                                                                 "0.2")["mips"]))
        store = next((k for k in kernel_rows if k.kernel == "store"), None)
        if store is not None:
            engine = row.values.get("wfi")
            row.bare = ratio_note(engine, store.bare, mips, True) + " store kernel"
            row.qemu = ratio_note(engine, store.qemu, mips, True) + " store kernel" if store.qemu else "-"
        return row

    def robot(self) -> Row:
        b = self.budget
        label = "14 Robot tests (blinky, button, uart-echo suites), CPU"
        if b.robot_filter:
            label = f"Robot: only '{b.robot_filter}' (quick budget), CPU"
        root = Path(__file__).resolve().parents[3] / "robot"
        if not root.is_dir():
            return Row(label, notes={f: "no robot/ directory" for f in FLAVOURS})
        # suites that take the flavour as --variable BUILD:DIR run in one process, others one per suite
        by_build = all("${BUILD}" in (root / f"{s}.robot").read_text() for s in ROBOT_SUITES)
        label += "" if by_build else "; busywait: one run per suite"
        row = Row(label, fmt=seconds, goal="<= 2.5 s", meets=at_most(2.5))
        with tempfile.TemporaryDirectory() as tmp:
            def run_suites(flavour: str) -> float:
                base = [*self.cli, "test", "--console", "none", "-r", tmp]
                if b.robot_filter:
                    base += ["-f", f"*{b.robot_filter}*"]
                files = [str(root / f"{s}.robot") for s in ROBOT_SUITES]
                if flavour == "wfi":
                    return spawn([*base, *files]).cpu_s
                if by_build:
                    return spawn([*base, "--variable", f"BUILD:{self.dirs[flavour].resolve()}", *files]).cpu_s
                return sum(spawn([*base, "--variable", f"BIN:{self.elf(flavour, s).resolve()}",
                                  str(root / f"{s}.robot")]).cpu_s for s in ROBOT_SUITES)
            for flavour in FLAVOURS:
                if all(self.have(flavour, s) for s in ROBOT_SUITES):
                    self.log(f"  Robot suites [{flavour}]")
                    row.values[flavour] = median(min(b.runs, 3), lambda f=flavour: run_suites(f))
        return row

    def hour(self) -> list[Row]:
        hour = self.budget.hour_s
        label = "1 virtual hour" if hour == 3600 else f"{hour:g} virtual s"
        results: dict[str, Child] = {}

        def one(flavour: str) -> float:
            results[flavour] = spawn([*self.cli, "run", str(self.elf(flavour, "blinky")), "--seconds", f"{hour:g}"])
            return results[flavour].wall_s
        wall = self.per_flavour(Row(f"{label} of blinky, wall (one run, output to /dev/null)", fmt=seconds,
                                    goal="<= 5 s", meets=at_most(5)), "blinky", one)
        rss = Row(f"{label} of blinky, peak RSS", fmt=lambda v: f"{v / 1024:.0f} MB", goal="flat (bounded log)",
                  values={f: float(c.max_rss_kb) for f, c in results.items()}, notes=dict(wall.notes))
        return [wall, rss]

    def kernels(self, image: bench_kernels.KernelImage | str, tmp: Path) -> list[KernelRow]:
        if isinstance(image, str):
            return [KernelRow(k, None, None, None, None, note=image) for k in bench_kernels.KERNELS]
        qemu_missing = bench_kernels.qemu_available()
        return [self._kernel(image, kernel, tmp, qemu_missing) for kernel in bench_kernels.KERNELS]

    def _kernel(self, image: bench_kernels.KernelImage, kernel: str, tmp: Path, qemu_missing: str | None) -> KernelRow:
        b = self.budget
        self.log(f"  kernel {kernel}")
        lin = bench_kernels.linear_count(image, kernel)
        n_engine, n_bare, n_qemu = (max(int(x // lin.per_iter), 1) for x in
                                    (b.kernel_engine, b.kernel_bare, b.kernel_qemu))
        engine = [probe("kernel-engine", kernel, str(n_engine)) for _ in range(b.runs)]
        bare = median(b.runs, lambda: probe("kernel-bare", kernel, str(n_bare))["mips"])
        sliced = median(b.runs, lambda: probe("kernel-bare", kernel, str(n_bare), "4000000")["mips"])
        qemu = None
        if qemu_missing is None:
            def one() -> float | None:
                none = bench_kernels.qemu_run_cpu(image, kernel, 0, tmp)
                full = bench_kernels.qemu_run_cpu(image, kernel, n_qemu, tmp)
                return (lin.at(n_qemu) - lin.at(0)) / (full - none) / 1e6 if full > none else None
            qemu = median(b.runs, one)
        return KernelRow(kernel, statistics.median(e["mips"] for e in engine), bare, sliced, qemu,
                         exact=all(e["exact"] for e in engine), note=qemu_missing or "")


def run_bench(build: Path, quick: bool = False, runs: int | None = None,
              log: Callable[[str], None] | None = None) -> list[str]:
    """Measure everything; the report's lines (two Markdown tables and the conditions)."""
    budget = QUICK if quick else Budget()
    if runs is not None:
        budget.runs = runs
    say = log or (lambda _line: None)
    bench = Bench(build, budget, say)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        image = bench_kernels.build(tmp)
        say("measuring: start-up")
        rows = bench.startup(image, tmp)
        say("measuring: sleeping and waiting guests")
        rows += bench.sleeping()
        say("measuring: C kernels (engine, bare Unicorn, QEMU)")
        kernel_rows = bench.kernels(image, tmp)
        rows.append(bench.busy(kernel_rows))
        say("measuring: per image")
        rows += bench.per_image()
        say("measuring: Robot suites")
        rows.append(bench.robot())
        say("measuring: long run")
        rows += bench.hour()
    took = time.perf_counter() - t0
    cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    head = [(f"rp2350-emu bench: medians of {budget.runs} run(s); CPU = user + system time of the child "
             f"process; {cores} cores, load {load:.1f} at the end; took {took:.0f} s"),
            ("(goals from issues 12/13; 'ok' / 'MISSED' against the goal; parenthesised goals are issue 12's "
             "busywait floor)"), ""]
    return [*head, *figures_table(rows), "", *kernels_table(kernel_rows)]
