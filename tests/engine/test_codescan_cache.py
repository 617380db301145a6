"""The code scan's disk cache: the same sites as a fresh scan, and a broken or
unwritable cache is ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from rp2350_emu.core import codescan

# nop; sev; subs r3, #1; bne .-2; cpsie i; vadd.f32 s0, s0, s0
CODE = bytes.fromhex("00bf40bf013bfdd162b630ee000a")
RANGES = [(0x10000000, CODE)]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RP2350_EMU_CACHE", str(tmp_path / "cache"))
    codescan._SCAN_CACHE.clear()
    return tmp_path / "cache"


def test_sites_come_back_from_disk_unchanged(cache: Path) -> None:
    fresh = codescan._scan_code(RANGES)
    assert fresh[1] == {0x10000002} and fresh[2] == {0x10000004: 3} and 0x10000008 in fresh[3]
    assert codescan.scan_cached(RANGES) == fresh
    (file,) = cache.iterdir()
    codescan._SCAN_CACHE.clear()
    assert codescan.scan_cached(RANGES) == fresh  # read back from the file
    file.write_bytes(b"not marshal")
    codescan._SCAN_CACHE.clear()
    assert codescan.scan_cached(RANGES) == fresh  # broken file: scanned again


def test_other_code_gets_its_own_entry(cache: Path) -> None:
    codescan.scan_cached(RANGES)
    codescan.scan_cached([(0x10000000, CODE[:4])])
    assert len(list(cache.iterdir())) == 2


def test_an_unwritable_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("RP2350_EMU_CACHE", str(blocker / "sub"))
    codescan._SCAN_CACHE.clear()
    assert codescan.scan_cached(RANGES) == codescan._scan_code(RANGES)
