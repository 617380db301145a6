"""The monitor and .resc scripts: bad commands are one line with file:line, earlier output is kept,
a script is run line by line as it arrives, and Ctrl-C cancels the running command only."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.interpreter import Monitor
from tests.reliability.helpers import REPO, assert_clean, assert_message, cli_process, contents, no_hang

BOARD = REPO / "platforms" / "boards" / "pico2.repl"


def _setup(elf: Path) -> str:
    return f"mach create\nmachine LoadPlatformDescription @{BOARD}\nsysbus LoadELF @{elf}\n"


# (id, command after a machine with uart-echo.elf is set up ({tmp}: the test's folder), key words)
COMMANDS: list[tuple[str, str, list[str]]] = [
    ("gdb-port-70000", "machine StartGdbServer 70000", ["machine StartGdbServer: port 70000 is outside 0-65535"]),
    ("gdb-port-negative", "machine StartGdbServer -1", ["machine StartGdbServer: port -1 is outside 0-65535"]),
    ("gdb-port-word", 'machine StartGdbServer "abc"', ["machine StartGdbServer expects a number"]),
    ("terminal-port-70000", 'emulation CreateServerSocketTerminal 70000 "t"',
     ["emulation CreateServerSocketTerminal: port 70000 is outside 0-65535"]),
    ("terminal-port-negative", 'emulation CreateServerSocketTerminal -5 "t"', ["port -5 is outside 0-65535"]),
    ("runfor-word", 'emulation RunFor "abc"', ["emulation RunFor: 'abc' is not a time interval", "e.g."]),
    ("runfor-nan", 'emulation RunFor "nan"', ["'nan' is not a time interval"]),
    ("runfor-huge", 'emulation RunFor "99999999999"', ["emulation RunFor", "more than the"]),
    ("runfor-no-argument", "emulation RunFor", ['wrong arguments (nothing); usage: emulation RunFor "hh:mm']),
    ("runfor-two-arguments", 'emulation RunFor "1" "2"', ['wrong arguments ("1" "2")']),
    ("logfile-missing-dir", "logFile @{tmp}/no/x.log", ["logFile: directory {tmp}/no does not exist"]),
    ("logfile-a-directory", "logFile @{tmp}", ["logFile: {tmp} is a directory, expected a file name"]),
    ("save-a-directory", "Save @{tmp}", ["Save: {tmp} is a directory, expected a file name"]),
    ("load-missing", "Load @{tmp}/none.save", ["Load: file not found: {tmp}/none.save"]),
    ("load-not-a-snapshot", "Load @{tmp}/notes.txt", ["Load: {tmp}/notes.txt: not a snapshot: not JSON"]),
    ("load-elf-missing", "sysbus LoadELF @{tmp}/none.elf", ["sysbus LoadELF: file not found: {tmp}/none.elf"]),
    ("load-elf-not-elf", "sysbus LoadELF @{tmp}/notes.txt", ["notes.txt: not an ELF file"]),
    ("platform-missing", "machine LoadPlatformDescription @{tmp}/none.repl",
     ["machine LoadPlatformDescription: file not found"]),
    ("mach-set-5", "mach set 5", ["mach set: no machine number 5"]),
    ("mach-set-name", 'mach set "nosuch"', ["Machine with name nosuch not found. Available machines:"]),
    ("address-past-32-bits", "sysbus WriteDoubleWord 0x100000000 1", ["address 0x100000000 does not fit 32 bits"]),
    ("value-past-32-bits", "sysbus WriteDoubleWord 0x20000000 0x1FFFFFFFF", ["value 0x1FFFFFFFF does not fit 32"]),
    ("byte-value-256", "sysbus WriteByte 0x20000000 0x100", ["value 0x100 does not fit 8 bits"]),
    ("read-past-32-bits", "sysbus ReadDoubleWord 0x1FFFFFFFF", ["address 0x1FFFFFFFF does not fit 32 bits"]),
    ("uart-char-300", "sysbus.uart0 WriteChar 300", ["WriteChar expects a byte (0..0xFF), got 300"]),
    ("unknown-command", "frobnicate", ["unknown command or object 'frobnicate' (type 'help' for the list)"]),
    ("unknown-method", "sysbus.uart0 NoSuchMethod", ["has no method or property 'NoSuchMethod' (available:"]),
    ("include-missing", "include @{tmp}/none.resc", ["include: file not found: {tmp}/none.resc"]),
    ("unterminated-string", '"abc', ["unterminated string starting at column 1"]),
    ("empty-assignment", "$x=", ["'$x=' expects exactly one value after it"]),
    ("log-level-9", "logLevel 9", ["unknown log level '9' (expected one of -1 (Noisy)"]),
    ("step-huge", "cpu Step 99999999999999", ["cpu Step expects 1..10000000 instructions", "emulation RunFor"]),
    ("step-zero", "cpu Step 0", ["cpu Step expects 1..10000000 instructions, got 0"]),
    ("button-extra-argument", "sysbus.gpio.button PressAndRelease 1", ["wrong arguments (1); usage:"]),
]


@pytest.mark.parametrize(("command", "phrases"), [pytest.param(c[1], c[2], id=c[0]) for c in COMMANDS])
def test_bad_command_is_one_line(firmware, tmp_path, command, phrases):
    (tmp_path / "notes.txt").write_text("the user's notes\n")
    before = contents(tmp_path)
    emulation = Emulation()
    try:
        monitor = Monitor(emulation)
        monitor.execute(_setup(firmware["uart-echo"]))
        with no_hang(20), pytest.raises(MonitorError) as info:
            monitor.execute(command.format(tmp=tmp_path))
    finally:
        emulation.close()
    message = str(info.value)
    assert message.startswith("<command>:1: "), message
    for phrase in phrases:
        assert_message(message, phrase.format(tmp=tmp_path))
    assert contents(tmp_path) == before


def test_run_for_with_a_unit_warns_and_runs_as_renode(firmware):
    emulation = Emulation()
    try:
        monitor = Monitor(emulation)
        monitor.execute(_setup(firmware["uart-echo"]) + 'emulation RunFor "1ms"')
        assert emulation.now_ns == 1_000_000_000  # Renode's grammar: the suffix is ignored
        warnings = [e.full_message for e in monitor.recent.entries if "RunFor" in e.full_message]
    finally:
        emulation.close()
    assert len(warnings) == 1
    assert_message(warnings[0], "ignores 'ms', so this runs 1 s (as in Renode); write seconds, e.g. \"0.001\"")


def test_run_for_plain_seconds_does_not_warn(firmware):
    emulation = Emulation()
    try:
        monitor = Monitor(emulation)
        monitor.execute(_setup(firmware["uart-echo"]) + 'emulation RunFor "0.01"')
        assert not [e for e in monitor.recent.entries if "RunFor" in e.full_message]
    finally:
        emulation.close()


# -- scripts as files and from stdin --------------------------------------------------------------

def test_script_including_itself_is_refused_with_the_chain(tmp_path):
    outer, inner = tmp_path / "outer.resc", tmp_path / "inner.resc"
    outer.write_text(f"include @{inner}\n")
    inner.write_text('$a="x"\n' f"include @{outer}\n")
    outcome = cli_process("monitor", outer, timeout=30)
    assert_clean(outcome, 1, f"{inner}:2: include: {outer} -> {inner} -> {outer} includes itself")
    assert f"(included from {outer}:1)" in outcome.err


def test_non_utf8_script_names_line_and_byte(tmp_path):
    script = tmp_path / "s.resc"
    script.write_bytes(b'$a="ok"\n$b="caf\xe9"\n')
    outcome = cli_process("monitor", script, timeout=30)
    assert_clean(outcome, 1, f"{script}:2: byte 0xe9 at offset 15 (column 8) is not UTF-8 text")


def test_script_file_keeps_the_output_before_an_error(tmp_path):
    script = tmp_path / "s.resc"
    script.write_text('$a="first"\n$a\nfrobnicate\n$a\n')
    outcome = cli_process("monitor", script, timeout=30)
    assert_clean(outcome, 1, f"{script}:3: unknown command or object 'frobnicate'")
    assert outcome.out.splitlines() == ["first"]


def test_stdin_keeps_the_output_before_an_error():
    outcome = cli_process("monitor", stdin='$a="one"\n$a\n$b="two"\n$b\nfrobnicate\n$a\n', timeout=30)
    assert_clean(outcome, 1, "<stdin>:5: unknown command or object 'frobnicate'")
    assert outcome.out.splitlines() == ["one", "two"]


def _monitor_process(*argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "rp2350_emu.cli", "monitor", *argv], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, env=env,
                            cwd=REPO)


def _read_line(proc: subprocess.Popen[str], seconds: float = 20) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    assert ready, f"no output within {seconds} s"
    return proc.stdout.readline()


def test_stdin_is_run_line_by_line_as_it_arrives():
    proc = _monitor_process()
    try:
        assert proc.stdin is not None
        proc.stdin.write('$a="first"\n$a\n')
        proc.stdin.flush()
        assert _read_line(proc) == "first\n"  # answered while stdin is still open
        proc.stdin.write('macro m\n"""\n$a\n"""\nrunMacro $m\n')  # a statement over several lines
        proc.stdin.flush()
        assert _read_line(proc) == "first\n"
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.wait()


def _wait_for_prompts(proc: subprocess.Popen[str], count: int, seconds: float = 30) -> str:
    """Read the interactive monitor's output until `count` prompts have been shown; returns it."""
    assert proc.stdout is not None
    fd, text, deadline = proc.stdout.fileno(), "", time.monotonic() + seconds
    while text.count(") ") < count:
        assert time.monotonic() < deadline, f"prompts so far: {text!r}"
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            text += os.read(fd, 4096).decode()
    return text


def test_ctrl_c_cancels_the_running_command_and_returns_to_the_prompt(firmware):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    code = "from rp2350_emu.monitor.console import run_monitor_cli as r; raise SystemExit(r(None, [], True))"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert proc.stdin is not None
        proc.stdin.write(_setup(firmware["uart-echo"]) + 'emulation RunFor "31536000"\n')
        proc.stdin.flush()
        seen = _wait_for_prompts(proc, 4)  # the 4th statement, RunFor of a virtual year, has been read
        time.sleep(1)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.stdin.write('$a="still here"\n$a\nquit\n')
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    out = seen + out
    assert "Traceback" not in out + err, out + err
    assert proc.returncode == 0, out + err
    assert "emulation RunFor: interrupted (Ctrl-C) at virtual" in out
    assert "still here" in out.split("interrupted (Ctrl-C)")[1]


def test_ctrl_c_at_the_prompt_gives_a_new_prompt():
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    code = ("import os, signal, threading\n"
            "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
            "from rp2350_emu.monitor.console import run_monitor_cli as r; raise SystemExit(r(None, [], True))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        time.sleep(2.5)  # the Ctrl-C came while input() waited
        out, err = proc.communicate('$a="after"\n$a\nquit\n', timeout=30)
    finally:
        proc.kill()
    assert "Traceback" not in out + err and proc.returncode == 0, out + err
    assert "after" in out
