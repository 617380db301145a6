"""GDB Remote Serial Protocol framing: packets, checksums, escapes, acks.

A packet on the wire is `$payload#cc`, `cc` being the modulo-256 sum of the
payload bytes in two lower-case hex digits. Inside a payload `}` escapes the
next byte (sent XOR 0x20); `$`, `#`, `}` and `*` are always escaped by the
sender. Outside packets the peer sends `+` (ack), `-` (nak, resend) and the
single byte 0x03 (interrupt a running target).

Nothing here touches sockets: `PacketReader.feed` turns received bytes into
events and `frame` builds what to send, so the framing is tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERRUPT = 0x03
ESCAPE = 0x7D  # '}'
#: bytes a sender must escape inside a payload
_MUST_ESCAPE = frozenset(b"$#}*")
#: a payload larger than this is dropped (and NAKed): a sane client never
#: sends more than the PacketSize we announce
MAX_PAYLOAD = 0x10000


@dataclass(frozen=True)
class Packet:
    """A packet whose checksum matched; `payload` is unescaped."""

    payload: bytes


@dataclass(frozen=True)
class BadPacket:
    """A packet that must be NAKed: wrong checksum, bad digits or too long."""

    raw: bytes
    reason: str


@dataclass(frozen=True)
class Ack:
    pass


@dataclass(frozen=True)
class Nak:
    pass


@dataclass(frozen=True)
class Interrupt:
    pass


Event = Packet | BadPacket | Ack | Nak | Interrupt


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def escape(payload: bytes) -> bytes:
    out = bytearray()
    for byte in payload:
        if byte in _MUST_ESCAPE:
            out += bytes((ESCAPE, byte ^ 0x20))
        else:
            out.append(byte)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    out = bytearray()
    it = iter(data)
    for byte in it:
        if byte == ESCAPE:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("payload ends in the escape byte '}'")
            out.append(nxt ^ 0x20)
        else:
            out.append(byte)
    return bytes(out)


def frame(payload: bytes | str) -> bytes:
    """`$payload#cc` with the payload escaped (so binary replies are safe)."""
    raw = payload.encode("latin-1") if isinstance(payload, str) else payload
    body = escape(raw)
    return b"$" + body + b"#" + b"%02x" % checksum(body)


class PacketReader:
    """Incremental parser: feed it whatever recv() returned, get events back."""

    def __init__(self) -> None:
        self._body: bytearray | None = None  # inside a packet: bytes after '$'
        self._check: bytearray | None = None  # after '#': checksum digits so far
        self._escaped = False
        self._overflow = False

    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        for byte in data:
            event = self._byte(byte)
            if event is not None:
                events.append(event)
        return events

    def _byte(self, byte: int) -> Event | None:
        if self._check is not None:
            self._check.append(byte)
            if len(self._check) < 2:
                return None
            return self._finish()
        if self._body is None:
            if byte == 0x24:  # '$'
                self._start()
            elif byte == 0x2B:  # '+'
                return Ack()
            elif byte == 0x2D:  # '-'
                return Nak()
            elif byte == INTERRUPT:
                return Interrupt()
            return None  # line noise between packets is ignored, as GDB does
        if self._escaped:
            self._escaped = False
            self._append(byte)
        elif byte == 0x23:  # '#'
            self._check = bytearray()
        elif byte == 0x24:
            # a '$' inside a packet: the peer restarted; drop the partial one
            self._start()
        else:
            self._escaped = byte == ESCAPE
            self._append(byte)
        return None

    def _start(self) -> None:
        self._body = bytearray()
        self._check = None
        self._escaped = False
        self._overflow = False

    def _append(self, byte: int) -> None:
        assert self._body is not None
        if len(self._body) >= 2 * MAX_PAYLOAD:
            self._overflow = True
        else:
            self._body.append(byte)

    def _finish(self) -> Event:
        assert self._body is not None and self._check is not None
        body, digits = bytes(self._body), bytes(self._check)
        self._body = self._check = None
        raw = b"$" + body + b"#" + digits
        if self._overflow:
            return BadPacket(raw, "packet too long")
        try:
            expected = int(digits, 16)
        except ValueError:
            return BadPacket(raw, f"checksum {digits!r} is not two hex digits")
        if expected != checksum(body):
            return BadPacket(raw, f"checksum 0x{expected:02x}, computed 0x{checksum(body):02x}")
        try:
            payload = unescape(body)
        except ValueError as exc:
            return BadPacket(raw, str(exc))
        if len(payload) > MAX_PAYLOAD:
            return BadPacket(raw, "packet too long")
        return Packet(payload)


# -- hex helpers used by the packet handlers ------------------------------------------------

def hex_bytes(data: bytes) -> str:
    return data.hex()


def le_hex(value: int, size: int) -> str:
    """A register value as GDB wants it: target (little-endian) byte order."""
    return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little").hex()


def parse_le_hex(text: str) -> int:
    return int.from_bytes(bytes.fromhex(text), "little")


def parse_hex(text: str | bytes) -> int:
    """A hex number as GDB sends addresses and lengths (no 0x prefix)."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    if not text or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise ValueError(f"not a hex number: {text!r}")
    return int(text, 16)
