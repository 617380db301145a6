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
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rp2350_emu.insight.measure import (
    CLAIM_CALL_US,
    CLAIM_PULLEY,
    CLAIM_RAM_KIB,
    KIB,
    WORK_LEN,
    ElfReport,
    expected_crc,
    host_compute,
    measure_elf,
    percentile,
)
from rp2350_emu.platform.machine import Machine


def _kib(n: float) -> str:
    return f"{n / KIB:.1f} KiB"


def _us(cycles: float, hz: int = 150_000_000) -> str:
    return f"{cycles / hz * 1e6:.2f} µs"


def elf_lines(r: ElfReport, label: str | None = None) -> list[str]:
    s = r.sizes
    lines = [(f"{label or Path(r.elf).name}: flash {s.flash} B ({_kib(s.flash)}); static RAM {s.static_ram} B "
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


def claims_lines(reports: list[ElfReport], pulley_ratio: float | None,
                 labels: list[str] | None = None) -> list[str]:
    names = labels or [Path(r.elf).stem for r in reports]
    ram = [(name, r) for name, r in zip(names, reports, strict=True) if r.compute is None]
    overheads = [g for _, r in ram for g in r.overheads]
    hz = reports[0].hz if reports else 150_000_000
    ram_text = "; ".join(f"{name} {_kib(r.ram_in_use)}" for name, r in ram) or "n/a"
    if ram:
        r0 = max((r for _, r in ram), key=lambda r: r.ram_in_use)
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


@dataclass
class Run:
    """One measured run: an image on its own, or the loader image with a guest in its partition."""

    elf: str
    label: str = ""  # what the report calls it (default: the ELF's file name)
    guest: str | None = None  # the guest's name, for loader runs
    prepare: Callable[[Machine], None] | None = None  # after the ELF is loaded (the guest into flash)
    uart_after: bytes | None = None  # send the UART input once UART0 printed this
    notes: list[str] = field(default_factory=list)  # more lines under the run's figures (upload time)
    figures: dict[str, Any] = field(default_factory=dict)  # more JSON figures

    def __post_init__(self) -> None:
        self.label = self.label or Path(self.elf).name


def loader_lines(runs: list[Run], reports: list[ElfReport]) -> list[str]:
    """The loader with each guest next to the embedded image of the same guest (when measured too)."""
    embedded = {Path(r.elf).stem: rep for r, rep in zip(runs, reports, strict=True) if r.guest is None}
    on_loader = [(r, rep) for r, rep in zip(runs, reports, strict=True) if r.guest is not None]
    if not on_loader:
        return []
    lines = ["", ("Loader image with each guest, next to the guest's own image (RAM in use = statics "
             "+ heap and stack high-water)"),
             (f"  {'guest':<10} {'loader RAM':>11} {'image RAM':>11} {'first host call: loader':>24} "
             f"{'image':>9}")]
    for run, rep in on_loader:
        own = embedded.get(run.guest or "")
        first = f"{rep.first_call_ns / 1e6:.1f} ms" if rep.first_call_ns is not None else "none"
        own_first = (f"{own.first_call_ns / 1e6:.1f} ms" if own is not None and own.first_call_ns is not None
                     else "-")
        lines.append(f"  {run.guest:<10} {_kib(rep.ram_in_use):>11} {_kib(own.ram_in_use) if own else '-':>11} "
                     f"{first:>24} {own_first:>9}")
    largest_run, largest = max(on_loader, key=lambda pair: pair[1].ram_in_use)
    lines.append(f"  largest on the loader: {largest_run.guest}, {_kib(largest.ram_in_use)} of RAM in use "
                 f"({_kib(largest.sizes.static_ram)} reserved statically)")
    return lines


def build_report(runs: list[Run], repl: str | Path, seconds: float, uart_text: bytes,
                 heap: tuple[int, int] | None = None) -> tuple[list[str], dict]:
    reports: list[ElfReport] = []
    lines = ["rp2350-emu report: virtual time at the .repl's CPU rate, one instruction per cycle", ""]
    pulley_ratio = None
    figures: dict[str, Any] = {"elfs": []}
    for run in runs:
        r = measure_elf(run.elf, repl, seconds, uart_text, heap=heap, prepare=run.prepare,
                        uart_after=run.uart_after)
        reports.append(r)
        lines += elf_lines(r, run.label)
        lines += [f"  {note}" for note in run.notes]
        entry = {**asdict(r), "ram_in_use": r.ram_in_use, "label": run.label, "guest": run.guest, **run.figures}
        if r.compute is not None:
            component = Path(run.elf).parent / "wasm" / f"{Path(run.elf).stem}.wasm"
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
    lines += loader_lines(runs, reports)
    lines += claims_lines(reports, pulley_ratio, [f"loader + {run.guest}" if run.guest else Path(run.elf).stem
                                                  for run in runs])
    return lines, figures


def cmd_report(args: argparse.Namespace, runs: list[Run] | None = None) -> int:
    """`runs`: what to measure (the CLI makes loader runs from --guest); default one run per ELF."""
    from rp2350_emu.platform.paths import default_repl

    lines, figures = build_report(runs if runs is not None else [Run(elf) for elf in args.elf],
                                  args.repl or default_repl(), args.seconds, args.uart_input.encode("latin-1"),
                                  args.heap)
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str), encoding="utf-8")
    return 0

