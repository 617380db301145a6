"""renode/peripherals/*.py: Python 2.7 subset, and they run under the PythonPeripheral shim."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.script_shim import ScriptPeripheral, py27_problems
from tests.renode.helpers import REPO

SCRIPTS = sorted((REPO / "renode" / "peripherals").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_are_python27(script: Path) -> None:
    assert py27_problems(script.read_text(), script.name) == []


@pytest.mark.parametrize("source, problem", [
    ("x = f'{request.Value}'\n", "s.py:1: f-string"),
    ("def f(a: int):\n    return a\n", "s.py:1: parameter annotation"),
    ("request.Value = 7 / 2\n", "s.py:1: / (floor division"),
    ("print('x')\n", "s.py:1: print()"),
    ("a, *b = [1, 2]\n", "s.py:1: starred assignment"),
])
def test_python3_only_constructs_are_reported(source: str, problem: str) -> None:
    problems = py27_problems(source, "s.py")
    assert problems and problems[0].startswith(problem)


def test_request_fields_are_renode_pascal_case(tmp_path: Path) -> None:
    script = tmp_path / "echo.py"
    script.write_text("if request.IsInit:\n    seen = []\n"
                      "elif request.IsRead:\n    request.Value = request.Offset + request.Length\n"
                      "elif request.IsWrite:\n    seen.append((request.Offset, request.Value, request.Absolute))\n")
    p = ScriptPeripheral(script, 0x100, base=0x40000000)
    assert p.read(0x10) == 0x14 and p.read(0x10, 1) == 0x11
    p.write(0x8, 0x1234)
    assert p.scope["seen"] == [(0x8, 0x1234, 0x40000008)]


def test_narrow_accesses_follow_the_engine(tmp_path: Path) -> None:
    from rp2350_emu.peripherals import PadsBank0
    from rp2350_emu.peripherals.eppb import Eppb

    pads = ScriptPeripheral(REPO / "renode" / "peripherals" / "pads_bank0.py", 0x4000)
    engine = PadsBank0("pads")
    for p in (pads, engine):
        p.write(0x41, 0x5A, 1)  # APB: the byte is replicated across the word
    assert pads.read(0x40) == engine.read(0x40) == 0x5A5A5A5A & 0x1FF
    assert pads.read(0x41, 1) == engine.read(0x41, 1)
    eppb, twin = ScriptPeripheral(REPO / "renode" / "peripherals" / "eppb.py", 0x1000), Eppb("eppb")
    for p in (eppb, twin):
        p.write(0x1, 0xAB, 1)  # PPB: only its own byte lane
    assert eppb.read(0x0) == twin.read(0x0) == 0xAB00


def test_unmodelled_offsets_log_a_warning() -> None:
    pads = ScriptPeripheral(REPO / "renode" / "peripherals" / "pads_bank0.py", 0x4000)
    assert pads.read(0xF00) == 0
    assert pads.self.logged and "unmodelled read" in pads.self.logged[0][1]
