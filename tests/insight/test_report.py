"""`rp2350-emu report`: the measured figures, and the claims printed beside them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from rp2350_emu.cli.main import main
from rp2350_emu.errors import ConfigError
from rp2350_emu.insight.measure import PAINT, MemoryPainter, expected_crc, percentile
from tests.insight.helpers import boot


def test_report_prints_claims_beside_measured_figures(firmware: dict[str, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    assert main(["report", str(firmware["blinky"]), str(firmware["uart-echo"]), str(firmware["compute"]),
                 "--seconds", "2.2", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    claims = text[text.index("Seed claims"):]
    for claim in ("RAM ~300 KiB", "~5 µs per host call", "Pulley 20-50x slower than native"):
        assert claim in claims
    figures = {Path(e["elf"]).stem: e for e in json.loads(out.read_text())["elfs"]}
    blinky, echo, compute = figures["blinky"], figures["uart-echo"], figures["compute"]
    for r in (blinky, echo, compute):
        # the guest's 64 KiB linear memory alone is on the heap; the arena is 256 KiB
        assert 64 * 1024 < r["heap_high_water"] < 256 * 1024
        assert 1024 < r["stack_high_water"] < 64 * 1024
        assert r["ram_in_use"] == (r["sizes"]["static_ram"] - r["sizes"]["heap_arena"] + r["heap_high_water"]
                                   + r["stack_high_water"])
        assert 0 < r["first_call_ns"] < 500_000_000
    overhead = blinky["call_overhead"]
    assert overhead["count"] == 8 and 300 < overhead["median"] < 10_000  # 9 completed calls in 2.2 s
    assert echo["per_import"]["uart.read-byte"]["count"] == 44  # the default input, one read per byte
    c = compute["compute"]
    assert c["native_crc"] == c["pulley_crc"] == expected_crc()
    assert f"compute: pulley crc32 0x{expected_crc():08x}" in compute["uart"]
    assert 5 < compute["pulley_ratio"] < 200
    host = compute["host"]
    assert host["cranelift"]["crc"] == host["pulley64"]["crc"] == expected_crc()
    assert host["cranelift"]["wasm_insns"] == host["pulley64"]["wasm_insns"] > 1_000_000
    measured_ratio = f"{c['pulley_insns'] / c['native_insns']:.1f}x"
    assert measured_ratio in claims


def test_painted_memory_shows_the_highest_write(firmware: dict[str, Path]) -> None:
    machine = boot(firmware["blinky"])
    painter = MemoryPainter(machine).arm()
    machine.run_for(200_000_000)
    assert painter.painted_below is not None
    mark = painter.heap_high_water()
    uc = machine.cpu.uc
    assert uc.mem_read(painter.heap_base + mark, 16) == bytes([PAINT]) * 16
    uc.mem_write(painter.heap_base + mark + 100, b"\x00")  # a write above the mark moves it
    assert painter.heap_high_water() == mark + 101
    stack = painter.stack_high_water()
    uc.mem_write(painter.stack_top - stack - 50, b"\x00")
    assert painter.stack_high_water() == stack + 50


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 99) == 99
    assert percentile(values, 50) == 50
    assert percentile([7], 99) == 7


def test_the_heap_arena_is_found_by_name_or_given(firmware) -> None:
    from rp2350_emu.cli.insight import heap_spec
    from rp2350_emu.insight.measure import find_heap_arena

    machine = boot(firmware["blinky"])
    base, size = find_heap_arena(machine)
    heap_mem = next(a for n, a in machine.symbols.items() if n.split(".llvm.")[0].endswith("8HEAP_MEM"))
    assert (base, size) == (heap_mem, 256 * 1024)
    assert (MemoryPainter(machine, (0x20010000, 0x1000)).heap_base, heap_spec("0x20010000:4096")) == \
        (0x20010000, (0x20010000, 4096))
    with pytest.raises(argparse.ArgumentTypeError, match="expected ADDR:SIZE"):
        heap_spec("0x2000")
    machine.symbols._by_name = {n: a for n, a in machine.symbols.items() if "HEAP" not in n.upper()}
    with pytest.raises(ConfigError, match=r"no heap arena symbol found .* --heap ADDR:SIZE"):
        find_heap_arena(machine)


def test_report_on_the_loader_measures_each_guest_and_its_upload(firmware: dict[str, Path], tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The loader carries no guest: report runs it once per guest from the partition (host calls traced at
    loader::host::*) and times each upload; next to the guest's own image when that is measured too."""
    guests = firmware["loader"].parent / "guest"
    out = tmp_path / "loader.json"
    assert main(["report", str(firmware["blinky"]), str(firmware["loader"]), "--guest", str(guests / "blinky.cwasm"),
                 "--guest", str(guests / "uart-echo.cwasm"), "--seconds", "1.2", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    runs = {e["label"]: e for e in json.loads(out.read_text())["elfs"]}
    own = runs["blinky.elf"]
    blinky = runs["loader.elf + blinky.cwasm (flash partition)"]
    echo = runs["loader.elf + uart-echo.cwasm (flash partition)"]
    assert blinky["guest"] == "blinky" and "loader: flash guest accepted" in blinky["uart"]
    # the same guest makes the same calls on the loader: set-high/low and delay-ms, with the pin it names
    assert set(blinky["per_import"]) == set(own["per_import"]) == {"gpio.set-high", "gpio.set-low",
                                                                      "timing.delay-ms"}
    assert blinky["per_import"]["gpio.set-high"]["count"] == own["per_import"]["gpio.set-high"]["count"] == 2
    # the loader checks the package before the guest's first call: later than the image, by < 20 ms
    assert own["first_call_ns"] < blinky["first_call_ns"] < own["first_call_ns"] + 20_000_000
    assert 64 * 1024 < blinky["heap_high_water"] < 256 * 1024
    # the input reaches the guest, not the loader's frame reader: one read per byte, each echoed
    assert echo["per_import"]["uart.read-byte"]["count"] == 44
    assert "The quick brown fox jumps over the lazy dog" in echo["uart"]
    for run in (blinky, echo):
        up = run["upload"]
        raw_ms = up["bytes"] * 10 / up["baud"] * 1e3
        # stop-and-wait frames and acks cost more than the bare bits, but not twice as much
        assert raw_ms < up["ns"] / 1e6 < 2 * raw_ms and up["retries"] == 0
        assert f"upload of {run['guest']}.cwasm: {up['ns'] / 1e6:.0f} ms" in text
    table = text[text.index("Loader image with each guest"):]
    assert "blinky" in table and "uart-echo" in table and "largest on the loader: " in table


def test_report_guest_option_needs_the_loader(firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(firmware["blinky"]), "--guest", "build/guest/blinky.cwasm"]) == 2
    err = capsys.readouterr().err
    assert "--guest: none of the ELFs is the loader image" in err and "Traceback" not in err


@pytest.mark.parametrize(("content", "expected"), [
    (b"garbage", "not an ELF file"),
    (b"\x7fELF\x02\x01\x01" + bytes(57), "expected a 32-bit Arm image"),
    (b"\x7fELF\x01\x01\x01", "truncated: 7 bytes, an ELF header needs 52"),
])
def test_report_on_a_file_that_is_not_an_image_is_one_line(tmp_path: Path, content: bytes, expected: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.elf"
    bad.write_bytes(content)
    assert main(["report", str(bad), "--seconds", "1"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
