"""GPIO pin levels from SIO + IO_BANK0 + PADS_BANK0, and bank-0 interrupts."""

from __future__ import annotations

from rp2350_emu.peripherals import IoBank0, PadsBank0
from rp2350_emu.peripherals.gpio import uart_function

SIO_IN = 0x004


def release_banks(chip) -> None:
    chip.resets.write(0x3000, (1 << 6) | (1 << 9))


def pads_for_function(chip, n: int, pulls: int) -> None:
    """HAL set_function: IE=1, OD=0, ISO=0, then the pull bits."""
    off = 0x04 + 4 * n
    v = chip.pads.read(off)
    chip.pads.write(off, (v | 0x40) & ~0x180)
    chip.pads.write(off, (chip.pads.read(off) & ~0xC) | pulls)


def drive_led_high(chip) -> None:
    """GPIO25 as a push-pull SIO output (pull-down kept), driven high."""
    release_banks(chip)
    pads_for_function(chip, 25, 0x04)
    chip.io.write(0xCC, 0x05)
    chip.sio.write(0x038, 1 << 25)
    chip.sio.write(0x018, 1 << 25)


def test_pad_and_ctrl_reset_values(sched) -> None:
    pads, io = PadsBank0("pads", sched), IoBank0("io", sched)
    assert pads.read(0x00) == 0
    assert all(pads.read(0x04 + 4 * n) == 0x116 for n in range(48))
    assert pads.read(0x68) == 0x116  # GPIO25
    assert pads.read(0xC4) == 0x5A and pads.read(0xC8) == 0x5A
    assert all(io.read(8 * n + 4) == 0x1F and io.read(8 * n) == 0 for n in range(48))


def test_button_pull_up_input(chip) -> None:
    release_banks(chip)
    assert chip.sio.read(SIO_IN) == 0  # pads isolated, IE=0
    chip.sio.write(0x040, 1 << 15)
    pads_for_function(chip, 15, 0x08)  # pull-up
    chip.io.write(0x7C, 0x05)
    assert chip.pads.read(0x40) == 0x05A
    pin = chip.gpio.pin(15)
    assert pin.level and chip.sio.read(SIO_IN) == 1 << 15  # released button reads 1
    pin.drive(False)  # pressed
    assert not pin.level and chip.sio.read(SIO_IN) == 0
    pin.drive(None)
    assert chip.sio.read(SIO_IN) == 1 << 15


def test_input_needs_ie_and_no_iso(chip) -> None:
    release_banks(chip)
    pads_for_function(chip, 15, 0x08)
    chip.io.write(0x7C, 0x05)
    chip.pads.write(0x40, 0x01A)  # IE=0
    assert chip.gpio.pin(15).level and chip.sio.read(SIO_IN) == 0
    chip.pads.write(0x40, 0x15A)  # ISO=1
    assert chip.sio.read(SIO_IN) == 0
    chip.pads.write(0x40, 0x056)  # pull-down
    assert not chip.gpio.pin(15).level
    chip.pads.write(0x40, 0x052)  # no pull: a floating pin keeps its last level
    chip.gpio.pin(15).drive(True)
    chip.gpio.pin(15).drive(None)
    assert chip.gpio.pin(15).level


def test_led_output_events_at_virtual_time(chip) -> None:
    release_banks(chip)
    events: list[tuple[int, int, bool]] = []
    chip.gpio.add_listener(lambda n, level: events.append((chip.sched.now_ns, n, level)))
    chip.sio.write(0x038, 1 << 25)  # OE_SET
    chip.sio.write(0x018, 1 << 25)  # OUT_SET while the pad is still isolated
    assert not chip.gpio.pin(25).level
    pads_for_function(chip, 25, 0x04)  # keeps its pull-down (0x056)
    chip.io.write(0xCC, 0x05)
    assert chip.pads.read(0x68) == 0x056
    assert chip.gpio.pin(25).level and events == [(0, 25, True)]
    chip.sched.advance_to(500_000_000)
    chip.sio.write(0x020, 1 << 25)
    assert events[-1] == (500_000_000, 25, False)
    chip.sio.write(0x018, 1 << 25)
    assert chip.sio.read(SIO_IN) == 1 << 25  # reads back its driven level


def test_only_the_selected_function_drives(chip) -> None:
    release_banks(chip)
    pads_for_function(chip, 3, 0)
    chip.sio.write(0x038, 1 << 3)
    chip.sio.write(0x018, 1 << 3)
    chip.io.write(0x1C, 0x06)  # PIO0: not modelled, not driving
    assert not chip.gpio.pin(3).level and chip.gpio.pin(3).external is None
    chip.io.write(0x1C, 0x05)
    assert chip.gpio.pin(3).level
    chip.pads.write(0x10, chip.pads.read(0x10) | 0x80)  # OD
    assert not chip.gpio.pin(3).oe


def test_overrides(chip) -> None:
    release_banks(chip)
    pads_for_function(chip, 2, 0x04)
    chip.io.write(0x14, 0x05 | (3 << 12) | (3 << 14))  # OUTOVER high, OEOVER enable
    assert chip.gpio.pin(2).level
    chip.io.write(0x14, 0x05 | (3 << 12) | (3 << 14) | (1 << 16))  # INOVER invert
    assert chip.sio.read(SIO_IN) & (1 << 2) == 0
    status = chip.io.read(0x10)
    assert status & (1 << 9) and status & (1 << 13) and status & (1 << 17)


def test_iso_latches_the_pad(chip) -> None:
    drive_led_high(chip)
    chip.pads.write(0x2068, 0x100)  # ISO via SET alias
    chip.sio.write(0x020, 1 << 25)
    assert chip.gpio.pin(25).level  # held by the isolation latch
    chip.pads.write(0x3068, 0x100)
    assert not chip.gpio.pin(25).level


def test_uart_pins(chip) -> None:
    release_banks(chip)
    assert uart_function(0, 2) == (0, "tx") and uart_function(1, 2) == (0, "rx")
    assert uart_function(4, 2) == (1, "tx") and uart_function(15, 11) == (0, "rx")
    assert uart_function(25, 2) == (1, "rx") and uart_function(44, 2) == (0, "tx")
    assert uart_function(0, 11) is None
    pads_for_function(chip, 0, 0)
    chip.io.write(0x04, 0x02)
    assert chip.gpio.pin(0).level  # idle TX line is high
    chip.resets.write(0x3000, 1 << 26)
    chip.uart0.write(0x2C, 0x01)  # LCR_H.BRK
    assert not chip.gpio.pin(0).level


def test_block_reset_stops_driving(chip) -> None:
    drive_led_high(chip)
    assert chip.gpio.pin(25).level
    chip.resets.write(0x2000, 1 << 6)  # IO_BANK0 into reset: FUNCSEL back to NULL
    assert chip.io.read(0xCC) == 0x1F and not chip.gpio.pin(25).level


def test_edge_and_level_interrupts(chip) -> None:
    release_banks(chip)
    pads_for_function(chip, 15, 0x08)
    chip.io.write(0x7C, 0x05)
    io = chip.io
    word, shift = 0x230 + 4 * (15 // 8), 4 * (15 % 8)
    assert io.read(word) >> shift & 0xF == 0b1010  # EDGE_HIGH (0->1) + LEVEL_HIGH
    io.write(word, 0b1000 << shift)  # W1C edge
    assert io.read(word) >> shift & 0xF == 0b0010
    inte = 0x248 + 4 * (15 // 8)
    io.write(inte, 0b0100 << shift)  # falling edge
    assert not io.irq_proc0.level
    chip.gpio.pin(15).drive(False)
    assert io.irq_proc0.level and io.read(0x278 + 4 * (15 // 8)) >> shift & 0xF == 0b0100
    assert io.read(0x200) == 1 << 15 and io.read(0x208) == 0  # IRQSUMMARY secure / non-secure
    assert io.read(0x78) & (1 << 26)  # STATUS.IRQTOPROC
    io.write(0x7C, 0x05 | (2 << 28))  # IRQOVER low
    assert not io.irq_proc0.level
    io.write(0x7C, 0x05)
    io.write(word, 0b0100 << shift)
    assert not io.irq_proc0.level
    io.write(0x2A8, 1)  # PROC1_INTF0 forces GPIO0 LEVEL_LOW for proc1
    assert io.irq_proc1.level and not io.irq_proc0.level
