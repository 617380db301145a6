"""A synchronous fault found while executing; the core handles it between slices."""

from __future__ import annotations


class Fault(Exception):
    """A synchronous fault found while executing; handled between slices."""

    def __init__(self, target: int, cfsr: int, pc: int, what: str, hfsr: int = 0) -> None:
        super().__init__(what)
        self.target, self.cfsr, self.pc, self.what, self.hfsr = target, cfsr, pc, what, hfsr
