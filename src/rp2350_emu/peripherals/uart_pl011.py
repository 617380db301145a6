"""UART0 (0x40070000) / UART1 (0x40078000): Arm PL011 as on the RP2350.

Timing is real: a character occupies the line for (start + data + parity +
stop) bit periods, a bit period being 16 * (IBRD + FBRD/64) / clk_peri, with
the divisor latched by the LCR_H write that follows IBRD/FBRD. TX bytes leave
the FIFO one at a time and `on_tx` callbacks run when the stop bit ends;
`inject()` delivers RX bytes at line rate. Back-to-back characters are timed
from the start of the burst, so rounding to whole ns never accumulates.

FIFOs are 32 deep with LCR_H.FEN, 1 deep without. RX overrun sets RSR.OE and
RIS.OERIS; DR bit 11 (OE) reads 1 from then until the next character enters
the FIFO. The receive timeout (RTRIS) fires 32 bit periods after the last
character arrived if the FIFO still holds data. TXRIS/RXRIS follow the PL011
trigger-level rules: TX is raised when the FIFO drains to the IFLS level (it
is not raised just because the FIFO starts empty), RX when it fills to it.
`irq` is the OR of MIS. Modem lines: CTS/DSR/DCD/RI inputs read inactive and
CTSEN/RTSEN flow control is not modelled; `txd` and `rts_n` are outputs
for the GPIO model (the line is modelled per character, not per bit).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.mmio.block import Peripheral
from rp2350_emu.mmio.register import Register
from rp2350_emu.mmio.signal import Signal
from rp2350_emu.peripherals.timebase import NS_PER_S, hz_of

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.time.scheduler import Event, Scheduler

FIFO_DEPTH = 32
# FR bits
FR_BUSY, FR_RXFE, FR_TXFF, FR_RXFF, FR_TXFE = 1 << 3, 1 << 4, 1 << 5, 1 << 6, 1 << 7
# LCR_H bits
LCR_BRK, LCR_PEN, LCR_STP2, LCR_FEN = 1 << 0, 1 << 1, 1 << 3, 1 << 4
# CR bits
CR_UARTEN, CR_LBE, CR_TXE, CR_RXE, CR_RTS = 1 << 0, 1 << 7, 1 << 8, 1 << 9, 1 << 11
# interrupt bits (RIS/MIS/IMSC/ICR)
INT_RX, INT_TX, INT_RT, INT_FE, INT_PE, INT_BE, INT_OE = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8, 1 << 9, 1 << 10
# DR error bits (and RSR bits >> 8)
DR_FE, DR_PE, DR_BE, DR_OE = 1 << 8, 1 << 9, 1 << 10, 1 << 11
RSR_OE = 1 << 3
# IFLS level select -> eighths of the 32-deep FIFO
_LEVEL = {0: 4, 1: 8, 2: 16, 3: 24, 4: 28}
DEFAULT_INJECT_BAUD = 115_200

_IDS = {0xFE0: 0x11, 0xFE4: 0x10, 0xFE8: 0x34, 0xFEC: 0x00,
        0xFF0: 0x0D, 0xFF4: 0xF0, 0xFF8: 0x05, 0xFFC: 0xB1}


class _Burst:
    """Times back-to-back characters from one origin so ns rounding never
    accumulates: char k of a burst ends at t0 + ceil(bits_so_far * bit_time)."""

    def __init__(self) -> None:
        self.t0 = 0
        self.bits = 0
        self.key: tuple[int, int] | None = None  # (div64, clk hz) of the burst
        self.end_ns = -1

    def next_end(self, now: int, frame_bits: int, div64: int, hz: int) -> int:
        key = (div64, hz)
        if self.end_ns != now or self.key != key:
            self.t0, self.bits, self.key = now, 0, key  # line was idle: new burst
        self.bits += frame_bits
        # bit time = 16 * div64 / 64 / hz = div64 / (4 hz) seconds
        self.end_ns = self.t0 + -(-self.bits * div64 * NS_PER_S // (4 * hz))
        return self.end_ns


class UartPl011(Peripheral):
    """PL011 UART. kwargs: clocks (Clocks model: uses freq_hz("peri")) or
    clk_peri_hz (int or callable; default 150 MHz)."""

    def __init__(self, name: str, scheduler: Scheduler, **kwargs: Any) -> None:
        super().__init__(name, scheduler)
        self.scheduler: Scheduler = scheduler
        self._clk_peri_hz: Callable[[], int] = hz_of(kwargs.get("clk_peri_hz"), 150_000_000)
        self.irq = Signal(f"{name}.irq")
        self.txd = Signal(f"{name}.txd", level=True)  # idle line is high
        self.rts_n = Signal(f"{name}.rts_n", level=True)
        self._tx_callbacks: list[Callable[[int], None]] = []
        self._rx_callbacks: list[Callable[[int], None]] = []
        self.rx_dropped = 0  # characters that arrived while the receiver was off
        self.rx_overrun_lost = 0  # characters lost to overruns (FIFO full), all told
        self._overrun_callbacks: list[Callable[[int, int], None]] = []
        self._lost = 0  # characters lost in the overrun going on now
        self._lost_since = 0  # when its first character was lost
        self._tx_fifo: deque[int] = deque()
        self._rx_fifo: deque[int] = deque()  # 12-bit entries: error bits [11:8] + data
        self._rx_line: deque[int] = deque()  # injected, not yet on the wire
        self._tx_shift: int | None = None
        self._tx_event: Event | None = None
        self._rx_event: Event | None = None
        self._rt_event: Event | None = None
        self._tx_burst = _Burst()
        self._rx_burst = _Burst()
        self._rx_baud: int | None = None
        self._overrun = False
        self._div64 = 0  # latched (IBRD << 6) | FBRD
        self._ris = 0
        self._rsr = 0
        self.add(Register("UARTDR", 0x000, read=UartPl011._peek_dr, on_read=UartPl011._read_dr,
                          write=UartPl011._write_dr))
        self.add(Register("UARTRSR", 0x004, read=lambda p: p._rsr, write=UartPl011._write_ecr))
        self.add(Register("UARTFR", 0x018, reset=0x90, mask=0, read=UartPl011._read_fr))
        self.add(Register("UARTILPR", 0x020, mask=0xFF))
        self.add(Register("UARTIBRD", 0x024, mask=0xFFFF))
        self.add(Register("UARTFBRD", 0x028, mask=0x3F))
        self.add(Register("UARTLCR_H", 0x02C, mask=0xFF, write=UartPl011._write_lcr_h))
        self.add(Register("UARTCR", 0x030, reset=0x300, mask=0xFF87, write=UartPl011._write_cr))
        self.add(Register("UARTIFLS", 0x034, reset=0x12, mask=0x3F))
        self.add(Register("UARTIMSC", 0x038, mask=0x7FF, write=UartPl011._write_imsc))
        self.add(Register("UARTRIS", 0x03C, mask=0, read=lambda p: p._ris))
        self.add(Register("UARTMIS", 0x040, mask=0, read=lambda p: p._ris & p.registers[0x38].value))
        self.add(Register("UARTICR", 0x044, mask=0, read=lambda p: 0, write=UartPl011._write_icr))
        self.add(Register("UARTDMACR", 0x048, mask=0x7))  # no DMA engine: accepted, inert
        for off, value in _IDS.items():
            self.add(Register(f"ID_{off:03x}", off, reset=value, mask=0))
        if kwargs.get("clocks") is not None:
            self.connect_clocks(kwargs["clocks"])

    # -- wiring / public -------------------------------------------------------------------
    def connect_clocks(self, clocks: Any) -> None:
        """Take clk_peri from a Clocks model and resume when it starts."""
        self._clk_peri_hz = lambda: clocks.freq_hz("peri")
        clocks.listeners.add(self.clock_changed)

    def on_tx(self, callback: Callable[[int], None]) -> None:
        """Register fn(byte) called when a byte's stop bit has left the wire."""
        self._tx_callbacks.append(callback)

    def on_rx(self, callback: Callable[[int], None]) -> None:
        """Register fn(byte) called when an injected byte's stop bit has
        arrived (waveform recording: the RX line's real timing)."""
        self._rx_callbacks.append(callback)

    def on_overrun(self, callback: Callable[[int, int], None]) -> None:
        """Register fn(lost, since_ns), called once per overrun when it is over: when the next
        character makes it into the RX FIFO, or the last character on the line was lost, or
        at reset. `lost` characters were lost from `since_ns` to now."""
        self._overrun_callbacks.append(callback)

    def inject(self, data: bytes | bytearray | str, baud: int | None = None) -> None:
        """Queue bytes arriving on RX, one character time apart.

        `baud` is the sender's rate; by default the receiver's own setting
        (or 115200 before the divisor is programmed) so the bytes frame."""
        if isinstance(data, str):
            data = data.encode()
        self._rx_line.extend(data)
        self._rx_baud = int(baud) if baud is not None else None
        if self._rx_event is None:
            self._rx_next()

    @property
    def rx_enabled(self) -> bool:
        """UARTEN and RXE are set: the receiver takes bytes off the line."""
        return self._enabled(CR_RXE)

    @property
    def baud(self) -> float | None:
        """Current line rate from the latched divisor and clk_peri (None if stopped)."""
        hz = self._clk_peri_hz()
        return hz * 4 / self._div64 if self._div64 and hz > 0 else None

    def clock_changed(self) -> None:
        """clk_peri changed: start a transmission that was waiting for a clock."""
        self._tx_kick()

    # -- helpers ---------------------------------------------------------------------------
    def _depth(self) -> int:
        return FIFO_DEPTH if self.registers[0x2C].value & LCR_FEN else 1

    def _frame_bits(self) -> int:
        lcr = self.registers[0x2C].value
        return 1 + (5 + (lcr >> 5 & 3)) + (1 if lcr & LCR_PEN else 0) + (2 if lcr & LCR_STP2 else 1)

    def _enabled(self, direction: int) -> bool:
        cr = self.registers[0x30].value
        return bool(cr & CR_UARTEN and cr & direction)

    def _tx_level(self) -> int:
        return _LEVEL.get(self.registers[0x34].value & 7, 16) if self._depth() > 1 else 0

    def _rx_level(self) -> int:
        return _LEVEL.get(self.registers[0x34].value >> 3 & 7, 16) if self._depth() > 1 else 1

    def _update_irq(self) -> None:
        self.irq.set(bool(self._ris & self.registers[0x38].value))

    def _bit_ns(self) -> int | None:
        hz = self._clk_peri_hz()
        if not self._div64 or hz <= 0:
            return None
        return -(-self._div64 * NS_PER_S // (4 * hz))

    # -- transmit ----------------------------------------------------------------------------
    def _tx_kick(self) -> None:
        """Move the next byte into the shift register if the line is free."""
        if self._tx_shift is not None or not self._tx_fifo or not self._enabled(CR_TXE) or self.in_reset:
            return
        hz = self._clk_peri_hz()
        if not self._div64 or hz <= 0:
            return  # no baud clock: the byte waits (clock_changed retries)
        before = len(self._tx_fifo)
        self._tx_shift = self._tx_fifo.popleft()
        self._tx_fifo_drained(before)
        now = self.scheduler.now_ns
        end = self._tx_burst.next_end(now, self._frame_bits(), self._div64, hz)
        self._tx_event = self.scheduler.schedule_at(end, self._tx_done, f"{self.name}.tx")

    def _tx_fifo_drained(self, before: int) -> None:
        level = self._tx_level()
        if before > level >= len(self._tx_fifo):
            self._ris |= INT_TX  # FIFO fell to the trigger level
            self._update_irq()

    def _tx_done(self) -> None:
        byte, self._tx_shift, self._tx_event = self._tx_shift, None, None
        if byte is not None:
            for callback in self._tx_callbacks:
                callback(byte)
            if self.registers[0x30].value & CR_LBE:
                self._rx_receive(byte)  # loopback: TX feeds RX
        self._tx_kick()

    def _write_dr(self, value: int) -> None:
        if len(self._tx_fifo) >= self._depth():
            return  # TX FIFO full: the write is lost
        self._tx_fifo.append(value & 0xFF)
        if len(self._tx_fifo) > self._tx_level() and self._ris & INT_TX:
            self._ris &= ~INT_TX  # filled above the trigger level
            self._update_irq()
        self._tx_kick()

    # -- receive -------------------------------------------------------------------------------
    def _rx_next(self) -> None:
        """Schedule the arrival of the next injected character."""
        self._rx_event = None
        if not self._rx_line:
            return
        hz = self._clk_peri_hz()
        if self._rx_baud is None and self._div64 and hz > 0:
            div64, rate = self._div64, hz
        else:
            # the sender's own rate: bit time 1/baud = div64 / (4 * rate) with div64 = 4
            div64, rate = 4, self._rx_baud or DEFAULT_INJECT_BAUD
        end = self._rx_burst.next_end(self.scheduler.now_ns, self._frame_bits(), div64, rate)
        self._rx_event = self.scheduler.schedule_at(end, self._rx_arrive, f"{self.name}.rx")

    def _rx_arrive(self) -> None:
        byte = self._rx_line.popleft()
        for callback in self._rx_callbacks:
            callback(byte)
        self._rx_receive(byte)
        self._rx_next()

    def _rx_receive(self, entry: int) -> None:
        """A character (data + error bits) has been fully received."""
        if not self._enabled(CR_RXE) or self.in_reset:
            self.rx_dropped += 1
            return
        if len(self._rx_fifo) >= self._depth():
            self._overrun = True  # shift register overwritten, FIFO kept
            self._rsr |= RSR_OE
            self._ris |= INT_OE
            if not self._lost:
                self._lost_since = self.scheduler.now_ns
            self._lost += 1
            self.rx_overrun_lost += 1
        else:
            if self._overrun:
                self._overrun = False  # a new character made it into the FIFO
            if self._lost:
                self._overrun_over()
            self._rx_fifo.append(entry)
            errors = entry >> 8
            self._ris |= (INT_FE if errors & 1 else 0) | (INT_PE if errors & 2 else 0) \
                | (INT_BE if errors & 4 else 0)
            if len(self._rx_fifo) == self._rx_level():
                self._ris |= INT_RX  # FIFO reached the trigger level
        if self._lost and not self._rx_line:
            self._overrun_over()  # nothing more on the line to lose
        self._start_rx_timeout()
        self._update_irq()

    def _overrun_over(self) -> None:
        lost, self._lost = self._lost, 0
        for callback in self._overrun_callbacks:
            callback(lost, self._lost_since)

    def _start_rx_timeout(self) -> None:
        if self._rt_event is not None:
            self._rt_event.cancel()
            self._rt_event = None
        bit = self._bit_ns()
        if bit is not None:
            self._rt_event = self.scheduler.schedule_in(32 * bit, self._rx_timeout, f"{self.name}.rt")

    def _rx_timeout(self) -> None:
        self._rt_event = None
        if self._rx_fifo:
            self._ris |= INT_RT
            self._update_irq()

    def _peek_dr(self) -> int:
        top = self._rx_fifo[0] if self._rx_fifo else 0
        return top | (DR_OE if self._overrun else 0)

    def _read_dr(self) -> int:
        value = self._peek_dr()
        if self._rx_fifo:
            self._rx_fifo.popleft()
            self._rsr = (self._rsr & RSR_OE) | (value >> 8 & 0x7)  # FE/PE/BE of this char
            if len(self._rx_fifo) < self._rx_level():
                self._ris &= ~INT_RX
            if not self._rx_fifo:
                self._ris &= ~INT_RT
            self._update_irq()
        return value

    # -- control ---------------------------------------------------------------------------------
    def _read_fr(self) -> int:
        depth = self._depth()
        tx, rx = len(self._tx_fifo), len(self._rx_fifo)
        fr = FR_TXFE if not tx else (FR_TXFF if tx >= depth else 0)
        fr |= FR_RXFE if not rx else (FR_RXFF if rx >= depth else 0)
        if tx or self._tx_shift is not None:
            fr |= FR_BUSY
        return fr

    def _write_ecr(self, value: int) -> None:
        self._rsr = 0  # any write to UARTECR clears the error flags

    def _write_lcr_h(self, value: int) -> None:
        self.registers[0x2C].value = value & 0xFF
        # the divisor registers take effect on an LCR_H write
        self._div64 = (self.registers[0x24].value << 6) | self.registers[0x28].value
        self.txd.set(not value & LCR_BRK)
        self._tx_kick()

    def _write_cr(self, value: int) -> None:
        self.registers[0x30].value = value & 0xFF87
        self.rts_n.set(not value & CR_RTS)
        self._tx_kick()

    def _write_imsc(self, value: int) -> None:
        self.registers[0x38].value = value & 0x7FF
        self._update_irq()

    def _write_icr(self, value: int) -> None:
        self._ris &= ~value
        self._update_irq()

    def reset(self) -> None:
        for event in (self._tx_event, self._rx_event, self._rt_event):
            if event is not None:
                event.cancel()
        self._tx_event = self._rx_event = self._rt_event = None
        if self._lost:
            self._overrun_over()
        super().reset()
        self._tx_fifo.clear()
        self._rx_fifo.clear()
        self._rx_line.clear()
        self._tx_shift = None
        self._tx_burst = _Burst()
        self._rx_burst = _Burst()
        self._rx_baud = None
        self._overrun = False
        self._div64 = 0
        self._ris = self._rsr = 0
        self.txd.set(True)
        self.rts_n.set(True)
        self._update_irq()
