"""Same firmware and inputs: same events at the same virtual nanoseconds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.firmware.helpers import REPO

CASES = {
    "blinky": ["--seconds", "2"],
    "button": ["--seconds", "1", "--press", "15@0.3:0.2", "--press", "15@0.7:0.05"],
    "uart-echo": ["--seconds", "0.5", "--uart-input", "hello\rworld\x7f\n"],
}


@pytest.mark.parametrize("guest", sorted(CASES))
def test_three_runs_same_fingerprint(firmware, guest: str) -> None:
    cmd = [sys.executable, "-m", "rp2350_emu.cli", "run", str(firmware[guest]), "--fingerprint",
           *CASES[guest]]
    prints = set()
    outputs = []
    for _ in range(3):
        proc = subprocess.run(cmd, check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        fp = [line for line in proc.stdout.splitlines() if line.startswith("fingerprint:")]
        assert len(fp) == 1
        prints.add(fp[0])
        outputs.append(proc.stdout)
    assert len(prints) == 1, outputs
    # The run did something observable, so the fingerprint covers real events.
    assert "GPIO25" in outputs[0] or "hello" in outputs[0]


SHORT = {
    "blinky": ["--seconds", "0.6"],
    "button": ["--seconds", "0.3", "--press", "15@0.1:0.05"],
    "uart-echo": ["--seconds", "0.2", "--uart-input", "hi\r"],
}


@pytest.mark.parametrize("guest", sorted(SHORT))
def test_skipping_loops_changes_no_event(firmware, guest: str) -> None:
    """Poll skipping, idle probes and delay fast-forward on (default) and off (--no-skip)."""
    prints = []
    for extra in ([], ["--no-skip"]):
        cmd = [sys.executable, "-m", "rp2350_emu.cli", "run", str(firmware[guest]), "--fingerprint",
               *SHORT[guest], *extra]
        proc = subprocess.run(cmd, check=False, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        prints.append([line for line in proc.stdout.splitlines() if line.startswith("fingerprint:")])
        assert "GPIO25" in proc.stdout or "hi" in proc.stdout
    assert prints[0] == prints[1] and len(prints[0]) == 1
