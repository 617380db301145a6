"""One behaviour, two implementations: every shared table on every implementation it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.tables import TABLES, parse, run_engine
from tests.renode.helpers import run_driver


def _with(impl: str) -> list[Path]:
    return [t for t in TABLES if impl in parse(t)[0]]


@pytest.mark.parametrize("table", _with("engine"), ids=lambda p: p.stem)
def test_engine_models(table: Path) -> None:
    assert run_engine(table) == []


def test_csharp_models_under_mono(driver_exe: Path) -> None:
    proc = run_driver(driver_exe, _with("csharp"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_table_names_its_implementations() -> None:
    for table in TABLES:
        impls, steps = parse(table)
        assert impls and impls <= {"engine", "csharp"}, table.name
        assert steps, table.name


def test_a_wrong_expectation_fails_on_each_implementation(tmp_path: Path, driver_exe: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("# impls: engine csharp\nr pads_bank0 0x4 0x117\n")
    assert run_engine(bad) == ["bad.txt:2: read pads_bank0+0x4: got 0x116, expected 0x117"]
    proc = run_driver(driver_exe, [bad])
    assert proc.returncode == 1 and "bad.txt:2: read pads_bank0+0x4: got 0x116, expected 0x117" in proc.stdout
