"""Core registers through Unicorn's C API directly, for the hot paths.

The Python binding spends several microseconds per register access (type
dispatch, a fresh ctypes object); exception entry and return touch twenty
registers. A `RegisterFile` calls `uc_reg_read`/`uc_reg_write` and their
batch forms with ctypes objects made once, which is several times cheaper
and gives the same values (every M-profile register read here is 32 bits).
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

from unicorn import Uc
from unicorn.unicorn_py3.unicorn import uclib


class Batch:
    """A fixed group of registers read or written in one C call."""

    def __init__(self, regs: Sequence[int]) -> None:
        n = len(regs)
        self.count = n
        self.ids = (ctypes.c_int32 * n)(*regs)
        self.values = (ctypes.c_uint32 * n)()
        self.pointers = (ctypes.c_void_p * n)(*(ctypes.addressof(self.values) + 4 * i for i in range(n)))


class RegisterFile:
    def __init__(self, uc: Uc) -> None:
        self._h = uc._uch
        self._one = ctypes.c_uint32()
        self._one_ref = ctypes.byref(self._one)
        self._read1 = uclib.uc_reg_read
        self._write1 = uclib.uc_reg_write
        self._read_n = uclib.uc_reg_read_batch
        self._write_n = uclib.uc_reg_write_batch

    def read(self, reg: int) -> int:
        self._read1(self._h, reg, self._one_ref)
        return self._one.value

    def write(self, reg: int, value: int) -> None:
        self._one.value = value & 0xFFFFFFFF
        self._write1(self._h, reg, self._one_ref)

    def read_batch(self, batch: Batch) -> tuple[int, ...]:
        self._read_n(self._h, batch.ids, batch.pointers, batch.count)
        return tuple(batch.values)

    def write_batch(self, batch: Batch, values: Sequence[int]) -> None:
        vals = batch.values
        for i, v in enumerate(values):
            vals[i] = v & 0xFFFFFFFF
        self._write_n(self._h, batch.ids, batch.pointers, batch.count)
