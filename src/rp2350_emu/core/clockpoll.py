"""Poll loops with a timeout on a free-running clock, skipped exactly.

`while !ready() { if now_us() - start >= timeout { break } }` reads a clock
(TIMER0 TIMERAWL) on every pass, so no two passes read the same value and the
idle-loop rule (fastpath.py) cannot skip it. What such a pass does with the
value is narrow, though: it subtracts a start time and compares the result
with a constant. One pass, single-stepped, is traced here: the clock's value
T is followed through the instructions that use it (taint), each value
derived from it is kept as X = ±T + constant, and every condition that reads
flags set from such an X is a decision of the pass. The flags of `X - w`,
`w - X`, `X + w` or X itself are constant while X stays between the points
where one of them can change (X = -w or w, its sign boundaries, one past
each), so every decision, and with it the whole pass, is the same for every
T up to the first such point: `window` returns how many ticks that is.

Anything else done with a derived value (a shift, a store, an address, a
second clock read) makes `window` return None and the loop is run, not
skipped. A derived value may stay in a register into the next pass: the
trace is followed again with what a pass leaves derived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MASK32 = 0xFFFFFFFF
SIGN = 0x80000000
#: instructions that set all of N, Z, C and V (others that set flags leave C or V)
FULL_FLAG_SETTERS = frozenset({"cmp", "cmn", "adds", "subs", "adcs", "sbcs", "rsbs", "negs"})
#: instructions that read the carry or other flags as data (and mrs of a PSR)
FLAG_DATA_READERS = frozenset({"adc", "adcs", "sbc", "sbcs", "rrx", "rrxs"})

# capstone is loaded on the first trace, not at import (the CLI's start-up time):
#: capstone's arm_const module
C: Any = None
#: capstone register id -> index into Step.regs (r0-r12, sp, lr, pc)
REG_INDEX: dict[int, int] = {}
_md: Any = None


def _load_capstone() -> None:
    global C, _md
    if _md is not None:
        return
    from capstone import CS_ARCH_ARM, CS_MODE_MCLASS, CS_MODE_THUMB, Cs, arm_const

    C = arm_const
    REG_INDEX.update({C.ARM_REG_R0 + i: i for i in range(13)})
    REG_INDEX.update({C.ARM_REG_SP: 13, C.ARM_REG_LR: 14, C.ARM_REG_PC: 15})
    md = Cs(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS)
    md.detail = True
    _md = md


@dataclass(frozen=True)
class Step:
    """One single-step of the traced pass: where it started, the core registers
    before it (r0-r12, sp, lr, pc), the code bytes there, and how many
    instructions it ran (more than one only for an IT block)."""

    pc: int
    regs: tuple[int, ...]
    code: bytes
    executed: int


@dataclass(frozen=True)
class Operand:
    type: int
    reg: int
    imm: int
    shifted: bool


@dataclass(frozen=True)
class Insn:
    """What the analysis needs of one decoded instruction (decoded once per address)."""

    mnemonic: str
    name: str  # the mnemonic without a width suffix (.w/.n)
    op_str: str
    cc: int
    update_flags: bool
    read: tuple[int, ...]
    written: tuple[int, ...]
    operands: tuple[Operand, ...]


def _insn(raw: Any) -> Insn:
    read, written = raw.regs_access()
    ops = tuple(Operand(op.type, op.reg if op.type == C.ARM_OP_REG else 0,
                        op.imm if op.type == C.ARM_OP_IMM else 0,
                        op.type == C.ARM_OP_REG and op.shift.type != 0) for op in raw.operands)
    return Insn(raw.mnemonic, raw.mnemonic.split(".")[0], raw.op_str, raw.cc, raw.update_flags,
                tuple(read), tuple(written), ops)


@lru_cache(maxsize=4096)
def _decode(pc: int, code: bytes) -> tuple[Insn, ...]:
    """The instruction at pc, followed by its IT block when it is an IT."""
    insns = list(_md.disasm(code, pc, 5))
    if not insns:
        return ()
    first = insns[0]
    if first.mnemonic.startswith("it"):
        return tuple(_insn(i) for i in insns[:len(first.mnemonic)])
    return (_insn(first),)


def _points(kind: str, w: int) -> tuple[int, ...]:
    """Values of X where the flags of the operation on (X, w) may change: X
    stepping from p - 1 to p changes a flag only for p in this set. N, C and
    V follow the signs and unsigned wraps of X (at 0 and 2^31) and of the
    result; the result crosses its 0 and 2^31 at `zero` and `half` going up,
    one later going down (w - X), and Z holds at `zero` only."""
    if kind == "add":  # X + w
        zero, half = -w & MASK32, (SIGN - w) & MASK32
    elif kind == "sub":  # X - w or w - X
        zero, half = w, (w + SIGN) & MASK32
    else:  # the value itself (movs, cbz)
        zero, half = 0, SIGN
    return (0, SIGN, zero, (zero + 1) & MASK32, half, (half + 1) & MASK32)


def _ticks(slope: int, x0: int, points: Sequence[int]) -> int:
    """Ticks T may advance from the traced value while X = slope*T + c stays
    clear of every point (flags unchanged)."""
    if slope > 0:
        return min((p - x0 - 1) & MASK32 for p in points)
    return min((x0 - p) & MASK32 for p in points)


class _Taint:
    """Which registers and flags derive from the clock value (with their value in
    the traced pass), and the window the decisions so far leave."""

    def __init__(self, regs: dict[int, tuple[int, int]] | None = None,
                 flags: list[tuple[int, int, tuple[int, ...]]] | None = None) -> None:
        #: reg index -> (slope +1 or -1, value in the traced pass)
        self.regs: dict[int, tuple[int, int]] = dict(regs or {})
        #: flag sources: (slope, value of X when set, points)
        self.flags: list[tuple[int, int, tuple[int, ...]]] = list(flags or [])
        self.window = MASK32

    def decide_on_flags(self) -> None:
        for slope, x0, points in self.flags:
            self.window = min(self.window, _ticks(slope, x0, points))

    def decide(self, slope: int, x0: int, points: tuple[int, ...]) -> None:
        self.window = min(self.window, _ticks(slope, x0, points))


def _operand_value(op: Operand, regs: tuple[int, ...]) -> int | None:
    if op.type == C.ARM_OP_IMM:
        return op.imm & MASK32
    if op.type == C.ARM_OP_REG and op.reg in REG_INDEX and not op.shifted:
        return regs[REG_INDEX[op.reg]]
    return None


def _arith(insn: Insn, regs: tuple[int, ...], taint: _Taint) -> bool:
    """add/sub/cmp/cmn/mov/rsb/neg with one derived operand: the result and flags
    derive from it too. False when the use is of another kind."""
    name = insn.name
    base = name[:-1] if name.endswith("s") and name not in ("cmp", "cmn") else name
    ops = insn.operands
    if any(op.shifted for op in ops):
        return False
    if base in ("cmp", "cmn"):
        dest, sources = None, ops
    elif base in ("add", "sub", "rsb", "mov", "neg") and len(ops) >= 2 and ops[0].type == C.ARM_OP_REG:
        dest, sources = REG_INDEX.get(ops[0].reg), ops[1:]
    else:
        return False
    derived = [i for i, op in enumerate(sources) if op.type == C.ARM_OP_REG and REG_INDEX.get(op.reg) in taint.regs]
    if len(derived) != 1:
        return False
    slope, x = taint.regs[REG_INDEX[sources[derived[0]].reg]]
    if len(sources) == 1:
        if base == "mov":
            kind, w, out = "value", 0, (slope, x)
        elif base == "neg":
            kind, w, out = "sub", 0, (-slope, -x & MASK32)
        else:
            return False
    elif len(sources) == 2:
        w = _operand_value(sources[1 - derived[0]], regs)
        if w is None:
            return False
        first = derived[0] == 0
        if base in ("add", "cmn"):
            kind, out = "add", (slope, (x + w) & MASK32)
        elif base in ("sub", "cmp"):
            kind, out = "sub", (slope, (x - w) & MASK32) if first else (-slope, (w - x) & MASK32)
        elif base == "rsb":  # rsb d, n, m = m - n
            kind, out = "sub", (-slope, (w - x) & MASK32) if first else (slope, (x - w) & MASK32)
        else:
            return False
    else:
        return False
    if dest is not None:
        if dest >= 13:
            return False  # sp, lr or pc derived from the clock: not a plain comparison
        taint.regs[dest] = out
    if insn.update_flags or base in ("cmp", "cmn"):
        source = (slope, x, _points(kind, w))
        if name in FULL_FLAG_SETTERS:
            taint.flags = [source]
        else:
            taint.flags.append(source)
    return True


def _step(insn: Insn, regs: tuple[int, ...], taint: _Taint, hidden: bool) -> bool:
    """Follow one instruction; False if it uses a derived value in a way not covered."""
    read, written = insn.read, insn.written
    reads_flags = insn.cc not in (C.ARM_CC_AL, C.ARM_CC_INVALID) or insn.mnemonic.startswith("it")
    if taint.flags:
        name = insn.name
        if name in FLAG_DATA_READERS or (name == "mrs" and "psr" in insn.op_str):
            return False
        if reads_flags and not hidden:
            taint.decide_on_flags()
    uses = [REG_INDEX[r] for r in read if REG_INDEX.get(r) in taint.regs]
    if uses:
        if hidden:
            return False
        if insn.mnemonic in ("cbz", "cbnz") and len(uses) == 1:  # a decision on X == 0
            slope, x = taint.regs[uses[0]]
            taint.decide(slope, x, _points("value", 0))
            return True
        return _arith(insn, regs, taint)
    sets_flags = insn.update_flags or C.ARM_REG_CPSR in written
    if hidden:
        return True  # may not have run: what it writes keeps its taint (or none)
    for r in written:
        taint.regs.pop(REG_INDEX.get(r, -1), None)
    # a partial setter (shift, logic, movs) may leave a derived C or V: its sources stay
    if sets_flags and insn.name in FULL_FLAG_SETTERS:
        taint.flags = []
    return True


def _follow(steps: Sequence[Step], clock_step: int, t0: int, taint: _Taint) -> bool:
    """One pass of the trace under `taint` (what the previous pass left derived)."""
    for index, step in enumerate(steps):
        insns = _decode(step.pc, step.code)
        if not insns:
            return False
        first = insns[0]
        if step.executed != 1 and (not first.mnemonic.startswith("it") or step.executed > len(insns)):
            return False
        if index == clock_step:
            if first.name != "ldr" or len(first.operands) != 2:
                return False
            dest = first.operands[0]
            if dest.type != C.ARM_OP_REG or REG_INDEX.get(dest.reg, 99) >= 13:
                return False
            if REG_INDEX.get(first.operands[1].reg) in taint.regs:
                return False
            if taint.flags and first.cc not in (C.ARM_CC_AL, C.ARM_CC_INVALID):
                taint.decide_on_flags()
            taint.regs[REG_INDEX[dest.reg]] = (1, t0 & MASK32)
            continue
        if not _step(first, step.regs, taint, hidden=False):
            return False
        for insn in insns[1:]:
            if not _step(insn, step.regs, taint, hidden=True):
                return False
    return True


@dataclass(frozen=True)
class Window:
    """What `window` found: the ticks every pass stays the same for, and the
    registers (r0-r12 indices) that hold a value derived from the clock at the
    end of a pass (they differ from pass to pass and are left out of the
    comparison of the state; the next pass reads them again), and over how
    many pass boundaries such a value reaches: after a skip, that many real
    passes refresh every one of them."""

    ticks: int
    derived: frozenset[int]
    depth: int = 0


def window(steps: Sequence[Step], clock_step: int, t0: int) -> Window | None:
    """How far the clock may advance past t0, the value the traced pass read at
    steps[clock_step], with every pass taking the same path as the traced one;
    None when the pass does more with a value derived from it than compare it
    (or the trace is not one this analysis follows).

    A value may stay in a register into the next pass (the read is the last
    thing a pass does): the trace is followed again with what one pass leaves
    derived, until that set is stable, and the decisions of that last round are
    the ones every pass makes."""
    _load_capstone()
    taint = _Taint()
    seeded: set[int] | None = None  # what the previous round left derived
    for _round in range(4):
        if not _follow(steps, clock_step, t0, taint):
            return None
        if seeded is not None and set(taint.regs) == seeded:
            taint.decide_on_flags()  # flags left derived must not change either
            return Window(taint.window, frozenset(taint.regs), _round if taint.regs else 0)
        seeded = set(taint.regs)
        taint = _Taint(taint.regs, taint.flags)
    return None
