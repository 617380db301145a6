"""Upload protocol 1 of the loader image, host side: a blob to frames, and
the loader's reply lines to the next frame (docs/loader.md).

Pure: no sockets, no emulator. A caller writes `start()`'s bytes to UART0,
then feeds each line the loader prints to `on_line()` and writes what it
returns; `on_timeout()` when no reply came in time. `done` is set when the
loader reports the whole blob received.

Frame (host -> loader), little-endian:
`A5 5A | kind | 0 | arg u32 | len u16 | payload | crc32 u32` (CRC over
kind..payload); kind `S`: arg = total length, payload = CRC-32 of the blob;
kind `D`: arg = offset, payload = 1..256 bytes. Replies: `loader: ack N`,
`loader: nak N REASON`, `loader: received N bytes`.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from rp2350_emu.errors import ConfigError

PROTOCOL = 1
SYNC = b"\xa5\x5a"
KIND_START = ord("S")
KIND_DATA = ord("D")
MAX_CHUNK = 256
MAX_UPLOAD = 96 * 1024
READY_LINE = f"loader: ready for upload (protocol {PROTOCOL})"
# Naks after which resending cannot help.
FATAL_NAKS = {"too-large", "no-memory"}

_HEAD = struct.Struct("<BBIH")
_REPLY = re.compile(r"loader: (?:(ack) (\d+)|(nak) (\d+) (\S+)|(received) (\d+) bytes)\s*$")


class UploadError(ConfigError):
    """The upload cannot go on; the message is one line."""


def encode_frame(kind: int, arg: int, payload: bytes = b"") -> bytes:
    """One frame, with its CRC."""
    if len(payload) > MAX_CHUNK:
        raise UploadError(f"frame payload of {len(payload)} bytes, at most {MAX_CHUNK}")
    body = _HEAD.pack(kind, 0, arg, len(payload)) + payload
    return SYNC + body + struct.pack("<I", zlib.crc32(body))


@dataclass(frozen=True)
class Frame:
    kind: int
    arg: int
    payload: bytes


def decode_frame(data: bytes) -> tuple[Frame, bytes]:
    """The first frame in `data` (after any junk before its sync) and the
    bytes after it; raises UploadError on a short or corrupt frame."""
    at = data.find(SYNC)
    if at < 0:
        raise UploadError("no frame sync (A5 5A) in the data")
    rest = data[at + 2:]
    if len(rest) < _HEAD.size:
        raise UploadError("frame cut short in its header")
    kind, _, arg, length = _HEAD.unpack_from(rest)
    if length > MAX_CHUNK:
        raise UploadError(f"frame length {length} over {MAX_CHUNK}")
    end = _HEAD.size + length
    if len(rest) < end + 4:
        raise UploadError("frame cut short")
    (crc,) = struct.unpack_from("<I", rest, end)
    if zlib.crc32(rest[:end]) != crc:
        raise UploadError("frame CRC mismatch")
    return Frame(kind, arg, bytes(rest[_HEAD.size:end])), rest[end + 4:]


@dataclass(frozen=True)
class Reply:
    kind: str  # "ack", "nak" or "received"
    offset: int
    reason: str = ""


def parse_reply(line: str) -> Reply | None:
    """The loader's protocol reply in `line`, or None for any other line."""
    m = _REPLY.search(line.strip())
    if m is None:
        return None
    if m.group(1):
        return Reply("ack", int(m.group(2)))
    if m.group(3):
        return Reply("nak", int(m.group(4)), m.group(5))
    return Reply("received", int(m.group(7)))


class Uploader:
    """Stop-and-wait sender of one blob; resends from the offset the loader names."""

    def __init__(self, blob: bytes, chunk: int = MAX_CHUNK, max_retries: int = 8) -> None:
        if not blob:
            raise UploadError("nothing to upload: the blob is empty")
        if len(blob) > MAX_UPLOAD:
            raise UploadError(f"blob of {len(blob)} bytes, the loader takes at most {MAX_UPLOAD}")
        if not 1 <= chunk <= MAX_CHUNK:
            raise UploadError(f"chunk size {chunk}, must be 1..{MAX_CHUNK}")
        self.blob = blob
        self.chunk = chunk
        self.max_retries = max_retries
        self.retries = 0
        self.done = False
        self._last = b""

    def start(self) -> bytes:
        """The start frame; send it first (again to resume a broken transfer)."""
        self._last = encode_frame(KIND_START, len(self.blob), struct.pack("<I", zlib.crc32(self.blob)))
        return self._last

    def _data(self, offset: int) -> bytes:
        if not 0 <= offset < len(self.blob):
            raise UploadError(f"loader asked for offset {offset}, the blob has {len(self.blob)} bytes")
        self._last = encode_frame(KIND_DATA, offset, self.blob[offset:offset + self.chunk])
        return self._last

    def _retry(self, why: str) -> None:
        self.retries += 1
        if self.retries > self.max_retries:
            raise UploadError(f"upload failed after {self.max_retries} retries (last: {why})")

    def on_line(self, line: str) -> bytes | None:
        """Consumes one line from the loader; returns the bytes to send next
        (None: nothing, the line was not a reply or the upload is done)."""
        reply = parse_reply(line)
        if reply is None or self.done:
            return None
        if reply.kind == "received":
            if reply.offset != len(self.blob):
                raise UploadError(f"loader received {reply.offset} bytes, {len(self.blob)} were sent")
            self.done = True
            return None
        if reply.kind == "ack":
            if reply.offset >= len(self.blob):
                # Every byte is in but the loader did not say `received`.
                raise UploadError(f"loader acked offset {reply.offset} without completing the upload")
            return self._data(reply.offset)
        if reply.reason in FATAL_NAKS:
            raise UploadError(f"loader refused the upload: {reply.reason}")
        self._retry(f"nak {reply.offset} {reply.reason}")
        if reply.reason in ("image-crc", "no-transfer"):
            return self.start()
        return self._data(reply.offset)

    def on_timeout(self) -> bytes:
        """No reply in time (a lost frame or a lost reply): resend the last frame."""
        self._retry("timeout")
        return self._last or self.start()
