"""Firmware files: every broken, foreign or cut ELF is named with what is wrong, before anything runs."""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.helpers import assert_clean, cli, contents, one_line

FLASH = 0x10000000


def _u32(raw: bytearray, at: int, value: int) -> None:
    struct.pack_into("<I", raw, at, value)


def _u16(raw: bytearray, at: int, value: int) -> None:
    struct.pack_into("<H", raw, at, value)


def _phdr(raw: bytearray, index: int) -> int:
    return struct.unpack_from("<I", raw, 28)[0] + 32 * index


def _flash_segment(raw: bytearray) -> int:
    """File offset of the bytes loaded at the flash base (the vector table)."""
    phnum = struct.unpack_from("<H", raw, 44)[0]
    for i in range(phnum):
        p_type, offset, _vaddr, paddr = struct.unpack_from("<4I", raw, _phdr(raw, i))
        if p_type == 1 and paddr == FLASH:
            return offset
    raise AssertionError("no segment at the flash base")


def _vector(index: int, value: int) -> Callable[[bytearray], bytearray]:
    def patch(raw: bytearray) -> bytearray:
        _u32(raw, _flash_segment(raw) + 4 * index, value)
        return raw
    return patch


def _set(at: int, value: int, size: int = 1) -> Callable[[bytearray], bytearray]:
    def patch(raw: bytearray) -> bytearray:
        raw[at:at + size] = value.to_bytes(size, "little")
        return raw
    return patch


def _segment_field(field: int, value: int) -> Callable[[bytearray], bytearray]:
    def patch(raw: bytearray) -> bytearray:
        _u32(raw, _phdr(raw, 0) + field, value)
        return raw
    return patch


def _cut(size: int) -> Callable[[bytearray], bytearray]:
    return lambda raw: raw[:size]


def _zap_image_def(raw: bytearray) -> bytearray:
    at = raw.find(struct.pack("<I", 0xFFFFDED3))
    raw[at:at + 4] = b"\0\0\0\0"
    return raw


def _other_chip(raw: bytearray) -> bytearray:
    at = raw.find(bytes.fromhex("42012110"))
    raw[at + 3] = 0
    return raw


def _huge_symtab(raw: bytearray) -> bytearray:
    shoff, = struct.unpack_from("<I", raw, 32)
    shnum, = struct.unpack_from("<H", raw, 48)
    for i in range(shnum):
        if struct.unpack_from("<I", raw, shoff + 40 * i + 4)[0] == 2:  # SHT_SYMTAB
            _u32(raw, shoff + 40 * i + 20, 0x7FFFFFFF)
            return raw
    raise AssertionError("no symbol table")


# (id, how the good image is broken, key words of the one line)
CASES: list[tuple[str, Callable[[bytearray], bytearray], list[str]]] = [
    ("empty", lambda raw: bytearray(), ["not an ELF file", "expected b'\\x7fELF'"]),
    ("text", lambda raw: bytearray(b"hello, world\n"), ["not an ELF file (starts with b'hell'"]),
    ("only-magic", _cut(10), ["truncated: 10 bytes, an ELF header needs 52"]),
    ("cut-in-program-headers", _cut(60), ["truncated: the program headers end at byte"]),
    ("cut-in-segment", _cut(1000), ["truncated: segment", "the file has 1000", "missing"]),
    ("cut-in-half", lambda raw: raw[:len(raw) // 2], ["truncated"]),
    ("cut-one-byte", lambda raw: raw[:-1], ["truncated"]),
    ("64-bit", _set(4, 2), ["64-bit ELF (ELFCLASS64), expected a 32-bit Arm image"]),
    ("class-0", _set(4, 0), ["unknown ELF class 0, expected 1 (32-bit)"]),
    ("big-endian", _set(5, 2), ["big-endian ELF (ELFDATA2MSB)", "little-endian"]),
    ("data-3", _set(5, 3), ["unknown ELF data encoding 3"]),
    ("risc-v", _set(18, 243, 2), ["ELF for EM_RISCV (RISC-V), expected EM_ARM"]),
    ("x86", _set(18, 3, 2), ["ELF for EM_386 (x86), expected EM_ARM"]),
    ("machine-9999", _set(18, 9999, 2), ["ELF for machine 9999, expected EM_ARM"]),
    ("phentsize-8", _set(42, 8, 2), ["program headers entries are 8 bytes, expected 32"]),
    ("phnum-65535", _set(44, 0xFFFF, 2), ["truncated"]),
    ("phoff-past-end", _set(28, 0x7FFFFFF0, 4), ["truncated: the program headers end at byte"]),
    ("shoff-past-end", _set(32, 0x7FFFFFF0, 4), ["truncated: the section headers end at byte"]),
    ("symtab-past-end", _huge_symtab, ["truncated: symbol table", "runs past the end of the file"]),
    ("memsz-2GiB", _segment_field(20, 0x80000000), ["wants 0x80000000 bytes, more than any RP2350 memory"]),
    ("memsz-4GiB", _segment_field(20, 0xFFFFFFFF), ["wants 0xffffffff bytes"]),
    ("filesz-over-memsz", _segment_field(16, 0x7FFFFFF0), ["file bytes but p_memsz"]),
    ("segment-past-flash", _segment_field(12, FLASH + 0x3FFFF0),
     ["does not fit in flash (0x10000000, +0x400000)"]),
    ("segment-unmapped", _segment_field(12, 0x60000000), ["segment at 0x60000000", "is not mapped", ".repl"]),
    ("no-vector-table", _segment_field(12, FLASH + 0x1000), ["no vector table at flash base 0x10000000"]),
    ("reset-no-thumb", _vector(1, FLASH + 0x100), ["reset vector 0x10000100", "has no Thumb bit"]),
    ("reset-unmapped", _vector(1, 0x90000001), ["reset vector 0x90000001", "nothing is mapped", "flash or RAM"]),
    ("reset-all-ones", _vector(1, 0xFFFFFFFF), ["reset vector 0xffffffff", "nothing is mapped"]),
    ("sp-unmapped", _vector(0, 0x70000000), ["initial stack pointer 0x70000000", "not RAM"]),
    ("no-image-def", _zap_image_def, ["no valid IMAGE_DEF in the first 4096 bytes of flash"]),
    ("image-def-rp2040", _other_chip, ["is for chip 0, expected RP2350 (1)"]),
]


@pytest.mark.parametrize(("break_it", "phrases"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_bad_elf_is_refused_with_one_line(firmware, tmp_path, break_it, phrases):
    elf = tmp_path / "bad.elf"
    elf.write_bytes(bytes(break_it(bytearray(firmware["uart-echo"].read_bytes()))))
    before = contents(tmp_path)
    outcome = cli("run", elf, "--seconds", "0.01", timeout=20)
    for phrase in [f"{elf}: ", *phrases]:
        assert_clean(outcome, 2, phrase)
    assert one_line(outcome) == outcome.err.strip()  # one line
    assert contents(tmp_path) == before


def test_host_program_is_not_firmware(tmp_path):
    host = Path(shutil.which("true") or "/bin/true")
    outcome = cli("run", host, "--seconds", "0.01")
    assert_clean(outcome, 2, "64-bit ELF (ELFCLASS64), expected a 32-bit Arm image")


def test_platform_file_given_as_the_elf(tmp_path):
    outcome = cli("run", Path(__file__).resolve().parents[2] / "platforms" / "boards" / "pico2.repl")
    assert_clean(outcome, 2, "not an ELF file (starts with b'// P'")
