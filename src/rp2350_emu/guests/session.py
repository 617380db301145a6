"""A guest for the loader image in the built-in engine: placed in its flash
partition, or uploaded over UART0 with protocol 1 (docs/loader.md).

`guest_blob` turns what a user hands in (a package, or a bare `.cwasm` for
the loader's engine) into the bytes the loader reads; `place_in_flash` writes
them where the loader looks at boot; `upload_over_uart` runs the machine and
the protocol's host side (`Uploader`) together, in virtual time, and says
how long the transfer took on the emulated wire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rp2350_emu.errors import ConfigError
from rp2350_emu.guests.package import (
    MAGIC,
    PARTITION_ADDR,
    PARTITION_LEN,
    PackageError,
    build_package,
    fit_partition,
    open_package,
)
from rp2350_emu.guests.tool import LOADER_FINGERPRINT, loader_fingerprint
from rp2350_emu.guests.upload import READY_LINE, Uploader, UploadError

MS = 1_000_000
#: no reply to a frame in this much virtual time: resend it (a 256-byte frame takes 23 ms)
REPLY_TIMEOUT_NS = 400 * MS
#: a Wasmtime `.cwasm` is an ELF file
ARTIFACT_MAGIC = b"\x7fELF"
WASM_MAGIC = b"\0asm"


def guest_blob(path: str | Path, fingerprint: bytes | None = None) -> tuple[bytes, list[str]]:
    """The package to hand the loader for the file at `path`, and warnings.

    A package (`RPWG`) is taken as it is (a damaged one too: the loader is the
    judge, and a warning says what the host sees); a bare Wasmtime artifact is
    packaged with `fingerprint` (default: the built loader's, from
    build/cwasm/loader.fingerprint)."""
    where = Path(path)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the guest: {exc.strerror}") from None
    warnings: list[str] = []
    if data[:4] == MAGIC:
        try:
            open_package(data, fingerprint or loader_fingerprint())
        except PackageError as exc:
            warnings.append(f"{where}: {exc}; the loader will refuse it")
        return data, warnings
    if data[:4] == ARTIFACT_MAGIC:
        fingerprint = fingerprint or loader_fingerprint()
        if fingerprint is None:
            raise ConfigError(f"{where}: a bare .cwasm needs the loader's engine fingerprint "
                              f"({LOADER_FINGERPRINT}, made by `make cwasm`), or package it: "
                              "rp2350-emu guest compile X.wasm -o X.cwasm")
        return build_package(data, fingerprint), warnings
    hint = "compile it first: " if data[:4] == WASM_MAGIC else ""
    raise ConfigError(f"{where}: neither a loader package (RPWG) nor a Wasmtime .cwasm (ELF); {hint}"
                      "rp2350-emu guest compile X.wasm -o X.cwasm")


def place_in_flash(machine: Any, blob: bytes) -> None:
    """Writes `blob` into the loader's flash partition, as a programmer would
    (the partition is read-only to the firmware). Call before the run starts."""
    fit_partition(blob)
    base, size = machine.memories.get("flash", (0, 0))
    if not (base <= PARTITION_ADDR and PARTITION_ADDR + PARTITION_LEN <= base + size):
        raise ConfigError(f"the platform's flash (0x{base:08x}, {size} bytes) does not hold the guest "
                          f"partition at 0x{PARTITION_ADDR:08x}")
    machine.cpu.uc.mem_write(PARTITION_ADDR, blob)


class LineTap:
    """Complete lines a UART sends from now on (an event listener)."""

    def __init__(self, uart: str = "uart0") -> None:
        self.uart = uart
        self.lines: list[str] = []
        self._buf = bytearray()

    def __call__(self, event: Any) -> None:
        if event.kind != "uart-tx" or event.data["uart"] != self.uart:
            return
        byte = event.data["byte"]
        if byte == 0x0A:
            self.lines.append(self._buf.decode("latin-1").rstrip("\r"))
            self._buf.clear()
        else:
            self._buf.append(byte)


@dataclass
class UploadResult:
    size: int
    frames: int
    retries: int
    start_ns: int  # virtual time of the start frame
    end_ns: int  # virtual time of `loader: received N bytes`

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


def last_line_is_ready(machine: Any, uart: str = "uart0") -> bool:
    """The loader's last complete line is the ready line and nothing followed it."""
    text = machine.uart_text(uart).decode("latin-1")
    return text.endswith(READY_LINE + "\r\n")


def upload_over_uart(machine: Any, blob: bytes, *, deadline_ns: int, uart: str = "uart0",
                     progress: Callable[[int, int], None] | None = None,
                     lose_frames: frozenset[int] = frozenset(),
                     stop: Callable[[], bool] | None = None) -> UploadResult:
    """Waits for the loader's ready line, then uploads `blob`; runs the machine
    until the loader says it has every byte. `progress(done, total)` after each
    ack; `lose_frames` (indices) are dropped on the wire once (tests);
    `stop()` true ends it early (a failing check). Raises UploadError."""
    tap = LineTap(uart)
    machine.events.listeners.append(tap)
    halted = stop or (lambda: False)
    try:
        if not last_line_is_ready(machine, uart):
            machine.run_until(lambda: READY_LINE in tap.lines or halted(), deadline_ns - machine.now_ns)
            if READY_LINE not in tap.lines:
                if halted():
                    raise UploadError("upload stopped before it began")
                raise UploadError(f"the loader did not print {READY_LINE!r} before the end of the run "
                                  "(is this the loader image, with no guest still running?)")
        model = machine[uart]
        machine.run_until(lambda: model.rx_enabled, deadline_ns - machine.now_ns)
        up = Uploader(blob)
        start_ns = machine.now_ns
        out: bytes | None = up.start()
        frames = 0
        seen = len(tap.lines)
        while not up.done:
            if out is not None:
                if frames not in lose_frames:
                    machine.uart_input(uart, out)
                frames += 1
                out = None
            limit = min(REPLY_TIMEOUT_NS, deadline_ns - machine.now_ns)
            if limit <= 0:
                raise UploadError(f"upload unfinished at the end of the run ({_offset(tap.lines)} of "
                                  f"{len(blob)} bytes acked)")
            if not machine.run_until(lambda n=seen: len(tap.lines) > n or halted(), limit):
                out = up.on_timeout()
                continue
            if halted():
                raise UploadError("upload stopped by a check on UART0")
            for line in tap.lines[seen:]:
                nxt = up.on_line(line)
                if nxt is not None:
                    out = nxt
                    if progress is not None and line.startswith("loader: ack"):
                        progress(_offset([line]), len(blob))
            seen = len(tap.lines)
        if progress is not None:
            progress(len(blob), len(blob))
        return UploadResult(len(blob), frames, up.retries, start_ns, machine.now_ns)
    finally:
        machine.events.listeners.remove(tap)


def _offset(lines: list[str]) -> int:
    for line in reversed(lines):
        if line.startswith("loader: ack "):
            return int(line.split()[2])
    return 0


def run_until_verdict(machine: Any, deadline_ns: int, uart: str = "uart0") -> str | None:
    """After an upload: runs until the loader accepts or rejects the guest; that line (None: not yet)."""
    tap = LineTap(uart)
    machine.events.listeners.append(tap)

    def verdict() -> str | None:
        return next((line for line in tap.lines if " guest accepted" in line or " rejected" in line), None)

    try:
        machine.run_until(lambda: verdict() is not None, max(0, deadline_ns - machine.now_ns))
        return verdict()
    finally:
        machine.events.listeners.remove(tap)
