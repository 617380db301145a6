"""The battery's tools: run a front end on a bad input and check the answer is clean.

Clean means: the exit status (or exception) asked for, no Python traceback, no
hang (a deadline on every call) and a message that carries the key phrase
saying what is wrong, where and how to fix it.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOARD = REPO / "platforms" / "boards" / "pico2.repl"
CLI = [sys.executable, "-m", "rp2350_emu.cli"]


class Hang(BaseException):  # BaseException: the code under test cannot swallow it
    """The call did not answer within its deadline."""


@contextlib.contextmanager
def no_hang(seconds: float) -> Iterator[None]:
    """Fail (raise Hang) if the block runs longer than `seconds` of wall time."""
    def fire(_signum: int, _frame: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(*argv: str | Path, timeout: float = 30, stdin: str = "") -> Outcome:
    """`rp2350-emu ARGV` in this process (argparse exits become the status)."""
    from rp2350_emu.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with no_hang(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in argv])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (print(exc.code, file=sys.stderr) or 1)
    finally:
        sys.stdin = old_stdin
    return Outcome(code, out.getvalue(), err.getvalue())


def cli_process(*argv: str | Path, timeout: float = 60, cwd: Path | None = None, stdin: str = "") -> Outcome:
    """`rp2350-emu ARGV` as its own process: the real entry point, real exit status."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([*CLI, *map(str, argv)], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or REPO, input=stdin, env=env, check=False)
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def assert_clean(outcome: Outcome, code: int, phrase: str) -> None:
    """Status `code`, no traceback, and `phrase` in what the user was told."""
    shown = outcome.text
    assert "Traceback" not in shown, shown
    assert outcome.code == code, f"exit {outcome.code}, expected {code}:\n{shown}"
    assert phrase in shown, f"{phrase!r} not in:\n{shown}"


def assert_message(message: str, phrase: str) -> None:
    """An exception's text: one line, with `phrase`."""
    assert "Traceback" not in message, message
    assert "\n" not in message.strip(), f"not one line: {message!r}"
    assert phrase in message, f"{phrase!r} not in {message!r}"


def contents(folder: Path) -> dict[str, bytes | str]:
    """Every file, link and directory under `folder` with what it holds: compare before and after."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


def one_line(outcome: Outcome) -> str:
    """The last line the user was told on stderr (argparse prints usage first)."""
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert lines, f"nothing on stderr:\n{outcome.text}"
    return lines[-1]
