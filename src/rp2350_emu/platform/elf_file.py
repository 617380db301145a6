"""A strict reader of 32-bit little-endian Arm ELF files: header, loadable segments, symbol tables.

Every malformed input becomes one ConfigError that says what is wrong and
where (a truncated file says "truncated" and how far it falls short), and
no segment is materialised before its size has been checked.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from rp2350_emu.errors import ConfigError

EHDR = struct.Struct("<HHIIIIIHHHHHH")  # after the 16 bytes of e_ident
PHDR = struct.Struct("<8I")
SHDR = struct.Struct("<10I")
SYM = struct.Struct("<IIIBBH")
EM_ARM = 40
PT_LOAD = 1
SHT_SYMTAB = 2
#: no RP2350 memory is larger: a segment bigger than this is a broken file, not firmware
MAX_SEGMENT = 16 * 1024 * 1024
_MACHINES = {3: "EM_386 (x86)", 8: "EM_MIPS", 20: "EM_PPC", 40: "EM_ARM", 62: "EM_X86_64",
             183: "EM_AARCH64 (64-bit Arm)", 243: "EM_RISCV (RISC-V)", 0: "EM_NONE"}


@dataclass(frozen=True)
class ProgramHeader:
    index: int
    type: int
    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int
    flags: int


@dataclass(frozen=True)
class RawSymbol:
    name: str
    value: int
    size: int
    info: int
    shndx: int


class ElfFile:
    """The parts of an ELF the engine needs, read and checked from bytes."""

    def __init__(self, raw: bytes, where: str) -> None:
        self.raw, self.where = raw, where
        if raw[:4] != b"\x7fELF":
            raise self._fail(f"not an ELF file (starts with {raw[:4]!r}, expected b'\\x7fELF')")
        if len(raw) < 16 + EHDR.size:
            raise self._fail(f"truncated: {len(raw)} bytes, an ELF header needs {16 + EHDR.size}")
        if raw[4] == 2:
            raise self._fail("64-bit ELF (ELFCLASS64), expected a 32-bit Arm image")
        if raw[4] != 1:
            raise self._fail(f"unknown ELF class {raw[4]}, expected 1 (32-bit)")
        if raw[5] == 2:
            raise self._fail("big-endian ELF (ELFDATA2MSB), expected a little-endian Arm image "
                             "(the RP2350's Cortex-M33 runs little-endian code)")
        if raw[5] != 1:
            raise self._fail(f"unknown ELF data encoding {raw[5]}, expected 1 (little-endian)")
        (_type, machine, _version, self.entry, phoff, shoff, _flags, _ehsize, phentsize, phnum,
         shentsize, shnum, _shstrndx) = EHDR.unpack_from(raw, 16)
        if machine != EM_ARM:
            raise self._fail(f"ELF for {_MACHINES.get(machine, f'machine {machine}')}, expected EM_ARM "
                             "(a 32-bit Arm image)")
        self.program_headers = self._program_headers(phoff, phentsize, phnum)
        self.section_headers = self._section_headers(shoff, shentsize, shnum)

    def _fail(self, what: str) -> ConfigError:
        return ConfigError(f"{self.where}: {what}")

    def _table(self, what: str, offset: int, entsize: int, count: int, needed: int) -> None:
        if count and entsize < needed:
            raise self._fail(f"{what} entries are {entsize} bytes, expected {needed}")
        end = offset + entsize * count
        if end > len(self.raw):
            raise self._fail(f"truncated: the {what} end at byte {end}, the file has {len(self.raw)} "
                             f"({end - len(self.raw)} missing)")

    def _program_headers(self, offset: int, entsize: int, count: int) -> list[ProgramHeader]:
        self._table("program headers", offset, entsize, count, PHDR.size)
        out = []
        for i in range(count):
            p_type, p_offset, vaddr, paddr, filesz, memsz, flags, _align = \
                PHDR.unpack_from(self.raw, offset + i * entsize)
            if p_type == PT_LOAD and memsz:
                if filesz > memsz:
                    raise self._fail(f"segment {i}: {filesz} file bytes but p_memsz {memsz}")
                if memsz > MAX_SEGMENT:
                    raise self._fail(f"segment {i} at 0x{paddr:08x} wants 0x{memsz:x} bytes, more than any "
                                     f"RP2350 memory (at most 0x{MAX_SEGMENT:x})")
                if p_offset + filesz > len(self.raw):
                    raise self._fail(f"truncated: segment {i}'s bytes end at {p_offset + filesz}, the file "
                                     f"has {len(self.raw)} ({p_offset + filesz - len(self.raw)} missing)")
            out.append(ProgramHeader(i, p_type, p_offset, vaddr, paddr, filesz, memsz, flags))
        return out

    def _section_headers(self, offset: int, entsize: int, count: int) -> list[tuple[int, ...]]:
        if offset == 0:
            return []
        self._table("section headers", offset, entsize, count, SHDR.size)
        return [SHDR.unpack_from(self.raw, offset + i * entsize) for i in range(count)]

    def load_segments(self) -> list[tuple[ProgramHeader, bytes]]:
        """(header, file bytes padded with zeros to p_memsz) of each non-empty PT_LOAD segment."""
        return [(ph, self.raw[ph.offset:ph.offset + ph.filesz].ljust(ph.memsz, b"\0"))
                for ph in self.program_headers if ph.type == PT_LOAD and ph.memsz]

    def symbols(self) -> list[RawSymbol]:
        """Every named entry of every symbol table (a table out of the file: truncated)."""
        out: list[RawSymbol] = []
        size = len(self.raw)
        for index, sh in enumerate(self.section_headers):
            _name, sh_type, _flags, _addr, sh_offset, sh_size, sh_link, _info, _align, _entsize = sh
            if sh_type != SHT_SYMTAB:
                continue
            if sh_offset + sh_size > size or sh_link >= len(self.section_headers):
                raise self._fail(f"truncated: symbol table (section {index}) runs past the end of the file")
            strtab = self.section_headers[sh_link]
            strings = self.raw[strtab[4]:strtab[4] + strtab[5]]
            table = self.raw[sh_offset:sh_offset + sh_size - sh_size % SYM.size]
            for st_name, value, sym_size, info, _other, shndx in SYM.iter_unpack(table):
                if not st_name:
                    continue
                end = strings.find(b"\0", st_name)
                name = strings[st_name:end if end >= 0 else len(strings)].decode("utf-8", "replace")
                out.append(RawSymbol(name, value, sym_size, info, shndx))
        return out
