"""Fixtures for the harness tests: a Renode keyword library, monitor and Robot
runner over the fake machine (tests/harness/fake_machine.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rp2350_emu.emulation import FACTORY_ENV, Emulation
from rp2350_emu.monitor import Monitor
from rp2350_emu.robot_keywords import RenodeKeywords

HERE = Path(__file__).parent
DATA = HERE / "data"
FAKE_FACTORY = "fake_machine:FakeMachine.from_repl"


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv(FACTORY_ENV, FAKE_FACTORY)


@pytest.fixture
def emulation(fake_factory: None) -> Any:
    from fake_machine import FakeMachine

    emu = Emulation(FakeMachine.from_repl)
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


def kw(library: RenodeKeywords, name: str, *args: Any) -> Any:
    """Call a keyword as Robot would: every argument positional, as written."""
    return library.run_keyword(name, list(args))


def boot(library: RenodeKeywords, firmware: str = "blinky") -> None:
    kw(library, "Execute Command", f"$bin=@{DATA}/fw/{firmware}.elf")
    kw(library, "Execute Command", f"include @{DATA}/board.resc")


@dataclass
class RobotOutcome:
    status: int
    output: str
    results: Path

    def test_statuses(self) -> dict[str, str]:
        from robot.api import ExecutionResult

        result = ExecutionResult(str(self.results / "robot_output.xml"))
        statuses: dict[str, str] = {}

        def walk(suite: Any) -> None:
            for test in suite.tests:
                statuses[test.name] = test.status
            for child in suite.suites:
                walk(child)
        walk(result.suite)
        return statuses

    def message(self, test: str) -> str:
        from robot.api import ExecutionResult

        result = ExecutionResult(str(self.results / "robot_output.xml"))
        found: list[str] = []

        def walk(suite: Any) -> None:
            found.extend(t.message for t in suite.tests if t.name == test)
            for child in suite.suites:
                walk(child)
        walk(result.suite)
        return found[0]


@pytest.fixture
def run_robot(fake_factory: None, tmp_path: Path) -> Any:
    """Write suites (name -> text) and run them with `rp2350-emu test`'s engine."""
    from rp2350_emu.renode_test import run_tests

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
