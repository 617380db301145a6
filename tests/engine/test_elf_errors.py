"""Bad firmware files: one ConfigError naming the file and what is wrong."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.elf import FirmwareImage
from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import PLATFORM


@pytest.fixture(scope="module")
def machine() -> Machine:
    return Machine.from_repl(PLATFORM)


def load_error(machine: Machine, path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        machine.load_elf(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


def test_missing_file(machine, tmp_path):
    assert load_error(machine, tmp_path / "nope.elf").endswith(": no such file")


def test_not_an_elf(machine, tmp_path):
    path = tmp_path / "notes.elf"
    path.write_text("just text\n")
    assert re.search(r"not an ELF file \(starts with b'just'", load_error(machine, path))


def test_host_elf_is_the_wrong_machine(machine, tmp_path):
    host = shutil.which("true") or "/bin/true"
    path = tmp_path / "true"
    shutil.copy(host, path)
    message = load_error(machine, path)
    assert "64-bit ELF (ELFCLASS64), expected a 32-bit Arm image" in message


def test_32_bit_elf_of_another_machine(machine, tmp_path, elf_dir):
    raw = bytearray((elf_dir / "uart.elf").read_bytes())
    raw[18:20] = (243).to_bytes(2, "little")  # e_machine = RISC-V
    path = tmp_path / "riscv.elf"
    path.write_bytes(bytes(raw))
    assert "ELF for EM_RISCV (RISC-V), expected EM_ARM (a 32-bit Arm image)" in load_error(machine, path)


def test_big_endian_elf_says_so(machine, tmp_path, elf_dir):
    raw = bytearray((elf_dir / "uart.elf").read_bytes())
    raw[5] = 2  # EI_DATA = ELFDATA2MSB
    path = tmp_path / "be.elf"
    path.write_bytes(bytes(raw))
    assert "big-endian ELF (ELFDATA2MSB), expected a little-endian Arm image" in load_error(machine, path)


def test_huge_segment_is_refused_before_it_is_built(machine, tmp_path, elf_dir):
    import struct

    raw = bytearray((elf_dir / "uart.elf").read_bytes())
    phoff = struct.unpack_from("<I", raw, 28)[0]
    struct.pack_into("<I", raw, phoff + 20, 0x80000000)  # p_memsz of the first segment: 2 GiB
    path = tmp_path / "huge.elf"
    path.write_bytes(bytes(raw))
    assert "wants 0x80000000 bytes, more than any RP2350 memory" in load_error(machine, path)


def test_truncated_elf(machine, tmp_path, elf_dir):
    path = tmp_path / "cut.elf"
    path.write_bytes((elf_dir / "uart.elf").read_bytes()[:100])
    assert "cut.elf: truncated: the program headers end at byte" in load_error(machine, path)


def test_truncated_segment_data(machine, tmp_path, elf_dir):
    raw = (elf_dir / "uart.elf").read_bytes()
    path = tmp_path / "cut.elf"
    path.write_bytes(raw[:1000])
    assert re.search(r"truncated: segment \d+'s bytes end at \d+, the file has 1000", load_error(machine, path))


def test_no_vector_table_at_flash_base(machine, elf_dir):
    message = load_error(machine, elf_dir / "no_vectors.elf")
    assert "no vector table at flash base 0x10000000" in message


def test_no_image_def(machine, elf_dir):
    message = load_error(machine, elf_dir / "no_image_def.elf")
    assert "no valid IMAGE_DEF in the first 4096 bytes of flash" in message


def test_image_def_for_another_chip(tmp_path, elf_dir):
    data = bytearray((elf_dir / "uart.elf").read_bytes())
    at = data.find(bytes.fromhex("42012110"))  # IMAGE_TYPE item: chip RP2350 in flags 0x1021
    assert at > 0
    data[at + 3] = 0x00  # chip field 0 = RP2040
    path = tmp_path / "rp2040.elf"
    path.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match=r"IMAGE_DEF at \+0x[0-9a-f]+ is for chip 0, expected RP2350"):
        FirmwareImage(path, 0x10000000, 0x400000)


def test_good_image_boots_like_the_bootrom(machine, elf_dir):
    machine.load_elf(elf_dir / "uart.elf")
    image = machine.image
    assert image is not None and image.image_def.is_secure_arm_exe
    assert machine.cpu.vtor == 0x10000000
    assert machine.cpu.sp == image.vector_sp == 0x20080000
    assert machine.cpu.pc == image.entry & ~1 == machine.get_symbol_address("Reset_Handler")
    assert machine.cpu.current_exception() == 0  # thread mode
    assert machine.scs.scb.cpacr == 0xC000  # CP7 as the bootrom leaves it
