"""Fixtures for the engine tests: boot a test image from tests/elf (built by
the session fixture `elf_dir` in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import PLATFORM


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
