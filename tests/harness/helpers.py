"""Shared helpers for the harness tests (constants, keyword calls, Robot outcomes)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rp2350_emu.robotlib.library import RenodeKeywords

HERE = Path(__file__).parent
DATA = HERE / "data"
#: where `tests` is importable from (subprocesses get it on PYTHONPATH)
REPO = HERE.parents[1]
FAKE_FACTORY = "tests.harness.fake_engine:FakeEngine.from_repl"


def kw(library: RenodeKeywords, name: str, *args: Any) -> Any:
    """Call a keyword as Robot would: every argument positional, as written."""
    return library.run_keyword(name, list(args))


def boot(library: RenodeKeywords, firmware: str = "blinky") -> None:
    kw(library, "Execute Command", f"$bin=@{DATA}/fake-firmware/{firmware}.fake")
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
