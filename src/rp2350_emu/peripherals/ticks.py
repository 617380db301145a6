"""TICKS (0x40108000): the six tick generators of the RP2350.

Each generator divides clk_ref by CYCLES and feeds one consumer: PROC0/PROC1
(SysTick reference), TIMER0, TIMER1, WATCHDOG, RISCV (mtime). With
clk_ref = 12 MHz and CYCLES = 12 a tick is exactly 1 us.

A generator's tick count is a closed-form function of virtual time (see
timebase.CycleCounter); consumers ask `ticks_at(t)` / `time_of_tick(n)` and
re-time themselves from the generator's `listeners` when the rate changes.
CYCLES = 0 is taken to mean "no ticks" (unspecified by the datasheet).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.peripherals.timebase import CycleCounter, Listeners, hz_of

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

GENERATORS = ("proc0", "proc1", "timer0", "timer1", "watchdog", "riscv")
CTRL_ENABLE = 1 << 0
CTRL_RUNNING = 1 << 1


class TickGenerator:
    """One generator: a clk_ref cycle count divided by CYCLES while enabled."""

    def __init__(self, name: str, clk_ref: CycleCounter) -> None:
        self.name = name
        self._ref = clk_ref
        self.enabled = False
        self.cycles = 0
        self._tick_base = 0  # ticks counted before the last (re)start
        self._cycle_base = 0  # clk_ref cycle count at the last (re)start
        #: run when the tick rate or enable changes
        self.listeners = Listeners()

    @property
    def running(self) -> bool:
        return self.enabled and self.cycles > 0

    def ticks_at(self, t_ns: int) -> int:
        """Ticks generated up to virtual time t_ns (monotonic)."""
        if not self.running:
            return self._tick_base
        return self._tick_base + (self._ref.cycles_at(t_ns) - self._cycle_base) // self.cycles

    def time_of_tick(self, n: int) -> int | None:
        """Earliest virtual time with ticks_at(t) >= n; None if that never
        comes. A tick already reached gives a time in the past (0)."""
        if n <= self._tick_base:
            return 0
        if not self.running:
            return None
        return self._ref.time_of(self._cycle_base + (n - self._tick_base) * self.cycles)

    # the names timer-like consumers use for any count source
    count_at = ticks_at
    time_of = time_of_tick

    @property
    def period_ns(self) -> float | None:
        """Tick period in ns at the current clk_ref, None while not ticking."""
        if not self.running or self._ref.hz <= 0:
            return None
        return self.cycles * 1e9 / self._ref.hz

    def remaining_cycles(self) -> int:
        """COUNT: clk_ref cycles left before the next tick."""
        if not self.running:
            return 0
        done = (self._ref.now() - self._cycle_base) % self.cycles
        return self.cycles - done

    def configure(self, enabled: bool, cycles: int) -> None:
        if enabled == self.enabled and cycles == self.cycles:
            return
        self._tick_base = self.ticks_at(self._ref.now_ns)
        self._cycle_base = self._ref.now()  # the down-counter reloads on enable / CYCLES change
        self.enabled, self.cycles = enabled, cycles
        self.listeners()


class Ticks(Peripheral):
    """Tick generators. kwargs: clocks (object with freq_hz("ref") and
    .listeners) or clk_ref_hz (int or callable, default 12 MHz)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self._clk_ref_hz: Callable[[], int] = hz_of(kwargs.get("clk_ref_hz"), 12_000_000)
        self._ref = CycleCounter(scheduler, self._clk_ref_hz())
        self.generators: dict[str, TickGenerator] = {}
        for i, gen in enumerate(GENERATORS):
            self.generators[gen] = TickGenerator(gen, self._ref)
            base = 0xC * i
            self.add(Register(f"{gen.upper()}_CTRL", base, read=self._ctrl_reader(gen),
                              write=self._writer(gen, base)))
            self.add(Register(f"{gen.upper()}_CYCLES", base + 4, mask=0x1FF,
                              write=self._writer(gen, base + 4)))
            self.add(Register(f"{gen.upper()}_COUNT", base + 8, mask=0,
                              read=lambda p, g=gen: p.generators[g].remaining_cycles(), varies=True))
        if kwargs.get("clocks") is not None:
            self.connect_clocks(kwargs["clocks"])

    def connect_clocks(self, clocks: Any) -> None:
        """Follow clk_ref from a Clocks model."""
        self._clk_ref_hz = lambda: clocks.freq_hz("ref")
        clocks.listeners.add(self.clock_changed)
        self.clock_changed()

    def clock_changed(self) -> None:
        """Re-time every generator if clk_ref's frequency changed."""
        if self._ref.set_hz(self._clk_ref_hz()):
            for gen in self.generators.values():
                if gen.running:
                    gen.listeners()

    # -- public ----------------------------------------------------------------------
    def gen(self, name: str) -> TickGenerator:
        return self.generators[name]

    def tick_period_ns(self, name: str) -> float | None:
        """Tick period of generator `name` ("timer0", ...), None while stopped."""
        return self.generators[name].period_ns

    def enabled(self, name: str) -> bool:
        return self.generators[name].enabled

    # -- registers -------------------------------------------------------------------
    def _ctrl_reader(self, gen: str) -> Callable[[Peripheral], int]:
        def read(p: Peripheral) -> int:
            g = self.generators[gen]
            return (CTRL_ENABLE | CTRL_RUNNING) if g.enabled else 0
        return read

    def _writer(self, gen: str, off: int) -> Callable[[Peripheral, int], None]:
        def write(p: Peripheral, value: int) -> None:
            reg = self.registers[off]
            reg.value = value & (CTRL_ENABLE if off % 0xC == 0 else 0x1FF)
            ctrl = self.registers[off - off % 0xC].value
            cycles = self.registers[off - off % 0xC + 4].value
            self.generators[gen].configure(bool(ctrl & CTRL_ENABLE), cycles)
        return write

    def reset(self) -> None:
        super().reset()
        for gen in self.generators.values():
            gen.configure(False, 0)
