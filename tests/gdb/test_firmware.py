"""gdb-multiarch on the real firmware images (build/*.elf, Rust, Wasmtime inside).

`make test` builds the images before the tests run; a missing one is a
failure that says how to build it, not a skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gdb.helpers import REPO, Engine, run_gdb

BUILD = REPO / "build"


def _image(name: str) -> Path:
    elf = BUILD / f"{name}.elf"
    if not elf.is_file():
        pytest.fail(f"{elf} is missing: build the firmware first (make firmware)")
    return elf


@pytest.fixture
def blinky() -> Iterator[tuple[Engine, Path]]:
    elf = _image("blinky")
    eng = Engine(elf, "--wait-gdb")
    yield eng, elf
    eng.stop()


def test_break_on_the_gpio_set_high_host_function(blinky: tuple[Engine, Path], gdb_exe: str) -> None:
    engine, elf = blinky
    out = run_gdb(gdb_exe, elf, engine.port, "break blinky::common::board::set_output", "continue",
                  "backtrace", "info args", "monitor sysbus.gpio.led State", "finish",
                  "monitor sysbus.gpio.led State", timeout=120)
    assert "Breakpoint 1, blinky::common::board::set_output" in out, out[-3000:]
    frames = re.findall(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+)", out, re.MULTILINE)
    names = [name for _, name in frames]
    assert names[0] == "blinky::common::board::set_output", names
    # the host function is reached from the guest through Wasmtime, from the Rust entry point
    assert any(name.startswith("wasmtime::") for name in names), names
    assert "blinky::__cortex_m_rt_main" in names, names
    assert re.search(r"^high = true$", out, re.MULTILINE), out[-3000:]
    # set-high: the LED is off at the call and on once it returns
    assert re.findall(r"^(True|False)$", out, re.MULTILINE) == ["False", "True"], out[-3000:]


def test_backtrace_from_an_interrupt_handler_crosses_the_exception_frame(
        blinky: tuple[Engine, Path], gdb_exe: str) -> None:
    engine, elf = blinky
    out = run_gdb(gdb_exe, elf, engine.port, "break TIMER0_IRQ_0", "continue", "backtrace",
                  "p/x $xpsr & 0x1ff", timeout=120)
    names = [m.group(1) for m in re.finditer(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(<signal handler called>|\S+)",
                                                out, re.MULTILINE)]
    assert any("TIMER0_IRQ_0" in name for name in names), names
    assert "<signal handler called>" in names, names
    below = names[names.index("<signal handler called>") + 1:]
    assert any(name.startswith("blinky::") for name in below), names  # the interrupted firmware code
    assert re.search(r"^\$1 = 0x10$", out, re.MULTILINE), out[-2000:]  # IPSR 16: IRQ 0
