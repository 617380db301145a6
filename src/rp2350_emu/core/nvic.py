"""NVIC and the exception priority model of an Armv8-M Mainline core.

This object owns all exception state: pending / active / enabled bits of
every exception (system exceptions 2-15 and external IRQs 16+), their
priorities (NVIC_IPR and the SCB's SHPR), the priority grouping (AIRCR
PRIGROUP), the configurable-fault enables (SHCSR) and SCR.SEVONPEND. The SCB
registers are views of it. It answers the one question the CPU asks between
slices: "which exception, if any, preempts now?". Bit e of the bitmasks is
exception number e (IRQ n = exception 16 + n).
"""

from __future__ import annotations

from collections.abc import Callable

from rp2350_emu.mmio.register import Register

NMI, HARDFAULT, MEMMANAGE, BUSFAULT, USAGEFAULT, SECUREFAULT = 2, 3, 4, 5, 6, 7
SVCALL, DEBUGMON, PENDSV, SYSTICK = 11, 12, 14, 15
EXCEPTION_NAMES = {
    NMI: "NMI", HARDFAULT: "HardFault", MEMMANAGE: "MemManage", BUSFAULT: "BusFault",
    USAGEFAULT: "UsageFault", SECUREFAULT: "SecureFault", SVCALL: "SVCall",
    DEBUGMON: "DebugMonitor", PENDSV: "PendSV", SYSTICK: "SysTick",
}
#: exceptions that are always enabled (the configurable faults need SHCSR)
_ALWAYS_ON = (1 << NMI) | (1 << HARDFAULT) | (1 << SVCALL) | (1 << PENDSV) | (1 << SYSTICK)
#: a priority value lower than anything configurable: "nothing is running"
THREAD_PRIORITY = 256
#: SHCSR enable bit of each configurable fault
FAULT_ENABLE_BITS = {MEMMANAGE: 16, BUSFAULT: 17, USAGEFAULT: 18, SECUREFAULT: 19}


def exception_name(exc: int) -> str:
    return f"IRQ{exc - 16}" if exc >= 16 else EXCEPTION_NAMES.get(exc, f"exception {exc}")


class Nvic:
    def __init__(self, num_irqs: int = 52, priority_mask: int = 0xF0) -> None:
        self.num_irqs = num_irqs
        self.priority_mask = priority_mask & 0xFF
        #: called when an exception may have become takeable (CPU ends its slice)
        self.on_change: Callable[[], None] = lambda: None
        #: called when something becomes pending while SCR.SEVONPEND is set
        self.on_pend_event: Callable[[], None] = lambda: None
        self.irq_lines: list[Callable[[bool], None]] = [self._make_line(n) for n in range(num_irqs)]
        self.reset()

    def reset(self) -> None:
        self.pending = 0
        self.active = 0
        self.nmi_mask = 0  # IRQs routed to NMI (EPPB NMI_MASK0/1)
        self.enabled = 0  # IRQ enable bits, exception-numbered
        self.line_level = 0
        self.irq_priority = [0] * self.num_irqs
        self.itns = [0] * ((self.num_irqs + 31) // 32)
        self.active_order: list[int] = []  # nesting order, innermost last
        self.system_priority = [0] * 16  # SHPR1-3, by exception number
        self.prigroup = 0  # AIRCR.PRIGROUP
        self.fault_enables = 0  # SHCSR MEM/BUS/USG/SECURE FAULTENA bits (16-19)
        self.sevonpend = False  # SCR.SEVONPEND

    # -- priorities -----------------------------------------------------------
    def priority(self, exc: int) -> int:
        if exc == NMI:
            return -2
        if exc == HARDFAULT:
            return -1
        if exc >= 16:
            return self.irq_priority[exc - 16]
        return self.system_priority[exc]

    def group_priority(self, prio: int) -> int:
        if prio < 0:
            return prio
        return prio & ~((2 << self.prigroup) - 1) & 0xFF

    def fault_enable_mask(self) -> int:
        # SHCSR bits 16-19 enable exceptions 4-7 (FAULT_ENABLE_BITS), in the same order
        return (self.fault_enables >> 16 & 0xF) << MEMMANAGE

    def enabled_mask(self) -> int:
        return self.enabled | _ALWAYS_ON | self.fault_enable_mask()

    def execution_priority(self, primask: int, basepri: int, faultmask: int,
                           ignore_primask: bool = False) -> int:
        prio = THREAD_PRIORITY
        active = self.active
        while active:  # the set bits only, lowest first
            low = active & -active
            prio = min(prio, self.group_priority(self.priority(low.bit_length() - 1)))
            active ^= low
        basepri &= self.priority_mask
        if basepri:
            prio = min(prio, self.group_priority(basepri))
        if primask & 1 and not ignore_primask:
            prio = min(prio, 0)
        if faultmask & 1:
            prio = min(prio, -1)
        return prio

    def has_candidate(self) -> bool:
        """Anything pending and enabled at all (the cheap first test)."""
        return bool(self.pending & self.enabled_mask())

    def highest_pending(self) -> int | None:
        """Pending and enabled exception with the highest priority."""
        cand = self.pending & self.enabled_mask()
        if not cand:
            return None
        best, best_prio = None, 1 << 16
        while cand:  # the set bits only, lowest exception first (it wins a tie)
            low = cand & -cand
            exc = low.bit_length() - 1
            p = self.priority(exc)
            if p < best_prio:
                best, best_prio = exc, p
            cand ^= low
        return best

    def preempting(self, exec_priority: int) -> int | None:
        exc = self.highest_pending()
        if exc is not None and self.group_priority(self.priority(exc)) < exec_priority:
            return exc
        return None

    # -- state changes --------------------------------------------------------
    def set_pending(self, exc: int) -> None:
        bit = 1 << exc
        if not self.pending & bit:
            self.pending |= bit
            if self.sevonpend:
                self.on_pend_event()
            self.on_change()

    def clear_pending(self, exc: int) -> None:
        self.pending &= ~(1 << exc)
        if exc >= 16 and self.line_level >> exc & 1 and not self.active >> exc & 1:
            self.pending |= 1 << exc  # a level-sensitive line still asserted re-pends

    def activate(self, exc: int) -> None:
        self.pending &= ~(1 << exc)
        self.active |= 1 << exc
        self.active_order.append(exc)

    def deactivate(self, exc: int) -> None:
        self.active &= ~(1 << exc)
        if exc in self.active_order:
            self.active_order.remove(exc)
        if exc >= 16 and self.line_level >> exc & 1:
            self.set_pending(exc)

    def is_active(self, exc: int) -> bool:
        return bool(self.active >> exc & 1)

    def _make_line(self, irq: int) -> Callable[[bool], None]:
        exc = 16 + irq

        def line(level: bool) -> None:
            if level and self.nmi_mask >> irq & 1:
                self.set_pending(NMI)  # EPPB NMI_MASK routes this IRQ to the NMI
                return
            if level:
                self.line_level |= 1 << exc
                if not self.active >> exc & 1:
                    self.set_pending(exc)
            else:
                self.line_level &= ~(1 << exc)
        return line

    # -- registers (offsets within the SCS block at 0xE000E000) ----------------
    def _irq_word(self, mask: int, k: int) -> int:
        return (mask >> (16 + 32 * k)) & 0xFFFFFFFF & self._valid(k)

    def _valid(self, k: int) -> int:
        n = self.num_irqs - 32 * k
        return 0 if n <= 0 else (0xFFFFFFFF if n >= 32 else (1 << n) - 1)

    def registers(self) -> list[Register]:
        regs: list[Register] = []
        for k in range(16):
            regs += self._bank_registers(k)
        for k in range(124):
            regs.append(Register(f"NVIC_IPR{k}", 0x400 + 4 * k,
                                 read=lambda _p, k=k: self._read_ipr(k),
                                 write=lambda _p, v, k=k: self._write_ipr(k, v)))
        return regs

    def _bank_registers(self, k: int) -> list[Register]:
        def set_bits(attr: str, value: int) -> None:
            value &= self._valid(k)
            setattr(self, attr, getattr(self, attr) | value << (16 + 32 * k))

        def write_iser(_p: object, v: int) -> None:
            set_bits("enabled", v)
            if v & self._valid(k):
                self.on_change()

        def write_icer(_p: object, v: int) -> None:
            self.enabled &= ~((v & self._valid(k)) << (16 + 32 * k))

        def write_ispr(_p: object, v: int) -> None:
            v &= self._valid(k)
            for bit in range(32):
                if v >> bit & 1:
                    self.set_pending(16 + 32 * k + bit)

        def write_icpr(_p: object, v: int) -> None:
            v &= self._valid(k)
            for bit in range(32):
                if v >> bit & 1:
                    self.clear_pending(16 + 32 * k + bit)

        def write_itns(_p: object, v: int) -> None:
            if k < len(self.itns):
                self.itns[k] = v & self._valid(k)

        return [
            Register(f"NVIC_ISER{k}", 0x100 + 4 * k, read=lambda _p: self._irq_word(self.enabled, k),
                     write=write_iser),
            Register(f"NVIC_ICER{k}", 0x180 + 4 * k, read=lambda _p: self._irq_word(self.enabled, k),
                     write=write_icer),
            Register(f"NVIC_ISPR{k}", 0x200 + 4 * k, read=lambda _p: self._irq_word(self.pending, k),
                     write=write_ispr),
            Register(f"NVIC_ICPR{k}", 0x280 + 4 * k, read=lambda _p: self._irq_word(self.pending, k),
                     write=write_icpr),
            Register(f"NVIC_IABR{k}", 0x300 + 4 * k, read=lambda _p: self._irq_word(self.active, k),
                     write=lambda _p, v: None),
            Register(f"NVIC_ITNS{k}", 0x380 + 4 * k,
                     read=lambda _p: self.itns[k] if k < len(self.itns) else 0, write=write_itns),
        ]

    def _read_ipr(self, k: int) -> int:
        word = 0
        for lane in range(4):
            irq = 4 * k + lane
            if irq < self.num_irqs:
                word |= self.irq_priority[irq] << (8 * lane)
        return word

    def _write_ipr(self, k: int, value: int) -> None:
        for lane in range(4):
            irq = 4 * k + lane
            if irq < self.num_irqs:
                self.irq_priority[irq] = (value >> (8 * lane)) & self.priority_mask
        self.on_change()  # a raised priority may let a pending IRQ preempt

    def software_trigger(self, value: int) -> None:
        """STIR: pend external interrupt INTID."""
        irq = value & 0x1FF
        if irq < self.num_irqs:
            self.set_pending(16 + irq)
