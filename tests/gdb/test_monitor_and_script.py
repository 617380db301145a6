"""The other two ways in: the monitor's `machine StartGdbServer`, and
scripts/debug.sh (what `make debug GUEST=...` runs)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor import Monitor
from tests.gdb.helpers import REPO, RspClient


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_start_gdb_server_from_the_monitor(gdb_elf: Path) -> None:
    emulation = Emulation()
    monitor = Monitor(emulation)
    port = _free_port()
    try:
        monitor.execute(f"mach create\nmachine LoadPlatformDescription @{REPO / 'platforms' / 'boards' / 'pico2.repl'}\n"
                        f"sysbus LoadELF @{gdb_elf}\nmachine StartGdbServer {port}")
        handle = emulation.machine()
        engine = handle.engine
        client = RspClient(port)
        try:
            assert client.ask("?").startswith(b"T05")
            tick = engine.get_symbol_address("tick")
            assert client.ask(f"Z1,{tick:x},2") == b"OK"
            client.send("c")  # autostart (the default): GDB's continue runs the core
            reply = client.packet()
            assert reply.startswith(b"T05") and f"0f:{tick.to_bytes(4, 'little').hex()}".encode() in reply
            assert bytes.fromhex(client.ask("qRcmd," + b"sysbus.gpio.led State".hex()).decode()) == b"False\n"
            assert client.ask(f"z1,{tick:x},2") == b"OK"
            assert client.ask("D") == b"OK"
        finally:
            client.close()
        # detached: the emulation is started, so the monitor's runner keeps the firmware going
        deadline = time.monotonic() + 10
        while not emulation.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert emulation.started
        monitor.execute("machine StopGdbServer")
        assert handle.gdb_server is None
    finally:
        emulation.close()


def test_debug_script_starts_engine_and_gdb(gdb_elf: Path, gdb_exe: str) -> None:
    env = dict(os.environ, GDB_PORT="0")
    done = subprocess.run([str(REPO / "scripts" / "debug.sh"), str(gdb_elf), "-batch", "-nx",
                           "-ex", "break led_toggle", "-ex", "continue", "-ex", "backtrace"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=90, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Breakpoint 1, led_toggle ()" in out and re.search(r"#1 .* in main \(\)", out), out
    port = re.search(r"engine on 127\.0\.0\.1:(\d+)", out)
    assert port, out
    # the script stops the engine when GDB exits: nothing listens there any more
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(port.group(1)))) != 0
