"""Fixtures for the insight tests: the firmware images (built if missing)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUESTS = ("blinky", "button", "uart-echo", "compute")


@pytest.fixture(scope="session")
def firmware() -> dict[str, Path]:
    """Guest name -> build/<guest>.elf; `make firmware` first if one is missing (a failure, never a skip)."""
    images = {g: ROOT / "build" / f"{g}.elf" for g in GUESTS}
    if not all(p.is_file() for p in images.values()):
        proc = subprocess.run(["make", "--no-print-directory", "firmware"], cwd=ROOT, capture_output=True,
                              text=True, check=False)
        missing = [str(p) for p in images.values() if not p.is_file()]
        if missing:
            pytest.fail(f"`make firmware` did not produce {', '.join(missing)}:\n{proc.stdout[-2000:]}"
                        f"{proc.stderr[-2000:]}", pytrace=False)
    return images


@pytest.fixture(scope="session")
def repl() -> Path:
    return ROOT / "platforms" / "rp2350.repl"
