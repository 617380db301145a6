"""The loader from the command line: `guest compile/package/info`, `run --guest`, `run --upload`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.cli.main import main
from rp2350_emu.guests import tool
from rp2350_emu.guests.package import HEADER_LEN
from tests.firmware.helpers import REPO
from tests.firmware.loader_helpers import GUEST_DIR

WASM_DIR = REPO / "build" / "wasm"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compile_is_byte_identical_to_the_build(capsys, firmware, tmp_path: Path) -> None:
    """Same tool, same engine_config.rs: `guest compile` gives the bytes `make guest` gives."""
    out = tmp_path / "blinky.cwasm"
    code, stdout, err = run_cli(capsys, "guest", "compile", str(WASM_DIR / "blinky.wasm"), "-o", str(out))
    assert (code, err) == (0, ""), err
    assert out.read_bytes() == (GUEST_DIR / "blinky.cwasm").read_bytes()
    assert stdout.strip() == f"{out}: loader package, {out.stat().st_size} bytes"
    image = tmp_path / "image.cwasm"
    code, _, err = run_cli(capsys, "guest", "compile", str(WASM_DIR / "blinky.wasm"), "-o", str(image),
                           "--image", "--world", "blinky")
    assert code == 0, err
    assert image.read_bytes() == (REPO / "build" / "cwasm" / "blinky.cwasm").read_bytes()


def test_compile_refuses_a_world_mismatch_in_one_line(capsys, firmware, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "guest", "compile", str(WASM_DIR / "button.wasm"), "--world", "blinky",
                           "-o", str(tmp_path / "x.cwasm"))
    assert code == 2
    assert err.count("\n") == 1 and "imports `embedded:platform/button`" in err
    assert not (tmp_path / "x.cwasm").exists()


def test_missing_tool_names_the_make_target(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CWASM", raising=False)
    monkeypatch.setattr(tool, "repo_root", lambda: tmp_path)
    (tmp_path / "blinky.wasm").write_bytes(b"\0asm\x0d\0\x01\0")
    code, _, err = run_cli(capsys, "guest", "compile", str(tmp_path / "blinky.wasm"), "-o",
                           str(tmp_path / "b.cwasm"))
    assert code == 2
    assert err.count("\n") == 1 and "is not built" in err and "make cwasm-tool" in err


def test_stale_tool_is_refused(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CWASM", raising=False)
    built = tmp_path / "firmware" / "target" / "host" / "tool" / "cwasm"
    built.parent.mkdir(parents=True)
    built.write_text("#!/bin/sh\n")
    built.chmod(0o755)
    config = tmp_path / "firmware" / "src" / "common" / "engine_config.rs"
    config.parent.mkdir(parents=True)
    config.write_text("// newer\n")
    import os
    os.utime(built, (1, 1))
    with pytest.raises(tool.ToolError, match="older than firmware/src/common/engine_config.rs.*make cwasm-tool"):
        tool.find_tool(tmp_path)


def test_package_and_info(capsys, firmware, tmp_path: Path) -> None:
    package = (GUEST_DIR / "servo.cwasm").read_bytes()
    bare = tmp_path / "servo-bare.cwasm"
    bare.write_bytes(package[HEADER_LEN:])
    out = tmp_path / "servo.cwasm"
    code, _, err = run_cli(capsys, "guest", "package", str(bare), "-o", str(out))
    assert (code, err) == (0, "")
    assert out.read_bytes() == package
    code, stdout, _ = run_cli(capsys, "guest", "info", str(out))
    assert code == 0
    assert "(the built loader's)" in stdout and "header and payload CRC good" in stdout
    code, _, err = run_cli(capsys, "guest", "package", str(out), "-o", str(tmp_path / "again.cwasm"))
    assert code == 2 and "not a bare Wasmtime artifact" in err


def test_run_guest_from_flash(capsys, firmware) -> None:
    code, out, err = run_cli(capsys, "run", str(firmware["loader"]), "--guest", str(GUEST_DIR / "blinky.cwasm"),
                             "--expect-uart", "GPIO25 Off")
    assert (code, err) == (0, "")
    assert "uart0: loader: flash guest accepted (5000 bytes)" in out
    assert "pin 25 -> 1" in out


def test_run_bare_cwasm_is_packaged(capsys, firmware, tmp_path: Path) -> None:
    bare = tmp_path / "blinky.cwasm"
    bare.write_bytes((GUEST_DIR / "blinky.cwasm").read_bytes()[HEADER_LEN:])
    code, out, _ = run_cli(capsys, "run", str(firmware["loader"]), "--guest", str(bare), "--expect-uart",
                           "GPIO25 On")
    assert code == 0
    assert "flash guest accepted (5000 bytes)" in out


def test_run_upload_then_the_guest_reads_uart_input(capsys, firmware) -> None:
    code, out, err = run_cli(capsys, "run", str(firmware["loader"]), "--upload",
                             str(GUEST_DIR / "uart-echo.cwasm"), "--uart-input", r"hello\r",
                             "--expect-uart", "hello\r\n", "--timeout", "10")
    assert code == 0, err
    size = (GUEST_DIR / "uart-echo.cwasm").stat().st_size
    assert f"uart0: loader: received {size} bytes" in out
    assert f"uart0: loader: upload guest accepted ({size} bytes)" in out
    assert "upload: 25%" not in err and f"of {size} bytes (50%)" in err
    assert f"rp2350-emu: upload: {size} bytes in" in err and "0 resent" in err


def test_run_upload_of_a_damaged_package_warns_and_the_loader_refuses(capsys, firmware, tmp_path: Path) -> None:
    blob = bytearray((GUEST_DIR / "blinky.cwasm").read_bytes())
    blob[-1] ^= 0xFF
    bad = tmp_path / "bad.cwasm"
    bad.write_bytes(bytes(blob))
    code, out, err = run_cli(capsys, "run", str(firmware["loader"]), "--upload", str(bad),
                             "--fail-on-uart", "rejected", "--seconds", "5")
    assert code == 1
    assert "payload CRC mismatch" in err.splitlines()[0] and "the loader will refuse it" in err
    assert "uart0: loader: upload guest rejected: payload CRC mismatch" in out
    assert err.splitlines()[-1] == "rp2350-emu: failed: UART0 sent 'rejected' (--fail-on-uart)"


@pytest.mark.parametrize(("args", "expected"), [
    (["--upload", "missing.cwasm"], "--upload missing.cwasm: cannot read the guest"),
    (["--guest", "build/wasm/blinky.wasm"], "compile it first: rp2350-emu guest compile"),
])
def test_bad_guest_files_are_one_line(capsys, firmware, args: list[str], expected: str) -> None:
    code, _, err = run_cli(capsys, "run", str(firmware["loader"]), *[str(REPO / a) if a.startswith("build")
                                                                    else a for a in args])
    assert code == 2
    assert err.count("\n") == 1 and expected in err


def test_upload_to_an_image_that_is_not_the_loader_fails_in_one_line(capsys, firmware) -> None:
    code, _, err = run_cli(capsys, "run", str(firmware["blinky"]), "--upload", str(GUEST_DIR / "blinky.cwasm"),
                           "--seconds", "0.5")
    assert code == 1
    assert err == ("rp2350-emu: upload failed: the loader did not print 'loader: ready for upload (protocol 1)' "
                   "before the end of the run (is this the loader image, with no guest still running?)\n")
