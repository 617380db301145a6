"""Driving the loader image in the engine: a guest in flash, an upload over UART0."""

from __future__ import annotations

from pathlib import Path

from rp2350_emu.guests.package import PARTITION_ADDR
from rp2350_emu.guests.upload import READY_LINE, Uploader
from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import MS, REPL, REPO, S

GUEST_DIR = REPO / "build" / "guest"


def boot_loader(elf: Path, flash_blob: bytes | None = None) -> Machine:
    """The loader booted, with `flash_blob` in its guest partition (written
    through Unicorn: the partition is read-only to the firmware)."""
    m = Machine.from_repl(REPL)
    m.load_elf(elf)
    if flash_blob is not None:
        m.cpu.uc.mem_write(PARTITION_ADDR, flash_blob)
    return m


def lines(m: Machine) -> list[str]:
    return [line for line in m.uart_text("uart0").decode("latin-1").split("\r\n") if line]


def run_until_line(m: Machine, text: str, timeout_ns: int = 3 * S, step_ns: int = 20 * MS) -> list[str]:
    """Runs until a UART0 line contains `text`; returns all lines so far."""
    waited = 0
    while waited < timeout_ns:
        got = lines(m)
        if any(text in line for line in got):
            return got
        m.run_for(step_ns)
        waited += step_ns
    raise AssertionError(f"no line with {text!r} in {timeout_ns / S} s; UART0: {lines(m)}")


def upload(m: Machine, blob: bytes, lose_frame: int | None = None, timeout_ns: int = 30 * S) -> Uploader:
    """Uploads `blob` with the protocol's host side; `lose_frame` (an index)
    is dropped on the wire once, to exercise the resend path."""
    run_until_line(m, READY_LINE)
    while not m["uart0"].rx_enabled:
        m.run_for(MS)
    up = Uploader(blob)
    seen = len(lines(m))
    out: bytes | None = up.start()
    sent = 0
    waited = 0
    quiet = 0
    while not up.done:
        if out is not None:
            if sent != lose_frame:
                m.uart_input("uart0", out)
            sent += 1
            out = None
        m.run_for(5 * MS)
        waited += 5 * MS
        quiet += 5 * MS
        if waited > timeout_ns:
            raise AssertionError(f"upload did not finish; UART0: {lines(m)[-5:]}")
        new = lines(m)
        # The last line may still be arriving: only complete lines count.
        complete = m.uart_text("uart0").decode("latin-1").endswith("\r\n")
        upto = len(new) if complete else len(new) - 1
        for line in new[seen:upto]:
            nxt = up.on_line(line)
            quiet = 0
            if nxt is not None:
                out = nxt
        seen = max(seen, upto)
        if out is None and not up.done and quiet > 400 * MS:
            out = up.on_timeout()
            quiet = 0
    return up
