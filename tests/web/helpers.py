"""`rp2350-emu run ... --web 0` as a subprocess: its URL, and its output lines with the wall time each came."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "rp2350_emu.cli"]
RESULTS = REPO / "build" / "test-results" / "web"
_URL = re.compile(r"^web: (http://127\.0\.0\.1:(\d+)/)")


class WebRun:
    """One `run --web` process; `lines` holds (wall time, line) of its stdout as they arrive."""

    def __init__(self, *args: str, wait_url: bool = True) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([*CLI, "run", *args], cwd=REPO, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[tuple[float, str]] = []
        self.err: list[str] = []
        self.url: str | None = None
        self._got_url = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        if wait_url and not self._got_url.wait(20):
            self.stop()
            raise AssertionError(f"no URL from rp2350-emu run --web; stderr: {''.join(self.err)}")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.time(), line.rstrip("\n")))
            m = _URL.match(line)
            if m:
                self.url = m.group(1)
                self._got_url.set()
        self._got_url.set()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.err.append(line)

    def pin_changes(self, pin: int) -> list[tuple[float, int]]:
        """(wall time the line came, level) of each `pin N -> L` line."""
        out = []
        for wall, line in list(self.lines):
            m = re.search(rf"\] pin {pin} -> ([01])$", line)
            if m:
                out.append((wall, int(m.group(1))))
        return out

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@contextmanager
def web_run(*args: str) -> Iterator[WebRun]:
    """`run *args` with --web, stopped (Ctrl-C) at the end of the block."""
    run = WebRun(*args)
    try:
        yield run
    finally:
        run.stop()
