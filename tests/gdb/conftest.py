"""Fixtures for the GDB server tests.

The test image is tests/elf/gdb_target.c, built by tests/elf/Makefile's
pattern rule; a real `gdb-multiarch` runs in batch mode against
`rp2350-emu run ELF --gdb 0 --wait-gdb` (helpers in helpers.py). A missing
tool is a failure, not a skip. Everything that waits has a timeout: a hung
server fails a test, it never hangs the suite.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gdb.helpers import Engine


@pytest.fixture(scope="session")
def gdb_elf(elf_dir: Path) -> Path:
    """tests/elf/gdb_target.c, built with the other test images."""
    return elf_dir / "gdb_target.elf"


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
