"""`rp2350-emu report`: the firmware's own figures, measured, next to the seed's claims.

For each ELF: flash and static RAM from the ELF; heap and stack high-water
marks, host-call costs and boot time from a run in virtual time (150 MHz,
one instruction per cycle); for the compute image, Pulley against native
code. The seed (mytechnotalent/Embedded-Wasm) claims ~300 KiB of RAM, ~5 µs
per host call and a 20-50x Pulley slowdown for compute; the report prints
those claims beside what was measured.

How each figure is measured:

* heap and stack high-water: paint-and-scan. When the firmware reaches
  `main` (the reset handler has zeroed .bss and copied .data), the heap
  arena (`init_heap::HEAP_MEM`) and the stack below the current SP down to
  `_stack_end` are filled with 0xA5; after the run the highest heap byte
  and the lowest stack byte that differ from it give the marks. A painted
  byte written back with 0xA5 is missed, so a mark can be a few bytes low.
  Painting is chosen over reading the allocator's state because the
  allocator keeps no peak and its struct layout is not stable.
* host calls: from the WIT trace (wit_trace.py). The cost of one call is
  the time from one host function's return to the next one's entry in a
  guest that does nothing between calls: Wasmtime's way back into Pulley,
  the guest's `call`, and the way out to the next host function.
* Pulley vs native: the compute image runs the same CRC-32 source natively
  (`native_workload`) and in the guest between two `delay-ms(0)` marks; the
  ratio of their instruction counts is the slowdown on the M33. The wasm
  instructions the guest executes are counted natively on the host
  (wasmtime-py fuel), giving M33 instructions per wasm instruction. The host
  figures (wasmtime-py: Cranelift native code, and the pulley64 interpreter)
  are wall-clock and shown for comparison; see `pulley_lines`.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
import zlib
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

class MemoryPainter:
    """Paints heap arena and free stack at `main`, scans them afterwards."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        symbols = machine.symbols
        assert symbols is not None
        found = [(name, address) for name, address in symbols.items()
                 if name.split(".llvm.")[0].endswith("9init_heap8HEAP_MEM") or name.endswith("init_heap::HEAP_MEM")]
        if len(found) != 1:
            raise ConfigError(f"{machine.image.path if machine.image else 'ELF'}: no unique heap arena "
                              "symbol (common::runtime::init_heap::HEAP_MEM)")
        name, self.heap_base = found[0]
        self.heap_size = symbols.size_of(name)
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
                press_at: float = 1.0, press_for: float = 0.5) -> ElfReport:
    """Runs one image with painting and the WIT trace; the scenario follows its imports
    (UART input for read-byte, a button press for is-pressed)."""
    machine = Machine.from_repl(repl)
    machine.load_elf(elf)
    painter = MemoryPainter(machine).arm()
    compute = find_function(machine, ("native_workload",)) is not None
    tracer = WitTracer(machine, extra={"native.workload": ("native_workload",)} if compute else {}).start()
    deadline = int(seconds * 1e9)
    if "button.is-pressed" in tracer.traced:
        button = next((d for d in machine.pin_devices.values() if isinstance(d, Button)), None)
        if button is not None:
            machine.scheduler.schedule_at(int(press_at * 1e9), button.press, "report press")
            machine.scheduler.schedule_at(int((press_at + press_for) * 1e9), button.release, "report release")
    # bytes sent to a receiver that is still off are lost: wait for RXE
    if "uart.read-byte" in tracer.traced and uart_text and machine.run_until(lambda: _rx_enabled(machine), deadline):
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


# -- output -----------------------------------------------------------------------------------

def _kib(n: float) -> str:
    return f"{n / KIB:.1f} KiB"


def _us(cycles: float, hz: int = 150_000_000) -> str:
    return f"{cycles / hz * 1e6:.2f} µs"


def elf_lines(r: ElfReport) -> list[str]:
    s = r.sizes
    lines = [(f"{Path(r.elf).name}: flash {s.flash} B ({_kib(s.flash)}); static RAM {s.static_ram} B "
              f"(heap arena {_kib(s.heap_arena)} + other statics {s.static_ram - s.heap_arena} B)"),
             (f"  ran {r.seconds:.3f} virtual s: heap high-water {r.heap_high_water} B ({_kib(r.heap_high_water)} "
              f"of {_kib(s.heap_arena)}), stack high-water {r.stack_high_water} B; RAM in use "
              f"{_kib(r.ram_in_use)}")]
    if r.first_call_ns is not None:
        lines.append(f"  boot to first host call: {r.first_call_ns / 1e6:.3f} ms (clocks, Wasmtime engine, "
                     "deserialise, instantiate)")
    for name, info in r.per_import.items():
        st = info["insns"]
        lines.append(f"  {name:<18} x{info['count']:<5} body median {st['median']:.0f} insns, p99 {st['p99']:.0f}"
                     f"; mean duration {info['mean_dur_ns'] / 1e3:.1f} µs")
    if r.call_overhead is not None:
        o = r.call_overhead
        lines.append(f"  call overhead (return to next entry): median {o.median:.0f} cycles = "
                     f"{_us(o.median, r.hz)}, p99 {o.p99:.0f} = {_us(o.p99, r.hz)} over {o.count} calls")
    return lines


def pulley_lines(device: dict[str, Any], host: dict[str, Any] | None, expected: int) -> tuple[list[str], float]:
    native, pulley = device["native_insns"], device["pulley_insns"]
    ratio = pulley / native
    lines = [(f"  compute (CRC-32 of {WORK_LEN} B): native M33 {native} insns = {device['native_ns'] / 1e3:.0f} µs; "
              f"in Pulley {pulley} insns = {device['pulley_ns'] / 1e6:.2f} ms -> {ratio:.1f}x slower on the M33")]
    def verdict(value: int | None) -> str:
        return "ok" if value == expected else "WRONG" if value is not None else "missing"

    lines.append(f"  checksum 0x{expected:08x} (zlib): native {verdict(device['native_crc'])}, "
                 f"Pulley {verdict(device.get('pulley_crc'))}")
    if host is not None:
        cl, pu = host["cranelift"], host["pulley64"]
        wasm = cl["wasm_insns"]
        lines.append(f"  wasm instructions executed (fuel): {wasm}; M33 instructions per wasm instruction in "
                     f"Pulley: {pulley / wasm:.1f}")
        lines.append(f"  host (wasmtime-py, wall clock): Cranelift {cl['wall_s'] * 1e3:.3f} ms, pulley64 "
                     f"{pu['wall_s'] * 1e3:.3f} ms -> interpreter {pu['wall_s'] / cl['wall_s']:.1f}x slower "
                     f"on this host; checksums {'ok' if cl['crc'] == pu['crc'] == expected else 'WRONG'}")
        lines.append(f"  emulated Pulley at 150 MHz vs host native: {device['pulley_ns'] / 1e9 / cl['wall_s']:.0f}x "
                     "(includes the host CPU's own speed-up over a 150 MHz M33: not the interpreter's cost)")
    return lines, ratio


def claims_lines(reports: list[ElfReport], pulley_ratio: float | None) -> list[str]:
    ram = [r for r in reports if r.compute is None]
    overheads = [g for r in ram for g in r.overheads]
    hz = reports[0].hz if reports else 150_000_000
    ram_text = "; ".join(f"{Path(r.elf).stem} {_kib(r.ram_in_use)}" for r in ram) or "n/a"
    if ram:
        r0 = max(ram, key=lambda r: r.ram_in_use)
        ram_text += (f" (largest: statics {_kib(r0.sizes.static_ram - r0.sizes.heap_arena)} + heap "
                     f"{_kib(r0.heap_high_water)} + stack {_kib(r0.stack_high_water)}; "
                     f"{_kib(r0.sizes.static_ram)} reserved statically)")
    call_text = "n/a"
    if overheads:
        med, p99 = statistics.median(overheads), percentile(overheads, 99)
        call_text = f"{_us(med, hz)} median, {_us(p99, hz)} p99 ({med:.0f} / {p99:.0f} cycles, {len(overheads)} calls)"
    pulley_text = f"{pulley_ratio:.1f}x (M33 instructions, same CRC-32 source)" if pulley_ratio else \
        "n/a (pass build/compute.elf)"
    width = 36
    return ["", "Seed claims (mytechnotalent/Embedded-Wasm README) next to measured figures",
            f"  {'claim':<{width}} measured",
            f"  {f'RAM ~{CLAIM_RAM_KIB} KiB':<{width}} {ram_text}",
            f"  {f'~{CLAIM_CALL_US:g} µs per host call':<{width}} {call_text}",
            f"  {f'Pulley {CLAIM_PULLEY[0]}-{CLAIM_PULLEY[1]}x slower than native':<{width}} {pulley_text}",
            (f"  (virtual time: {hz / 1e6:g} MHz, one instruction per cycle; a real M33 adds flash wait states "
             "and multi-cycle loads)")]


def build_report(elfs: list[str], repl: str | Path, seconds: float, uart_text: bytes) -> tuple[list[str], dict]:
    reports: list[ElfReport] = []
    lines = ["rp2350-emu report: virtual time at the .repl's CPU rate, one instruction per cycle", ""]
    pulley_ratio = None
    figures: dict[str, Any] = {"elfs": []}
    for elf in elfs:
        r = measure_elf(elf, repl, seconds, uart_text)
        reports.append(r)
        lines += elf_lines(r)
        entry = {**asdict(r), "ram_in_use": r.ram_in_use}
        if r.compute is not None:
            component = Path(elf).parent / "wasm" / f"{Path(elf).stem}.wasm"
            host = None
            try:
                host = host_compute(component) if component.is_file() else None
            except ImportError:
                lines.append("  (wasmtime-py not installed: host figures skipped)")
            more, pulley_ratio = pulley_lines(r.compute, host, expected_crc())
            lines += more
            entry["host"] = host
            entry["pulley_ratio"] = pulley_ratio
        figures["elfs"].append(entry)
    figures["claims"] = {"ram_kib": CLAIM_RAM_KIB, "call_us": CLAIM_CALL_US, "pulley": CLAIM_PULLEY}
    lines += claims_lines(reports, pulley_ratio)
    return lines, figures


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("elf", nargs="+", help="firmware ELFs (build/compute.elf gives the Pulley figures)")
    parser.add_argument("--seconds", type=float, default=3.0, help="virtual seconds per ELF (default 3)")
    parser.add_argument("--uart-input", default=DEFAULT_UART_TEXT.decode(), metavar="TEXT",
                        help="bytes sent to images that read UART0")
    parser.add_argument("--repl", help="platform description (default platforms/boards/pico2.repl)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")


def cmd_report(args: argparse.Namespace) -> int:
    from rp2350_emu.platform.paths import default_repl

    lines, figures = build_report(args.elf, args.repl or default_repl(), args.seconds,
                                  args.uart_input.encode("latin-1"))
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str), encoding="utf-8")
    return 0
