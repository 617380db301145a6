"""The firmware figures `rp2350-emu report` prints, measured: sizes, RAM high-water, host calls, Pulley.

How each figure is measured is described in report.py.
"""

from __future__ import annotations

import re
import statistics
import time
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from unicorn import arm_const as A

from rp2350_emu.errors import ConfigError
from rp2350_emu.insight.wit_trace import WitCall, WitTracer, find_function
from rp2350_emu.platform.machine import Machine
from rp2350_emu.platform.pins import Button

PAINT = 0xA5
KIB = 1024
#: the seed's claims (mytechnotalent/Embedded-Wasm README, "Performance")
CLAIM_RAM_KIB = 300
CLAIM_CALL_US = 5.0
CLAIM_PULLEY = (20, 50)
DEFAULT_UART_TEXT = b"The quick brown fox jumps over the lazy dog\r"
#: compute guest's workload (wasm-app/compute/src/work.rs)
WORK_LEN, WORK_SEED = 8192, 0x2545F491


# -- static sizes -----------------------------------------------------------------------------


@dataclass
class StaticSizes:
    flash: int  # bytes programmed into flash (load images of all segments there)
    static_ram: int  # .data + .bss + .uninit
    heap_arena: int  # the allocator's arena inside .bss


def static_sizes(elf_path: str | Path, flash_base: int, ram_base: int, ram_end: int,
                 heap_arena: int) -> StaticSizes:
    flash = ram = 0
    with open(elf_path, "rb") as fh:
        elf = ELFFile(fh)
        for seg in elf.iter_segments():
            if seg["p_type"] == "PT_LOAD" and seg["p_paddr"] >= flash_base and seg["p_paddr"] < ram_base:
                flash += seg["p_filesz"]
        for sec in elf.iter_sections():
            if sec["sh_flags"] & SH_FLAGS.SHF_ALLOC and ram_base <= sec["sh_addr"] < ram_end:
                ram += sec["sh_size"]
    return StaticSizes(flash, ram, heap_arena)


# -- paint and scan ---------------------------------------------------------------------------

#: the smallest static that can pass for a heap arena
MIN_ARENA = 4 * KIB


def find_heap_arena(machine: Machine) -> tuple[int, int]:
    """(base, size) of the allocator's arena: the largest sized static whose name says heap
    (`HEAP_MEM`, `HEAP`, `heap_memory`, ...); embedded-alloc images all keep one."""
    symbols = machine.symbols
    assert symbols is not None
    candidates = []
    for name, address in symbols.items():
        plain = name.split(".llvm.")[0]
        if "heap" in plain.lower() and symbols.size_of(name) >= MIN_ARENA:
            candidates.append((symbols.size_of(name), address, name))
    if not candidates:
        image = machine.image.path if machine.image is not None else "the ELF"
        raise ConfigError(f"{image}: no heap arena symbol found (a static of at least {MIN_ARENA} bytes whose "
                          "name contains 'heap'); give it with --heap ADDR:SIZE, e.g. --heap 0x20000400:0x40000")
    size, address, _name = max(candidates)
    return address, size

class MemoryPainter:
    """Paints heap arena and free stack at `main`, scans them afterwards."""

    def __init__(self, machine: Machine, heap: tuple[int, int] | None = None) -> None:
        self.machine = machine
        symbols = machine.symbols
        assert symbols is not None
        self.heap_base, self.heap_size = heap if heap is not None else find_heap_arena(machine)
        self.stack_top = symbols.address("_stack_start")
        self.stack_bottom = symbols.address("_stack_end")
        self.main = symbols.address("main")
        self.painted_below: int | None = None  # SP at main: everything below it was painted

    def arm(self) -> MemoryPainter:
        self.machine.cpu.add_address_hook(self.main, self._paint)
        return self

    def _paint(self, _pc: int) -> None:
        cpu = self.machine.cpu
        cpu.remove_address_hook(self.main, self._paint)
        uc = cpu.uc
        uc.mem_write(self.heap_base, bytes([PAINT]) * self.heap_size)
        sp = uc.reg_read(A.UC_ARM_REG_SP)
        uc.mem_write(self.stack_bottom, bytes([PAINT]) * (sp - self.stack_bottom))
        self.painted_below = sp

    def heap_high_water(self) -> int:
        """Bytes from the arena's start to the highest byte ever written."""
        data = bytes(self.machine.cpu.uc.mem_read(self.heap_base, self.heap_size))
        stripped = data.rstrip(bytes([PAINT]))
        return len(stripped)

    def stack_high_water(self) -> int:
        """Bytes from the top of the stack to the lowest byte ever written."""
        if self.painted_below is None:
            return 0
        size = self.painted_below - self.stack_bottom
        data = bytes(self.machine.cpu.uc.mem_read(self.stack_bottom, size))
        untouched = len(data) - len(data.lstrip(bytes([PAINT])))
        return self.stack_top - (self.stack_bottom + untouched)


# -- figures ----------------------------------------------------------------------------------

def percentile(values: list[int], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return float(ordered[int(rank) - 1])


@dataclass
class CallStats:
    count: int
    median: float  # cycles
    p99: float

    @classmethod
    def of(cls, values: list[int]) -> CallStats | None:
        return cls(len(values), float(statistics.median(values)), percentile(values, 99)) if values else None


@dataclass
class ElfReport:
    elf: str
    seconds: float
    sizes: StaticSizes
    heap_high_water: int
    stack_high_water: int
    first_call_ns: int | None
    calls: int
    per_import: dict[str, dict[str, Any]] = field(default_factory=dict)
    call_overhead: CallStats | None = None  # cycles from one host call's return to the next's entry
    overheads: list[int] = field(default_factory=list)
    compute: dict[str, Any] | None = None
    uart: str = ""
    hz: int = 150_000_000

    @property
    def ram_in_use(self) -> int:
        return self.sizes.static_ram - self.sizes.heap_arena + self.heap_high_water + self.stack_high_water


def _rx_enabled(machine: Machine) -> bool:
    return machine["uart0"].peek(0x30) & 0x201 == 0x201  # UARTEN and RXE


def measure_elf(elf: str | Path, repl: str | Path, seconds: float, uart_text: bytes = DEFAULT_UART_TEXT,
                press_at: float = 1.0, press_for: float = 0.5, heap: tuple[int, int] | None = None,
                prepare: Callable[[Machine], None] | None = None, uart_after: bytes | None = None) -> ElfReport:
    """Runs one image with painting and the WIT trace; the scenario follows its imports
    (UART input for read-byte, a button press for is-pressed).

    `prepare(machine)` runs after the ELF is loaded (the loader's guest goes into flash
    there); `uart_after`: send the UART input once UART0 has printed this (the loader
    reads frames until a guest runs), not as soon as the receiver is on."""
    machine = Machine.from_repl(repl)
    machine.load_elf(elf)
    if prepare is not None:
        prepare(machine)
    painter = MemoryPainter(machine, heap).arm()
    compute = find_function(machine, ("native_workload",)) is not None
    tracer = WitTracer(machine, extra={"native.workload": ("native_workload",)} if compute else {}).start()
    deadline = int(seconds * 1e9)
    if "button.is-pressed" in tracer.traced:
        button = next((d for d in machine.pin_devices.values() if isinstance(d, Button)), None)
        if button is not None:
            machine.scheduler.schedule_at(int(press_at * 1e9), button.press, "report press")
            machine.scheduler.schedule_at(int((press_at + press_for) * 1e9), button.release, "report release")
    # bytes sent to a receiver that is still off are lost: wait for RXE
    if "uart.read-byte" in tracer.traced and uart_text:
        def ready() -> bool:
            return uart_after in machine.uart_text() if uart_after is not None else _rx_enabled(machine)

        if machine.run_until(ready, deadline):
            machine.uart_input("uart0", uart_text)
    if compute:
        machine.run_until(lambda: b"returned from run" in machine.uart_text() or b"***" in machine.uart_text(),
                          deadline - machine.now_ns)
    elif deadline > machine.now_ns:
        machine.run_for(deadline - machine.now_ns)
    tracer.stop()
    calls = tracer.calls
    sizes = static_sizes(elf, *_flash_and_ram(machine), painter.heap_size)
    host_calls = [c for c in calls if c.call != "native.workload"]
    report = ElfReport(str(elf), machine.now_ns / 1e9, sizes, painter.heap_high_water(),
                       painter.stack_high_water(), host_calls[0].t_ns if host_calls else None, len(host_calls),
                       uart=machine.uart_text().decode("latin-1"), hz=machine.cpu.hz)
    for name in dict.fromkeys(c.call for c in host_calls):
        mine = [c for c in host_calls if c.call == name]
        stats = CallStats.of([c.insns for c in mine])
        report.per_import[name] = {"count": len(mine), "insns": asdict(stats) if stats else None,
                                   "mean_dur_ns": statistics.fmean(c.dur_ns for c in mine)}
    if not compute:  # there the gap between the two marks is the workload, not call overhead
        report.overheads = [c.gap_cycles for c in host_calls[1:]]  # the first call's gap is boot
    report.call_overhead = CallStats.of(report.overheads)
    if compute:
        report.compute = _compute_figures(calls)
        if report.compute is not None:
            printed = re.search(r"pulley crc32 (0x[0-9a-f]{8})", report.uart)  # the firmware prints the guest's result
            report.compute["pulley_crc"] = int(printed.group(1), 16) if printed else None
    return report


def _flash_and_ram(machine: Machine) -> tuple[int, int, int]:
    flash_base, _ = machine.memories["flash"]
    ram = [(b, s) for n, (b, s) in machine.memories.items() if n != "flash"]
    return flash_base, min(b for b, _ in ram), max(b + s for b, s in ram)


def _compute_figures(calls: list[WitCall]) -> dict[str, Any] | None:
    native = [c for c in calls if c.call == "native.workload"]
    marks = [c for c in calls if c.call == "timing.delay-ms"]
    if not native or len(marks) < 2:
        return None
    pulley = marks[1]  # its gap: from the first mark's return to the second's entry
    return {"native_insns": native[0].insns, "native_ns": native[0].dur_ns, "pulley_insns": pulley.gap_insns,
            "pulley_ns": pulley.gap_ns, "native_crc": native[0].ret}


# -- the compute guest on the host ------------------------------------------------------------

def expected_crc() -> int:
    x, buf = WORK_SEED, bytearray()
    for _ in range(WORK_LEN):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        buf.append(x & 0xFF)
    return zlib.crc32(bytes(buf))


def host_compute(component: Path, repeats: int = 7) -> dict[str, Any]:
    """The compute guest in wasmtime-py: wasm instructions (fuel) and wall time
    per run, natively (Cranelift) and interpreted (pulley64)."""
    import wasmtime
    from wasmtime import component as wc

    out: dict[str, Any] = {}
    for kind in ("cranelift", "pulley64"):
        config = wasmtime.Config()
        config.consume_fuel = True
        if kind == "pulley64":
            config.target = "pulley64"
        engine = wasmtime.Engine(config)
        comp = wc.Component(engine, component.read_bytes())
        linker = wc.Linker(engine)
        with linker.root() as root, root.add_instance("embedded:platform/timing") as inst:
            inst.add_func("delay-ms", lambda _store, _ms: None)
        store = wasmtime.Store(engine)
        store.set_fuel(1 << 60)
        run = linker.instantiate(store, comp).get_func(store, "run")
        walls, fuel, crc = [], 0, None
        for _ in range(repeats):
            before = store.get_fuel()
            t0 = time.perf_counter()
            crc = run(store)
            walls.append(time.perf_counter() - t0)
            run.post_return(store)
            fuel = before - store.get_fuel()
        out[kind] = {"wall_s": statistics.median(walls), "wasm_insns": fuel, "crc": crc}
    return out
