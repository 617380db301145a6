"""Unicorn's instruction counter, read and bounded from Python.

The counter behind `emu_start(count=...)` is read to know how far a slice got
when it ends early and the exact time inside MMIO callbacks; its limit is
lowered to end a slice cleanly after the current instruction (`emu_stop()`
from an MMIO callback would re-execute the access).
"""

from __future__ import annotations

import ctypes
import struct

from unicorn import UC_ARCH_ARM, UC_MODE_MCLASS, UC_MODE_THUMB, UC_PROT_ALL, Uc
from unicorn import arm_const as A

from rp2350_emu.errors import EmulationError


class InstructionCounter:
    """Unicorn's per-emu_start instruction counter and its limit.

    uc_struct.emu_counter / emu_count (uc_priv.h) sit next to each other; the
    offset is found once per process by running known counts on a probe.
    """

    _offset: int | None = None

    def __init__(self, uc: Uc) -> None:
        off = self._calibrate()
        base = ctypes.cast(uc._uch, ctypes.c_void_p).value
        width = ctypes.sizeof(ctypes.c_size_t)
        self.counter = ctypes.c_size_t.from_address(base + off)
        self.limit = ctypes.c_size_t.from_address(base + off + width)

    @classmethod
    def _calibrate(cls) -> int:
        if cls._offset is not None:
            return cls._offset
        probe = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
        probe.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M33)
        probe.mem_map(0x10000000, 0x1000, UC_PROT_ALL)
        probe.mem_write(0x10000000, b"\x00\xbf" * 0x800)  # nop
        base = ctypes.cast(probe._uch, ctypes.c_void_p).value
        width = ctypes.sizeof(ctypes.c_size_t)
        fmt = "<QQ" if width == 8 else "<II"
        found: set[int] | None = None
        for k in (37, 101, 555):
            probe.emu_start(0x10000001, 0, count=k)
            raw = ctypes.string_at(base, 2048)
            hits = {o for o in range(0, 2048 - 2 * width, width) if struct.unpack_from(fmt, raw, o) == (k + 1, k)}
            found = hits if found is None else found & hits
        if not found or len(found) != 1:
            raise EmulationError("cannot find Unicorn's instruction counter: this Unicorn build is not "
                                 "supported (rp2350-emu needs unicorn 2.1.4)")
        cls._offset = found.pop()
        return cls._offset
