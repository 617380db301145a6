"""GDB Remote Serial Protocol server for the emulated RP2350 (loopback only).

One thread does everything: it runs the core in short slices of virtual
time (`DebugTarget.run`) and, between slices, looks at the socket, so a
Ctrl-C from GDB is seen while the firmware runs, and no second thread ever
touches Unicorn. While the core is halted nothing runs, so virtual time
stands still: a debugging session does not change what the firmware sees.

Two ways to use it:
* `rp2350-emu run ELF --gdb PORT [--wait-gdb]`: `serve()` on the main thread
  drives the machine, with or without a client (cli/gdb.py);
* the monitor's `machine StartGdbServer PORT [autostart]`: `start()` serves
  on a background thread that drives the machine only while a client is
  attached, holding the emulation's lock (monitor/gdb_link.py).

This module is the transport (socket, client, serve loop); the packets
themselves are answered by session.py.

Protocol coverage: qSupported, target.xml and memory map via qXfer, ?, g/G,
p/P, m/M/X, Z0-Z4/z0-z4, c/s/C/S, vCont (c, s), Ctrl-C, D, k, vKill, qRcmd
(monitor), QStartNoAckMode, and the single-thread queries GDB makes.
"""


from __future__ import annotations

import contextlib
import ipaddress
import select
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from rp2350_emu.errors import ConfigError
from rp2350_emu.gdb import rsp
from rp2350_emu.gdb.session import Detach, Kill, Resume, RspSession
from rp2350_emu.gdb.target import SIGTRAP, DebugTarget, StopEvent, StopReason

#: virtual time per run() call between two looks at the socket (a few ms of wall time)
SLICE_NS = 1_000_000
#: how long a blocked send may take before the client is given up on
SEND_TIMEOUT_S = 10.0
#: how often a waiting loop wakes to notice close()
POLL_S = 0.2


def loopback_host(host: str) -> str:
    """`host` if it is a loopback address; anything else is refused: the
    protocol has no authentication and can write any memory."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"GDB server address {host!r} is not an IP address; expected a loopback "
                          "address such as 127.0.0.1") from None
    if not ip.is_loopback:
        raise ConfigError(f"refusing to serve GDB on {host}: the GDB protocol has no authentication, so the "
                          "server only listens on loopback addresses (127.0.0.0/8, ::1); use an SSH "
                          "tunnel to debug from another host")
    return host


class _Client:
    """One GDB connection: socket, packet parser, ack state."""

    def __init__(self, sock: socket.socket, peer: str) -> None:
        self.sock = sock
        self.peer = peer
        self.reader = rsp.PacketReader()
        self.no_ack = False
        self.last_sent = b""
        self.features: set[str] = set()
        sock.settimeout(SEND_TIMEOUT_S)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def readable(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        return bool(ready)

    def receive(self) -> list[rsp.Event] | None:
        """Events from the bytes waiting on the socket; None once the peer is gone."""
        try:
            data = self.sock.recv(65536)
        except OSError:
            return None
        if not data:
            return None
        return self.reader.feed(data)

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, payload: bytes | str) -> None:
        raw = rsp.frame(payload)
        self.last_sent = raw
        self.sock.sendall(raw)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class _Kill(Exception):
    pass


class GdbServer:
    """A GDB server for one `DebugTarget`, one client at a time."""

    def __init__(self, target: DebugTarget, port: int, host: str = "127.0.0.1", *,
                 lock: contextlib.AbstractContextManager[Any] | None = None,
                 log: Callable[[str], None] | None = None, slice_ns: int = SLICE_NS,
                 free_run: bool = True, exit_on_kill: bool = True,
                 gate: Callable[[], bool] | None = None,
                 on_attach: Callable[[], None] | None = None,
                 on_detach: Callable[[], None] | None = None) -> None:
        """free_run: run the firmware while no client is attached (the CLI);
        without it the core only runs for a client (the monitor's runner does
        the rest). exit_on_kill: `k` ends serve() (the CLI exits) rather
        than just dropping the client. gate: while it returns False a resumed
        core waits (the monitor's autostartEmulation=false)."""
        self.target = target
        self.host = loopback_host(host)
        self._lock = lock if lock is not None else contextlib.nullcontext()
        self._log = log or (lambda text: print(f"gdb: {text}", file=sys.stderr, flush=True))
        self.slice_ns = slice_ns
        self.free_run = free_run
        self.exit_on_kill = exit_on_kill
        self._gate = gate
        self._on_attach = on_attach
        self._on_detach = on_detach
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, port))
        except OSError as exc:
            listener.close()
            raise ConfigError(f"GDB server cannot listen on {self.host}:{port}: {exc.strerror or exc}") from None
        listener.listen(1)
        self._listener = listener
        self.port: int = listener.getsockname()[1]
        self._client: _Client | None = None
        self.session = RspSession(target, self._lock, self._log)
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.result = ""

    def start(self, wait_for_client: bool = True) -> GdbServer:
        """Serve on a daemon thread (the monitor's StartGdbServer)."""
        self._thread = threading.Thread(target=self.serve, kwargs={"wait_for_client": wait_for_client},
                                        name=f"gdb-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._drop_client(detach=True)
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            self.target.close()

    @property
    def attached(self) -> bool:
        return self._client is not None

    def serve(self, wait_for_client: bool = True, until: Callable[[], bool] | None = None,
              on_slice: Callable[[], None] | None = None) -> str:
        """Serve until killed, closed, or `until()` says the run is over.

        wait_for_client: the core stays halted until a client connects and
        resumes it (--wait-gdb); otherwise it runs from the start (free_run).
        on_slice: called after every slice the core ran (output printing).
        Returns "killed", "closed" or "deadline".
        """
        self._log(f"listening on {self.host}:{self.port}" + (" (waiting for GDB)" if wait_for_client else ""))
        if not wait_for_client and self.free_run:
            with self._lock:
                self.target.resume(False)
            self.session.running = True
        try:
            while not self._closed.is_set():
                if until is not None and until():
                    self._end_session("virtual time limit reached")
                    self.result = "deadline"
                    return self.result
                if self._client is None:
                    self._serve_detached(on_slice)
                else:
                    self._serve_attached(on_slice)
        except _Kill:
            self.result = "killed"
            return self.result
        self.result = "closed"
        return self.result

    def _serve_detached(self, on_slice: Callable[[], None] | None) -> None:
        if self.session.running and self.free_run:
            self._run_slice(on_slice)
            self._accept(timeout=0)
        else:
            self._accept(timeout=POLL_S)

    def _serve_attached(self, on_slice: Callable[[], None] | None) -> None:
        client = self._client
        assert client is not None
        if self.session.running and (self._gate is None or self._gate()):
            self._run_slice(on_slice)
            if self._client is not None and self._client.readable(0):
                self._read_client()
        elif client.readable(POLL_S if not self.session.running else 0.02):
            self._read_client()

    def _run_slice(self, on_slice: Callable[[], None] | None) -> None:
        with self._lock:
            stop = self.target.run(self.slice_ns)
        if on_slice is not None:
            on_slice()
        if stop is not None:
            self.session.running = False
            self._stopped(stop)

    def _stopped(self, stop: StopEvent) -> None:
        self.session.last_stop = stop
        if self._client is not None:
            self._send_stop(stop)
        elif stop.reason is StopReason.FAULT:
            self._log(f"core halted: {stop.message} (connect GDB to inspect)")

    def _accept(self, timeout: float) -> None:
        ready, _, _ = select.select([self._listener], [], [], timeout)
        if not ready:
            return
        try:
            sock, peer = self._listener.accept()
        except OSError:
            return
        if self._client is not None:  # pragma: no cover - listen backlog is 1, checked before accept
            sock.close()
            return
        self._client = _Client(sock, f"{peer[0]}:{peer[1]}")
        self.session.features = set()
        self._log(f"client {self._client.peer} attached")
        if self._on_attach is not None:
            self._on_attach()
        if self.session.running:
            # attaching stops the core, as a probe does
            with self._lock:
                self.target.halt()
            self.session.running = False
            self.session.last_stop = StopEvent(StopReason.INTERRUPT, SIGTRAP)

    def _drop_client(self, detach: bool) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        # clean up before closing: once the client sees the connection go,
        # its breakpoints are gone and the core runs again
        with self._lock:
            self.target.clear_debug_state()
            if detach and self.free_run and not self.session.running and \
                    (self.session.last_stop is None or self.session.last_stop.reason is not StopReason.FAULT):
                self.target.resume(False)  # a detached core keeps running
                self.session.running = True
        if self._on_detach is not None:
            self._on_detach()
        client.close()
        self._log(f"client {client.peer} {'detached' if detach else 'gone'}")

    def _end_session(self, why: str) -> None:
        client = self._client
        if client is not None:
            with contextlib.suppress(OSError):
                client.send(b"O" + f"{why}\n".encode().hex().encode())
                client.send("W00")
            self._drop_client(detach=False)

    def _read_client(self) -> None:
        client = self._client
        assert client is not None
        events = client.receive()
        if events is None:
            # the client vanished mid-session: forget its breakpoints and let
            # the firmware go on (as after a detach) rather than stay stuck
            self._drop_client(detach=True)
            return
        try:
            for event in events:
                self._event(client, event)
                if self._client is not client:
                    break
        except OSError:
            self._drop_client(detach=True)

    def _event(self, client: _Client, event: rsp.Event) -> None:
        if isinstance(event, rsp.Packet):
            if not client.no_ack:
                client.send_raw(b"+")
            self._packet(client, event.payload)
        elif isinstance(event, rsp.BadPacket):
            if not client.no_ack:
                client.send_raw(b"-")
        elif isinstance(event, rsp.Nak):
            if not client.no_ack and client.last_sent:
                client.send_raw(client.last_sent)
        elif isinstance(event, rsp.Interrupt) and self.session.running:
            with self._lock:
                stop = self.target.halt()
            self.session.running = False
            self._stopped(stop)

    def _packet(self, client: _Client, payload: bytes) -> None:
        try:
            reply = self.session.reply(payload)
        except Resume as resume:
            if resume.immediate is not None:
                self._send_stop(resume.immediate)
            return  # otherwise the stop reply comes when the core stops
        except Detach:
            client.send("OK")
            self._drop_client(detach=True)
            return
        except Kill as kill:
            if kill.reply is not None:
                client.send(kill.reply)
            self._kill()
            return
        except (_Kill, OSError):
            raise
        except (ValueError, IndexError, KeyError):
            reply = "E01"  # malformed arguments
        except Exception as exc:  # noqa: BLE001 - one bad request must not end the session
            self._log(f"{payload[:40]!r} failed: {type(exc).__name__}: {exc}")
            reply = "E01"
        if reply is not None:
            client.send(reply)
        if payload.startswith(b"QStartNoAckMode"):
            client.no_ack = True  # from the packet after this one's OK

    def _kill(self) -> None:
        self._log("killed by the client")
        with self._lock:
            if self.session.running:
                self.target.halt()
            self.session.running = False
        self._drop_client(detach=False)
        if self.exit_on_kill:
            raise _Kill

    def _send_stop(self, stop: StopEvent) -> None:
        client = self._client
        assert client is not None
        try:
            if stop.message:
                # console output is only allowed while GDB waits for the stop
                client.send(b"O" + f"{stop.message}\n".encode().hex().encode())
            with self._lock:
                reply = self.session.stop_reply(stop)
            client.send(reply)
        except OSError:
            self._drop_client(detach=False)
