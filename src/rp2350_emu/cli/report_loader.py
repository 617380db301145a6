"""`rp2350-emu report` on the loader image: one run per guest in its flash
partition, plus that guest's upload over UART0, timed in virtual time.

The loader (docs/loader.md) carries no guest of its own, so its RAM, its
boot-to-first-host-call time and its host calls are figures of a guest: each
`--guest` (default every package in build/guest/) is measured like an image,
and uploaded once more into a loader with an empty partition to time the
transfer at the UART's line rate (ready line to `loader: received N bytes`).
"""

from __future__ import annotations

from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from rp2350_emu.errors import ConfigError
from rp2350_emu.guests.session import guest_blob, place_in_flash, upload_over_uart
from rp2350_emu.guests.upload import UploadError
from rp2350_emu.insight.report import Run
from rp2350_emu.peripherals.uart_pl011 import UartPl011
from rp2350_emu.platform.machine import Machine

#: a v0-mangled symbol of the loader's host functions (firmware/src/loader/host.rs)
LOADER_MARK = "6loader4host"
#: virtual time an upload may take (the largest package needs well under 2 s)
UPLOAD_LIMIT_NS = 20_000_000_000


def is_loader(elf: str | Path) -> bool:
    """The ELF has the loader's host functions."""
    try:
        with open(elf, "rb") as fh:
            symtab = ELFFile(fh).get_section_by_name(".symtab")
            if not isinstance(symtab, SymbolTableSection):
                return False
            return any(LOADER_MARK in sym.name for sym in symtab.iter_symbols())
    except OSError:
        return False  # measure_elf names the unreadable file
    except (ELFError, ValueError):  # not an ELF (or a damaged one): measure_elf says so in its own words
        return False


def default_guests(elf: str | Path) -> list[Path]:
    """Every package in the build's guest directory: build/guest next to the ELF, or one level up
    (build/busywait/loader.elf)."""
    here = Path(elf).resolve().parent
    for folder in (here / "guest", here.parent / "guest"):
        found = sorted(folder.glob("*.cwasm"))
        if found:
            return found
    raise ConfigError(f"{elf}: the loader image carries no guest and no build/guest/*.cwasm was found next "
                      "to it; pass --guest X.cwasm (make guest GUEST=blinky builds one)")


def upload_time(elf: str | Path, repl: str | Path, blob: bytes, name: str) -> tuple[str, dict]:
    """Uploads `blob` into a loader with an empty partition: the note line and its figures."""
    machine = Machine.from_repl(repl)
    machine.load_elf(elf)
    try:
        result = upload_over_uart(machine, blob, deadline_ns=UPLOAD_LIMIT_NS)
    except UploadError as exc:
        return f"upload of {name}: failed ({exc})", {"upload": None}
    uart = machine["uart0"]
    rate = uart.baud if isinstance(uart, UartPl011) else None
    # 8N1: ten bits on the wire per byte
    wire = f" at {rate:.0f} baud (the package's bits alone take {len(blob) * 10 / rate * 1e3:.0f} ms)" if rate else ""
    line = (f"upload of {name}: {result.duration_ns / 1e6:.0f} ms for {result.size} B in {result.frames} frames, "
            f"{result.retries} resent{wire}")
    return line, {"upload": {"bytes": result.size, "ns": result.duration_ns, "frames": result.frames,
                             "retries": result.retries, "baud": rate}}


def loader_runs(elf: str, guests: list[str], repl: str | Path) -> list[Run]:
    paths = [Path(g) for g in guests] if guests else default_guests(elf)
    runs = []
    for path in paths:
        blob, _warnings = guest_blob(path)
        name = path.name.removesuffix(".cwasm")
        note, figures = upload_time(elf, repl, blob, path.name)

        def prepare(machine: Machine, blob: bytes = blob) -> None:
            place_in_flash(machine, blob)

        runs.append(Run(elf, f"{Path(elf).name} + {path.name} (flash partition)", guest=name, prepare=prepare,
                        uart_after=b" guest accepted", notes=[note], figures=figures))
    return runs


def runs_for(elfs: list[str], guests: list[str], repl: str | Path) -> list[Run]:
    """One run per ELF; a loader ELF gives one run per guest."""
    runs: list[Run] = []
    loaders = [elf for elf in elfs if is_loader(elf)]
    if guests and not loaders:
        raise ConfigError("--guest: none of the ELFs is the loader image (build/loader.elf); an embedded "
                          "image carries its own guest")
    for elf in elfs:
        runs += loader_runs(elf, guests, repl) if elf in loaders else [Run(elf)]
    return runs
