"""Containment on the real loader image, both flavours: every hostile or broken
guest ends in one line naming what is wrong, no refused pin moves, the engine's
containment check finds no write by the interpreter outside the heap arena, and
the loader then takes the next upload and runs it (docs/loader.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rp2350_emu.guests.package import build_package, open_package, parse_header
from rp2350_emu.guests.session import place_in_flash, upload_over_uart
from rp2350_emu.guests.upload import READY_LINE
from rp2350_emu.insight.containment import ContainmentChecker
from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import REPL, REPO, S, pin_changes
from tests.firmware.loader_helpers import GUEST_DIR, lines, run_until_line
from tests.firmware.test_loader import HOSTILE

#: GPIO0/1 (UART0), the servo, the button and the LED: what a guest might try to take
GUARDED_PINS = (0, 1, 6, 15, 25)


@pytest.fixture(params=["wfi", "busywait"])
def loader(request: pytest.FixtureRequest, firmware: dict[str, Path]) -> Path:
    """build/loader.elf and build/busywait/loader.elf."""
    if request.param == "wfi":
        return firmware["loader"]
    if os.environ.get("RP2350_EMU_PREBUILT") == "1":
        elf = REPO / "build" / "busywait" / "loader.elf"
        if not elf.is_file():
            pytest.fail(f"RP2350_EMU_PREBUILT=1 but {elf} is missing (make firmware FLAVOUR=busywait)",
                        pytrace=False)
        return elf
    return request.getfixturevalue("firmware_busywait")["loader"]


def guest(name: str) -> bytes:
    return (GUEST_DIR / f"{name}.cwasm").read_bytes()


def boot(elf: Path, flash: bytes | None = None) -> Machine:
    m = Machine.from_repl(REPL)
    m.load_elf(elf)
    if flash is not None:
        place_in_flash(m, flash)
    return m


def upload(m: Machine, blob: bytes) -> None:
    upload_over_uart(m, blob, deadline_ns=m.now_ns + 30 * S)


def assert_next_upload_runs(m: Machine) -> None:
    """The loader is alive: a good guest goes in over UART0 and blinks."""
    before = len(lines(m))
    upload(m, guest("blinky"))
    m.run_for(S // 2)
    got = lines(m)[before:]
    accepted = f"loader: upload guest accepted ({len(guest('blinky'))} bytes)"
    assert accepted in got, got[-4:]
    assert "GPIO25 On" in got[got.index(accepted):], got[-4:]


def levels(m: Machine, pin: int) -> list[int]:
    return [level for _, level in pin_changes(m, pin)]


@pytest.fixture
def boot_levels(loader: Path) -> dict[int, list[int]]:
    """Pin levels of a loader with no guest: what board init does by itself."""
    m = boot(loader)
    m.run_for(1 * S)
    return {pin: levels(m, pin) for pin in GUARDED_PINS}


# GPIO25 levels the guests that are granted the LED drive (the loader turns it off afterwards)
LED_LEVELS = {"returns": [1, 0], "host-call-flood": [1, 0]}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_guest_from_flash_then_a_good_upload(loader: Path, hostile_guests: Path, boot_levels,
                                                     name: str) -> None:
    m = boot(loader, (hostile_guests / f"{name}.cwasm").read_bytes())
    checker = ContainmentChecker(m).arm()
    got = run_until_line(m, READY_LINE, timeout_ns=10 * S)
    assert HOSTILE[name] in got, got[-4:]
    assert got[-1] == READY_LINE
    # checked by the engine, not by the firmware's word: the interpreter wrote no
    # firmware RAM outside the heap arena and no peripheral (insight/containment.py)
    report = checker.finish()
    assert report.started == ("rejected" not in HOSTILE[name]), name  # a refused guest never runs
    assert report.violations == [], [v.text() for v in report.violations]
    for pin in GUARDED_PINS:
        extra = LED_LEVELS.get(name, []) if pin == 25 else []
        assert levels(m, pin) == boot_levels[pin] + extra, (name, pin)
    assert_next_upload_runs(m)


@pytest.mark.parametrize(("name", "expected"), [
    ("pin-uart-tx", "gpio: pin 0 is UART0 TX (the console)"),
    ("pin-unknown", "gpio: pin 99 is not a GPIO of the RP2350"),
    ("pin-other-role", "gpio: pin 15 is the button input"),
])
def test_a_refused_pin_never_changes_and_the_console_still_works(loader: Path, hostile_guests: Path, boot_levels,
                                                                name: str, expected: str) -> None:
    """Uploaded this time: the trap names the pin, GPIO0/1/15 see no event
    beyond board init, and UART0 (pins 0 and 1) still carries the next upload."""
    m = boot(loader)
    checker = ContainmentChecker(m).arm()
    upload(m, (hostile_guests / f"{name}.cwasm").read_bytes())
    got = run_until_line(m, "*** guest trap", timeout_ns=2 * S)
    report = checker.finish()
    assert report.ok, [v.text() for v in report.violations]
    traps = [line for line in got if line.startswith("*** guest trap")]
    assert traps == [f"*** guest trap: {expected}; the guest is granted GPIO25 only"]
    for pin in GUARDED_PINS:
        assert levels(m, pin) == boot_levels[pin], (name, pin)
    assert_next_upload_runs(m)


def _other_engine(blob: bytes) -> bytes:
    return build_package(open_package(blob), bytes(16))


def _flip_payload(blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 1])


def _flip_header(blob: bytes) -> bytes:
    return blob[:8] + bytes([blob[8] ^ 1]) + blob[9:]


def _garbage_payload(blob: bytes) -> bytes:
    return build_package(b"\0" * 64, parse_header(blob).fingerprint)


def _corrupt_artifact(blob: bytes) -> bytes:
    """Correct CRCs around a damaged Wasmtime artifact (a byte in its middle flipped)."""
    payload = bytearray(open_package(blob))
    payload[len(payload) // 2] ^= 0xFF
    return build_package(bytes(payload), parse_header(blob).fingerprint)


# name -> (damage to blinky's package, the start of the loader's reason)
BAD_UPLOADS = {
    "no-magic": (lambda b: b"XXXX" + b[4:], "not a packaged guest (no RPWG magic)"),
    "too-short": (lambda b: b[:20], "too short for a package header (20 of 40 bytes)"),
    "truncated": (lambda b: b[:1000], f"truncated: header says {len(guest('blinky')) - 40} payload bytes, 960"),
    "payload-crc": (_flip_payload, "payload CRC mismatch"),
    "header-crc": (_flip_header, "header CRC mismatch (corrupt header)"),
    "version": (lambda b: b[:4] + b"\x02\x00" + b[6:], "package format version 2"),
    "other-engine": (_other_engine, "engine fingerprint mismatch: compiled for another Wasmtime version"),
    "not-an-artifact": (_garbage_payload, "the payload is not a Wasmtime artifact"),
}


@pytest.mark.parametrize("name", sorted(BAD_UPLOADS))
def test_bad_upload_is_named_in_one_line_and_the_loader_waits(loader: Path, name: str) -> None:
    damage, reason = BAD_UPLOADS[name]
    m = boot(loader)
    upload(m, damage(guest("blinky")))
    got = run_until_line(m, "rejected", timeout_ns=2 * S)
    rejected = [line for line in got if "rejected" in line]
    assert len(rejected) == 1 and rejected[0].startswith(f"loader: upload guest rejected: {reason}"), rejected
    run_until_line(m, READY_LINE)
    assert pin_changes(m, 25) == []
    assert_next_upload_runs(m)


def test_a_damaged_artifact_with_good_checksums_is_refused_or_contained(loader: Path) -> None:
    """A crafted blob passes the CRCs: Wasmtime's own checks or the trap
    handling must still end in one line and a loader that waits."""
    m = boot(loader)
    upload(m, _corrupt_artifact(guest("blinky")))
    got = run_until_line(m, READY_LINE, timeout_ns=3 * S)
    assert not any(line.startswith(("*** panic", "*** hard fault")) for line in got), got[-3:]
    assert_next_upload_runs(m)


def test_a_trapping_guest_reports_then_the_loader_waits_and_does_not_restart_it(loader: Path) -> None:
    """The documented policy: trap report, LED back off, ready line; the flash
    guest is not started again (until a reset)."""
    m = boot(loader, guest("trap"))
    got = run_until_line(m, READY_LINE, timeout_ns=3 * S)
    assert got[0] == f"loader: flash guest accepted ({len(guest('trap'))} bytes)"
    assert got[-2:] == ["*** guest trap: wasm trap: wasm `unreachable` instruction executed", READY_LINE]
    assert levels(m, 25)[-1] == 0
    m.run_for(2 * S)
    assert lines(m) == got  # nothing more: not restarted
    assert_next_upload_runs(m)
