"""Upload protocol 1, host side (rp2350_emu.guests.upload), against a
reference receiver written from docs/loader.md, with lost and corrupted frames."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from rp2350_emu.guests.upload import (
    KIND_DATA,
    KIND_START,
    MAX_CHUNK,
    Reply,
    Uploader,
    UploadError,
    decode_frame,
    encode_frame,
    parse_reply,
)


class ReferenceLoader:
    """The loader's receiver (firmware/src/loader/upload.rs) in Python."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.total = self.crc = 0
        self.active = False
        self.received: bytes | None = None

    def feed(self, data: bytes) -> str:
        try:
            frame, _ = decode_frame(data)
        except UploadError as err:
            return f"loader: nak {len(self.buf)} {'crc' if 'CRC' in str(err) else 'timeout'}"
        if frame.kind == KIND_START:
            (crc,) = struct.unpack("<I", frame.payload)
            if self.active and (frame.arg, crc) == (self.total, self.crc):
                return f"loader: ack {len(self.buf)}"
            self.buf, self.total, self.crc, self.active = bytearray(), frame.arg, crc, True
            return "loader: ack 0"
        if not self.active:
            return "loader: nak 0 no-transfer"
        nxt = len(self.buf)
        if frame.arg < nxt:
            return f"loader: ack {nxt}"
        if frame.arg > nxt:
            return f"loader: nak {nxt} gap"
        self.buf += frame.payload
        if len(self.buf) < self.total:
            return f"loader: ack {len(self.buf)}"
        if zlib.crc32(self.buf) != self.crc:
            self.__init__()
            return "loader: nak 0 image-crc"
        self.active = False
        self.received = bytes(self.buf)
        return f"loader: received {self.total} bytes"


BLOB = bytes(random.Random(7).randrange(256) for _ in range(3000))


def drive(uploader: Uploader, loader: ReferenceLoader, lose=lambda n: False, corrupt=lambda n: False,
          lose_reply=lambda n: False, limit: int = 500) -> int:
    """Runs the exchange; returns the number of frames sent."""
    out = uploader.start()
    for n in range(limit):
        if lose(n):
            out = uploader.on_timeout()
            continue
        data = bytearray(out)
        if corrupt(n):
            data[len(data) // 2] ^= 0xFF
        line = loader.feed(bytes(data))
        if lose_reply(n):
            out = uploader.on_timeout()
            continue
        nxt = uploader.on_line(line)
        if uploader.done:
            return n + 1
        assert nxt is not None
        out = nxt
    raise AssertionError("upload did not finish")


def test_frame_bytes_are_the_documented_ones() -> None:
    frame = encode_frame(KIND_DATA, 0x100, b"ab")
    body = b"D\x00\x00\x01\x00\x00\x02\x00ab"
    assert frame == b"\xa5\x5a" + body + struct.pack("<I", zlib.crc32(body))
    decoded, rest = decode_frame(b"junk" + frame + b"more")
    assert (decoded.kind, decoded.arg, decoded.payload, rest) == (KIND_DATA, 0x100, b"ab", b"more")


def test_clean_upload_sends_one_frame_per_chunk() -> None:
    loader = ReferenceLoader()
    sent = drive(Uploader(BLOB), loader)
    assert loader.received == BLOB
    assert sent == 1 + -(-len(BLOB) // MAX_CHUNK)


def test_lost_and_corrupt_frames_and_lost_acks_are_resent() -> None:
    loader = ReferenceLoader()
    up = Uploader(BLOB, chunk=200, max_retries=20)
    drive(up, loader, lose=lambda n: n in (3, 9), corrupt=lambda n: n in (5, 6), lose_reply=lambda n: n == 11)
    assert loader.received == BLOB
    assert up.retries == 5


def test_restarted_host_resumes_where_the_loader_is() -> None:
    loader = ReferenceLoader()
    first = Uploader(BLOB)
    out = first.start()
    for _ in range(4):  # start + 3 chunks, then the host goes away
        out = first.on_line(loader.feed(out))
    again = Uploader(BLOB)
    assert loader.feed(again.start()) == "loader: ack 768"
    drive(again, loader)
    assert loader.received == BLOB


def test_replies_are_parsed_and_other_lines_ignored() -> None:
    assert parse_reply("loader: ack 512\r") == Reply("ack", 512)
    assert parse_reply("loader: nak 256 crc") == Reply("nak", 256, "crc")
    assert parse_reply("loader: received 3000 bytes") == Reply("received", 3000)
    assert parse_reply("GPIO25 On") is None
    assert Uploader(BLOB).on_line("loader: ready for upload (protocol 1)") is None


def test_hopeless_uploads_end_with_one_line_errors() -> None:
    with pytest.raises(UploadError, match="empty"):
        Uploader(b"")
    with pytest.raises(UploadError, match="at most"):
        Uploader(bytes(200_000))
    up = Uploader(BLOB, max_retries=2)
    up.start()
    with pytest.raises(UploadError, match="refused the upload: too-large"):
        up.on_line("loader: nak 0 too-large")
    for _ in range(2):
        up.on_timeout()
    with pytest.raises(UploadError, match="after 2 retries"):
        up.on_timeout()
