#!/usr/bin/env python3
"""Regenerate src/rp2350_emu/platform/address_map.json: every RP2350 block (name, base) and
register (offset, name), read from the rp235x-pac crate's register blocks.

Run after `cargo fetch` in firmware/ (the crate is a firmware dependency):
    scripts/gen-address-map.py [PAC_SRC_DIR]
The file is data the engine names unmodeled accesses with: `0x400a8040 is PWM CH3_DIV`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "rp2350_emu" / "platform" / "address_map.json"
PERIPHERAL = re.compile(r"pub struct (\w+) \{.*?pub const PTR: \*const (\w+)::RegisterBlock = (0x[0-9a-f_]+)",
                        re.DOTALL)
ACCESSOR = re.compile(r'#\[doc = "(0x[0-9a-f]+)(?:\.\.(0x[0-9a-f]+))? - (?:[^"\\]|\\.)*"\]\s*(?:#\[[^\]]*\]\s*)*'
                      r"pub const fn (\w+)\(&self(, n: usize)?\) -> &(\w+)")
FIELD = re.compile(r"^\s+(\w+): \[(\w+); (\d+)\],", re.MULTILINE)


def find_pac() -> Path:
    for root in Path.home().glob(".cargo/registry/src/*"):
        for pac in sorted(root.glob("rp235x-pac-*")):
            return pac / "src" / "inner"
    sys.exit("gen-address-map: rp235x-pac not found; run `cargo fetch` in firmware/ first")


def registers(module_file: Path, prefix: str = "") -> dict[int, str]:
    """offset -> register name in one register block (clusters expanded)."""
    text = module_file.read_text()
    counts = {name: int(n) for name, _type, n in FIELD.findall(text)}
    out: dict[int, str] = {}
    for start, end, name, indexed, type_name in ACCESSOR.findall(text):
        base = int(start, 16)
        # a cluster's module file has accessors of its own; a register's has none
        cluster = module_file.with_suffix("") / f"{type_name.lower()}.rs"
        inner = registers(cluster) if cluster.is_file() else {}
        count = counts.get(name, 1) if indexed else 1
        stride = (int(end, 16) - base) // count if indexed and end else 4
        for i in range(count):
            label = f"{prefix}{name.upper()}{i if indexed else ''}"
            at = base + i * stride
            if inner:
                out.update({at + off: f"{label}_{reg}" for off, reg in inner.items()})
            else:
                out[at] = label
    return out


def main() -> None:
    pac = Path(sys.argv[1]) if len(sys.argv) > 1 else find_pac()
    blocks = []
    for name, module, base in PERIPHERAL.findall((pac / "mod_cortex_m.rs").read_text()):
        regs = registers(pac / f"{module}.rs")
        blocks.append({"name": name, "base": int(base.replace("_", ""), 16),
                       "registers": {f"0x{off:x}": reg for off, reg in sorted(regs.items())}})
    blocks.sort(key=lambda b: b["base"])
    OUT.write_text(json.dumps({"source": "rp235x-pac register blocks (RP2350 SVD)", "blocks": blocks},
                              indent=0, sort_keys=True) + "\n")
    print(f"gen-address-map: {len(blocks)} blocks, {sum(len(b['registers']) for b in blocks)} registers -> {OUT}")


if __name__ == "__main__":
    main()
