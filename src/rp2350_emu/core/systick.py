"""SysTick: the 24-bit down-counter of the Cortex-M33, in virtual time.

The counter is not stepped; its value is computed from the time it was last
(re)loaded, and one scheduler event is kept for the next time it reaches
zero (COUNTFLAG, exception 15). Tick k after the anchor happens at
anchor_ns + ceil(k * 1e9 / hz), so long runs do not drift.
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.core.nvic import SYSTICK, Nvic
from rp2350_emu.mmio.register import Register
from rp2350_emu.time.scheduler import Event, Scheduler
from rp2350_emu.time.units import NS_PER_S as NS

MAX = 0xFFFFFF


class SysTick:
    def __init__(self, scheduler: Scheduler, nvic: Nvic, cpu_hz: int, ref_hz: int = 1_000_000) -> None:
        self.scheduler = scheduler
        self.nvic = nvic
        self.cpu_hz = cpu_hz  # CLKSOURCE = 1: the processor clock
        self.ref_hz = ref_hz  # CLKSOURCE = 0: the reference tick (RP2350 TICKS, 1 us)
        self._event: Event | None = None
        self.reset()

    def reset(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = None
        self.ctrl = 0  # ENABLE, TICKINT, CLKSOURCE
        self.countflag = False
        self.rvr = 0
        self.cvr = 0  # value while stopped, or at the anchor while running
        self.anchor_ns = 0
        self._zero_tick = 0  # ticks after the anchor of the next zero

    @property
    def running(self) -> bool:
        return bool(self.ctrl & 1)

    @property
    def hz(self) -> int:
        return self.cpu_hz if self.ctrl & 4 else self.ref_hz

    def _ticks_since_anchor(self, now: int) -> int:
        return (now - self.anchor_ns) * self.hz // NS

    def value(self) -> int:
        if not self.running:
            return self.cvr
        elapsed = self._ticks_since_anchor(self.scheduler.now_ns)
        if elapsed < self.cvr:
            return self.cvr - elapsed
        if self.rvr == 0:
            return 0
        phase = (elapsed - self.cvr) % (self.rvr + 1)
        return (self.rvr + 1 - phase) % (self.rvr + 1)

    # -- timing ---------------------------------------------------------------
    def _schedule_first(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if not self.running:
            return
        if self.cvr:
            self._zero_tick = self.cvr
        elif self.rvr:
            self._zero_tick = self.rvr + 1  # reload first, then count down
        else:
            return  # 0 with reload 0: never counts from 1 to 0
        self._schedule_zero()

    def _schedule_zero(self) -> None:
        at = self.anchor_ns + -(-self._zero_tick * NS // self.hz)
        self._event = self.scheduler.schedule_at(at, self._on_zero, "systick")

    def _on_zero(self) -> None:
        self._event = None
        self.countflag = True
        if self.ctrl & 2:
            self.nvic.set_pending(SYSTICK)
        if self.rvr:
            self._zero_tick += self.rvr + 1
            self._schedule_zero()

    # -- registers (offsets in the SCS block) ---------------------------------
    def registers(self) -> list[Register]:
        return [
            Register("SYST_CSR", 0x010, read=lambda _p: self._csr(), on_read=lambda _p: self._read_csr(),
                     write=lambda _p, v: self._write_csr(v)),
            Register("SYST_RVR", 0x014, read=lambda _p: self.rvr, write=lambda _p, v: self._write_rvr(v)),
            Register("SYST_CVR", 0x018, read=lambda _p: self.value(), write=lambda _p, v: self._write_cvr(),
                     varies=True),
            Register("SYST_CALIB", 0x01C, read=lambda _p: 0, write=lambda _p, v: None),
        ]

    def _csr(self) -> int:
        return self.ctrl | (0x10000 if self.countflag else 0)

    def _read_csr(self) -> int:
        value = self._csr()
        self.countflag = False  # COUNTFLAG clears when read
        return value

    def _write_csr(self, v: int) -> None:
        new = v & 7
        if new == self.ctrl:
            return
        if self.running:
            self.cvr = self.value()
        self.ctrl = new
        self.anchor_ns = self.scheduler.now_ns
        self._schedule_first()

    def _write_rvr(self, v: int) -> None:
        if self.running:
            self._reanchor_with(lambda: setattr(self, "rvr", v & MAX))
        else:
            self.rvr = v & MAX

    def _write_cvr(self) -> None:
        self.countflag = False
        if self.running:
            self._reanchor_with(lambda: setattr(self, "cvr", 0))
        else:
            self.cvr = 0

    def _reanchor_with(self, change: Callable[[], None]) -> None:
        """Freeze the current value as the new anchor, then change config."""
        self.cvr = self.value()
        self.anchor_ns = self.scheduler.now_ns
        change()
        self._schedule_first()
