"""Fixtures for the harness tests: a Renode keyword library, monitor and Robot
runner over the fake machine (tests/harness/fake_engine.py). Helpers shared
by the test modules live in harness_helpers.py."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from rp2350_emu.backends.builtin import FACTORY_ENV
from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor
from rp2350_emu.robotlib.library import RenodeKeywords
from tests.harness.helpers import DATA, FAKE_FACTORY, RobotOutcome


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FACTORY_ENV, FAKE_FACTORY)


@pytest.fixture
def emulation(fake_factory: None) -> Any:
    from tests.harness.fake_engine import FakeEngine

    emu = Emulation(FakeEngine.from_repl)
    yield emu
    emu.close()


@pytest.fixture
def monitor(emulation: Emulation) -> Monitor:
    return Monitor(emulation, cwd=DATA)


@pytest.fixture
def lib(fake_factory: None) -> Any:
    library = RenodeKeywords(cwd=str(DATA))
    yield library
    library.emulation.close()


@pytest.fixture
def run_robot(fake_factory: None, tmp_path: Path) -> Any:
    """Write suites (name -> text) and run them with `rp2350-emu test`'s engine."""
    from rp2350_emu.robotlib.runner import run_tests

    def run(suites: dict[str, str], **options: Any) -> RobotOutcome:
        files = []
        for name, text in suites.items():
            path = tmp_path / name
            path.write_text(text.replace("@DATA@", str(DATA)), encoding="utf-8")
            files.append(str(path))
        out = io.StringIO()
        results = tmp_path / "results"
        status = run_tests(files, results, console="dotted", stdout=out, **options)
        return RobotOutcome(status, out.getvalue(), results)

    return run
