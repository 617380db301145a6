"""The pre-run modifier of `rp2350-emu test`: what renode-test does to each suite before running it.

An importable class with string arguments (`module.Class:fixture:timeout`), so
the worker processes of `rp2350-emu test -j N` (pabot) load it by name too.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

from robot.api import SuiteVisitor

#: the keyword resource injected into every suite (renode-test injects Renode's)
RESOURCE = Path(__file__).with_name("renode-keywords.robot")


class InjectRenodeDefaults(SuiteVisitor):
    """The resource, default Suite/Test Setup and Teardown, a test timeout, a `-f` filter."""

    def __init__(self, fixture: str = "", test_timeout: str = "") -> None:
        self.fixture = fixture or None
        self.test_timeout = test_timeout or None

    def start_suite(self, suite: Any) -> None:
        if not suite.source or Path(suite.source).is_dir():
            return
        suite.resource.imports.resource(str(RESOURCE))
        if not suite.setup:
            suite.setup.config(name="Setup")
        if not suite.teardown:
            suite.teardown.config(name="Teardown")
        for test in suite.tests:
            if not test.setup:
                test.setup.config(name="Reset Emulation")
            if not test.teardown:
                test.teardown.config(name="Test Teardown")
            if self.test_timeout and not test.timeout:
                test.timeout = self.test_timeout
        if self.fixture:
            pattern = f"*{self.fixture}*"
            suite.tests = [t for t in suite.tests
                           if fnmatch.fnmatchcase(f"{suite.name}.{t.name}", pattern)
                           or fnmatch.fnmatchcase(t.full_name, pattern)]

    def end_suite(self, suite: Any) -> None:
        suite.suites = [s for s in suite.suites if s.test_count > 0]

    @staticmethod
    def spec(fixture: str | None, test_timeout: str | None) -> str:
        """The `--prerunmodifier` value that builds this visitor in another process."""
        for what, value in (("fixture", fixture), ("test timeout", test_timeout)):
            if value and ":" in value:
                raise ValueError(f"the {what} {value!r} must not contain ':'")
        return f"{__name__}.{InjectRenodeDefaults.__name__}:{fixture or ''}:{test_timeout or ''}"
