"""Snapshots: a restored machine goes on exactly as the uninterrupted one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rp2350_emu.cli.main import main
from rp2350_emu.errors import ConfigError
from rp2350_emu.platform import snapshot
from tests.insight.helpers import boot, rx_enabled, stream

MS = 1_000_000


def test_restored_blinky_continues_with_the_same_events(firmware: dict[str, Path], tmp_path: Path) -> None:
    machine = boot(firmware["blinky"])
    machine.run_for(1_234_567 * 1000 + 891)  # an odd time: mid delay, alarm pending
    saved_at = machine.now_ns
    snapshot.save(machine, tmp_path / "s.json")
    machine.run_for(3_000 * MS - machine.now_ns)

    restored = snapshot.restore(tmp_path / "s.json")
    assert restored.now_ns == saved_at
    restored.run_for(3_000 * MS - restored.now_ns)
    tail = [e for e in stream(machine) if e[0] > saved_at]
    assert len(tail) >= 6  # LED changes and UART bytes happened after the snapshot
    assert stream(restored) == stream(machine)
    assert restored.cpu.cycles == machine.cpu.cycles
    assert restored.uart_text() == machine.uart_text()


def test_restore_mid_uart_input_keeps_fifos_and_pending_bytes(firmware: dict[str, Path], tmp_path: Path) -> None:
    machine = boot(firmware["uart-echo"])
    assert machine.run_until(lambda: rx_enabled(machine), 500 * MS)
    machine.uart_input("uart0", b"snapshot in the middle of this line\r")
    machine.run_for(400_000)  # ~4 of 36 bytes in: the rest still on the wire (scheduler) and in the FIFO
    data = snapshot.capture(machine)
    pending = [e["name"] for e in data["scheduler"]["events"] if e["queued"] and not e["cancelled"]]
    assert "uart0.rx" in pending
    machine.run_for(20 * MS)

    restored = snapshot.restore(data)
    restored.run_for(machine.now_ns - restored.now_ns)
    assert restored.uart_text() == b"snapshot in the middle of this line\r\n"
    assert stream(restored) == stream(machine)


def test_run_restore_continues_the_event_stream(firmware: dict[str, Path], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    whole, first, rest = tmp_path / "whole.jsonl", tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    snap = tmp_path / "at-1.25s.json"
    assert main(["run", str(firmware["blinky"]), "--seconds", "2.75", "--events", str(whole)]) == 0
    assert main(["run", str(firmware["blinky"]), "--seconds", "1.25", "--events", str(first),
                 "--save-snapshot", str(snap)]) == 0
    assert main(["run", "--restore", str(snap), "--seconds", "1.5", "--events", str(rest)]) == 0
    lines = whole.read_text().splitlines()
    assert rest.read_text().splitlines() == lines  # the restored log plus what came after it
    after = [json.loads(x) for x in lines if json.loads(x)["t_ns"] > 1_250_000_000]
    assert len(after) > 10
    printed = capsys.readouterr().out.splitlines()
    assert any("GPIO25 Off" in line for line in printed)  # the restored run printed only new lines


def test_restore_refuses_a_changed_elf(firmware: dict[str, Path], tmp_path: Path) -> None:
    elf = tmp_path / "blinky.elf"
    shutil.copy(firmware["blinky"], elf)
    machine = boot(elf)
    machine.run_for(100 * MS)
    snapshot.save(machine, tmp_path / "s.json")
    with open(elf, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ConfigError, match="changed since the snapshot"):
        snapshot.restore(tmp_path / "s.json")


def test_not_a_snapshot(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(ConfigError, match="not an rp2350-emu snapshot"):
        snapshot.load(bad)
