"""`rp2350-emu test`: a stand-in for Renode's `renode-test` over the built-in engine.

Like renode-test it injects the keyword resource into every suite, sets the
default Suite Setup `Setup`, Suite Teardown `Teardown`, Test Setup
`Reset Emulation` and Test Teardown `Test Teardown` where a suite has none,
defines ${RENODEKEYWORDS} for suites that import it themselves, excludes
tests tagged `excluded`, skips `skipped`, turns failures of `non_critical` /
`unstable` tests into skips, and writes robot_output.xml, log.html and
report.html into the results directory.

Unlike renode-test no emulator process is started: the keywords run inside
this process, and virtual time only moves when a keyword (or `Sleep`) asks.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tempfile
from pathlib import Path
from typing import Any

# the resource next to the library (not imported from it: `rp2350-emu --help` stays light)
RESOURCE = Path(__file__).with_name("renode-keywords.robot")

DEFAULT_EXCLUDE = ["excluded"]
DEFAULT_SKIP = ["skipped"]
SKIP_ON_FAILURE = ["non_critical", "unstable"]


def _injector(fixture: str | None, test_timeout: str | None) -> Any:
    from robot.api import SuiteVisitor

    class InjectRenodeDefaults(SuiteVisitor):
        """Pre-run modifier doing what renode-test does to each suite before running it."""

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
                if test_timeout and not test.timeout:
                    test.timeout = test_timeout
            if fixture:
                pattern = f"*{fixture}*"
                suite.tests = [t for t in suite.tests
                               if fnmatch.fnmatchcase(f"{suite.name}.{t.name}", pattern)
                               or fnmatch.fnmatchcase(t.full_name, pattern)]

        def end_suite(self, suite: Any) -> None:
            suite.suites = [s for s in suite.suites if s.test_count > 0]

    return InjectRenodeDefaults()


def run_tests(files: list[str], results_dir: str | Path = ".", include: list[str] | None = None,
              exclude: list[str] | None = None, skip: list[str] | None = None,
              variables: list[str] | None = None, fixture: str | None = None, repeat: int = 1,
              test_timeout: str | None = None, listeners: list[str] | None = None,
              stop_on_error: bool = False, console: str = "verbose", stdout: Any = None) -> int:
    """Run .robot files the way renode-test does; returns the exit status (0 = all passed)."""
    from robot.api import ExecutionResult

    import robot

    out = stdout or sys.stdout
    results = Path(results_dir).resolve()
    results.mkdir(parents=True, exist_ok=True)
    missing = [f for f in files if not Path(f).is_file()]
    for f in missing:
        out.write(f"error: {f}: no such test file\n")
    present = [str(Path(f).resolve()) for f in files if Path(f).is_file()]
    if not present:
        out.write("error: no test files to run\n")
        return 2
    options: dict[str, Any] = {
        "variable": [f"RENODEKEYWORDS:{RESOURCE}", f"RESULTS_DIRECTORY:{results}", "SKIP_RUNNING_SERVER:True",
                     "PORT_NUMBER:0", f"RENODETOOLS:{Path(__file__).parent}", *(variables or [])],
        "include": include or [],
        "exclude": [*DEFAULT_EXCLUDE, *(exclude or [])],
        "skip": [*DEFAULT_SKIP, *(skip or [])],
        "skiponfailure": SKIP_ON_FAILURE,
        "prerunmodifier": [_injector(fixture, test_timeout)],
        "listener": listeners or [],
        "exitonfailure": stop_on_error,
        "runemptysuite": False,
        "console": console,
        "stdout": out,
        "stderr": out,
        "outputdir": str(results),
    }
    final = {"output": str(results / "robot_output.xml"), "log": str(results / "log.html"),
             "report": str(results / "report.html")}
    if repeat <= 1:
        robot.run(*present, **options, **final)
    else:
        with tempfile.TemporaryDirectory(prefix="rp2350-emu-test-") as tmp:
            parts = []
            for n in range(repeat):
                part = Path(tmp) / f"run{n + 1}.xml"
                robot.run(*present, **options, output=str(part), log=None, report=None)
                if part.exists():
                    parts.append(str(part))
            if parts:
                robot.rebot(*parts, name="Repeated", stdout=out, stderr=out, outputdir=str(results), **final)
    output_xml = Path(final["output"])
    if not output_xml.exists():
        out.write("error: Robot produced no results (see the messages above)\n")
        return 2
    stats = ExecutionResult(str(output_xml)).statistics.total
    out.write(f"robot: {stats.passed} passed, {stats.failed} failed, {stats.skipped} skipped\n")
    return 1 if stats.failed or missing else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tests", nargs="+", metavar="FILE.robot", help="Robot suites to run")
    parser.add_argument("-r", "--results-dir", default=".", help="where robot_output.xml, log.html, "
                        "report.html and logs/ go (default: current directory)")
    parser.add_argument("--include", action="append", default=[], metavar="TAG", help="run only tests with TAG")
    parser.add_argument("--exclude", action="append", default=[], metavar="TAG", help="do not run tests with TAG")
    parser.add_argument("--skip", action="append", default=[], metavar="TAG", help="skip tests with TAG")
    parser.add_argument("--variable", action="append", default=[], metavar="NAME:VALUE",
                        help="set a Robot variable (e.g. DEFAULT_UART_TIMEOUT:2)")
    parser.add_argument("-f", "--fixture", metavar="GLOB", help="run only tests whose Suite.Test name matches "
                        "*GLOB*")
    parser.add_argument("-n", "--repeat", type=int, nargs="?", const=1, default=1, metavar="N",
                        help="run everything N times")
    parser.add_argument("--test-timeout", metavar="TIME", help="wall-time limit per test (Robot time, e.g. 30s)")
    parser.add_argument("--listener", action="append", default=[], help="Robot listener")
    parser.add_argument("--stop-on-error", action="store_true", help="stop after the first failing test")
    parser.add_argument("--console", default="verbose", choices=("verbose", "dotted", "quiet", "none"),
                        help="Robot console output style")


def run_from_args(args: argparse.Namespace) -> int:
    return run_tests(args.tests, args.results_dir, args.include, args.exclude, args.skip, args.variable,
                     args.fixture, args.repeat, args.test_timeout, args.listener, args.stop_on_error,
                     args.console)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rp2350-emu test", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
