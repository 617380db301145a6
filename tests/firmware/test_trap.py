"""A guest trap: the firmware's report reaches UART0 and the run ends cleanly."""

from __future__ import annotations

import subprocess
import sys

from tests.firmware.helpers import REPO, S


def test_trap_report_on_uart0_then_idle(boot) -> None:
    m = boot("trap")
    m.run_for(2 * S)
    text = m.uart_text().decode("latin-1")
    assert "GPIO25 On" in text and "GPIO25 Off" in text
    assert "*** guest trap:" in text
    assert "unreachable" in text
    # After the report the core parks in `wfe`: nothing more happens.
    n = len(m.events)
    m.run_for(1 * S)
    assert len(m.events) == n


def test_trap_run_fails_with_one_line_unless_allowed(firmware) -> None:
    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "rp2350_emu.cli", "run", str(firmware["trap"]),
                               "--seconds", "1", *extra], check=False, cwd=REPO, capture_output=True, text=True,
                              timeout=120)

    failed = run()
    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.startswith("rp2350-emu: failed: the firmware reported: *** guest trap:")
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    allowed = run("--allow-trap")
    assert allowed.returncode == 0, allowed.stderr
    assert "*** guest trap:" in allowed.stdout and "unreachable" in allowed.stdout
    assert allowed.stderr == ""
