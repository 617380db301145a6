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
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

# the resource next to the library (not imported from it: `rp2350-emu --help` stays light)
RESOURCE = Path(__file__).with_name("renode-keywords.robot")
#: tells `Sleep` where it was called (robotlib/sleep.py)
LOCATION_LISTENER = "rp2350_emu.robotlib.sleep.KeywordLocation"

DEFAULT_EXCLUDE = ["excluded"]
DEFAULT_SKIP = ["skipped"]
SKIP_ON_FAILURE = ["non_critical", "unstable"]


def run_tests(files: list[str], results_dir: str | Path = ".", include: list[str] | None = None,
              exclude: list[str] | None = None, skip: list[str] | None = None,
              variables: list[str] | None = None, fixture: str | None = None, repeat: int = 1,
              test_timeout: str | None = None, listeners: list[str] | None = None,
              stop_on_error: bool = False, console: str = "verbose", stdout: Any = None, jobs: int = 1) -> int:
    """Run .robot files the way renode-test does; returns the exit status (0 = all passed).
    `jobs` > 1 runs the suites in that many worker processes (pabot), as `renode-test -j`."""
    from robot.api import ExecutionResult

    import robot
    from rp2350_emu.robotlib.inject import InjectRenodeDefaults
    from rp2350_emu.robotlib.sleep import KeywordLocation

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
        "prerunmodifier": [InjectRenodeDefaults(fixture or "", test_timeout or "")],
        "listener": [LOCATION_LISTENER, *(listeners or [])],
        "exitonfailure": stop_on_error,
        "runemptysuite": False,
        "console": console,
        "stdout": out,
        "stderr": out,
        "outputdir": str(results),
    }
    final = {"output": str(results / "robot_output.xml"), "log": str(results / "log.html"),
             "report": str(results / "report.html")}
    KeywordLocation.warnings.clear()
    if jobs > 1:
        try:
            spec = InjectRenodeDefaults.spec(fixture, test_timeout)
        except ValueError as exc:
            out.write(f"error: {exc}\n")
            return 2
        for n in range(max(repeat, 1)):
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                _run_parallel(present, options, spec, jobs, results, final if repeat <= 1 else
                              {"output": str(results / f"run{n + 1}.xml"), "log": "NONE", "report": "NONE"})
        if repeat > 1:
            parts = [str(results / f"run{n + 1}.xml") for n in range(repeat) if (results / f"run{n + 1}.xml").exists()]
            if parts:
                robot.rebot(*parts, name="Repeated", stdout=out, stderr=out, outputdir=str(results), **final)
            for part in parts:
                Path(part).unlink()
    elif repeat <= 1:
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
    if KeywordLocation.warnings:
        out.write(f"warning: {len(KeywordLocation.warnings)} Sleep(s) while the emulation ran:\n")
        for warning in KeywordLocation.warnings:
            out.write(f"  {warning.split(': Sleep', 1)[0]}\n")
    out.write(f"robot: {stats.passed} passed, {stats.failed} failed, {stats.skipped} skipped\n")
    return 1 if stats.failed or missing else 0


def _run_parallel(files: list[str], options: dict[str, Any], modifier: str, jobs: int, results: Path,
                  final: dict[str, str]) -> None:
    """One pabot run: a worker process per suite, `jobs` at a time, results merged into `final`."""
    from pabot.pabot import main_program

    # the workers run this interpreter's Robot (a venv's `robot` need not be on PATH)
    args = ["--processes", str(jobs), "--no-pabotlib", "--command", sys.executable, "-m", "robot", "--end-command",
            "--outputdir", str(results)]
    for key in ("variable", "include", "exclude", "skip", "skiponfailure", "listener"):
        for value in options[key]:
            args += [f"--{key}", str(value)]
    args += ["--prerunmodifier", modifier, "--console", "dotted" if options["console"] == "verbose"
             else options["console"]]
    if options["exitonfailure"]:
        args.append("--exitonfailure")
    for key, value in final.items():
        args += [f"--{key}", Path(value).name if value != "NONE" else value]
    # pabot keeps its suite cache (.pabotsuitenames) in the working directory: keep it with the results
    previous = os.getcwd()
    os.chdir(results)
    try:
        main_program([*args, *files])
    finally:
        os.chdir(previous)


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
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="run the suites in N worker processes (pabot), as renode-test -j does")
    parser.add_argument("--console", default="verbose", choices=("verbose", "dotted", "quiet", "none"),
                        help="Robot console output style")


def run_from_args(args: argparse.Namespace) -> int:
    return run_tests(args.tests, args.results_dir, args.include, args.exclude, args.skip, args.variable,
                     args.fixture, args.repeat, args.test_timeout, args.listener, args.stop_on_error,
                     args.console, jobs=args.jobs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rp2350-emu test", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
