#!/usr/bin/env python3
"""Check and size the firmware ELFs: vector table at 0x10000000 with an
initial SP in SRAM, an IMAGE_DEF block in the first 4 KiB, an embedded
pulley32 Wasmtime artifact; print flash and static RAM per image.

Usage: scripts/firmware-report.py build/*.elf   (exit 1 if a check fails)
"""

from __future__ import annotations

import struct
import sys

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

FLASH = (0x10000000, 0x10000000 + 4 * 1024 * 1024)
SRAM = (0x20000000, 0x20082000)
PICOBIN_BLOCK_START = 0xFFFFDED3
PICOBIN_BLOCK_END = 0xAB123579


def flash_image(elf: ELFFile) -> bytearray:
    """The bytes programmed into flash, from the segments' load addresses."""
    image = bytearray()
    for seg in elf.iter_segments():
        if seg["p_type"] != "PT_LOAD" or not seg["p_filesz"]:
            continue
        lma = seg["p_paddr"]
        if not FLASH[0] <= lma < FLASH[1]:
            continue
        off = lma - FLASH[0]
        if len(image) < off + seg["p_filesz"]:
            image.extend(b"\xff" * (off + seg["p_filesz"] - len(image)))
        image[off:off + seg["p_filesz"]] = seg.data()
    return image


def check(path: str) -> tuple[list[str], int, int]:
    problems: list[str] = []
    with open(path, "rb") as f:
        elf = ELFFile(f)
        if elf["e_machine"] != "EM_ARM":
            return [f"not an Arm ELF ({elf['e_machine']})"], 0, 0
        image = flash_image(elf)
        ram = 0
        for sec in elf.iter_sections():
            if sec["sh_flags"] & SH_FLAGS.SHF_ALLOC and SRAM[0] <= sec["sh_addr"] < SRAM[1]:
                ram += sec["sh_size"]
    if len(image) < 8:
        return ["no flash image at 0x10000000"], 0, ram
    sp, reset = struct.unpack_from("<II", image, 0)
    if not SRAM[0] < sp <= SRAM[1]:
        problems.append(f"initial SP 0x{sp:08x} is not in SRAM")
    if not (FLASH[0] <= reset < FLASH[1] and reset & 1):
        problems.append(f"reset vector 0x{reset:08x} is not a Thumb address in flash")
    words = struct.unpack_from(f"<{min(len(image), 4096) // 4}I", image, 0)
    if PICOBIN_BLOCK_START not in words:
        problems.append("no IMAGE_DEF block (picobin start marker) in the first 4 KiB")
    else:
        start = words.index(PICOBIN_BLOCK_START)
        if PICOBIN_BLOCK_END not in words[start:]:
            problems.append("IMAGE_DEF block has no end marker in the first 4 KiB")
    if b"pulley32" not in image:
        problems.append("no embedded pulley32 Wasmtime artifact")
    return problems, len(image), ram


def main(argv: list[str]) -> int:
    failed = False
    print(f"{'image':<22}{'flash':>12}{'static RAM':>14}")
    for path in argv:
        problems, flash, ram = check(path)
        print(f"{path:<22}{flash:>9} B {ram:>11} B")
        for p in problems:
            print(f"  error: {path}: {p}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
