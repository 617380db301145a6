"""PL011 UART: registers, FIFOs, baud-accurate TX/RX timing, interrupts."""

from __future__ import annotations

import pytest

from rp2350_emu.peripherals import UartPl011
from rp2350_emu.time.scheduler import Scheduler

CHAR_NS = 86_800  # 10 bits x 8680 ns: 115200 8N1 with IBRD 81, FBRD 24 at 150 MHz
DR, RSR, FR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC, RIS, MIS, ICR = \
    0x00, 0x04, 0x18, 0x24, 0x28, 0x2C, 0x30, 0x34, 0x38, 0x3C, 0x40, 0x44
TXFE, RXFF, TXFF, RXFE, BUSY = 1 << 7, 1 << 6, 1 << 5, 1 << 4, 1 << 3


def hal_enable(u: UartPl011, lcr_h: int = 0x70) -> None:
    u.write(IBRD, 81)
    u.write(FBRD, 24)
    u.write(LCR_H, u.read(LCR_H))  # dummy rewrite latches the divisor
    u.write(LCR_H, lcr_h)  # 8 bits, FIFOs on
    u.write(CR, 0x301)
    u.write(0x48, 0x3)  # DMACR accepted


@pytest.fixture
def uart(sched: Scheduler) -> UartPl011:
    u = UartPl011("uart0", sched)
    hal_enable(u)
    return u


def test_reset_values(sched) -> None:
    u = UartPl011("uart0", sched)
    assert u.read(FR) == 0x90 and u.read(CR) == 0x300 and u.read(IFLS) == 0x12
    assert [u.read(o) for o in (DR, RSR, IBRD, FBRD, LCR_H, IMSC, RIS, MIS, 0x48)] == [0] * 9
    assert [u.read(o) for o in range(0xFE0, 0x1000, 4)] == [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]


def test_divisor_takes_effect_on_lcr_h_write(sched) -> None:
    u = UartPl011("uart0", sched)
    u.write(IBRD, 81)
    u.write(FBRD, 24)
    assert u.baud is None
    u.write(LCR_H, 0x70)
    assert u.baud == pytest.approx(115_207.37, abs=0.01)


def test_tx_completes_at_baud_accurate_times(sched, uart) -> None:
    sent: list[tuple[int, int]] = []
    uart.on_tx(lambda b: sent.append((sched.now_ns, b)))
    for b in b"abc":
        uart.write(DR, b)
    assert uart.read(FR) & BUSY and not uart.read(FR) & TXFE
    sched.advance_to(CHAR_NS - 1)
    assert sent == []
    sched.advance_to(10**9)
    assert sent == [(CHAR_NS, 0x61), (2 * CHAR_NS, 0x62), (3 * CHAR_NS, 0x63)]
    assert uart.read(FR) == TXFE | RXFE


def test_frame_format_changes_character_time(sched, uart) -> None:
    uart.write(LCR_H, 0x70 | 0x08 | 0x02)  # 2 stop bits + parity: 12 bits
    done: list[int] = []
    uart.on_tx(lambda b: done.append(sched.now_ns))
    uart.write(DR, 0x55)
    sched.advance_to(10**9)
    assert done == [12 * 8680]


def test_tx_fifo_depth_32_and_1(sched, uart) -> None:
    for i in range(33):  # one goes straight to the shift register
        assert not uart.read(FR) & TXFF
        uart.write(DR, i)
    assert uart.read(FR) & TXFF
    uart.write(DR, 0xEE)  # lost
    sent: list[int] = []
    uart.on_tx(sent.append)
    sched.advance_to(40 * CHAR_NS)
    assert sent == list(range(33))
    uart.write(LCR_H, 0x60)  # FEN = 0: one-deep holding register
    uart.write(DR, 1)
    uart.write(DR, 2)
    assert uart.read(FR) & TXFF


def test_tx_waits_for_enable_and_clock(sched) -> None:
    hz = [0]
    u = UartPl011("uart0", sched, clk_peri_hz=lambda: hz[0])
    sent: list[int] = []
    u.on_tx(lambda b: sent.append(sched.now_ns))
    u.write(IBRD, 81)
    u.write(FBRD, 24)
    u.write(LCR_H, 0x70)
    u.write(DR, 0x41)
    sched.advance_to(10 * CHAR_NS)
    assert sent == []  # CR = 0x300: UARTEN off
    u.write(CR, 0x301)
    sched.advance_to(20 * CHAR_NS)
    assert sent == []  # no clk_peri yet
    hz[0] = 150_000_000
    u.clock_changed()
    sched.advance_to(40 * CHAR_NS)
    assert sent == [21 * CHAR_NS]


def test_rx_is_paced_at_line_rate(sched, uart) -> None:
    uart.inject(b"hi")
    sched.advance_to(CHAR_NS - 1)
    assert uart.read(FR) & RXFE
    sched.advance_to(CHAR_NS)
    assert not uart.read(FR) & RXFE
    assert uart.read(DR) == ord("h") and uart.read(FR) & RXFE
    sched.advance_to(2 * CHAR_NS)
    assert uart.read(DR) == ord("i")


def test_rx_overrun(sched, uart) -> None:
    uart.inject(bytes(range(34)))
    sched.advance_to(32 * CHAR_NS)
    assert uart.read(FR) & RXFF and not uart.read(RIS) & (1 << 10)
    sched.advance_to(33 * CHAR_NS)
    assert uart.read(RIS) & (1 << 10) and uart.read(RSR) & 0x8
    first = uart.read(DR)
    assert first == 0x800 | 0  # OE flagged, data still the oldest byte
    sched.advance_to(34 * CHAR_NS)  # byte 33 fills the freed slot; OE clears
    assert uart.read(DR) == 1
    uart.write(RSR, 0)  # ECR write clears RSR
    assert uart.read(RSR) == 0
    uart.write(ICR, 1 << 10)
    assert not uart.read(RIS) & (1 << 10)


def test_rx_timeout_after_32_bit_periods(sched, uart) -> None:
    uart.write(IMSC, 1 << 6)
    uart.inject(b"x")
    sched.advance_to(CHAR_NS + 32 * 8680 - 1)
    assert not uart.read(RIS) & (1 << 6) and not uart.irq.level
    sched.advance_to(CHAR_NS + 32 * 8680)
    assert uart.read(MIS) == 1 << 6 and uart.irq.level
    uart.read(DR)  # emptying the FIFO clears it
    assert uart.read(RIS) == 0 and not uart.irq.level


def test_rx_interrupt_at_trigger_level(sched, uart) -> None:
    uart.write(IFLS, 0)  # RX >= 1/8 (4), TX <= 1/8
    uart.write(IMSC, 1 << 4)
    uart.inject(b"abcd")
    sched.advance_to(3 * CHAR_NS)
    assert not uart.irq.level
    sched.advance_to(4 * CHAR_NS)
    assert uart.irq.level and uart.read(MIS) == 1 << 4
    uart.read(DR)  # below the level again
    assert not uart.irq.level


def test_tx_interrupt_when_fifo_drains_to_level(sched, uart) -> None:
    uart.write(IMSC, 1 << 5)  # IFLS reset: TX <= 1/2 (16)
    for i in range(20):
        uart.write(DR, i)  # 1 shifting, 19 queued
    assert not uart.irq.level
    sched.advance_to(3 * CHAR_NS - 1)
    assert not uart.irq.level
    sched.advance_to(3 * CHAR_NS)  # third byte out: 16 left queued
    assert uart.irq.level
    uart.write(DR, 0)  # above the level again
    assert not uart.irq.level
    uart.write(ICR, 0x7FF)
    assert uart.read(RIS) & (1 << 5) == 0


def test_alias_writes_do_not_pop_rx(sched, uart) -> None:
    uart.inject(b"z")
    sched.advance_to(CHAR_NS)
    uart.write(0x2000 + IMSC, 1 << 4)  # SET alias on IMSC
    uart.write(0x3000 + DR, 0)  # CLR alias on DR: a TX write, not a read
    assert uart.read(IMSC) == 1 << 4
    assert uart.read(DR) == ord("z")


def test_receiver_off_drops_and_loopback(sched, uart) -> None:
    uart.write(CR, 0x101)  # RXE off
    uart.inject(b"q")
    sched.advance_to(CHAR_NS)
    assert uart.read(FR) & RXFE and uart.rx_dropped == 1
    uart.write(CR, 0x381)  # LBE
    uart.write(DR, 0x5A)
    sched.advance_to(3 * CHAR_NS)
    assert uart.read(DR) == 0x5A


def test_block_reset_clears_fifos_and_cancels_tx(sched, uart) -> None:
    sent: list[int] = []
    uart.on_tx(sent.append)
    uart.write(DR, 1)
    uart.inject(b"abc")
    uart.hold_reset(True)
    sched.advance_to(10 * CHAR_NS)
    assert sent == [] and uart.read(FR) == 0x90 and uart.read(CR) == 0x300
