"""`rp2350-emu bench --quick`: every row of both tables is printed (figures are not checked:
timing is the bench's business, not the tests')."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rp2350_emu.cli.main import main

ROWS = ["start-up floor", "first UART line of blinky", "blinky x real time after boot",
        "blinky x real time, whole run", "button CPU per 10 ms poll", "button x real time",
        "uart-echo waiting for input", "uart-echo CPU per echoed byte", "uart-echo x line rate",
        "busy Pulley code", "boot to first UART line, CPU: blinky", "instructions per virtual s, run / skipped: blinky",
        "Robot", "virtual s of blinky, wall", "virtual s of blinky, peak RSS"]


def test_quick_bench_prints_every_row(capsys, firmware: dict[str, Path]) -> None:
    build = firmware["blinky"].parent
    assert main(["bench", "--quick", "--build", str(build)]) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    for row in ROWS:
        assert any(line.startswith(f"| {row}") or f" {row}" in line.split("|")[1] for line in table), row
    for kernel in ("crc32", "dispatch", "store"):
        line = next(line for line in table if line.startswith(f"| {kernel} "))
        assert re.search(r"\d+ MIPS \(exact count\)", line), line
    assert "| figure" in out and "wfi" in out and "busywait" in out


def test_bench_without_images_is_a_usage_error(capsys, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["bench", "--build", str(tmp_path)])
    assert stop.value.code == 2
    assert "no blinky.elf there" in capsys.readouterr().err
