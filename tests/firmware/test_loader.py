"""The loader image (docs/loader.md): guests from flash and over UART0, and
every bad guest answered with one line while the loader keeps waiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.guests.package import build_package, open_package, parse_header, read_fingerprint
from rp2350_emu.guests.upload import READY_LINE
from tests.firmware.helpers import REPO, S, pin_changes
from tests.firmware.loader_helpers import GUEST_DIR, boot_loader, lines, run_until_line, upload

FINGERPRINT_FILE = REPO / "build" / "cwasm" / "loader.fingerprint"


def guest(name: str) -> bytes:
    return (GUEST_DIR / f"{name}.cwasm").read_bytes()


def test_no_guest_prints_one_line_and_waits(firmware) -> None:
    m = boot_loader(firmware["loader"])
    m.run_for(1 * S)
    assert lines(m) == [READY_LINE]
    assert m["uart0"].rx_enabled


def test_flash_guest_runs(firmware) -> None:
    m = boot_loader(firmware["loader"], guest("blinky"))
    m.run_for(2 * S)
    got = lines(m)
    assert got[0] == f"loader: flash guest accepted ({len(guest('blinky'))} bytes)"
    assert got[1:5] == ["GPIO25 On", "GPIO25 Off"] * 2
    assert READY_LINE not in got


@pytest.mark.parametrize(("name", "damage", "expected"), [
    ("payload-crc", lambda b: b[:-1] + bytes([b[-1] ^ 1]), "payload CRC mismatch"),
    ("header-crc", lambda b: b[:8] + bytes([b[8] ^ 1]) + b[9:], "header CRC mismatch (corrupt header)"),
    ("version", lambda b: b[:4] + b"\x07\x00" + b[6:], "package format version 7"),
    ("other-engine", lambda b: build_package(open_package(b), bytes(16)),
     "engine fingerprint mismatch: compiled for another Wasmtime version or engine configuration"),
    ("not-an-artifact", lambda b: build_package(b"\0" * 64, parse_header(b).fingerprint),
     "the payload is not a Wasmtime artifact"),
])
def test_bad_flash_guest_is_named_and_the_loader_waits(firmware, name: str, damage, expected: str) -> None:
    m = boot_loader(firmware["loader"], damage(guest("blinky")))
    m.run_for(1 * S)
    first, *rest = lines(m)
    assert first.startswith(f"loader: flash guest rejected: {expected}")
    assert rest == [READY_LINE]
    assert pin_changes(m, 25) == []


def test_image_engine_artifact_is_refused_by_fingerprint(firmware) -> None:
    """A .cwasm for the embedded images (no fuel) packaged with a forged
    header passes the CRC, but not the loader's own engine check."""
    fingerprint = read_fingerprint(FINGERPRINT_FILE.read_text())
    image_cwasm = (REPO / "build" / "cwasm" / "blinky.cwasm").read_bytes()
    m = boot_loader(firmware["loader"], build_package(image_cwasm, fingerprint))
    m.run_for(1 * S)
    assert lines(m)[0].startswith("loader: flash guest rejected: cannot deserialise:")
    assert lines(m)[1] == READY_LINE


def test_upload_with_a_lost_frame_then_runs(firmware) -> None:
    m = boot_loader(firmware["loader"])
    blob = guest("blinky")
    up = upload(m, blob, lose_frame=3)
    assert up.retries == 1
    got = run_until_line(m, "GPIO25 Off")
    assert f"loader: received {len(blob)} bytes" in got
    assert f"loader: upload guest accepted ({len(blob)} bytes)" in got


def test_truncated_upload_is_refused_then_a_good_one_runs(firmware) -> None:
    m = boot_loader(firmware["loader"])
    blob = guest("servo")
    upload(m, blob[:1000])
    got = run_until_line(m, "rejected")
    assert (f"loader: upload guest rejected: truncated: header says {len(blob) - 40} payload bytes, "
            "960 present") in got
    assert got[-1] == READY_LINE
    upload(m, guest("uart-echo"))
    run_until_line(m, "upload guest accepted")
    m.uart_input("uart0", b"hi\r")
    run_until_line(m, "hi")


# name -> the line the loader prints for it (docs/loader.md, "Hostile guests")
HOSTILE = {
    "oob-load": "*** guest trap: wasm trap: out of bounds memory access",
    "oob-store": "*** guest trap: wasm trap: out of bounds memory access",
    "stack-overflow": "*** guest trap: wasm trap: call stack exhausted",
    "unreachable": "*** guest trap: wasm trap: wasm `unreachable` instruction executed",
    "div-zero": "*** guest trap: wasm trap: integer divide by zero",
    "memory-grow": "*** guest trap: wasm trap: out of bounds memory access",
    "bad-indirect": "*** guest trap: wasm trap: indirect call type mismatch",
    "endless-loop": "*** guest trap: wasm trap: all fuel consumed by WebAssembly",
    "host-call-flood": "*** guest trap: wasm trap: all fuel consumed by WebAssembly",
    "uart-flood": "*** guest trap: wasm trap: all fuel consumed by WebAssembly",
    "delay-max": ("*** guest trap: timing: delay-ms(4294967295) is longer than the loader's limit "
                  "of 60000 ms"),
    "pin-uart-tx": "*** guest trap: gpio: pin 0 is UART0 TX (the console); the guest is granted GPIO25 only",
    "pin-unknown": "*** guest trap: gpio: pin 99 is not a GPIO of the RP2350; the guest is granted GPIO25 only",
    "pin-other-role": ("*** guest trap: gpio: pin 15 is the button input; the guest is granted "
                       "GPIO25 only"),
    "servo-range": "*** guest trap: servo: 181 degrees is out of range (0..=180)",
    "returns": "*** guest returned from run",
    "core-module": "loader: flash guest rejected: a core WebAssembly module, not a component",
    "unknown-import": ("loader: flash guest rejected: imports `embedded:platform/adc`, which the loader "
                       "does not provide (it has gpio, button, timing, uart, servo)"),
    "unknown-function": ("loader: flash guest rejected: imports `embedded:platform/gpio#toggle`, which the "
                         "loader does not provide"),
}


def test_every_hostile_guest_has_an_expected_line(hostile_guests: Path) -> None:
    assert sorted(p.stem for p in hostile_guests.glob("*.cwasm")) == sorted(HOSTILE)


GUARDED_PINS = (0, 1, 6, 15, 25)
# GPIO25 levels the granted guests drive
LED_LEVELS = {"returns": [1, 0], "host-call-flood": [1, 0]}  # the loader turns the LED off after a guest


@pytest.fixture(scope="module")
def boot_pins(firmware) -> dict[int, list[tuple[int, int]]]:
    """Pin changes of a loader with no guest: what board init does by itself."""
    m = boot_loader(firmware["loader"])
    m.run_for(1 * S)
    return {pin: pin_changes(m, pin) for pin in GUARDED_PINS}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_guest_is_contained(firmware, hostile_guests: Path, boot_pins, name: str) -> None:
    m = boot_loader(firmware["loader"], (hostile_guests / f"{name}.cwasm").read_bytes())
    got = run_until_line(m, READY_LINE, timeout_ns=10 * S)
    assert HOSTILE[name] in got, got[-4:]
    assert got[-1] == READY_LINE
    # No guest moved a pin it was refused; only the LED's own guests drive it.
    for pin in GUARDED_PINS:
        extra = LED_LEVELS.get(name, []) if pin == 25 else []
        assert [lv for _, lv in pin_changes(m, pin)] == [lv for _, lv in boot_pins[pin]] + extra, (name, pin)
