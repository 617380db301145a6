"""The busywait flavour (build/busywait/*.elf): spin-loop delays and a polled
UART read, same guests and same UART lines as the default images."""

from __future__ import annotations

import itertools

from rp2350_emu.guests.upload import READY_LINE
from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import MS, REPL, pin_changes, uart_lines
from tests.firmware.loader_helpers import GUEST_DIR, boot_loader, run_until_line, upload


def boot(elf) -> Machine:
    m = Machine.from_repl(REPL)
    m.load_elf(elf)
    return m


# cortex-m 0.7.10's `delay(n)` spins n + 1 times round `subs; bne`: two
# instructions, two cycles at one instruction per cycle, so the flavour asks
# for delay(ms * 75_000) and blinks with the same 500 ms as the default images.
EMULATED_HALF_PERIOD_NS = 500 * MS


def test_blinky_toggles_at_the_spin_loops_period(firmware_busywait) -> None:
    m = boot(firmware_busywait["blinky"])
    m.run_for(3100 * MS)
    assert [line for line in uart_lines(m) if line][:4] == ["GPIO25 On", "GPIO25 Off"] * 2
    changes = pin_changes(m, 25)
    assert [level for _, level in changes][:4] == [1, 0, 1, 0]
    for (a, _), (b, _) in itertools.pairwise(changes):
        # the host call and the UART log line around the spin: well under 2 ms
        assert 0 <= (b - a) - EMULATED_HALF_PERIOD_NS < 2 * MS, changes


def test_uart_echo_echoes_a_line(firmware_busywait) -> None:
    m = boot(firmware_busywait["uart-echo"])
    m.run_for(100 * MS)
    m.uart_input("uart0", b"hello\r")
    m.run_for(200 * MS)
    assert m.uart_text().decode("latin-1").endswith("hello\r\n")


def test_button_led_follows_the_button(firmware_busywait) -> None:
    m = boot(firmware_busywait["button"])
    m.run_for(200 * MS)
    button = m.gpio.pin(15)
    button.drive(False)
    pressed = m.now_ns
    m.run_for(100 * MS)
    button.drive(None)
    released = m.now_ns
    m.run_for(100 * MS)
    (t_on, on), (t_off, off) = pin_changes(m, 25)
    assert (on, off) == (1, 0)
    assert 0 <= t_on - pressed <= 20 * MS and 0 <= t_off - released <= 20 * MS
    assert [line for line in uart_lines(m) if line] == ["GPIO25 On", "GPIO25 Off"]


def test_servo_logs_each_angle(firmware_busywait) -> None:
    m = boot(firmware_busywait["servo"])
    m.run_for(1500 * MS)
    angles = [line for line in uart_lines(m) if line.startswith("Angle ")]
    assert angles[:3] == ["Angle 0", "Angle 30", "Angle 60"]


def test_loader_takes_an_upload_and_contains_a_trap(firmware_busywait, hostile_guests) -> None:
    blob = (GUEST_DIR / "uart-echo.cwasm").read_bytes()
    m = boot_loader(firmware_busywait["loader"])
    upload(m, blob, lose_frame=2)
    run_until_line(m, "upload guest accepted")
    m.uart_input("uart0", b"ok\r")
    run_until_line(m, "ok")
    m = boot_loader(firmware_busywait["loader"], (hostile_guests / "endless-loop.cwasm").read_bytes())
    got = run_until_line(m, READY_LINE, timeout_ns=10 * 1000 * MS)
    assert "*** guest trap: wasm trap: all fuel consumed by WebAssembly" in got
