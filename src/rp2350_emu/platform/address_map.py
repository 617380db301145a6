"""The RP2350 address map by name: which block and register an address is, modeled or not.

The data (address_map.json) is generated from the rp235x-pac register blocks
by scripts/gen-address-map.py. It names what firmware touched when the
platform has no model there: `0x400a8040 is PWM CH3_DIV`.
"""

from __future__ import annotations

import bisect
import functools
import json
from pathlib import Path

DATA = Path(__file__).with_name("address_map.json")
#: APB/AHB blocks decode XOR/SET/CLR aliases at +0x1000/+0x2000/+0x3000 (datasheet 2.1.3)
_ALIASES = {0x1000: "XOR alias", 0x2000: "SET alias", 0x3000: "CLR alias"}
_NO_ALIASES = ("SIO", "SIO_NS", "PPB", "PPB_NS", "EPPB")


@functools.lru_cache(maxsize=1)
def _blocks() -> tuple[list[int], list[tuple[str, int, dict[int, str]]]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    blocks = sorted((b["name"], b["base"], {int(k, 16): v for k, v in b["registers"].items()})
                    for b in data["blocks"])
    blocks.sort(key=lambda b: b[1])
    return [b[1] for b in blocks], blocks


def _extent(name: str, base: int) -> int:
    if base >= 0xE0000000:
        return 0x20000 if name in ("PPB", "PPB_NS") else 0x1000
    if base >= 0xD0000000:
        return 0x20000
    return 0x4000 if base < 0x50000000 else 0x100000


def name_of(address: int) -> str:
    """`PWM CH3_DIV`, `I2C0+0x7c`, `UART0 UARTDR (SET alias)`, or "" outside every block."""
    bases, blocks = _blocks()
    i = bisect.bisect_right(bases, address) - 1
    if i < 0:
        return ""
    name, base, registers = blocks[i]
    offset = address - base
    if offset >= _extent(name, base):
        return ""
    alias = ""
    if name not in _NO_ALIASES and base < 0xD0000000 and offset & 0x3000 and (offset & ~0x3FFF) == 0:
        alias = f" ({_ALIASES[offset & 0x3000]})"
        offset &= 0xFFF
    register = registers.get(offset & ~3)
    return f"{name} {register}{alias}" if register else f"{name}+0x{offset:x}{alias}"
