"""What GDB is told about the target: registers (target.xml) and memory map.

The register list is the one numbering both sides use: `g`/`G` send every
register in this order, `p`/`P` and expedited stop registers use the index.
GDB recognises the M profile from the `org.gnu.gdb.arm.m-profile` feature,
MSP/PSP from `org.gnu.gdb.arm.m-system`, and with `org.gnu.gdb.arm.vfp`
holding d0-d15 it adds s0-s31 as pseudo-registers itself.

The memory map tells GDB which addresses exist (it then refuses others
without asking) and that flash is read-only, so it sets hardware
breakpoints (Z1) there instead of writing a BKPT (Z0).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from rp2350_emu.gdb.target import MemoryRegion


@dataclass(frozen=True)
class RegisterDef:
    name: str
    bitsize: int
    feature: str
    type: str = "int"
    group: str | None = None

    @property
    def size(self) -> int:
        return self.bitsize // 8


M_PROFILE = "org.gnu.gdb.arm.m-profile"
M_SYSTEM = "org.gnu.gdb.arm.m-system"
VFP = "org.gnu.gdb.arm.vfp"


def _registers() -> tuple[RegisterDef, ...]:
    regs = [RegisterDef(f"r{i}", 32, M_PROFILE, "uint32", "general") for i in range(13)]
    regs += [
        RegisterDef("sp", 32, M_PROFILE, "data_ptr", "general"),
        RegisterDef("lr", 32, M_PROFILE, "int", "general"),
        RegisterDef("pc", 32, M_PROFILE, "code_ptr", "general"),
        RegisterDef("xpsr", 32, M_PROFILE, "int", "general"),
    ]
    # in the general group so `info registers` shows them, as on hardware
    regs += [RegisterDef(name, 32, M_SYSTEM, "data_ptr" if name.endswith("sp") else "uint32", "general")
             for name in ("msp", "psp", "primask", "basepri", "faultmask", "control")]
    regs += [RegisterDef(f"d{i}", 64, VFP, "ieee_double", "float") for i in range(16)]
    regs.append(RegisterDef("fpscr", 32, VFP, "int", "float"))
    return tuple(regs)


REGISTERS: tuple[RegisterDef, ...] = _registers()
REGISTER_INDEX: dict[str, int] = {reg.name: i for i, reg in enumerate(REGISTERS)}
#: sent with every stop so GDB can show the frame without asking (sp, lr, pc, xpsr)
EXPEDITED: tuple[int, ...] = tuple(REGISTER_INDEX[n] for n in ("sp", "lr", "pc", "xpsr"))


def target_xml(registers: Sequence[RegisterDef] = REGISTERS) -> str:
    lines = ['<?xml version="1.0"?>',
             '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
             "<target>",
             "  <architecture>arm</architecture>"]
    feature = None
    for regnum, reg in enumerate(registers):
        if reg.feature != feature:
            if feature is not None:
                lines.append("  </feature>")
            feature = reg.feature
            lines.append(f"  <feature name={quoteattr(feature)}>")
        group = f" group={quoteattr(reg.group)}" if reg.group else ""
        lines.append(f"    <reg name={quoteattr(reg.name)} bitsize=\"{reg.bitsize}\" regnum=\"{regnum}\" "
                     f"type={quoteattr(reg.type)}{group}/>")
    if feature is not None:
        lines.append("  </feature>")
    lines.append("</target>")
    return "\n".join(lines) + "\n"


def memory_map_xml(regions: Iterable[MemoryRegion]) -> str:
    lines = ['<?xml version="1.0"?>',
             ('<!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" '
             '"http://sourceware.org/gdb/gdb-memory-map.dtd">'),
             "<memory-map>"]
    for region in sorted(regions, key=lambda r: r.start):
        head = f'  <memory type="{region.kind}" start="0x{region.start:x}" length="0x{region.length:x}"'
        if region.kind == "flash":
            lines.append(head + ">")
            lines.append(f'    <property name="blocksize">0x{region.blocksize:x}</property>')
            lines.append("  </memory>")
        else:
            lines.append(head + "/>")
    lines.append("</memory-map>")
    return "\n".join(lines) + "\n"


def xfer_chunk(document: bytes, offset: int, length: int) -> bytes:
    """A qXfer read reply: 'm' + data if more follows, 'l' + data at the end."""
    chunk = document[offset:offset + length]
    more = offset + len(chunk) < len(document)
    return (b"m" if more else b"l") + chunk
