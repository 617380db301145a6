"""Firmware ELF files: validation, loadable segments, symbols.

Validation happens before anything touches the emulated machine, so a wrong
file gives one clear ConfigError naming the file and the problem instead of
a fault deep inside a run.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from pathlib import Path

from rp2350_emu.errors import ConfigError
from rp2350_emu.platform.elf_file import ElfFile, RawSymbol

#: RP2350 "picobin" block markers and items (datasheet 5.9, picobin.h)
PICOBIN_START = 0xFFFFDED3
PICOBIN_END = 0xAB123579
ITEM_IMAGE_TYPE = 0x42
ITEM_LAST = 0xFF
#: the bootrom searches this many bytes at the start of flash for a block
IMAGE_DEF_WINDOW = 4096

PF_X = 1
# ELF constants (st_info type / binding, special section indices)
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
SHN_UNDEF, SHN_ABS = 0, 0xFFF1
_BIND_RANK = {STB_WEAK: 0, STB_LOCAL: 1, STB_GLOBAL: 2}


@dataclass(frozen=True)
class Segment:
    address: int  # load (physical) address: where the bytes are put at boot
    data: bytes  # file bytes followed by zeros up to p_memsz
    executable: bool
    run_address: int  # virtual address: where the code executes


@dataclass(frozen=True)
class ImageDef:
    offset: int  # byte offset of the block start marker from the image base
    image_type: int  # the IMAGE_TYPE flags (16 bits)

    @property
    def is_secure_arm_exe(self) -> bool:
        flags = self.image_type
        return (flags & 0xF) == 1 and ((flags >> 4) & 3) == 2 and ((flags >> 8) & 7) == 0

    @property
    def chip(self) -> int:
        return (self.image_type >> 12) & 7


class SymbolTable:
    """Address -> "symbol+0xoff" for error messages; name -> address."""

    def __init__(self, symbols: dict[str, int], sized: list[tuple[int, int, int, str]]) -> None:
        self._by_name = symbols
        self._sorted = [(start, size, name) for start, _rank, size, name in sorted(sized)]
        self._starts = [s[0] for s in self._sorted]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def address(self, name: str) -> int:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no symbol named {name!r} in the ELF") from None

    get_symbol_address = address

    def items(self) -> list[tuple[str, int]]:
        """Every (name, address), for searches by pattern (wit_trace.py)."""
        return list(self._by_name.items())

    def size_of(self, name: str) -> int:
        """st_size of the symbol called `name` (0 if unsized or unknown)."""
        address = self._by_name.get(name)
        for start, size, sym in self._sorted:
            if sym == name and start == address:
                return size
        return 0

    def lookup(self, address: int) -> str:
        """Nearest symbol at or below `address`, as "name+0xoff" ("" if none)."""
        i = bisect.bisect_right(self._starts, address) - 1
        if i < 0:
            return ""
        start, size, name = self._sorted[i]
        off = address - start
        if size and off >= size:
            # past the end of a sized symbol: still name it, but mark it as a
            # guess (a padding gap or an unnamed function follows)
            return f"{name}+0x{off:x}?"
        return f"{name}+0x{off:x}" if off else name


class FirmwareImage:
    """A validated RP2350 Arm firmware ELF."""

    def __init__(self, path: str | Path, flash_base: int, flash_size: int,
                 memories: list[tuple[int, int]] | None = None) -> None:
        self.path = Path(path)
        self.segments: list[Segment] = []
        #: (base, size) of the platform's memories; None: not checked
        self.memories = memories
        self._read(flash_base, flash_size)

    # -- loading --------------------------------------------------------------
    def _fail(self, what: str) -> ConfigError:
        return ConfigError(f"{self.path}: {what}")

    def _read(self, flash_base: int, flash_size: int) -> None:
        if not self.path.exists():
            raise self._fail("no such file")
        if not self.path.is_file():
            raise self._fail("not a regular file")
        elf = ElfFile(self.path.read_bytes(), str(self.path))
        for ph, data in elf.load_segments():
            # load at the physical address: .data lives in flash (LMA) and
            # the reset handler copies it to RAM itself
            self.segments.append(Segment(ph.paddr, data, bool(ph.flags & PF_X), ph.vaddr))
        self.symbols = self._symbols(elf.symbols())
        self._check_boot(flash_base, flash_size)

    @staticmethod
    def _symbols(raw: list[RawSymbol]) -> SymbolTable:
        """Names and sized symbols (a Rust image has thousands: read straight from Elf32_Sym)."""
        names: dict[str, int] = {}
        sized: list[tuple[int, int, int, str]] = []
        for sym in raw:
            kind = sym.info & 0xF
            if sym.shndx == SHN_UNDEF or kind in (STT_SECTION, STT_FILE) or sym.name.startswith("$"):
                continue  # "$t"/"$d" are Arm mapping symbols, not names
            value = sym.value & ~1 if kind == STT_FUNC else sym.value  # Thumb bit
            names.setdefault(sym.name, value)
            if kind in (STT_FUNC, STT_OBJECT, STT_NOTYPE) and sym.shndx != SHN_ABS:
                # several names at one address (weak aliases of a default
                # handler): the strong, typed one sorts last and wins
                rank = _BIND_RANK.get(sym.info >> 4, 0) * 2 + (kind != STT_NOTYPE)
                sized.append((value, rank, sym.size, sym.name))
        return SymbolTable(names, sized)

    # -- boot checks ----------------------------------------------------------
    def read(self, address: int, size: int) -> bytes | None:
        """Bytes of the loaded image at `address`, or None if not all loaded."""
        for seg in self.segments:
            if seg.address <= address and address + size <= seg.address + len(seg.data):
                off = address - seg.address
                return seg.data[off:off + size]
        return None

    def word(self, address: int) -> int | None:
        data = self.read(address, 4)
        return None if data is None else struct.unpack("<I", data)[0]

    def _mapped(self, address: int, end: int | None = None) -> bool:
        last = address if end is None else end - 1
        return self.memories is None or any(base <= address and last < base + size for base, size in self.memories)

    def _check_boot(self, flash_base: int, flash_size: int) -> None:
        for seg in self.segments:
            end = seg.address + len(seg.data)
            if flash_base <= seg.address < flash_base + flash_size and end > flash_base + flash_size:
                raise self._fail(f"segment at 0x{seg.address:08x} (+0x{len(seg.data):x}) does not fit "
                                 f"in flash (0x{flash_base:08x}, +0x{flash_size:x})")
            if not self._mapped(seg.address, end):
                raise self._fail(f"segment at 0x{seg.address:08x} (+0x{len(seg.data):x}) is not mapped: no "
                                 "memory of the platform (.repl) holds it; expected flash or RAM addresses")
        sp, reset = self.word(flash_base), self.word(flash_base + 4)
        if sp is None or reset is None:
            raise self._fail(f"no vector table at flash base 0x{flash_base:08x} "
                             "(nothing is loaded there; expected initial SP and reset vector)")
        if not reset & 1:
            raise self._fail(f"reset vector 0x{reset:08x} at 0x{flash_base + 4:08x} has no Thumb bit; "
                             "expected a vector table at flash base")
        if not self._mapped(reset & ~1):
            raise self._fail(f"reset vector 0x{reset:08x} at 0x{flash_base + 4:08x} points where nothing is "
                             "mapped; expected an address in flash or RAM (the image's reset handler)")
        if self.memories is not None and not any(base < sp <= base + size for base, size in self.memories):
            raise self._fail(f"initial stack pointer 0x{sp:08x} at 0x{flash_base:08x} is not RAM (nothing is "
                             "mapped below it); expected the top of the stack in SRAM")
        self.vector_sp, self.entry = sp, reset
        self.image_def = self._find_image_def(flash_base)

    def _find_image_def(self, base: int) -> ImageDef:
        window = b"".join(
            (self.read(base + off, 4) or b"\0\0\0\0") for off in range(0, IMAGE_DEF_WINDOW, 4))
        words = struct.unpack(f"<{IMAGE_DEF_WINDOW // 4}I", window)
        problems: list[str] = []
        for i, word in enumerate(words):
            if word != PICOBIN_START:
                continue
            result = self._parse_block(words, i)
            if isinstance(result, ImageDef):
                if result.chip != 1:
                    problems.append(f"IMAGE_DEF at +0x{i * 4:x} is for chip {result.chip}, expected RP2350 (1)")
                elif not result.is_secure_arm_exe:
                    problems.append(f"IMAGE_DEF at +0x{i * 4:x} has type 0x{result.image_type:04x}, "
                                    "expected a Secure Arm executable")
                else:
                    return result
            else:
                problems.append(f"block at +0x{i * 4:x}: {result}")
        detail = "; ".join(problems) if problems else "no block start marker 0xffffded3"
        raise self._fail(f"no valid IMAGE_DEF in the first {IMAGE_DEF_WINDOW} bytes of flash ({detail})")

    @staticmethod
    def _parse_block(words: tuple[int, ...], start: int) -> ImageDef | str:
        i = start + 1
        image_type: int | None = None
        counted = 0
        while i < len(words):
            item = words[i]
            kind = item & 0xFF
            if kind == ITEM_LAST:
                if (item >> 8) & 0xFFFF != counted:
                    return f"LAST item says {(item >> 8) & 0xFFFF} words, items hold {counted}"
                if i + 2 >= len(words):
                    return "block runs past the search window"
                if words[i + 2] != PICOBIN_END:
                    return f"end marker is 0x{words[i + 2]:08x}, expected 0x{PICOBIN_END:08x}"
                if image_type is None:
                    return "no IMAGE_TYPE item"
                return ImageDef(start * 4, image_type)
            size = (item >> 8) & 0xFFFF if kind & 0x80 else (item >> 8) & 0xFF
            if size == 0:
                return f"item 0x{kind:02x} has size 0"
            if kind == ITEM_IMAGE_TYPE and image_type is None:
                if i != start + 1:
                    return "IMAGE_TYPE is not the first item"
                image_type = item >> 16
            counted += size
            i += size
        return "block runs past the search window"

    def executable_ranges(self) -> list[tuple[int, bytes]]:
        """(run address, bytes) of every executable segment, for code scans."""
        return [(s.run_address, s.data) for s in self.segments if s.executable]
