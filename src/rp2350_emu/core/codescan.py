"""The code scan: instruction sites the core must see before they run.

FP instructions (while CPACR denies the FPU), SEV, `subs rN, #1; bne .-2`
delay loops and the instructions that unmask interrupts (cpsie, msr PRIMASK/
BASEPRI/FAULTMASK) become Unicorn exits. Every halfword position is tried,
so data and mid-instruction hits are included; harmless, as exits only act
on instruction starts. The scan is a pure function of the code, kept per
image: in memory (test suites boot the same firmware many times) and on disk
(each `rp2350-emu run` is a new process; the scan of a 1 MB image costs more
than reading its result), under $RP2350_EMU_CACHE or ~/.cache/rp2350-emu,
named by the SHA-256 of the code and of the patterns. A cache that cannot be
read or written is ignored.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from pathlib import Path

from rp2350_emu.core.arch import CPSIE, SEV

_SCAN_CACHE: dict[tuple, tuple[set[int], set[int], dict[int, int], set[int]]] = {}


def _class(values: object) -> bytes:
    return b"[" + b"".join(re.escape(bytes([v])) for v in values) + b"]"  # type: ignore[attr-defined]


# Each site as a byte pattern of its little-endian halfwords, found by the regex
# engine at every offset (lookahead: overlapping), kept at even offsets only.
_FP = re.compile(b"(?=." + _class(v for v in range(256) if v & 0xEC == 0xEC) + b"."
                 + _class(v for v in range(256) if v & 0x0E == 0x0A) + b")", re.DOTALL)  # CP10/CP11
_SEV = re.compile(b"(?=" + bytes([SEV & 0xFF, SEV >> 8]) + b")")
_DELAY = re.compile(b"(?=\x01[\x38-\x3f]\xfd\xd1)")  # subs rN, #1; bne .-2
_UNMASK = re.compile(b"(?=" + _class(hw & 0xFF for hw in CPSIE) + b"\xb6|[\x80-\x8f]\xf3[\x10-\x13]\x88)")


def _even(pattern: re.Pattern[bytes], data: bytes) -> list[int]:
    return [m.start() for m in pattern.finditer(data) if not m.start() & 1]


def _scan_code(ranges: list[tuple[int, bytes]]) -> tuple[set[int], set[int], dict[int, int], set[int]]:
    fp: set[int] = set()
    sev: set[int] = set()
    delay: dict[int, int] = {}
    unmask: set[int] = set()
    for base, data in ranges:
        data = data[: len(data) & ~1]
        fp.update(base + off for off in _even(_FP, data))
        sev.update(base + off for off in _even(_SEV, data))
        delay.update((base + off, data[off + 1] & 7) for off in _even(_DELAY, data))
        unmask.update(base + off for off in _even(_UNMASK, data))
    return fp, sev, delay, unmask


_PATTERNS = hashlib.sha256(b"|".join(p.pattern for p in (_FP, _SEV, _DELAY, _UNMASK))).hexdigest()[:16]


def _cache_dir() -> Path:
    root = os.environ.get("RP2350_EMU_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "rp2350-emu")
    return Path(root)


def _disk_name(ranges: list[tuple[int, bytes]]) -> str:
    h = hashlib.sha256(_PATTERNS.encode())
    for base, data in ranges:
        h.update(base.to_bytes(4, "little") + len(data).to_bytes(4, "little"))
        h.update(data)
    return f"codescan-{h.hexdigest()}.marshal"


def _from_disk(path: Path) -> tuple[set[int], set[int], dict[int, int], set[int]] | None:
    try:
        fp, sev, delay, unmask = marshal.loads(path.read_bytes())
        return set(fp), set(sev), dict(delay), set(unmask)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _to_disk(path: Path, found: tuple[set[int], set[int], dict[int, int], set[int]]) -> None:
    fp, sev, delay, unmask = found
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((sorted(fp), sorted(sev), sorted(delay.items()), sorted(unmask))))
        os.replace(tmp, path)
    except OSError:
        pass


def scan_cached(ranges: list[tuple[int, bytes]]) -> tuple[set[int], set[int], dict[int, int], set[int]]:
    """`_scan_code` of these executable ranges, from the cache when seen before."""
    key = tuple((base, len(data), hash(data)) for base, data in ranges)
    found = _SCAN_CACHE.get(key)
    if found is None:
        path = _cache_dir() / _disk_name(ranges)
        found = _from_disk(path)
        if found is None:
            found = _scan_code(ranges)
            _to_disk(path, found)
        if len(_SCAN_CACHE) >= 16:
            _SCAN_CACHE.clear()
        _SCAN_CACHE[key] = found
    return found
