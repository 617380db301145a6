"""UART bridges: a pty and a 127.0.0.1 TCP socket, driven with pyserial, paced to wall time."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
import serial

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor, MonitorError
from tests.harness.helpers import DATA


@contextlib.contextmanager
def running(emulation: Emulation) -> Iterator[None]:
    """Advance the emulation in the background, as the interactive monitor does."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            emulation.advance(5_000_000)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def echo_machine(monitor: Monitor) -> None:
    monitor.execute(f"$bin=@{DATA}/fake-firmware/uart-echo.fake")
    monitor.execute(f"include @{DATA}/board.resc")
    monitor.execute('emulation RunFor "0.01"')


def read_until(port: serial.SerialBase, wanted: bytes, seconds: float = 5) -> bytes:
    got = b""
    deadline = time.monotonic() + seconds
    while wanted not in got and time.monotonic() < deadline:
        got += port.read(64)
    return got


def test_pty_terminal_with_pyserial(monitor: Monitor, tmp_path) -> None:
    echo_machine(monitor)
    link = tmp_path / "uart"
    monitor.execute(f'emulation CreateUartPtyTerminal "term" "{link}"')
    monitor.execute("connector Connect sysbus.uart0 term")
    assert link.is_symlink()
    with running(monitor.emulation), serial.Serial(str(link), 115200, timeout=0.1) as port:
        port.write(b"hi\r")
        assert read_until(port, b"hi\r\n").endswith(b"hi\r\n")
    monitor.emulation.clear()
    assert not link.exists()  # the terminal goes with the emulation


def test_tcp_terminal_with_pyserial(monitor: Monitor) -> None:
    echo_machine(monitor)
    monitor.execute('emulation CreateServerSocketTerminal 0 "sock" false')
    monitor.execute("connector Connect sysbus.uart0 sock")
    port_number = monitor.externals["sock"].port_number
    with running(monitor.emulation), serial.serial_for_url(f"socket://127.0.0.1:{port_number}",
                                                          timeout=0.1) as port:
        port.write(b"abc\x7f\r")
        assert read_until(port, b"\r\n") == b"abc\x08 \x08\r\n"


def test_virtual_time_is_paced_to_wall_time_while_a_bridge_is_attached(monitor: Monitor) -> None:
    echo_machine(monitor)
    monitor.execute('emulation CreateServerSocketTerminal 0 "sock" false')
    monitor.execute("connector Connect sysbus.uart0 sock")
    start_wall, start_virt = time.monotonic(), monitor.emulation.now_ns
    monitor.emulation.advance(300_000_000)
    assert time.monotonic() - start_wall >= 0.25
    assert monitor.emulation.now_ns - start_virt == 300_000_000


def test_tcp_listens_on_loopback_only(monitor: Monitor) -> None:
    monitor.execute('emulation CreateServerSocketTerminal 0 "sock" false')
    bridge = monitor.externals["sock"]
    assert bridge._server.getsockname()[0] == "127.0.0.1"


def test_terminal_errors(monitor: Monitor) -> None:
    echo_machine(monitor)
    with pytest.raises(MonitorError, match="no terminal named 'nope'"):
        monitor.execute("connector Connect sysbus.uart0 nope")
    monitor.execute('emulation CreateServerSocketTerminal 0 "t" false')
    with pytest.raises(MonitorError, match="already exists"):
        monitor.execute('emulation CreateServerSocketTerminal 0 "t" false')
    with pytest.raises(MonitorError, match="is not a UART"):
        monitor.execute("connector Connect sysbus.gpio.led t")
