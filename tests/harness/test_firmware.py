"""The harness on the real engine and the real firmware images (build/*.elf).

Missing images are built with `make firmware` first; if that fails the tests
fail (they are never skipped silently).
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import serial

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_monitor(monkeypatch: pytest.MonkeyPatch) -> Monitor:
    monkeypatch.delenv("RP2350_EMU_MACHINE_FACTORY", raising=False)
    emulation = Emulation()
    yield Monitor(emulation, cwd=ROOT)
    emulation.close()


def test_monitor_on_the_real_machine(real_monitor: Monitor, firmware: dict[str, Path]) -> None:
    mon = real_monitor
    mon.execute(f"$bin=@{firmware['blinky']}")
    mon.execute("include @renode/rp2350.resc")
    assert mon.execute("cpu VectorTableOffset") == "0x10000000\r\n"
    assert mon.execute("cpu PerformanceInMips") == "0x00000096\r\n"
    initial_sp = mon.execute("sysbus ReadDoubleWord 0x10000000")
    assert re.fullmatch(r"0x2[0-9A-F]{7}\r\n", initial_sp)
    assert mon.execute("cpu SP") == f"0x{int(initial_sp, 16):x}\r\n"
    assert re.fullmatch(r"0x00000000100[0-9A-F]{5}\r\n", mon.execute('sysbus GetSymbolAddress "main"'))
    assert mon.execute("sysbus.gpio.led State") == "False\r\n"
    mon.execute('emulation RunFor "0.2"')
    assert mon.execute("sysbus.gpio.led State") == "True\r\n"
    lines = [e.message for e in mon.recent.entries if e.source == "uart0"]
    assert lines and lines[0].endswith("] GPIO25 On")


@pytest.mark.rp2350(elf="build/uart-echo.elf")
def test_pytest_fixtures_on_uart_echo(firmware: dict[str, Path], machine, uart) -> None:
    machine.run_for(0.3)  # the receiver is enabled during boot; earlier bytes would be lost
    uart.write_line("hello from pytest")
    assert uart.next_line(timeout=0.1).line == ""  # the rest of the echoed line: CR LF
    uart.write("ab\x7f\r")
    assert uart.next_line(timeout=0.1).line == "ab\x08 \x08"
    uart.assert_idle(0.2)


@pytest.mark.rp2350(elf="build/button.elf")
def test_pytest_fixtures_on_button(firmware: dict[str, Path], machine, uart, led, button) -> None:
    machine.run_for(0.3)
    assert not led.state
    button.press()
    uart.wait_for_line("GPIO25 On", timeout=0.05)
    led.assert_and_hold(True, timeout=0, hold=0.2)
    button.release()
    led.assert_state(False, timeout=0.05)


def _start_run(elf: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "rp2350_emu.cli", "run", str(elf), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    return proc, first


def _talk(port: serial.SerialBase) -> bytes:
    """Send until the firmware echoes (its receiver comes up during boot), then a real line."""
    deadline = time.monotonic() + 60
    got = b""
    while b"?" not in got and time.monotonic() < deadline:
        port.write(b"?")
        got += port.read(16)
    assert b"?" in got, "uart-echo never echoed"
    port.write(b"hi\r")
    got = b""
    while b"hi\r\n" not in got and time.monotonic() < deadline:
        got += port.read(16)
    return got


def test_run_with_a_pty_and_pyserial(firmware: dict[str, Path]) -> None:
    proc, first = _start_run(firmware["uart-echo"], "--uart-pty", "--seconds", "600")
    try:
        match = re.fullmatch(r"uart0: pty (/dev/\S+)\n", first)
        assert match, first
        with serial.Serial(match.group(1), 115200, timeout=0.5) as port:
            assert _talk(port).endswith(b"hi\r\n")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_run_with_tcp_and_pyserial(firmware: dict[str, Path]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    proc, first = _start_run(firmware["uart-echo"], "--uart-tcp", str(free), "--seconds", "600")
    try:
        assert first == f"uart0: tcp 127.0.0.1:{free}\n"
        with serial.serial_for_url(f"socket://127.0.0.1:{free}", timeout=0.5) as port:
            assert _talk(port).endswith(b"hi\r\n")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
