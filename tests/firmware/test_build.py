"""The firmware build's own checks, on the real build outputs.

The bad-guest cases run the firmware's compiled build script (the same
binary cargo runs) against a directory of components, so the check tested
is the one that guards every build, without recompiling the firmware.
"""

from __future__ import annotations

import importlib.util
import os
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


@pytest.mark.parametrize("guest", ["blinky", "button", "uart-echo", "trap"])
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


def _build_script() -> Path:
    candidates = sorted((REPO / "firmware" / "target" / "release" / "build").glob(
        "rp2350-wasm-firmware-*/build-script-build"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        pytest.fail("the firmware's build script binary is missing; run `make firmware`")
    return candidates[-1]


def _run_build_script(firmware, wasm_dir: Path, out_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, CARGO_MANIFEST_DIR=str(REPO / "firmware"), OUT_DIR=str(out_dir),
               GUEST_WASM_DIR=str(wasm_dir))
    return subprocess.run([str(_build_script())], check=False, env=env, capture_output=True,
                          text=True, timeout=300)


def _guest_dir(tmp_path: Path) -> Path:
    wasm_dir = tmp_path / "wasm"
    shutil.copytree(REPO / "build" / "wasm", wasm_dir)
    return wasm_dir


def _wat_to_wasm(wat: Path, out: Path) -> None:
    tool = Path(sys.executable).parent / "wasm-tools"
    subprocess.run([str(tool), "parse", str(wat), "-o", str(out)], check=True)


def test_build_script_accepts_the_real_guests(firmware, tmp_path: Path) -> None:
    proc = _run_build_script(firmware, _guest_dir(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stderr
    for guest in ("blinky", "button", "uart-echo", "trap"):
        assert (tmp_path / f"{guest}.cwasm").stat().st_size > 1000


def test_core_module_instead_of_component_fails_the_build(firmware, tmp_path: Path) -> None:
    wasm_dir = _guest_dir(tmp_path)
    _wat_to_wasm(GUEST_DATA / "core-module.wat", wasm_dir / "button.wasm")
    proc = _run_build_script(firmware, wasm_dir, tmp_path)
    assert proc.returncode != 0
    assert f"{wasm_dir / 'button.wasm'}: a core WebAssembly module, not a component" in proc.stderr


def test_unprovided_import_fails_the_build_naming_file_and_import(firmware, tmp_path: Path) -> None:
    wasm_dir = _guest_dir(tmp_path)
    _wat_to_wasm(GUEST_DATA / "unknown-interface.wat", wasm_dir / "blinky.wasm")
    _wat_to_wasm(GUEST_DATA / "unknown-function.wat", wasm_dir / "trap.wasm")
    proc = _run_build_script(firmware, wasm_dir, tmp_path)
    assert proc.returncode != 0
    assert (f"{wasm_dir / 'blinky.wasm'}: imports `embedded:platform/adc`, which the firmware "
            "(world `blinky`) does not provide") in proc.stderr
    assert f"{wasm_dir / 'trap.wasm'}: imports `embedded:platform/gpio#toggle`" in proc.stderr


def test_missing_component_names_the_make_target(firmware, tmp_path: Path) -> None:
    wasm_dir = _guest_dir(tmp_path)
    (wasm_dir / "uart-echo.wasm").unlink()
    proc = _run_build_script(firmware, wasm_dir, tmp_path)
    assert proc.returncode != 0
    assert "uart-echo.wasm" in proc.stderr and "make wasm" in proc.stderr
