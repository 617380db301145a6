"""Machine API, UART/pin events, input injection, reset, determinism (uart.c)."""

from __future__ import annotations

import pytest

from rp2350_emu.errors import EmulationError
from rp2350_emu.platform.events import fingerprint
from rp2350_emu.platform.machine import Machine
from tests.engine.helpers import NS_PER_MS, run_to_done


def run_uart_session(machine) -> None:
    run_to_done(machine)
    machine.run_for(2 * NS_PER_MS)
    machine.uart_input("uart0", b"ping\n")
    machine.run_for(5 * NS_PER_MS)


def test_uart_output_and_pin_events(boot):
    machine = boot("uart")
    run_uart_session(machine)
    assert machine.uart_text("uart0") == b"hello 0\nhello 1\nhello 2\nping\n"
    led = [(e.t_ns, e.data["level"]) for e in machine.events if e.kind == "pin" and e.data["pin"] == 25]
    assert [level for _, level in led] == [1, 0, 1]
    # the LED toggles every 150000 x (subs + bne) = 300000 cycles = 2 ms, plus the UART waits
    assert 2 * NS_PER_MS <= led[1][0] - led[0][0] < 3 * NS_PER_MS
    kinds = {e.kind for e in machine.events}
    assert kinds == {"pin", "uart-tx", "uart-rx"}
    assert [e.t_ns for e in machine.events] == sorted(e.t_ns for e in machine.events)
    assert machine.cpu.fast_forwarded >= 3 * 2 * 150000  # the delay loops were not executed one by one


def test_access_by_name(boot):
    machine = boot("uart")
    assert machine.uart0 is machine["uart0"]
    assert machine["timer0"] is machine.timer0
    assert machine.gpio.pin(25).level is False
    assert machine.peripheral_names()[:3] == ["button", "clocks", "dwt"]


def test_button_drives_its_pin_low_when_pressed(boot):
    machine = boot("uart")
    pin = machine.gpio.pin(15)
    machine.button.press()
    assert pin.level is False
    machine.button.release()
    assert pin.level is True


def test_run_until_times_out_with_false(boot):
    machine = boot("uart")
    run_to_done(machine)
    start = machine.now_ns
    assert machine.run_until(lambda: False, 3 * NS_PER_MS) is False
    assert machine.now_ns == start + 3 * NS_PER_MS


def test_same_inputs_same_events(boot):
    first, second = boot("uart"), boot("uart")
    run_uart_session(first)
    run_uart_session(second)
    assert first.events == second.events
    assert fingerprint(first.events) == fingerprint(second.events)
    assert first.cpu.instructions == second.cpu.instructions


def test_exception_timing_is_deterministic(boot):
    traces = []
    for _ in range(2):
        machine = boot("exceptions")
        trace: list = []
        machine.cpu.exception_listeners.append(lambda *event, trace=trace: trace.append(event))
        machine.run_for(1 * NS_PER_MS)
        traces.append(trace)
    assert traces[0] == traces[1] and len(traces[0]) == 20


def test_reset_reboots_from_time_zero(boot):
    machine = boot("uart")
    run_uart_session(machine)
    before = list(machine.events)
    machine.reset()
    assert machine.now_ns == 0 and machine.events == []
    run_uart_session(machine)
    assert machine.events == before


def test_sysresetreq_reboots_and_keeps_time(boot):
    machine = boot("uart")
    run_to_done(machine)
    t = machine.now_ns
    machine.sysbus.write(0xE000ED0C, 0x05FA0004)  # AIRCR: VECTKEY | SYSRESETREQ
    machine.run_for(10 * NS_PER_MS)
    assert machine.now_ns > t
    assert machine.uart_text("uart0").count(b"hello 0") == 2  # printed again after the reboot


def _run_snippet(machine: Machine, code: bytes, r0: int) -> str:
    """Run a few Thumb instructions from SRAM with r0 set; the error text they stop with."""
    from unicorn import arm_const as A

    machine.cpu.uc.mem_write(0x20040000, code)
    machine.cpu.uc.reg_write(A.UC_ARM_REG_R0, r0)
    machine.cpu.pc = 0x20040000
    with pytest.raises(EmulationError) as stopped:
        machine.run_for(1_000)
    return str(stopped.value)


@pytest.mark.parametrize("address, name", [(0x40090000, "I2C0 IC_CON"), (0x400A0008, "ADC FCS"),
                                          (0x50200000, "PIO0 CTRL")])
def test_an_unmodeled_block_is_named_from_the_address_map(boot, address: int, name: str) -> None:
    machine = boot("uart")
    text = _run_snippet(machine, bytes.fromhex("0168"), address)  # ldr r1, [r0]
    assert f"unmodeled read of 4 byte(s) at 0x{address:08x}" in text
    assert f"(0x{address:08x} is {name}: not modeled)" in text
    assert "pc=0x20040000" in text


def test_an_unmodeled_register_of_a_modeled_block_is_named(boot) -> None:
    machine = boot("uart")
    text = _run_snippet(machine, bytes.fromhex("0168"), 0xD0000080)  # SIO interpolator 0
    assert "in gpio+0x80 (SIO INTERP0_ACCUM0: not modeled)" in text


def test_an_address_outside_every_block_says_nothing_is_there(boot) -> None:
    machine = boot("uart")
    assert "(nothing is mapped there)" in _run_snippet(machine, bytes.fromhex("0168"), 0x60000000)


def test_a_bounded_event_log_keeps_a_window_and_listeners_hear_everything() -> None:
    from rp2350_emu.platform.events import Event, EventLog, Fingerprint, fingerprint

    log, heard, fp = EventLog(limit=10), [], Fingerprint()
    log.listeners += [heard.append, fp]
    events = [Event(i, "pin", {"pin": 25, "level": i & 1}) for i in range(100)]
    for event in events:
        log.record(event)
    assert heard == events and fp.hexdigest() == fingerprint(events)
    assert 10 <= len(log) <= 20 and log.total == 100 and log[-1] == events[-1]
    assert log.since(95) == events[95:] and log.since(0) == list(log)
