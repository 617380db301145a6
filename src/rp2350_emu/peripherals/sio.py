"""SIO (0xD0000000): single-cycle IO as seen by core 0.

GPIO output/enable registers use the RP2350 interleaved layout (each *_HI
register follows its low twin) with explicit SET/CLR/XOR registers; there
are no bus aliases. Output changes are pushed to `gpio_listener` at once,
and GPIO_IN/GPIO_HI_IN read a value the GPIO model pushes in
(`set_gpio_inputs`), so both directions cost nothing on a read.

Spinlocks: reading SPINLOCKk claims a free lock and returns 1 << k, or
returns 0 if it is held; any write releases it. The heap allocator's
critical section hits CPUID and SPINLOCK31 on every alloc/free, so those
handlers are kept to a couple of operations.

The inter-core FIFOs are 8 deep; core 1 is not modelled, so the TX side
just fills (`fifo_tx`) and `fifo_push_rx` stands in for core 1 writing.
Interpolators, doorbells, MTIME and the TMDS encoder are not modelled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Scheduler

HI_MASK = 0xFF00FFFF  # GPIO32-47 [15:0], USB DP/DM [25:24], QSPI [31:26]
FIFO_DEPTH = 8
FIFO_VLD, FIFO_RDY, FIFO_WOF, FIFO_ROE = 1 << 0, 1 << 1, 1 << 2, 1 << 3

# (offset, which word: 0 = OUT lo, 1 = OUT hi, 2 = OE lo, 3 = OE hi, op)
_GPIO_WRITES = []
for _base, _word in ((0x10, 0), (0x30, 2)):
    for _k, _op in enumerate(("=", "set", "clr", "xor")):
        _GPIO_WRITES.append((_base + 8 * _k, _word, _op))
        _GPIO_WRITES.append((_base + 8 * _k + 4, _word + 1, _op))


class Sio(Peripheral):
    """SIO. kwargs: cpuid (0: this model is core 0's view)."""

    size = 0x1000
    atomic_aliases = False

    def __init__(self, name: str, scheduler: Scheduler | None = None, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        #: fn(changed_lo, changed_hi) run after OUT or OE changes (the GPIO model)
        self.gpio_listener: Callable[[int, int], None] | None = None
        #: [OUT lo, OUT hi, OE lo, OE hi]
        self.gpio = [0, 0, 0, 0]
        self.spinlocks = 0  # bit k set = lock k held
        self.fifo_tx: deque[int] = deque()
        self.fifo_rx: deque[int] = deque()
        self._fifo_flags = 0  # sticky WOF/ROE
        self.fifo_irq = Signal(f"{name}.fifo_irq")
        self._cpuid = int(kwargs.get("cpuid", 0))
        self.add(Register("CPUID", 0x000, reset=self._cpuid, mask=0))
        self.add(Register("GPIO_IN", 0x004, mask=0))
        self.add(Register("GPIO_HI_IN", 0x008, mask=0))
        for off, word, op in _GPIO_WRITES:
            read = (lambda p, w=word: p.gpio[w]) if op == "=" else (lambda p: 0)  # SET/CLR/XOR are WO
            self.add(Register(f"GPIO_{off:03x}", off, mask=0, read=read, write=self._gpio_writer(word, op)))
        self.add(Register("FIFO_ST", 0x050, reset=FIFO_RDY, mask=0, read=Sio._read_fifo_st,
                          write=Sio._write_fifo_st))
        self.add(Register("FIFO_WR", 0x054, mask=0, read=lambda p: 0, write=Sio._write_fifo_wr))
        self.add(Register("FIFO_RD", 0x058, mask=0, read=Sio._peek_fifo_rd, on_read=Sio._read_fifo_rd))
        self.add(Register("SPINLOCK_ST", 0x05C, mask=0, read=lambda p: p.spinlocks))
        for k in range(32):
            self.add(Register(f"SPINLOCK{k}", 0x100 + 4 * k, mask=0, read=self._lock_peeker(k),
                              on_read=self._lock_claimer(k), write=self._lock_releaser(k), internal=True))

    def idle_state(self) -> object:
        return self.spinlocks

    # -- hot path ------------------------------------------------------------------
    # The heap's critical section (CPUID read, SPINLOCK31 read and write) runs
    # on every alloc/free: serve CPUID and the spinlocks before the generic
    # table walk. Behaviour is identical to the registered hooks.
    def read(self, offset: int, size: int = 4) -> int:
        if size == 4:
            if offset == 0:
                return self._cpuid
            if 0x100 <= offset < 0x180 and not offset & 3:
                bit = 1 << ((offset - 0x100) >> 2)
                if self.spinlocks & bit:
                    return 0
                self.spinlocks |= bit
                return bit
        return super().read(offset, size)

    def write(self, offset: int, value: int, size: int = 4) -> None:
        if 0x100 <= offset < 0x180:
            self.spinlocks &= ~(1 << ((offset - 0x100) >> 2))  # any write releases
            return
        super().write(offset, value, size)

    # -- GPIO -------------------------------------------------------------------
    def set_gpio_inputs(self, lo: int, hi: int) -> None:
        """Pin input levels as the GPIO model computes them (GPIO_IN, GPIO_HI_IN)."""
        self.registers[0x004].value = lo & 0xFFFFFFFF
        self.registers[0x008].value = hi & HI_MASK

    def _gpio_writer(self, word: int, op: str) -> Callable[[Peripheral, int], None]:
        mask = HI_MASK if word & 1 else 0xFFFFFFFF
        gpio = self.gpio

        def write(p: Peripheral, value: int) -> None:
            old = gpio[word]
            if op == "=":
                new = value & mask
            elif op == "set":
                new = old | (value & mask)
            elif op == "clr":
                new = old & ~value
            else:
                new = old ^ (value & mask)
            if new != old:
                gpio[word] = new
                listener = self.gpio_listener
                if listener is not None:
                    changed = old ^ new
                    listener(0 if word & 1 else changed, changed if word & 1 else 0)
        return write

    # -- spinlocks (hot path) -----------------------------------------------------------
    def _lock_peeker(self, k: int) -> Callable[[Peripheral], int]:
        bit = 1 << k
        return lambda p: 0 if p.spinlocks & bit else bit

    def _lock_claimer(self, k: int) -> Callable[[Peripheral], int]:
        bit = 1 << k

        def claim(p: Peripheral) -> int:
            if self.spinlocks & bit:
                return 0
            self.spinlocks |= bit
            return bit
        return claim

    def _lock_releaser(self, k: int) -> Callable[[Peripheral, int], None]:
        keep = ~(1 << k)

        def release(p: Peripheral, value: int) -> None:
            self.spinlocks &= keep
        return release

    # -- inter-core FIFO -------------------------------------------------------------------
    def _read_fifo_st(self) -> int:
        st = self._fifo_flags
        if self.fifo_rx:
            st |= FIFO_VLD
        if len(self.fifo_tx) < FIFO_DEPTH:
            st |= FIFO_RDY
        return st

    def _write_fifo_st(self, value: int) -> None:
        self._fifo_flags &= ~(value & (FIFO_WOF | FIFO_ROE))  # WOF/ROE are W1C
        self._update_fifo_irq()

    def _write_fifo_wr(self, value: int) -> None:
        if len(self.fifo_tx) >= FIFO_DEPTH:
            self._fifo_flags |= FIFO_WOF  # write ignored
        else:
            self.fifo_tx.append(value & 0xFFFFFFFF)
        self._update_fifo_irq()

    def _peek_fifo_rd(self) -> int:
        return self.fifo_rx[0] if self.fifo_rx else 0

    def _read_fifo_rd(self) -> int:
        if not self.fifo_rx:
            self._fifo_flags |= FIFO_ROE
            self._update_fifo_irq()
            return 0
        value = self.fifo_rx.popleft()
        self._update_fifo_irq()
        return value

    def fifo_push_rx(self, value: int) -> bool:
        """Core 1's side: put a word in core 0's RX FIFO; False if it was full."""
        if len(self.fifo_rx) >= FIFO_DEPTH:
            return False
        self.fifo_rx.append(value & 0xFFFFFFFF)
        self._update_fifo_irq()
        return True

    def _update_fifo_irq(self) -> None:
        # SIO_IRQ_FIFO = VLD | WOF | ROE of this core's FIFO_ST
        self.fifo_irq.set(bool(self._fifo_flags or self.fifo_rx))

    def reset(self) -> None:
        super().reset()
        old = self.gpio[:]
        self.gpio[:] = [0, 0, 0, 0]
        self.spinlocks = 0
        self.fifo_tx.clear()
        self.fifo_rx.clear()
        self._fifo_flags = 0
        self._update_fifo_irq()
        if self.gpio_listener is not None and any(old):
            self.gpio_listener(old[0] | old[2], old[1] | old[3])
