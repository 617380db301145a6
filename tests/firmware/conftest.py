"""Boot the real firmware images in the built-in engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import REPL


@pytest.fixture
def boot(firmware: dict[str, Path]) -> Callable[[str], Machine]:
    def make(guest: str) -> Machine:
        machine = Machine.from_repl(REPL)
        machine.load_elf(firmware[guest])
        return machine
    return make
