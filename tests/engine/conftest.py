"""Fixtures for the engine tests: the test images are built from tests/elf
with arm-none-eabi-gcc into a per-session directory (a missing toolchain is
a failure, not a skip: these tests must not pass by doing nothing)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import ELF_SOURCES, PLATFORM

from rp2350_emu.machine import Machine


@pytest.fixture(scope="session")
def elf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in ("make", "arm-none-eabi-gcc") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: the engine tests build their ELFs "
                    "(apt install make gcc-arm-none-eabi)")
    out = tmp_path_factory.mktemp("elf")
    result = subprocess.run(["make", "-s", "-C", str(ELF_SOURCES), f"OUT={out}"],
                            capture_output=True, text=True, check=False)
    if result.returncode:
        pytest.fail(f"building the test ELFs failed:\n{result.stdout}{result.stderr}")
    return out


@pytest.fixture
def boot(elf_dir: Path) -> Callable[..., Machine]:
    """boot("exceptions", scenario=3) -> a machine with the image loaded."""

    def make(name: str, scenario: int | None = None) -> Machine:
        machine = Machine.from_repl(PLATFORM)
        machine.load_elf(elf_dir / f"{name}.elf")
        if scenario is not None:
            machine.cpu.write_u32(machine.get_symbol_address("scenario"), scenario)
        return machine
    return make
