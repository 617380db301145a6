"""Fixtures for the GDB server tests.

The test image is tests/elf/gdb_target.c, built by tests/elf/Makefile's
pattern rule; a real `gdb-multiarch` runs in batch mode against
`rp2350-emu run ELF --gdb 0 --wait-gdb` (helpers in gdbtools.py). A missing
tool is a failure, not a skip. Everything that waits has a timeout: a hung
server fails a test, it never hangs the suite.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from gdbtools import REPO, Engine

ELF_SOURCES = REPO / "tests" / "elf"


@pytest.fixture(scope="session")
def gdb_elf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/elf/gdb_target.c built with the engine tests' Makefile."""
    missing = [tool for tool in ("make", "arm-none-eabi-gcc") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: the GDB tests build their ELF "
                    "(apt install make gcc-arm-none-eabi)")
    out = tmp_path_factory.mktemp("gdb_elf")
    elf = out / "gdb_target.elf"
    result = subprocess.run(["make", "-s", "-C", str(ELF_SOURCES), f"OUT={out}", str(elf)],
                            capture_output=True, text=True, check=False, timeout=120)
    if result.returncode:
        pytest.fail(f"building {elf.name} failed:\n{result.stdout}{result.stderr}")
    return elf


@pytest.fixture(scope="session")
def gdb_exe() -> str:
    found = shutil.which("gdb-multiarch")
    if found is None:
        pytest.fail("gdb-multiarch not found (apt install gdb-multiarch; `make setup` does)")
    return found


@pytest.fixture
def engine(gdb_elf: Path) -> Iterator[Engine]:
    """The engine halted at the reset vector, waiting for GDB."""
    eng = Engine(gdb_elf, "--wait-gdb")
    yield eng
    eng.stop()
