"""The code scan: instruction sites the core must see before they run.

FP instructions (while CPACR denies the FPU), SEV, `subs rN, #1; bne .-2`
delay loops and the instructions that unmask interrupts (cpsie, msr PRIMASK/
BASEPRI/FAULTMASK) become Unicorn exits. Every halfword position is tried,
so data and mid-instruction hits are included; harmless, as exits only act
on instruction starts. The scan is a pure function of the code, kept per
image: test suites boot the same firmware many times.
"""

from __future__ import annotations

import struct

from rp2350_emu.core.arch import CPSIE, SEV, is_mask_msr

_SCAN_CACHE: dict[tuple, tuple[set[int], set[int], dict[int, int], set[int]]] = {}


def _scan_code(ranges: list[tuple[int, bytes]]) -> tuple[set[int], set[int], dict[int, int], set[int]]:
    fp: set[int] = set()
    sev: set[int] = set()
    delay: dict[int, int] = {}
    unmask: set[int] = set()
    for base, data in ranges:
        n = len(data) // 2
        hws = struct.unpack(f"<{n}H", data[: 2 * n])
        for i, hw in enumerate(hws):
            nxt = hws[i + 1] if i + 1 < n else 0
            if hw & 0xEC00 == 0xEC00 and (nxt >> 9) & 7 == 5:
                fp.add(base + 2 * i)  # coprocessor space, CP10/CP11: FPU
            elif hw == SEV:
                sev.add(base + 2 * i)
            elif hw & 0xF8FF == 0x3801 and nxt == 0xD1FD:
                delay[base + 2 * i] = (hw >> 8) & 7  # subs rN, #1; bne .-2
            elif hw in CPSIE or is_mask_msr(hw, nxt):
                unmask.add(base + 2 * i)
    return fp, sev, delay, unmask


def scan_cached(ranges: list[tuple[int, bytes]]) -> tuple[set[int], set[int], dict[int, int], set[int]]:
    """`_scan_code` of these executable ranges, from the cache when seen before."""
    key = tuple((base, len(data), hash(data)) for base, data in ranges)
    found = _SCAN_CACHE.get(key)
    if found is None:
        found = _scan_code(ranges)
        if len(_SCAN_CACHE) >= 16:
            _SCAN_CACHE.clear()
        _SCAN_CACHE[key] = found
    return found
