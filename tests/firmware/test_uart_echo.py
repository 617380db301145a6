"""uart-echo on the real firmware, bytes paced at 115200 baud."""

from __future__ import annotations

import random

from tests.firmware.helpers import MS, S


def echo_of(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b in (0x0D, 0x0A):
            out += b"\r\n"
        elif b in (0x08, 0x7F):
            out += b"\x08 \x08"
        else:
            out.append(b)
    return bytes(out)


def ready(m) -> None:
    """Run until the guest waits for its first byte (UART0 RX enabled)."""
    m.run_for(150 * MS)


def test_hello_cr(boot) -> None:
    m = boot("uart-echo")
    ready(m)
    m.uart_input("uart0", b"hello\r")
    assert m.run_until(lambda: m.uart_text().endswith(b"\r\n"), 50 * MS)
    assert m.uart_text() == b"hello\r\n"


def test_backspace_and_delete(boot) -> None:
    m = boot("uart-echo")
    ready(m)
    m.uart_input("uart0", b"ab\x08c\x7f\n")
    m.run_for(20 * MS)
    assert m.uart_text() == b"ab\x08 \x08c\x08 \x08\r\n"


def test_4k_random_printable_stream_comes_back_identical(boot) -> None:
    m = boot("uart-echo")
    ready(m)
    rng = random.Random(2350)
    data = bytes(rng.randrange(0x20, 0x7F) for _ in range(4096))
    m.uart_input("uart0", data)
    # 4096 characters at 86.8 µs each is 356 ms on the wire.
    assert m.run_until(lambda: len(m.uart_text()) >= len(data), 2 * S)
    m.run_for(10 * MS)
    assert m.uart_text() == echo_of(data)
    assert m.uart0.rx_dropped == 0


def test_bytes_faster_than_line_rate_overrun_is_flagged(boot) -> None:
    """A sender at 8x the line rate outruns the echo: the PL011 flags the
    overrun (RSR.OE, RIS.OERIS) rather than losing bytes silently."""
    m = boot("uart-echo")
    ready(m)
    uart = m.uart0
    uart.inject(bytes(range(0x41, 0x5B)) * 8, baud=115_200 * 8)
    m.run_for(100 * MS)
    received = len(m.uart_text())
    assert received < 26 * 8, "everything got through, so nothing was too fast"
    rsr = uart.peek(0x04)
    ris = uart.peek(0x3C)
    assert rsr & (1 << 3), f"RSR.OE not set (RSR=0x{rsr:x})"
    assert ris & (1 << 10), f"RIS.OERIS not set (RIS=0x{ris:x})"


def test_received_bytes_are_logged_at_their_arrival_times(boot) -> None:
    m = boot("uart-echo")
    ready(m)
    sent_at = m.now_ns
    m.uart_input("uart0", b"abc")
    m.run_for(5 * MS)
    rx = [(e.t_ns, e.data["byte"]) for e in m.events if e.kind == "uart-rx"]
    assert [b for _, b in rx] == list(b"abc")
    # one 8N1 character time apart (86.8 µs at 115200 baud), the first one
    # complete a character time after it was sent
    times = [t - sent_at for t, _ in rx]
    for i, t in enumerate(times, start=1):
        assert abs(t - i * 86_800) < 1_000, times
