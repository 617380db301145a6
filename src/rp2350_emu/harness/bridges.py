"""Host bridges for an emulated UART: a pseudo-terminal or a TCP socket (127.0.0.1).

Guest -> host bytes are written as the engine emits them (at their virtual
time); host -> guest bytes are collected by a reader thread and injected by
the emulation's run loop between steps, so the engine is only ever touched
from one thread. While a bridge is attached the emulation paces virtual time
to wall time, as Renode does, because the other end (a person, pyserial)
lives in wall time.
"""

from __future__ import annotations

import errno
import os
import queue
import select
import socket
import threading
import tty
from pathlib import Path

from rp2350_emu.errors import HarnessError
from rp2350_emu.harness.devices import UartPort

# Telnet negotiation Renode-style servers send in telnet mode: we echo, suppress go-ahead.
_IAC = 0xFF
_TELNET_HELLO = bytes([_IAC, 0xFB, 0x01, _IAC, 0xFB, 0x03])


class UartBridge:
    """Base: a named host endpoint that can be connected to one UART."""

    kind = "bridge"

    def __init__(self, name: str) -> None:
        self.name = name
        self.port: UartPort | None = None
        self._rx: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self.held = bytearray()  # host bytes waiting for the receiver to be enabled
        self._closed = threading.Event()

    def connect(self, port: UartPort) -> None:
        if self.port is not None:
            raise HarnessError(f"terminal '{self.name}' is already connected to {self.port.name}")
        self.port = port
        port.subscribe(self._on_tx)

    def disconnect(self) -> None:
        if self.port is not None:
            self.port.unsubscribe(self._on_tx)
            self.port = None

    def pump(self) -> None:
        """Host -> guest: move what the reader collected into the UART.

        Bytes that arrive while the firmware has not enabled the receiver yet
        (UARTCR.UARTEN/RXE) are held until it has, as `run --uart-input` does: a
        client that writes as soon as it connects would otherwise lose them."""
        if self.port is None:
            return
        while True:
            try:
                self.held += self._rx.get_nowait()
            except queue.Empty:
                break
        if self.held and self.port.rx_enabled:
            data, self.held = bytes(self.held), bytearray()
            self.port.inject(data)

    def _on_tx(self, byte: int, _t_ns: int) -> None:
        self.send(bytes([byte]))

    def send(self, data: bytes) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def close(self) -> None:
        self._closed.set()
        self.disconnect()

    def describe(self) -> str:
        return self.name


class PtyBridge(UartBridge):
    """A pseudo-terminal in raw mode; `link` (optional) becomes a symlink to it."""

    kind = "pty"

    def __init__(self, name: str, link: str | os.PathLike[str] | None = None, force: bool = False) -> None:
        super().__init__(name)
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.link: Path | None = None
        if link is not None:
            link_path = Path(link)
            try:
                _make_link(link_path, self.path, force)
            except HarnessError:
                os.close(self.master)
                os.close(self.slave)
                raise
            self.link = link_path
        os.set_blocking(self.master, False)
        self._thread = threading.Thread(target=self._reader, name=f"pty-{name}", daemon=True)
        self._thread.start()

    def _reader(self) -> None:
        while not self._closed.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
            except (OSError, ValueError):
                return
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EIO:  # no client has the slave open right now
                    self._closed.wait(0.05)
                    continue
                return
            if data:
                self._rx.put(data)

    def send(self, data: bytes) -> None:
        try:
            os.write(self.master, data)
        except (BlockingIOError, OSError):
            pass  # nobody reading and the pty buffer is full: a real UART would drop too

    def close(self) -> None:
        super().close()
        self._thread.join(timeout=1)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link is not None and _points_at(self.link, self.path):
            self.link.unlink()  # only the link made here, still pointing at our pty

    def describe(self) -> str:
        return f"{self.name}: pty {self.path}" + (f" (link {self.link})" if self.link else "")


#: where pseudo-terminals live: a symlink to one of these is a pty link, ours to replace
PTY_DIR = "/dev/pts/"


def _points_at(link: Path, target: str) -> bool:
    try:
        return link.is_symlink() and os.readlink(link) == target
    except OSError:
        return False


def _make_link(link: Path, target: str, force: bool) -> None:
    """`link` -> `target`, replacing only an old pty link (with `force`); nothing else is touched."""
    parent = link.parent if str(link.parent) else Path(".")
    if not parent.is_dir():
        raise HarnessError(f"{link}: directory {parent} does not exist (create it first, or choose another "
                           "link name)")
    if link.is_symlink():
        old = os.readlink(link)
        if not old.startswith(PTY_DIR):
            raise HarnessError(f"{link} is a symlink to {old}, not to a pseudo-terminal: not replacing it "
                               "(remove it yourself or choose another link name)")
        if not force:
            # Renode's text (UartPtyTerminal), so suites matching it keep working
            raise HarnessError(f"File `{link}' already exists. Use forceCreate to overwrite it.")
        link.unlink()
    elif link.exists():
        kind = "a directory" if link.is_dir() else "a regular file" if link.is_file() else "not a symlink"
        raise HarnessError(f"{link} is {kind}, not a pty link: not replacing it (choose another link name)")
    try:
        link.symlink_to(target)
    except OSError as exc:
        raise HarnessError(f"{link}: cannot create the pty link ({exc.strerror})") from None


class TcpBridge(UartBridge):
    """A TCP server on 127.0.0.1 (never other interfaces); one client at a time.

    `telnet=True` sends a short telnet negotiation on connect and strips
    telnet commands from input; `false` makes it a raw byte pipe
    (Renode's `CreateServerSocketTerminal PORT "name" false`).
    """

    kind = "tcp"

    def __init__(self, name: str, port: int, telnet: bool = True, flush_on_connect: bool = False) -> None:
        super().__init__(name)
        self.telnet = telnet
        self.flush_on_connect = flush_on_connect
        self._pending = bytearray()
        self._client: socket.socket | None = None
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._server.bind(("127.0.0.1", port))
        except OSError as exc:
            self._server.close()
            raise HarnessError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
        self._server.listen(1)
        self._server.settimeout(0.1)  # accept() wakes up to notice close()
        self.port_number = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"tcp-{name}", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._client = client
                hello = _TELNET_HELLO if self.telnet else b""
                backlog = bytes(self._pending) if self.flush_on_connect else b""
                self._pending.clear()
                try:
                    client.sendall(hello + backlog)
                except OSError:
                    pass
            self._read_client(client)
            with self._lock:
                self._client = None
            client.close()

    def _read_client(self, client: socket.socket) -> None:
        client.settimeout(0.1)
        skip = 0
        while not self._closed.is_set():
            try:
                data = client.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            if self.telnet:
                data, skip = _strip_telnet(data, skip)
            if data:
                self._rx.put(data)

    def send(self, data: bytes) -> None:
        with self._lock:
            if self._client is None:
                if self.flush_on_connect:
                    self._pending += data
                return
            try:
                self._client.sendall(data)
            except OSError:
                self._client = None

    def close(self) -> None:
        super().close()
        self._server.close()
        with self._lock:
            if self._client is not None:
                self._client.close()
        self._thread.join(timeout=1)

    def describe(self) -> str:
        return f"{self.name}: tcp 127.0.0.1:{self.port_number}" + (" (telnet)" if self.telnet else "")


def _strip_telnet(data: bytes, skip: int) -> tuple[bytes, int]:
    """Drop IAC commands (3-byte negotiations, 2-byte commands) from client input."""
    out = bytearray()
    i = 0
    while i < len(data):
        if skip:
            skip -= 1
        elif data[i] == _IAC and i + 1 < len(data) and data[i + 1] == _IAC:
            out.append(_IAC)
            i += 1
        elif data[i] == _IAC:
            nxt = data[i + 1] if i + 1 < len(data) else 0xFB
            skip = 2 if nxt in (0xFB, 0xFC, 0xFD, 0xFE) else 1
        else:
            out.append(data[i])
        i += 1
    return bytes(out), skip
