"""The packaged-guest format the loader image reads (docs/loader.md).

A package is a 40-byte header and a Wasmtime `.cwasm` payload, written by
the firmware's host tool (`cwasm package`) and checked by the loader; the
field layout is the one in firmware/src/common/package.rs. All fields are
little-endian:

    0   4  magic b"RPWG"
    4   2  format version (1)
    6   2  header length (40)
    8   4  payload length
    12  4  CRC-32 of the payload (zlib's crc32)
    16  16 engine fingerprint (of the loader's Wasmtime engine)
    32  4  reserved, 0
    36  4  CRC-32 of bytes 0..36
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from rp2350_emu.errors import ConfigError

MAGIC = b"RPWG"
FORMAT_VERSION = 1
HEADER_LEN = 40
FINGERPRINT_LEN = 16
# The flash partition the loader reads at boot.
PARTITION_ADDR = 0x1020_0000
PARTITION_LEN = 1 << 20

_LAYOUT = struct.Struct("<4sHHII16sI")  # everything before the header CRC


class PackageError(ConfigError):
    """A blob that is not a valid package; the message is one line."""


@dataclass(frozen=True)
class Header:
    payload_len: int
    payload_crc: int
    fingerprint: bytes

    def to_bytes(self) -> bytes:
        if len(self.fingerprint) != FINGERPRINT_LEN:
            raise PackageError(f"fingerprint must be {FINGERPRINT_LEN} bytes, not {len(self.fingerprint)}")
        head = _LAYOUT.pack(MAGIC, FORMAT_VERSION, HEADER_LEN, self.payload_len, self.payload_crc,
                            self.fingerprint, 0)
        return head + struct.pack("<I", zlib.crc32(head))

    @property
    def total_len(self) -> int:
        return HEADER_LEN + self.payload_len


def parse_header(blob: bytes) -> Header:
    """The header of `blob`, checked (magic, version, length, header CRC)."""
    if len(blob) >= 4 and blob[:4] != MAGIC:
        raise PackageError("not a packaged guest (no RPWG magic)")
    if len(blob) < HEADER_LEN:
        raise PackageError(f"too short for a package header ({len(blob)} of {HEADER_LEN} bytes)")
    _, version, header_len, payload_len, payload_crc, fingerprint, _ = _LAYOUT.unpack_from(blob)
    if version != FORMAT_VERSION:
        raise PackageError(f"package format version {version}, this reader knows version {FORMAT_VERSION}")
    if header_len != HEADER_LEN:
        raise PackageError(f"header length {header_len}, expected {HEADER_LEN}")
    (header_crc,) = struct.unpack_from("<I", blob, 36)
    if zlib.crc32(blob[:36]) != header_crc:
        raise PackageError("header CRC mismatch (corrupt header)")
    return Header(payload_len, payload_crc, bytes(fingerprint))


def open_package(blob: bytes, fingerprint: bytes | None = None) -> bytes:
    """The payload of `blob`, after the loader's checks in the loader's order.

    `fingerprint` None skips the engine check (a host has no engine to match).
    """
    header = parse_header(blob)
    body = blob[HEADER_LEN:]
    if len(body) < header.payload_len:
        raise PackageError(f"truncated: header says {header.payload_len} payload bytes, {len(body)} present")
    payload = body[:header.payload_len]
    found = zlib.crc32(payload)
    if found != header.payload_crc:
        raise PackageError(f"payload CRC mismatch (header {header.payload_crc:#010x}, payload {found:#010x})")
    if fingerprint is not None and header.fingerprint != fingerprint:
        raise PackageError("engine fingerprint mismatch: compiled for another Wasmtime version "
                           "or engine configuration")
    return payload


def build_package(payload: bytes, fingerprint: bytes) -> bytes:
    """A package of `payload` for the engine named by `fingerprint`."""
    header = Header(len(payload), zlib.crc32(payload), bytes(fingerprint))
    return header.to_bytes() + payload


def read_fingerprint(text: str) -> bytes:
    """The fingerprint from `cwasm fingerprint` output (32 hex digits)."""
    value = text.strip()
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) != FINGERPRINT_LEN:
        raise PackageError(f"not a fingerprint (32 hex digits): {value[:40]!r}")
    return raw


def fit_partition(blob: bytes) -> bytes:
    """`blob` checked to fit the loader's flash partition."""
    if len(blob) > PARTITION_LEN:
        raise PackageError(f"package of {len(blob)} bytes does not fit the {PARTITION_LEN}-byte partition")
    return blob
