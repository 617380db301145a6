"""uart-echo guest: its echo equals a reference line discipline written in Python."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import wasmtime
from wasmtime import component as wc

from rp2350_emu.guests.host import RecordingHost, UartInputExhausted

CR, LF, BS, DEL = 0x0D, 0x0A, 0x08, 0x7F


def echo_reference(data: bytes) -> bytes:
    """CR or LF -> CR LF; BS or DEL -> BS SP BS; any other byte as itself."""
    out = bytearray()
    for byte in data:
        if byte in (CR, LF):
            out += b"\r\n"
        elif byte in (BS, DEL):
            out += b"\x08 \x08"
        else:
            out.append(byte)
    return bytes(out)


def echo(engine: wasmtime.Engine, component: wc.Component, data: bytes) -> RecordingHost:
    host = RecordingHost(uart_input=data)
    stop = host.run(engine, component)
    # Stopping anywhere but at the read after the last byte would cut the echo short.
    assert isinstance(stop, UartInputExhausted)
    return host


def test_reference_transform() -> None:
    # The reference is itself code; pin it to examples written out by hand.
    assert echo_reference(b"a\rb\nc\x08d\x7f\x00\xff") == b"a\r\nb\r\nc\x08 \x08d\x08 \x08\x00\xff"


def test_every_byte_value_alone(engine: wasmtime.Engine, guest: Callable[[str], wc.Component]) -> None:
    # One fresh run per byte, so each byte's echo is seen on its own.
    component = guest("uart-echo")
    wrong = {}
    for byte in range(256):
        got = bytes(echo(engine, component, bytes([byte])).uart_output)
        if got != echo_reference(bytes([byte])):
            wrong[byte] = got
    assert wrong == {}


@pytest.mark.parametrize(("data", "expected"), [
    (b"\r\n", b"\r\n\r\n"),
    (b"hi\r\n", b"hi\r\n\r\n"),
    (b"ab\x7fc\x08\r", b"ab\x08 \x08c\x08 \x08\r\n"),
    (b"", b""),
])
def test_literal_inputs(data: bytes, expected: bytes, engine: wasmtime.Engine,
                        guest: Callable[[str], wc.Component]) -> None:
    assert bytes(echo(engine, guest("uart-echo"), data).uart_output) == expected


def test_random_stream(engine: wasmtime.Engine, guest: Callable[[str], wc.Component]) -> None:
    data = random.Random(0x2350).randbytes(4096)  # seeded: the same stream every run
    assert {CR, LF, BS, DEL} <= set(data), "the stream must exercise every special byte"
    host = echo(engine, guest("uart-echo"), data)
    assert bytes(host.uart_output) == echo_reference(data)
    # Byte by byte, too: each read's echo is written before the next read.
    per_read: list[tuple[int, bytearray]] = []
    for call in host.calls:
        if call.function == "read-byte":
            assert isinstance(call.result, int)
            per_read.append((call.result, bytearray()))
        else:
            assert call.function == "write-byte"
            per_read[-1][1].append(call.args[0])
    assert bytes(r for r, _ in per_read) == data
    assert all(bytes(written) == echo_reference(bytes([r])) for r, written in per_read)
