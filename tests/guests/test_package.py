"""The packaged-guest format (rp2350_emu.guests.package) against the loader's layout."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from rp2350_emu.guests.package import (
    HEADER_LEN,
    PackageError,
    build_package,
    fit_partition,
    open_package,
    parse_header,
    read_fingerprint,
)

REPO = Path(__file__).resolve().parents[2]
FP = bytes(range(16))
PAYLOAD = b"\x7fELF" + bytes(range(256)) * 3


def test_header_layout_is_the_documented_one() -> None:
    blob = build_package(PAYLOAD, FP)
    assert blob[:4] == b"RPWG"
    assert struct.unpack_from("<HHII", blob, 4) == (1, HEADER_LEN, len(PAYLOAD), zlib.crc32(PAYLOAD))
    assert blob[16:32] == FP
    assert blob[32:36] == b"\0\0\0\0"
    assert struct.unpack_from("<I", blob, 36)[0] == zlib.crc32(blob[:36])
    assert blob[HEADER_LEN:] == PAYLOAD


def test_round_trip_returns_the_payload() -> None:
    blob = build_package(PAYLOAD, FP)
    assert open_package(blob, FP) == PAYLOAD
    assert open_package(blob + b"\xff" * 100, FP) == PAYLOAD  # flash after the blob is ignored
    assert parse_header(blob).total_len == len(blob)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda b: b"XXXX" + b[4:], "no RPWG magic"),
    (lambda b: b[:20], "too short for a package header"),
    (lambda b: b[:4] + b"\x02\x00" + b[6:], "format version 2"),
    (lambda b: b[:10] + bytes([b[10] ^ 1]) + b[11:], "header CRC mismatch"),
    (lambda b: b[:-10], "truncated: header says"),
    (lambda b: b[:-1] + bytes([b[-1] ^ 0x80]), "payload CRC mismatch"),
])
def test_bad_packages_are_refused_with_one_line(mutate, message: str) -> None:
    with pytest.raises(PackageError, match=message) as caught:
        open_package(mutate(build_package(PAYLOAD, FP)), FP)
    assert "\n" not in str(caught.value)


def test_other_engine_is_a_fingerprint_mismatch() -> None:
    with pytest.raises(PackageError, match="engine fingerprint mismatch"):
        open_package(build_package(PAYLOAD, FP), bytes(16))
    assert open_package(build_package(PAYLOAD, FP), None) == PAYLOAD


def test_fingerprint_text_and_partition_size() -> None:
    assert read_fingerprint("000102030405060708090a0b0c0d0e0f\n") == FP
    with pytest.raises(PackageError, match="32 hex digits"):
        read_fingerprint("abc")
    with pytest.raises(PackageError, match="does not fit"):
        fit_partition(bytes((1 << 20) + 1))


def test_packages_written_by_the_host_tool_open(firmware) -> None:
    fingerprint = read_fingerprint((REPO / "build" / "cwasm" / "loader.fingerprint").read_text())
    for guest in ("blinky", "button", "uart-echo", "servo"):
        blob = (REPO / "build" / "guest" / f"{guest}.cwasm").read_bytes()
        payload = open_package(blob, fingerprint)
        assert payload[:4] == b"\x7fELF"
        # The embedded images' engine has no fuel: its artifact differs.
        assert payload != (REPO / "build" / "cwasm" / f"{guest}.cwasm").read_bytes()
