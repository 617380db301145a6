"""The firmware build's own checks, on the real build outputs.

The bad-guest cases run the host AOT tool (firmware/tools/cwasm, the same
binary `make` runs for every guest) on components, so the check tested is
the one that guards every build, without recompiling the firmware.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.firmware.helpers import REPO

GUEST_DATA = REPO / "tests" / "guests" / "data"


def _load_report():
    spec = importlib.util.spec_from_file_location("firmware_report", REPO / "scripts" / "firmware-report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = _load_report()


@pytest.mark.parametrize("guest", ["blinky", "button", "uart-echo", "trap", "servo", "loader"])
def test_image_layout(firmware, guest: str) -> None:
    problems, flash, ram = report.check(str(firmware[guest]))
    assert problems == []
    with open(firmware[guest], "rb") as f:
        assert f.read(4) == b"\x7fELF"
    # Wasmtime + the guest fit the Pico 2's flash; the 256 KiB heap is static.
    assert 64 * 1024 < flash < 4 * 1024 * 1024
    assert 256 * 1024 <= ram < 520 * 1024


def test_layout_check_catches_a_missing_image_def(firmware, tmp_path: Path) -> None:
    broken = tmp_path / "broken.elf"
    shutil.copy(firmware["blinky"], broken)
    data = bytearray(broken.read_bytes())
    marker = struct.pack("<I", 0xFFFFDED3)
    data[data.index(marker):data.index(marker) + 4] = b"\0\0\0\0"
    broken.write_bytes(bytes(data))
    problems, _, _ = report.check(str(broken))
    assert any("IMAGE_DEF" in p for p in problems)


def _tool() -> Path:
    found = sorted((REPO / "firmware" / "target").glob("*/tool/cwasm"), key=lambda p: p.stat().st_mtime)
    if not found:
        pytest.fail("the host AOT tool is missing; run `make cwasm`")
    return found[-1]


def _cwasm(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(_tool()), *map(str, args)], check=False, capture_output=True, text=True,
                          timeout=120)


def _wat_to_wasm(wat: Path, out: Path) -> Path:
    tool = Path(sys.executable).parent / "wasm-tools"
    subprocess.run([str(tool), "parse", str(wat), "-o", str(out)], check=True)
    return out


def test_tool_output_is_what_the_images_embed(firmware, tmp_path: Path) -> None:
    for guest, world in [("blinky", "blinky"), ("button", "button-led"), ("servo", "servo-sweep")]:
        out = tmp_path / f"{guest}.cwasm"
        proc = _cwasm("compile", "--world", world, REPO / "build" / "wasm" / f"{guest}.wasm", "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == (REPO / "build" / "cwasm" / f"{guest}.cwasm").read_bytes()


def test_core_module_instead_of_component_is_refused(firmware, tmp_path: Path) -> None:
    wasm = _wat_to_wasm(GUEST_DATA / "core-module.wat", tmp_path / "button.wasm")
    proc = _cwasm("compile", "--world", "button-led", wasm, "-o", tmp_path / "out.cwasm")
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"cwasm: {wasm}: a core WebAssembly module, not a component " \
        "(wrap it with `wasm-tools component new`)"
    assert not (tmp_path / "out.cwasm").exists()


def test_unprovided_import_is_refused_naming_file_and_import(firmware, tmp_path: Path) -> None:
    iface = _wat_to_wasm(GUEST_DATA / "unknown-interface.wat", tmp_path / "adc.wasm")
    func = _wat_to_wasm(GUEST_DATA / "unknown-function.wat", tmp_path / "toggle.wasm")
    proc = _cwasm("compile", "--world", "blinky", iface, "-o", tmp_path / "a.cwasm")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"cwasm: {iface}: imports `embedded:platform/adc`, which the firmware "
                                  "(world `blinky`) does not provide")
    assert proc.stderr.count("\n") == 1
    proc = _cwasm("package", func, "-o", tmp_path / "b.cwasm")
    assert proc.returncode == 1
    assert f"cwasm: {func}: imports `embedded:platform/gpio#toggle`, which the loader" in proc.stderr


def test_guest_of_another_world_is_refused(firmware, tmp_path: Path) -> None:
    proc = _cwasm("compile", "--world", "blinky", REPO / "build" / "wasm" / "button.wasm", "-o",
                  tmp_path / "x.cwasm")
    assert proc.returncode == 1
    assert "imports `embedded:platform/button`" in proc.stderr


def test_usage_errors(firmware, tmp_path: Path) -> None:
    assert _cwasm("frobnicate").returncode == 2
    proc = _cwasm("compile", "--world", "nope", REPO / "build" / "wasm" / "blinky.wasm", "-o", tmp_path / "x")
    assert proc.returncode == 1
    assert "unknown WIT world `nope` (known: blinky, button-led, uart-echo, compute, servo-sweep)" in proc.stderr
    proc = _cwasm("compile", "--world", "blinky", tmp_path / "missing.wasm", "-o", tmp_path / "x")
    assert proc.returncode == 1 and "missing.wasm" in proc.stderr


def test_loader_fingerprint_is_the_tool_s(firmware) -> None:
    proc = _cwasm("fingerprint", "--loader")
    assert proc.returncode == 0
    assert proc.stdout == (REPO / "build" / "cwasm" / "loader.fingerprint").read_text()
    assert proc.stdout != _cwasm("fingerprint").stdout  # fuel: another engine
