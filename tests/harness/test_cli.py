"""`rp2350-emu monitor` and `rp2350-emu test` from the command line (fake machine)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.harness.helpers import DATA, FAKE_FACTORY, REPO, RobotOutcome


def rp2350_emu(*args: str, stdin: str = "", cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "RP2350_EMU_MACHINE_FACTORY": FAKE_FACTORY}
    return subprocess.run([sys.executable, "-m", "rp2350_emu.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd or str(DATA), check=False)


def test_monitor_script_mode_from_stdin() -> None:
    proc = rp2350_emu("monitor", "board.resc", stdin='sysbus ReadDoubleWord 0x20000000\n'
                      'emulation RunFor "0.6"\nsysbus.gpio.led State\n')
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "0x00000147" in lines and "False" in lines
    assert any(line.endswith("uart0: [virt: 0.001955s (+0.001955s)] GPIO25 On") for line in lines)


def test_monitor_error_names_file_and_line_without_traceback(tmp_path) -> None:
    script = tmp_path / "broken.resc"
    script.write_text("mach create\nmachine LoadPlatformDescription @nowhere.repl\n")
    proc = rp2350_emu("monitor", str(script))
    assert proc.returncode == 1
    assert f"error: {script}:2: machine LoadPlatformDescription: file not found: nowhere.repl" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    proc = rp2350_emu("monitor", stdin="mach create\nfrobnicate\n")
    assert proc.returncode == 1
    assert "error: <stdin>:2: unknown command or object 'frobnicate'" in proc.stderr


def test_monitor_execute_option() -> None:
    proc = rp2350_emu("monitor", "board.resc", "-e", "cpu VectorTableOffset", "--batch")
    assert proc.returncode == 0 and "0x10000000" in proc.stdout.splitlines()


def test_test_subcommand(tmp_path) -> None:
    suite = tmp_path / "s.robot"
    suite.write_text(f"*** Test Cases ***\nBoots\n    Execute Command    include @{DATA}/board.resc\n"
                     "    Create Terminal Tester    sysbus.uart0\n    Wait For Line On Uart    GPIO25 On\n")
    proc = rp2350_emu("test", "-r", str(tmp_path / "out"), str(suite))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "robot: 1 passed, 0 failed, 0 skipped" in proc.stdout
    outcome = RobotOutcome(proc.returncode, proc.stdout, tmp_path / "out")
    assert outcome.test_statuses() == {"Boots": "PASS"}


def test_interactive_monitor_on_a_terminal(tmp_path) -> None:
    """Prompt with the machine name, line editing via readline, history saved on exit."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # child: the monitor on a terminal
        os.chdir(DATA)
        os.environ.update({"HOME": str(tmp_path), "PYTHONPATH": str(REPO),
                           "RP2350_EMU_MACHINE_FACTORY": FAKE_FACTORY})
        os.execv(sys.executable, [sys.executable, "-m", "rp2350_emu.cli", "monitor", "board.resc"])
    output = b""

    def pump(seconds: float) -> None:
        nonlocal output
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    output += os.read(fd, 4096)
                except OSError:
                    return

    def wait_for(text: bytes) -> None:
        end = time.monotonic() + 20
        while text not in output and time.monotonic() < end:
            pump(0.1)

    wait_for(b"(machine-0) ")
    os.write(fd, b"cpu PX\x7fC\r")  # a typo fixed with backspace, as readline allows
    wait_for(b"0x10000150")
    os.write(fd, b"nonsense\r")
    wait_for(b"unknown command")
    os.write(fd, b"quit\r")
    pump(1)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode(errors="replace")
    assert "0x10000150" in text
    assert "error: <stdin>:2: unknown command or object 'nonsense'" in text
    assert os.waitstatus_to_exitcode(status) == 0
    assert (tmp_path / ".rp2350_emu_history").read_text().split() == ["cpu", "PC", "nonsense", "quit"]
