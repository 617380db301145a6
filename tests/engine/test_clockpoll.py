"""The window a clock poll is skipped for (core/clockpoll.py) never spans a
change of the flags a comparison sets: checked against the Armv8-M flag
rules of SUBS/ADDS/MOVS for random operands, both slopes, around every
point where a flag could change."""

from __future__ import annotations

import random

import pytest

from rp2350_emu.core.clockpoll import MASK32, _points, _ticks


def nzcv_sub(a: int, b: int) -> tuple[bool, bool, bool, bool]:
    r = (a - b) & MASK32
    n, z, c = bool(r >> 31), r == 0, a >= b
    v = bool(((a ^ b) & (a ^ r)) >> 31)
    return n, z, c, v


def nzcv_add(a: int, b: int) -> tuple[bool, bool, bool, bool]:
    full = a + b
    r = full & MASK32
    v = bool((~(a ^ b) & (a ^ r)) >> 31)
    return bool(r >> 31), r == 0, full > MASK32, v


FLAGS = {
    ("sub", 0): lambda x, w: nzcv_sub(x, w),  # X - w (cmp X, w)
    ("sub", 1): lambda x, w: nzcv_sub(w, x),  # w - X (cmp w, X)
    ("add", 0): lambda x, w: nzcv_add(x, w),
    ("value", 0): lambda x, _w: (bool(x >> 31), x == 0),
}

INTERESTING = (0, 1, 2, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 2999, 50_000)


@pytest.mark.parametrize(("kind", "position"), sorted(FLAGS))
@pytest.mark.parametrize("slope", [1, -1])
def test_flags_are_constant_over_the_window(kind: str, position: int, slope: int) -> None:
    rng = random.Random(f"{kind}{position}{slope}")
    flags = FLAGS[(kind, position)]
    values = list(INTERESTING) + [rng.getrandbits(32) for _ in range(60)]
    checked = 0
    for w in values:
        points = _points(kind, w)
        for x0 in values + [(p + d) & MASK32 for p in points for d in (-1, 0, 1)]:
            ticks = _ticks(slope, x0, points)
            first = flags(x0, w)
            # flags are piecewise constant between points: test the window's ends and
            # both sides of every point inside it
            probes = {ticks}
            for p in points:
                k = ((p - x0) if slope > 0 else (x0 - p)) & MASK32
                probes.update(k2 for k2 in (k - 1, k, k + 1) if 0 <= k2 <= ticks)
            for k in probes:
                x = (x0 + slope * k) & MASK32
                assert flags(x, w) == first, (kind, position, slope, hex(w), hex(x0), k, ticks)
                checked += 1
    assert checked > 5_000


def test_a_timeout_compare_is_skipped_up_to_its_last_tick() -> None:
    """`cmp X, #2999; bls` with X = now - start: from X = 5 the flags hold up to
    X = 2998 (X reaching 2999 sets Z: bls still stays, but the rule is exact per flag)."""
    assert _ticks(1, 5, _points("sub", 2999)) == 2993
