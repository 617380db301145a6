"""`run --vcd`: the VCD reads back (pyvcd's reader) and says what the machine did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcd.reader import TokenKind, tokenize

from rp2350_emu.cli.main import main
from rp2350_emu.insight.waveform import UartLine, Waveform

BIT_NS = 1e9 / 115_200


def read_vcd(path: Path) -> tuple[dict[str, str], dict[str, list[tuple[int, object]]]]:
    """VCD -> (dotted variable name -> id, id -> [(time, value)]) with the dumpvars values at time 0."""
    names: dict[str, str] = {}
    changes: dict[str, list[tuple[int, object]]] = {}
    scope: list[str] = []
    t = 0
    with open(path, "rb") as fh:
        for token in tokenize(fh):
            if token.kind is TokenKind.SCOPE:
                scope.append(token.scope.ident)
            elif token.kind is TokenKind.UPSCOPE:
                scope.pop()
            elif token.kind is TokenKind.VAR:
                names[".".join([*scope, token.var.reference])] = token.var.id_code
            elif token.kind is TokenKind.CHANGE_TIME:
                t = token.time_change
            elif token.kind in (TokenKind.CHANGE_SCALAR, TokenKind.CHANGE_VECTOR):
                change = token.scalar_change if token.kind is TokenKind.CHANGE_SCALAR else token.vector_change
                changes.setdefault(change.id_code, []).append((t, change.value))
    return names, changes


def level_at(changes: list[tuple[int, object]], t: float) -> str:
    value = changes[0][1]
    for when, v in changes:
        if when > t:
            break
        value = v
    return str(value)


def decode_line(changes: list[tuple[int, object]], bit_ns: float = BIT_NS) -> bytes:
    """A UART line (8N1) decoded the way a receiver does: find a start bit's falling
    edge, sample each bit in its middle."""
    out = bytearray()
    falls = [t for (t, v), (_, prev) in zip(changes[1:], changes) if str(v) == "0" and str(prev) == "1"]
    busy_until = -1.0
    for fall in falls:
        if fall < busy_until:
            continue
        bits = [level_at(changes, fall + (i + 1.5) * bit_ns) for i in range(8)]
        assert level_at(changes, fall + 9.5 * bit_ns) == "1", "no stop bit"
        out.append(sum(int(b) << i for i, b in enumerate(bits)))
        busy_until = fall + 9.5 * bit_ns
    return bytes(out)


def test_vcd_of_blinky_matches_its_events(firmware: dict[str, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    vcd, events = tmp_path / "blinky.vcd", tmp_path / "events.jsonl"
    assert main(["run", str(firmware["blinky"]), "--seconds", "1.7", "--vcd", str(vcd), "--events", str(events)]) == 0
    names, changes = read_vcd(vcd)
    logged = [json.loads(line) for line in events.read_text().splitlines()]
    pin25 = [(e["t_ns"], str(e["data"]["level"])) for e in logged if e["kind"] == "pin" and e["data"]["pin"] == 25]
    assert len(pin25) == 4
    assert changes[names["rp2350.gpio.gpio25"]] == [(0, "0"), *pin25]  # virtual ns, exactly
    # the TX line, decoded bit by bit, carries what the UART sent
    text = bytes(e["data"]["byte"] for e in logged if e["kind"] == "uart-tx")
    assert text == b"GPIO25 On\r\nGPIO25 Off\r\nGPIO25 On\r\nGPIO25 Off\r\n"
    assert decode_line(changes[names["rp2350.uart0.tx"]]) == text
    # and the byte-level view holds each character while it is on the wire
    values = [v for _, v in changes[names["rp2350.uart0.tx_byte"]] if str(v) != "z"]
    assert bytes(int(v) for v in values) == text


def test_vcd_has_the_rx_line_at_its_real_timing(firmware: dict[str, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    vcd = tmp_path / "echo.vcd"
    assert main(["run", str(firmware["uart-echo"]), "--seconds", "0.4", "--uart-input", "abc\\r",
                 "--vcd", str(vcd)]) == 0
    names, changes = read_vcd(vcd)
    rx = changes[names["rp2350.uart0.rx"]]
    assert decode_line(rx) == b"abc\r"
    assert decode_line(changes[names["rp2350.uart0.tx"]]) == b"abc\r\n"
    # the echo of a byte starts only after that byte's stop bit has arrived
    first_rx_fall = rx[1][0]
    first_tx_fall = next(t for t, v in changes[names["rp2350.uart0.tx"]][1:] if str(v) == "0")
    assert first_tx_fall > first_rx_fall + 9.5 * BIT_NS


def test_uart_frames_follow_the_line_settings() -> None:
    line = UartLine([(10_000, 0x55)], bit_ns=100.0, data_bits=7, parity="even", stop_bits=2)
    assert line.frame_bits == 11
    assert line.frame_levels(0x55) == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]  # 7 bits of 0x55, even parity 0
    assert line.frames() == [(10_000 - 1_100, 10_000, 0x55)]


def test_plot_is_a_png(tmp_path: Path) -> None:
    wave = Waveform.from_events([(1_000, "pin", {"pin": 25, "level": 1}), (5_000, "pin", {"pin": 25, "level": 0})],
                                10_000)
    assert wave.pins == {25: (0, [(1_000, 1), (5_000, 0)])}
    png = wave.plot_png("t")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2_000
