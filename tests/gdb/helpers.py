"""Helpers for the GDB server tests: the engine as a subprocess, gdb-multiarch
in batch mode, and a raw protocol client. Every wait has a timeout."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rp2350_emu.gdb import rsp

REPO = Path(__file__).resolve().parents[2]
GDB_TIMEOUT_S = 60
START_TIMEOUT_S = 30


class Engine:
    """`rp2350-emu run ELF --gdb 0 ...` in a subprocess; stdout/stderr collected by threads."""

    def __init__(self, elf: Path, *extra: str) -> None:
        cmd = [sys.executable, "-m", "rp2350_emu.cli", "run", str(elf), "--gdb", "0", *extra]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        for stream, sink in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()
        self.port = self._wait_for_port()

    def _pump(self, stream: object, sink: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line)
            if sink is self.stderr:
                self._lines.put(line)

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if found:
                return int(found.group(1))
        self.stop()
        pytest.fail(f"the engine did not start its GDB server:\n{''.join(self.stderr)}")

    def wait_for_stdout(self, pattern: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stdout):
                if re.search(pattern, line):
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no stdout line matching {pattern!r} within {timeout} s:\n"
                             f"{''.join(self.stdout[-20:])}{''.join(self.stderr)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def run_gdb(gdb: str, elf: Path, port: int, *commands: str, timeout: float = GDB_TIMEOUT_S) -> str:
    """gdb-multiarch -batch -nx, connected to the engine, running `commands`; all output."""
    args = [gdb, "-batch", "-nx", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for command in commands:
        args += ["-ex", command]
    args.append(str(elf))
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"gdb did not finish within {timeout} s; output so far:\n"
                             f"{exc.stdout or ''}{exc.stderr or ''}") from None
    return done.stdout + done.stderr


def run_gdb_interrupted(gdb: str, elf: Path, port: int, *commands: str, after_s: float = 3.0,
                        timeout: float = GDB_TIMEOUT_S) -> str:
    """Like run_gdb, but Ctrl-C (SIGINT to gdb) `after_s` seconds in: the first
    command should be a `continue` still running then; GDB turns the signal
    into the protocol's interrupt byte, as when a person presses Ctrl-C."""
    args = [gdb, "-batch", "-nx", "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for command in commands:
        args += ["-ex", command]
    args.append(str(elf))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        time.sleep(after_s)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate(timeout=10)
        raise AssertionError(f"gdb did not finish within {timeout} s after the interrupt:\n{out}") from None
    return out


class RspClient:
    """A raw protocol client: what GDB would send, byte by byte if need be."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = rsp.PacketReader()
        self.events: list[rsp.Event] = []

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, payload: bytes | str) -> None:
        self.send_raw(rsp.frame(payload))

    def next_event(self) -> rsp.Event:
        while not self.events:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.events.extend(self.reader.feed(data))
        return self.events.pop(0)

    def packet(self) -> bytes:
        """The next packet, skipping acks (and acking it)."""
        while True:
            event = self.next_event()
            if isinstance(event, rsp.Packet):
                self.send_raw(b"+")
                return event.payload
            if isinstance(event, (rsp.BadPacket, rsp.Nak)):
                pytest.fail(f"unexpected {event} from the server")

    def ask(self, payload: bytes | str) -> bytes:
        self.send(payload)
        return self.packet()

    def close(self) -> None:
        self.sock.close()
