"""The fact sheet's boot-path register trace (2.0, steps 6-24) across the wired models.

Every poll loop of the HAL must terminate, and the end state must be the one
the firmware relies on: 150 MHz clk_sys/clk_peri, UART0 at 115200 on GPIO0/1,
GPIO15 reading 1 through its pull-up, GPIO25 driving the LED.
"""

from __future__ import annotations

from tests.peripherals.helpers import hal_init_clocks, poll


def pins_new(chip) -> None:
    r, s = chip.resets, chip.sched
    r.write(0x0, r.read(0x0) | (1 << 9))
    r.write(0x0, r.read(0x0) | (1 << 6))
    chip.sio.write(0x030, 0)
    chip.sio.write(0x010, 0)
    chip.sio.write(0x044, 0xFFFF)
    chip.sio.write(0x024, 0xFFFF)
    for bit in (6, 9):
        r.write(0x0, r.read(0x0) & ~(1 << bit))
        poll(s, r, 0x8, lambda v, b=bit: bool(v >> b & 1))
    for n in range(30):
        chip.pads.write(0x04 + 4 * n, chip.pads.read(0x04 + 4 * n) & ~0x40)


def set_function(chip, n: int, funcsel: int, pulls: int) -> None:
    off = 0x04 + 4 * n
    chip.pads.write(off, (chip.pads.read(off) | 0x40) & ~0x180)
    chip.io.write(8 * n + 4, funcsel)
    chip.pads.write(off, (chip.pads.read(off) & ~0xC) | pulls)


def test_boot_path(chip) -> None:
    s = chip.sched
    chip.resets.bootrom_state()
    # 2-3: hal::entry releases every spinlock; the heap init critical section
    for k in range(32):
        chip.sio.write(0x100 + 4 * k, 1)
    assert chip.sio.read(0x000) == 0 and chip.sio.read(0x17C) != 0
    chip.sio.write(0x17C, 1)
    hal_init_clocks(chip)  # 6-15
    assert chip.clocks.freq_hz("peri") == 150_000_000
    assert chip.ticks.tick_period_ns("timer0") == 1000.0
    pins_new(chip)  # 17
    set_function(chip, 0, 0x02, 0)  # 18: UART0 TX/RX
    set_function(chip, 1, 0x02, 0)
    assert chip.pads.read(0x04) == chip.pads.read(0x08) == 0x052
    r = chip.resets
    r.write(0x0, r.read(0x0) | (1 << 26))  # 19
    r.write(0x0, r.read(0x0) & ~(1 << 26))
    poll(s, r, 0x8, lambda v: bool(v >> 26 & 1))
    u = chip.uart0
    u.write(0x24, 81)  # 20
    u.write(0x28, 24)
    u.write(0x2C, u.read(0x2C))
    u.write(0x2C, 0x70)
    u.write(0x30, 0x301)
    u.write(0x48, 0x3)
    chip.sio.write(0x040, 1 << 15)  # 22: GPIO15 pull-up input
    set_function(chip, 15, 0x05, 0x08)
    chip.sio.write(0x038, 1 << 25)  # 23: GPIO25 push-pull output
    set_function(chip, 25, 0x05, 0x04)
    assert (chip.pads.read(0x40), chip.pads.read(0x68)) == (0x05A, 0x056)
    assert chip.io.read(0x7C) == 0x05 and chip.io.read(0xCC) == 0x05
    # 24: run time
    assert chip.gpio.pin(0).level  # idle TX line
    assert chip.sio.read(0x004) >> 15 & 1 == 1  # button released
    pin_log: list[tuple[int, int, bool]] = []
    chip.gpio.add_listener(lambda n, level: pin_log.append((s.now_ns, n, level)))
    t_led = s.now_ns
    chip.sio.write(0x018, 1 << 25)
    assert pin_log == [(t_led, 25, True)]
    out: list[tuple[int, int]] = []
    u.on_tx(lambda b: out.append((s.now_ns, b)))
    t0 = s.now_ns
    for b in b"ok\n":
        poll(s, u, 0x18, lambda v: not v & (1 << 5), step_ns=100)
        u.write(0x00, b)
    s.advance_to(t0 + 10**6)
    assert out == [(t0 + 86_800, 0x6F), (t0 + 2 * 86_800, 0x6B), (t0 + 3 * 86_800, 0x0A)]
    u.inject(b"e")
    t_rx = poll(s, u, 0x18, lambda v: not v & (1 << 4), step_ns=100)
    assert u.read(0x00) == ord("e") and t_rx - (t0 + 10**6) == 86_800
