"""`sysbus LoadBinary @file ADDRESS`: bytes into a memory of the platform, e.g. a
guest into the loader's flash partition (renode/loader-guest.resc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.monitor import Monitor, MonitorError
from tests.harness.test_firmware import ROOT, real_monitor  # noqa: F401 - the fixture, shared


@pytest.fixture
def mon(request: pytest.FixtureRequest) -> Monitor:
    return request.getfixturevalue("real_monitor")


def uart_lines(mon: Monitor) -> list[str]:
    return [e.message.split("] ", 1)[1] for e in mon.recent.entries if e.source == "uart0"]


def test_bytes_land_in_flash_where_the_firmware_cannot_write(mon: Monitor, firmware, tmp_path: Path) -> None:
    mon.execute(f"$bin=@{firmware['loader']}")
    mon.execute("include @renode/loader.resc")
    blob = tmp_path / "guest.bin"
    blob.write_bytes(b"RPWG" + bytes(range(1, 13)))
    assert mon.execute(f"sysbus LoadBinary @{blob} 0x10200000") == ""
    assert mon.execute("sysbus ReadDoubleWord 0x10200000") == "0x47575052\r\n"
    assert mon.execute("sysbus ReadByte 0x1020000F") == "0x0C\r\n"
    with pytest.raises(MonitorError, match=r"0x40000000 \(\+0x10 bytes of guest.bin\) is not inside one memory"):
        mon.execute(f"sysbus LoadBinary @{blob} 0x40000000")
    with pytest.raises(MonitorError, match="file not found"):
        mon.execute(f"sysbus LoadBinary @{tmp_path}/missing.bin 0x10200000")
    mon.execute('emulation RunFor "0.3"')
    # the magic, then 01 02 as the format version: the loader names it and waits
    version = "loader: flash guest rejected: package format version 513, this loader reads version 1"
    assert uart_lines(mon)[:2] == [version, "loader: ready for upload (protocol 1)"]


def test_the_guest_script_places_the_package_and_a_reset_keeps_it(mon: Monitor, firmware) -> None:
    mon.execute(f"$bin=@{firmware['loader']}")
    mon.execute(f"$guest=@{ROOT}/build/guest/servo.cwasm")
    mon.execute("include @renode/loader-guest.resc")
    mon.execute('emulation RunFor "0.2"')
    assert uart_lines(mon)[:2] == ["loader: flash guest accepted (4704 bytes)", "Angle 0"]
    mon.execute("machine Reset")
    mon.execute('emulation RunFor "0.2"')
    assert uart_lines(mon).count("loader: flash guest accepted (4704 bytes)") == 2
