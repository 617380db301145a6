"""GDB Remote Serial Protocol server for the emulated RP2350 (loopback only).

One thread does everything: it runs the core in short slices of virtual
time (`DebugTarget.run`) and, between slices, looks at the socket, so a
Ctrl-C from GDB is seen while the firmware runs, and no second thread ever
touches Unicorn. While the core is halted nothing runs, so virtual time
stands still: a debugging session does not change what the firmware sees.

Two ways to use it:
* `rp2350-emu run ELF --gdb PORT [--wait-gdb]`: `serve()` on the main thread
  drives the machine, with or without a client (`run_with_gdb`);
* the monitor's `machine StartGdbServer PORT [autostart]`: `start()` serves
  on a background thread that drives the machine only while a client is
  attached, holding the emulation's lock (see `monitor_factory`).

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
from typing import TYPE_CHECKING, Any

from . import gdb_rsp as rsp
from .debug_target import (
    SIGTRAP,
    DebugTarget,
    MonitorUnavailable,
    StopEvent,
    StopReason,
    TargetMemoryError,
    WatchKind,
)
from .errors import ConfigError
from .gdb_target_xml import EXPEDITED, REGISTERS, memory_map_xml, target_xml, xfer_chunk

if TYPE_CHECKING:  # pragma: no cover
    from .machine import Machine

#: virtual time per run() call between two looks at the socket (a few ms of wall time)
SLICE_NS = 1_000_000
#: how long a blocked send may take before the client is given up on
SEND_TIMEOUT_S = 10.0
#: how often a waiting loop wakes to notice close()
POLL_S = 0.2
PACKET_SIZE = 0x4000
MAX_MEMORY_READ = (PACKET_SIZE - 16) // 2
THREAD_ID = 1


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


class _Resume(Exception):
    """A packet asked the core to run: no reply until it stops."""


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
        self._running = False
        self._last_stop: StopEvent | None = None
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.result = ""

    # -- life cycle -------------------------------------------------------------------------
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
        close_target = getattr(self.target, "close", None)
        if close_target is not None:
            with self._lock:
                close_target()

    @property
    def attached(self) -> bool:
        return self._client is not None

    # -- the loop ---------------------------------------------------------------------------
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
            self._running = True
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
        if self._running and self.free_run:
            self._run_slice(on_slice)
            self._accept(timeout=0)
        else:
            self._accept(timeout=POLL_S)

    def _serve_attached(self, on_slice: Callable[[], None] | None) -> None:
        client = self._client
        assert client is not None
        if self._running and (self._gate is None or self._gate()):
            self._run_slice(on_slice)
            if self._client is not None and self._client.readable(0):
                self._read_client()
        elif client.readable(POLL_S if not self._running else 0.02):
            self._read_client()

    def _run_slice(self, on_slice: Callable[[], None] | None) -> None:
        with self._lock:
            stop = self.target.run(self.slice_ns)
        if on_slice is not None:
            on_slice()
        if stop is not None:
            self._running = False
            self._stopped(stop)

    def _stopped(self, stop: StopEvent) -> None:
        self._last_stop = stop
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
        self._log(f"client {self._client.peer} attached")
        if self._on_attach is not None:
            self._on_attach()
        if self._running:
            # attaching stops the core, as a probe does
            with self._lock:
                self.target.halt()
            self._running = False
            self._last_stop = StopEvent(StopReason.INTERRUPT, SIGTRAP)

    def _drop_client(self, detach: bool) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        # clean up before closing: once the client sees the connection go,
        # its breakpoints are gone and the core runs again
        with self._lock:
            self.target.clear_debug_state()
            if detach and self.free_run and not self._running and \
                    (self._last_stop is None or self._last_stop.reason is not StopReason.FAULT):
                self.target.resume(False)  # a detached core keeps running
                self._running = True
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

    # -- incoming bytes ---------------------------------------------------------------------
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
        elif isinstance(event, rsp.Interrupt) and self._running:
            with self._lock:
                stop = self.target.halt()
            self._running = False
            self._stopped(stop)
        # Ack: nothing to do, replies are not held for acks

    def _packet(self, client: _Client, payload: bytes) -> None:
        try:
            reply = self._dispatch(client, payload)
        except _Resume:
            return  # the stop reply comes when the core stops
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

    # -- packets ----------------------------------------------------------------------------
    def _dispatch(self, client: _Client, payload: bytes) -> bytes | str | None:
        text = payload.decode("latin-1")
        if not text:
            return ""
        head = text[0]
        with self._lock:
            if head == "?":
                return self._stop_reply(self._last_stop or StopEvent(StopReason.INTERRUPT, SIGTRAP))
            if head == "g":
                return "".join(rsp.le_hex(self.target.read_register(r.name), r.size) for r in REGISTERS)
            if head == "G":
                return self._write_all_registers(text[1:])
            if head == "p":
                reg = REGISTERS[rsp.parse_hex(text[1:])]
                return rsp.le_hex(self.target.read_register(reg.name), reg.size)
            if head == "P":
                num, value = text[1:].split("=", 1)
                reg = REGISTERS[rsp.parse_hex(num)]
                if len(value) != 2 * reg.size:
                    return "E01"
                self.target.write_register(reg.name, rsp.parse_le_hex(value))
                return "OK"
            if head == "m":
                return self._read_memory(text[1:])
            if head == "M":
                where, data = text[1:].split(":", 1)
                return self._write_memory(where, bytes.fromhex(data))
            if head == "X":
                where, _, _ = text[1:].partition(":")
                colon = payload.index(b":")
                return self._write_memory(where, payload[colon + 1:])
            if head in "Zz":
                return self._breakpoint(head == "Z", text[1:])
            if head in "cCsS":
                self._resume_packet(head, text[1:])
            if head == "v":
                return self._v_packet(client, text)
            if head == "q":
                return self._query(client, text)
            if head == "Q":
                return "OK" if text.startswith("QStartNoAckMode") else ""
            if head == "H":
                return "OK"
            if head == "T":
                return "OK" if text[1:] in (str(THREAD_ID), f"{THREAD_ID:x}", "-1", "0") else "E01"
        # outside the lock: these drop the client or end the loop
        if head == "D":
            client.send("OK")
            self._drop_client(detach=True)
            return None
        if head == "k":
            self._kill()
        return ""

    def _write_all_registers(self, data: str) -> str:
        needed = sum(2 * r.size for r in REGISTERS)
        if len(data) < needed:
            return "E01"
        pos = 0
        for reg in REGISTERS:
            chunk = data[pos:pos + 2 * reg.size]
            pos += 2 * reg.size
            if "x" not in chunk:  # 'xx' = value unknown, leave it
                self.target.write_register(reg.name, rsp.parse_le_hex(chunk))
        return "OK"

    def _read_memory(self, args: str) -> str:
        addr_text, len_text = args.split(",", 1)
        address, length = rsp.parse_hex(addr_text), rsp.parse_hex(len_text)
        length = min(length, MAX_MEMORY_READ)
        if length == 0:
            return ""
        try:
            return self.target.read_memory(address, length).hex()
        except TargetMemoryError:
            return "E14"  # EFAULT

    def _write_memory(self, where: str, data: bytes) -> str:
        addr_text, len_text = where.split(",", 1)
        address, length = rsp.parse_hex(addr_text), rsp.parse_hex(len_text)
        if length != len(data):
            return "E01"
        if not data:
            return "OK"  # X probe
        try:
            self.target.write_memory(address, data)
        except TargetMemoryError:
            return "E14"
        return "OK"

    def _breakpoint(self, insert: bool, args: str) -> str:
        fields = args.split(";", 1)[0].split(",")
        kind_no, address, size = int(fields[0]), rsp.parse_hex(fields[1]), rsp.parse_hex(fields[2])
        if kind_no in (0, 1):
            hardware = kind_no == 1
            done = self.target.add_breakpoint(address, hardware) if insert else \
                self.target.remove_breakpoint(address, hardware)
        elif kind_no in (2, 3, 4):
            kind = WatchKind(kind_no)
            done = self.target.add_watchpoint(address, size, kind) if insert else \
                self.target.remove_watchpoint(address, size, kind)
        else:
            return ""  # unknown type: not supported
        return "OK" if done else "E01"

    def _resume_packet(self, head: str, args: str) -> None:
        """c[addr], s[addr], Csig[;addr], Ssig[;addr]: the signal is dropped (no OS)."""
        address = args.split(";", 1)[1] if head in "CS" and ";" in args else \
            ("" if head in "CS" else args)
        if address:
            self.target.write_register("pc", rsp.parse_hex(address))
        self._resume(step=head in "sS")

    def _resume(self, step: bool) -> None:
        if self._last_stop is not None and self._last_stop.reason is StopReason.FAULT:
            # the core cannot go on: report the same fault again at once
            assert self._client is not None
            self._send_stop(self._last_stop)
            raise _Resume
        self.target.resume(step)
        self._running = True
        raise _Resume

    def _v_packet(self, client: _Client, text: str) -> str | None:
        if text == "vCont?":
            return "vCont;c;C;s;S;t"
        if text.startswith("vCont;"):
            for action in text[6:].split(";"):
                verb, _, thread = action.partition(":")
                if thread and thread not in ("-1", str(THREAD_ID), f"p{THREAD_ID}.{THREAD_ID}",
                                             f"p{THREAD_ID}.-1", "p-1.-1"):
                    continue
                if verb[:1] in ("s", "S"):
                    self._resume(step=True)
                if verb[:1] in ("c", "C"):
                    self._resume(step=False)
                if verb[:1] == "t":
                    return self._stop_reply(self._last_stop or StopEvent(StopReason.INTERRUPT, SIGTRAP))
            return "E01"
        if text == "vCtrlC":
            if self._running:
                self._last_stop = self.target.halt()
                self._running = False
            return "OK"
        if text.startswith("vKill"):
            client.send("OK")
            self._kill()
        return ""  # vMustReplyEmpty, vFile, vRun, ...: not supported

    def _query(self, client: _Client, text: str) -> bytes | str:
        if text.startswith("qSupported"):
            _, _, features = text.partition(":")
            client.features = {f[:-1] for f in features.split(";") if f.endswith("+")}
            return (f"PacketSize={PACKET_SIZE:x};qXfer:features:read+;qXfer:memory-map:read+;"
                    "QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+")
        if text.startswith("qXfer:"):
            return self._xfer(text)
        if text.startswith("qRcmd,"):
            return self._monitor(bytes.fromhex(text[6:]).decode("utf-8", "replace"))
        if text == "qC":
            return f"QC{THREAD_ID:x}"
        if text == "qfThreadInfo":
            return f"m{THREAD_ID:x}"
        if text == "qsThreadInfo":
            return "l"
        if text.startswith("qAttached"):
            return "1"  # attached to a running system: GDB detaches (not kills) on quit
        if text.startswith("qThreadExtraInfo"):
            return b"Cortex-M33 core 0".hex()
        if text.startswith("qSymbol"):
            return "OK"
        return ""  # qOffsets, qTStatus, ...: not supported

    def _xfer(self, text: str) -> bytes | str:
        parts = text.split(":")
        if len(parts) != 5 or parts[2] != "read":
            return ""
        obj, annex, span = parts[1], parts[3], parts[4]
        offset_text, length_text = span.split(",", 1)
        offset, length = rsp.parse_hex(offset_text), rsp.parse_hex(length_text)
        if obj == "features":
            if annex != "target.xml":
                return "E00"
            document = target_xml()
        elif obj == "memory-map":
            document = memory_map_xml(self.target.memory_regions())
        else:
            return ""
        return xfer_chunk(document.encode(), offset, min(length, PACKET_SIZE - 16))

    def _monitor(self, command: str) -> str:
        try:
            output = self.target.monitor(command)
        except MonitorUnavailable as exc:
            output = f"{exc}\n"
        except Exception as exc:  # noqa: BLE001 - a failing monitor command is shown, not fatal
            output = f"error: {' '.join(str(exc).split())}\n"
        output = output.replace("\r\n", "\n")
        return output.encode().hex() if output else "OK"

    def _kill(self) -> None:
        self._log("killed by the client")
        with self._lock:
            if self._running:
                self.target.halt()
            self._running = False
        self._drop_client(detach=False)
        if self.exit_on_kill:
            raise _Kill

    # -- stop replies -----------------------------------------------------------------------
    def _stop_reply(self, stop: StopEvent) -> str:
        features = self._client.features if self._client is not None else set()
        reason = ""
        if stop.reason is StopReason.SW_BREAK and "swbreak" in features:
            reason = "swbreak:;"
        elif stop.reason is StopReason.HW_BREAK and "hwbreak" in features:
            reason = "hwbreak:;"
        elif stop.reason in (StopReason.WATCH, StopReason.RWATCH, StopReason.AWATCH) and stop.address is not None:
            reason = f"{stop.reason.value}:{stop.address:x};"
        regs = "".join(f"{i:02x}:{rsp.le_hex(self.target.read_register(REGISTERS[i].name), 4)};"
                       for i in EXPEDITED)
        return f"T{stop.signal:02x}{reason}thread:{THREAD_ID:x};{regs}"

    def _send_stop(self, stop: StopEvent) -> None:
        client = self._client
        assert client is not None
        try:
            if stop.message:
                # console output is only allowed while GDB waits for the stop
                client.send(b"O" + f"{stop.message}\n".encode().hex().encode())
            with self._lock:
                reply = self._stop_reply(stop)
            client.send(reply)
        except OSError:
            self._drop_client(detach=False)


# -- entry points ---------------------------------------------------------------------------------

def machine_monitor(machine: Machine) -> Callable[[str], str] | None:
    """A Renode-style monitor bound to `machine`, for `monitor ...` in GDB;
    None if the harness's monitor cannot be loaded."""
    try:
        from .emulation import Emulation
        from .monitor import Monitor
    except ImportError:  # pragma: no cover - the monitor ships with the package
        return None
    emulation = Emulation()
    handle = emulation.adopt(machine)
    # adopt() does not learn the LED/button names; the engine knows them
    # (controller names come from the .repl entries, e.g. `led: ... @ gpio 25`)
    for name, device in getattr(machine, "pin_devices", {}).items():
        entry = next((e for e in machine.platform if e.name == name), None)
        registration = entry.registrations[0] if entry is not None and entry.registrations else None
        controller = getattr(registration, "parent", None) or "gpio"
        kind = "Button" if hasattr(device, "press") else "LED"
        handle.gpio_devices[name] = (kind, controller, int(device.pin), bool(device.invert))
    return Monitor(emulation).execute


def run_with_gdb(machine: Machine, port: int, *, wait: bool, deadline_ns: float | None = None,
                 on_slice: Callable[[], None] | None = None, host: str = "127.0.0.1",
                 log: Callable[[str], None] | None = None) -> str:
    """`rp2350-emu run --gdb`: serve until killed or until virtual time reaches deadline_ns."""
    from .gdb_machine import MachineTarget

    target = MachineTarget(machine, machine_monitor(machine))
    server = GdbServer(target, port, host, log=log)
    until = None if deadline_ns is None else (lambda: machine.now_ns >= deadline_ns)
    try:
        return server.serve(wait_for_client=wait, until=until, on_slice=on_slice)
    finally:
        server.close()


DEFAULT_PORT = 3333


def cli_run(args: Any, machine: Machine, printer: Any, seconds_given: bool) -> int:
    """The `--gdb PORT [--wait-gdb]` branch of `rp2350-emu run` (cli.py)."""
    if getattr(args, "uart_input", None) or getattr(args, "uart_pty", None) is not None or \
            getattr(args, "uart_tcp", None) is not None:
        raise ConfigError("--gdb cannot be combined with --uart-input/--uart-pty/--uart-tcp; send UART "
                          "input from GDB with `monitor sysbus.uart0 WriteChar 0x41` instead")
    port = DEFAULT_PORT if args.gdb is None else args.gdb
    if not 0 <= port <= 0xFFFF:
        raise ConfigError(f"--gdb {port}: expected a TCP port number (0 picks a free one)")
    deadline = args.seconds * 1_000_000_000 if seconds_given else None
    try:
        result = run_with_gdb(machine, port, wait=args.wait_gdb, deadline_ns=deadline,
                              on_slice=lambda: printer.feed(machine.events))
    finally:
        printer.feed(machine.events)
        printer.flush_partial(machine.now_ns)
    print(f"gdb: session ended ({result}) at {machine.now_ns} ns of virtual time", file=sys.stderr)
    return 0


def monitor_factory(handle: Any, port: int, autostart: bool) -> GdbServer:
    """`machine StartGdbServer PORT [autostartEmulation]` in the monitor.

    While a client is attached the server runs the core and the monitor's
    own runner is paused (two drivers would fight over the breakpoints);
    on detach the emulation is started again, so the firmware keeps
    running. With autostartEmulation=false, GDB's continue waits until the
    monitor says `start`.
    """
    from .emulation import LEVELS
    from .gdb_machine import MachineTarget
    from .monitor import Monitor

    emulation = handle.emulation
    machine = handle.require_engine("machine StartGdbServer")
    monitor = Monitor(emulation)
    target = MachineTarget(machine, monitor.execute)
    released = [autostart]

    def attach() -> None:
        emulation.pause()

    def detach() -> None:
        emulation.start()

    def gate() -> bool:
        if not released[0] and emulation.started:
            released[0] = True  # the monitor said `start`: from now on GDB runs the core
            emulation.pause()
        return released[0]

    server = GdbServer(target, port, lock=emulation.lock, free_run=False, exit_on_kill=False, gate=gate,
                       on_attach=attach, on_detach=detach,
                       log=lambda text: emulation.log.log(LEVELS["Info"], "gdb", text, machine.now_ns))
    return server.start(wait_for_client=True)


def _register_with_monitor() -> None:
    try:
        from .monitor import set_gdb_server_factory
    except ImportError:  # pragma: no cover
        return
    set_gdb_server_factory(monitor_factory)


_register_with_monitor()
