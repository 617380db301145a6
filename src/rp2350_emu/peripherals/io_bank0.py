"""IO_BANK0 (0x40028000): GPIO function select, overrides and interrupts.

GPIOn_CTRL (reset 0x1F = NULL function) selects the peripheral driving each
pin; GPIOn_STATUS reports what the GPIO model computed. Interrupts: INTR0-5
hold 4 bits per pin (LEVEL_LOW, LEVEL_HIGH, EDGE_LOW, EDGE_HIGH); level bits
are live, edge bits latch on input transitions and are write-1-to-clear.
For each of PROC0, PROC1 and DORMANT_WAKE, INTS = (INTR & INTE) | INTF; a
pin interrupts a processor if any of its INTS bits is set (after IRQOVER),
and `irq_proc0` / `irq_proc1` / `irq_dormant_wake` are the OR over pins.
Everything is Secure here, so the IRQSUMMARY *_NONSECURE words read 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

NUM_PINS = 48
CTRL_RESET = 0x1F
CTRL_MASK = 0x3003F01F
FUNC_SIO = 5
FUNC_UART = 2
FUNC_PWM = 4
FUNC_UART_AUX = 11
FUNC_NULL = 0x1F
STATUS_OUTTOPAD, STATUS_OETOPAD = 1 << 9, 1 << 13
STATUS_INFROMPAD, STATUS_IRQTOPROC = 1 << 17, 1 << 26
LEVEL_LOW, LEVEL_HIGH, EDGE_LOW, EDGE_HIGH = 1, 2, 4, 8
_EDGES = 0x88888888 | 0x44444444  # edge bits of every pin in an INTR word

INTR_BASE = 0x230
# interrupt targets: name -> (INTE base, INTF base, INTS base)
TARGETS = {"proc0": (0x248, 0x260, 0x278), "proc1": (0x290, 0x2A8, 0x2C0),
           "dormant_wake": (0x2D8, 0x2F0, 0x308)}
# input byte of 8 pins -> their LEVEL_HIGH/LEVEL_LOW bits in an INTR word
_LEVELS = [sum((LEVEL_HIGH if b >> i & 1 else LEVEL_LOW) << (4 * i) for i in range(8)) for b in range(256)]


class IoBank0(Peripheral):
    """Bank-0 IO muxing. `funcsel(n)`, `ctrl(n)`; the GPIO model calls
    `set_pad_status` and `set_input` and listens on `listener(pin)`."""

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        #: fn(pin) run when GPIOn_CTRL changes (pin -1: all pins)
        self.listener: Callable[[int], None] | None = None
        self.irq_proc0 = Signal(f"{name}.irq_proc0")
        self.irq_proc1 = Signal(f"{name}.irq_proc1")
        self.irq_dormant_wake = Signal(f"{name}.irq_dormant_wake")
        self._irq_signals = {"proc0": self.irq_proc0, "proc1": self.irq_proc1,
                             "dormant_wake": self.irq_dormant_wake}
        self._pad_status = [0] * NUM_PINS  # OUTTOPAD | OETOPAD | INFROMPAD from the GPIO model
        self._inputs = 0  # bitmap of pin input levels (after INOVER)
        self._edges = [0] * 6  # latched edge bits per INTR word
        self._regs: dict[str, list[list[int]]] = {t: [[0] * 6, [0] * 6] for t in TARGETS}  # [INTE, INTF]
        for n in range(NUM_PINS):
            self.add(Register(f"GPIO{n}_STATUS", 8 * n, mask=0, read=self._status_reader(n)))
            self.add(Register(f"GPIO{n}_CTRL", 8 * n + 4, reset=CTRL_RESET, mask=CTRL_MASK,
                              write=self._ctrl_writer(n)))
        for t_index, target in enumerate(TARGETS):
            for word in range(2):
                for secure in (True, False):
                    off = 0x200 + 0x10 * t_index + 8 * (not secure) + 4 * word
                    self.add(Register(f"IRQSUMMARY_{target.upper()}_{'' if secure else 'NON'}SECURE{word}",
                                      off, mask=0, read=self._summary_reader(target, word, secure)))
        for w in range(6):
            self.add(Register(f"INTR{w}", INTR_BASE + 4 * w, mask=0, read=self._intr_reader(w),
                              write=self._intr_writer(w), w1c=_EDGES))
            for target, (inte, intf, ints) in TARGETS.items():
                self.add(Register(f"{target.upper()}_INTE{w}", inte + 4 * w, mask=0,
                                  read=self._en_reader(target, 0, w), write=self._en_writer(target, 0, w)))
                self.add(Register(f"{target.upper()}_INTF{w}", intf + 4 * w, mask=0,
                                  read=self._en_reader(target, 1, w), write=self._en_writer(target, 1, w)))
                self.add(Register(f"{target.upper()}_INTS{w}", ints + 4 * w, mask=0,
                                  read=self._ints_reader(target, w)))

    # -- accessors for the GPIO model ----------------------------------------------------
    def ctrl(self, n: int) -> int:
        return self.registers[8 * n + 4].value

    def funcsel(self, n: int) -> int:
        return self.registers[8 * n + 4].value & 0x1F

    def set_pad_status(self, n: int, out: bool, oe: bool, in_from_pad: bool) -> None:
        self._pad_status[n] = ((STATUS_OUTTOPAD if out else 0) | (STATUS_OETOPAD if oe else 0)
                               | (STATUS_INFROMPAD if in_from_pad else 0))

    def set_input(self, n: int, level: bool) -> None:
        """Pin n's input (after INOVER) is now `level`: latch edges, update IRQs."""
        bit = 1 << n
        old = bool(self._inputs & bit)
        if old == level:
            return
        self._inputs ^= bit
        if self.in_reset:
            return  # held in reset: the edge latches stay clear
        self._edges[n // 8] |= (EDGE_HIGH if level else EDGE_LOW) << (4 * (n % 8))
        self._update_irqs()

    # -- interrupt logic -----------------------------------------------------------------
    def _raw(self, w: int) -> int:
        return _LEVELS[self._inputs >> (8 * w) & 0xFF] | self._edges[w]

    def _ints(self, target: str, w: int) -> int:
        inte, intf = self._regs[target]
        return (self._raw(w) & inte[w]) | intf[w]

    def _pin_irq(self, target: str, n: int) -> bool:
        """Pin n's interrupt to `target` after GPIOn_CTRL.IRQOVER."""
        pending = bool(self._ints(target, n // 8) >> (4 * (n % 8)) & 0xF)
        over = self.ctrl(n) >> 28 & 3
        return (not pending) if over == 1 else (pending if over == 0 else over == 3)

    def _update_irqs(self) -> None:
        overridden = [n for n in range(NUM_PINS) if self.registers[8 * n + 4].value & 0x30000000]
        for target, signal in self._irq_signals.items():
            if not overridden:  # the usual case: the line is just "any INTS bit set"
                signal.set(any(self._ints(target, w) for w in range(6)))
            else:
                signal.set(any(self._pin_irq(target, n) for n in range(NUM_PINS)))

    # -- register hooks ---------------------------------------------------------------------
    def _status_reader(self, n: int) -> Callable[[Peripheral], int]:
        return lambda p: self._pad_status[n] | (STATUS_IRQTOPROC if self._pin_irq("proc0", n) else 0)

    def _ctrl_writer(self, n: int) -> Callable[[Peripheral, int], None]:
        off = 8 * n + 4

        def write(p: Peripheral, value: int) -> None:
            reg = self.registers[off]
            new = value & CTRL_MASK
            if new != reg.value:
                reg.value = new
                if self.listener is not None:
                    self.listener(n)
                self._update_irqs()
        return write

    def _summary_reader(self, target: str, word: int, secure: bool) -> Callable[[Peripheral], int]:
        def read(p: Peripheral) -> int:
            if not secure:
                return 0
            pins = range(32 * word, min(32 * word + 32, NUM_PINS))
            return sum(1 << (n - 32 * word) for n in pins if self._pin_irq(target, n))
        return read

    def _intr_reader(self, w: int) -> Callable[[Peripheral], int]:
        return lambda p: self._raw(w)

    def _intr_writer(self, w: int) -> Callable[[Peripheral, int], None]:
        def write(p: Peripheral, value: int) -> None:
            self._edges[w] &= ~value
            self._update_irqs()
        return write

    def _en_reader(self, target: str, kind: int, w: int) -> Callable[[Peripheral], int]:
        return lambda p: self._regs[target][kind][w]

    def _en_writer(self, target: str, kind: int, w: int) -> Callable[[Peripheral, int], None]:
        valid = 0xFFFFFFFF if 8 * w + 8 <= NUM_PINS else (1 << (4 * (NUM_PINS - 8 * w))) - 1

        def write(p: Peripheral, value: int) -> None:
            self._regs[target][kind][w] = value & valid
            self._update_irqs()
        return write

    def _ints_reader(self, target: str, w: int) -> Callable[[Peripheral], int]:
        return lambda p: self._ints(target, w)

    def reset(self) -> None:
        super().reset()
        self._edges = [0] * 6
        for regs in self._regs.values():
            for kind in regs:
                kind[:] = [0] * 6
        if self.listener is not None:
            self.listener(-1)
        self._update_irqs()
