"""Snapshots: a broken, edited, foreign or stale file is refused with one line before anything is restored."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rp2350_emu.harness.emulation import Emulation
from rp2350_emu.monitor.interpreter import Monitor
from tests.reliability.helpers import assert_clean, assert_message, cli, contents, one_line


@pytest.fixture(scope="module")
def taken(firmware, tmp_path_factory) -> tuple[Path, Path, dict[str, Any]]:
    """uart-echo.elf (a copy) and a snapshot of it after 0.1 s."""
    folder = tmp_path_factory.mktemp("snap")
    elf = folder / "uart-echo.elf"
    shutil.copy(firmware["uart-echo"], elf)
    snap = folder / "good.json"
    assert_clean(cli("run", elf, "--seconds", "0.1", "--save-snapshot", snap), 0, "")
    return elf, snap, json.loads(snap.read_text())


def _edit(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], str]:
    def make(data: dict[str, Any]) -> str:
        change(data)
        return json.dumps(data)
    return make


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], str]:
    *parents, last = path.split(".")

    def change(data: dict[str, Any]) -> None:
        obj = data
        for key in parents:
            obj = obj[key]
        if value is _DELETE:
            del obj[last]
        else:
            obj[last] = value
    return _edit(change)


_DELETE = object()

# (id, the file's text from the good snapshot's data, key words)
STRUCTURE: list[tuple[str, Callable[[dict[str, Any]], str], list[str]]] = [
    ("empty", lambda d: "", ["not a snapshot: not JSON"]),
    ("not-json", lambda d: "hello", ["not a snapshot: not JSON", "--save-snapshot"]),
    ("cut-in-half", lambda d: json.dumps(d)[: len(json.dumps(d)) // 2], ["not JSON"]),
    ("a-list", lambda d: "[1, 2]", ["not an rp2350-emu snapshot"]),
    ("other-format", _set("format", "renode-save"), ["not an rp2350-emu snapshot (expected format"]),
    ("version-99", _set("version", 99), ["snapshot version 99, this engine reads 1"]),
    ("no-cpu", _set("cpu", _DELETE), ["not a usable snapshot: cpu is missing"]),
    ("no-ram", _set("ram", _DELETE), ["ram is missing"]),
    ("no-models", _set("models", _DELETE), ["models is missing"]),
    ("no-scheduler", _set("scheduler", _DELETE), ["scheduler is missing"]),
    ("no-machine", _set("machine", _DELETE), ["machine is missing"]),
    ("negative-time", _set("now_ns", -5), ["now_ns is -5 ns, expected a virtual time from 0"]),
    ("time-text", _set("now_ns", "soon"), ["now_ns is str 'soon', expected an integer"]),
    ("time-huge", _set("now_ns", 10**30), ["now_ns is 1000000000000000000000000000000 ns"]),
    ("time-float", _set("now_ns", 1.5), ["now_ns is float", "expected an integer"]),
    ("cpu-hz-zero", _set("cpu_hz", 0), ["cpu_hz is not positive"]),
    ("no-pc", _set("cpu.regs.pc", _DELETE), ["cpu.regs.pc is missing"]),
    ("reg-text", _set("cpu.regs.r3", "x"), ["cpu.regs.r3 is str 'x', expected an integer"]),
    ("reg-negative", _set("cpu.regs.sp", -4), ["cpu.regs.sp is negative"]),
    ("ram-not-base64", _set("ram.sram.data", "!!!"), ["ram.sram.data does not decode"]),
    ("ram-not-zlib", _set("ram.sram.data", "aGVsbG8="), ["ram.sram.data does not decode"]),
    ("ram-wrong-size", _set("ram.sram.size", 4096), ["ram.sram.data holds 532480 bytes, its size says 4096"]),
    ("events-not-list", _set("scheduler.events", {}), ["scheduler.events is dict", "expected a list"]),
    ("event-negative-time", _edit(lambda d: d["scheduler"]["events"][0].update(at_ns=-1)),
     ["scheduler.events[0].at_ns is -1 ns"]),
    ("log-bad-item", _edit(lambda d: d["machine"]["events"].append([1, 2])),
     ["machine.events[", "is not [t_ns, kind, data]"]),
    ("model-missing", _edit(lambda d: d["models"].pop("peripherals.uart0")),
     ["no state for peripherals.uart0"]),
    ("model-garbled", _edit(lambda d: d["models"].update({"peripherals.uart0": {"attrs": 3}})),
     ["not a usable snapshot: a saved model state does not fit", "take a new snapshot"]),
    ("no-repl", _set("repl", None), ["the snapshot names no .repl"]),
]


@pytest.mark.parametrize(("make", "phrases"), [pytest.param(c[1], c[2], id=c[0]) for c in STRUCTURE])
def test_broken_snapshot_is_refused_with_one_line(taken, tmp_path, make, phrases):
    _elf, _snap, data = taken
    bad = tmp_path / "bad.json"
    bad.write_text(make(json.loads(json.dumps(data))))
    before = contents(tmp_path)
    outcome = cli("run", "--restore", bad, "--seconds", "0.01", timeout=30)
    for phrase in [f"{bad}: ", *phrases]:
        assert_clean(outcome, 2, phrase)
    assert one_line(outcome) == outcome.err.strip()
    assert contents(tmp_path) == before


def test_non_utf8_snapshot(taken, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "\xff"}')
    assert_clean(cli("run", "--restore", bad), 2, f"{bad}:1: byte 0xff at offset 12")


def test_directory_as_snapshot(tmp_path):
    assert_clean(cli("run", "--restore", tmp_path), 2, f"{tmp_path}: is a directory, expected a file")


def test_another_firmwares_snapshot_says_so(taken, firmware):
    _elf, snap, _data = taken
    outcome = cli("run", firmware["blinky"], "--restore", snap, "--seconds", "0.01")
    assert_clean(outcome, 2, "the snapshot was taken with another ELF")
    assert f"{firmware['blinky']} is a different one" in outcome.err and "changed" not in outcome.err


def test_rebuilt_firmware_is_changed(taken, tmp_path):
    elf, _snap, data = taken
    moved = tmp_path / "s.json"
    copy = tmp_path / "uart-echo.elf"
    shutil.copy(elf, copy)
    data = {**data, "elf": str(copy)}
    moved.write_text(json.dumps(data))
    with copy.open("ab") as f:
        f.write(b"\0")  # rebuilt since
    assert_clean(cli("run", "--restore", moved), 2, f"{copy} changed since the snapshot was taken")


def test_missing_firmware(taken, tmp_path):
    _elf, _snap, data = taken
    moved = tmp_path / "s.json"
    moved.write_text(json.dumps({**data, "elf": str(tmp_path / "gone.elf")}))
    assert_clean(cli("run", "--restore", moved), 2, f"the snapshot's ELF {tmp_path / 'gone.elf'} does not exist")


def test_monitor_load_uses_the_same_checks(taken, tmp_path):
    _elf, _snap, data = taken
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**data, "now_ns": -1}))
    emulation = Emulation()
    try:
        with pytest.raises(Exception) as info:
            Monitor(emulation).execute(f"Load @{bad}")
        assert_message(str(info.value), "now_ns is -1 ns")
    finally:
        emulation.close()


def test_monitor_save_then_cli_restore(taken, tmp_path):
    elf, _snap, _data = taken
    saved = tmp_path / "m.json"
    emulation = Emulation()
    try:
        Monitor(emulation).execute(f"mach create\nmachine LoadPlatformDescription @{Path(__file__).resolve().parents[2]}"
                                   f"/platforms/boards/pico2.repl\nsysbus LoadELF @{elf}\nemulation RunFor \"0.05\"\n"
                                   f"Save @{saved}")
    finally:
        emulation.close()
    outcome = cli("run", "--restore", saved, "--seconds", "0.01")
    assert_clean(outcome, 0, "")
