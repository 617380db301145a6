"""WIT call trace on the real firmware images: which host calls, with what, when, how long."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rp2350_emu.cli.main import main
from rp2350_emu.insight.wit_trace import WitTracer, _matches, read_jsonl
from tests.insight.helpers import boot, rx_enabled, stream

MS = 1_000_000
BLINK_CYCLE = ["gpio.set-high(25)", "timing.delay-ms(500)", "gpio.set-low(25)", "timing.delay-ms(500)"]


def test_blinky_sets_waits_clears_waits_with_exact_virtual_timing(firmware: dict[str, Path]) -> None:
    machine = boot(firmware["blinky"])
    tracer = WitTracer(machine).start()
    machine.run_for(3_200 * MS)
    calls = tracer.calls
    assert [c.text() for c in calls] == (BLINK_CYCLE * 4)[:len(calls)]
    assert len(calls) == 13  # 3 full blink cycles in 3.2 s after a ~66 ms boot, and the next set-high
    assert all(c.ok and c.abi_ok for c in calls)
    pins = [(t, d["level"]) for t, kind, d in stream(machine) if kind == "pin" and d["pin"] == 25]
    assert len(pins) == 7  # one change per gpio call
    for call, (t_pin, level) in zip([c for c in calls if c.call.startswith("gpio.")], pins):
        # the pin changes inside the host call that sets it
        assert call.t_ns <= t_pin <= call.t_ns + call.dur_ns
        assert level == (call.call == "gpio.set-high")
    for delay in tracer.of("timing.delay-ms"):
        # TIMER0 alarm on a microsecond tick: 500 ms, less the part of the first microsecond
        # already gone when the firmware read the timer; the core idles meanwhile
        assert 500 * MS - 1_000 < delay.dur_ns <= 500 * MS, delay
        assert delay.insns < 200 < delay.cycles
    highs = [c.t_ns for c in tracer.of("gpio.set-high")]
    periods = [b - a for a, b in itertools.pairwise(highs)]
    # once a delay has ended on a microsecond tick every cycle starts in the same phase of the
    # timer, so from then on the cycles are identical to the nanosecond
    assert len(periods) == 3 and periods[1] == periods[2]
    assert all(1_000 * MS < p < 1_000 * MS + 100_000 for p in periods)  # 1 s plus a few call round trips
    # between two calls the guest does nothing but call: that gap is the call overhead
    assert all(500 < c.gap_insns < 5_000 for c in calls[1:])


def test_tracing_changes_nothing_the_firmware_does(firmware: dict[str, Path]) -> None:
    plain = boot(firmware["blinky"])
    plain.run_for(1_700 * MS)
    traced = boot(firmware["blinky"])
    WitTracer(traced).start()
    traced.run_for(1_700 * MS)
    assert stream(traced) == stream(plain)
    assert traced.cpu.cycles == plain.cpu.cycles


def test_uart_echo_trace_has_one_read_byte_per_byte_sent(firmware: dict[str, Path]) -> None:
    machine = boot(firmware["uart-echo"])
    tracer = WitTracer(machine).start()
    assert machine.run_until(lambda: rx_enabled(machine), 500 * MS)
    sent = b"Hello, RP2350!\r"
    t_sent = machine.now_ns
    machine.uart_input("uart0", sent)
    machine.run_for(50 * MS)
    reads = tracer.of("uart.read-byte")
    # the last read is still waiting for a byte: it has not returned, so it is not recorded
    assert [c.ret for c in reads] == list(sent)
    writes = tracer.of("uart.write-byte")
    assert bytes(c.args["byte"] for c in writes) == b"Hello, RP2350!\r\n"
    assert machine.uart_text() == b"Hello, RP2350!\r\n"
    # no read returns before its byte has arrived (10 bits at 115200 baud: 86.8 µs a byte)
    ends = [c.t_ns + c.dur_ns for c in reads]
    assert all(end >= t_sent + (k + 1) * 86_805 for k, end in enumerate(ends))
    assert ends == sorted(ends)


def test_button_trace_decodes_the_bool_result(firmware: dict[str, Path]) -> None:
    machine = boot(firmware["button"])
    tracer = WitTracer(machine).start()
    machine.scheduler.schedule_at(300 * MS, machine.button.press)
    machine.scheduler.schedule_at(400 * MS, machine.button.release)
    machine.run_for(500 * MS)
    polls = tracer.of("button.is-pressed")
    pressed = [c for c in polls if c.ret]
    assert 8 <= len(pressed) <= 11  # a 100 ms press seen by a 10 ms poll
    assert all(300 * MS <= c.t_ns <= 400 * MS for c in pressed)
    assert all(c.args == {"pin": 15} and c.abi_ok for c in polls)
    first = tracer.calls.index(pressed[0])
    assert tracer.calls[first + 1].text() == "gpio.set-high(25)"


def test_run_trace_wit_writes_json_lines(firmware: dict[str, Path], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "trace.jsonl"
    assert main(["run", str(firmware["blinky"]), "--seconds", "1.2", "--trace-wit", str(out)]) == 0
    calls = read_jsonl(out)
    assert [c.text() for c in calls] == BLINK_CYCLE + ["gpio.set-high(25)"]
    assert calls[1].dur_ns > 499 * MS


def test_host_function_names_are_recognised_in_every_mangling() -> None:
    path = ("embedded", "platform", "gpio", "Host", "set_high")
    v0 = "_RNvXCsbODcDQWpYMq_6blinkyNtB2_4HostNtNtNtNtB2_8embedded8platform4gpio4Host8set_high"
    assert _matches(v0, path)
    assert _matches(v0 + ".llvm.1234", path)
    assert not _matches(v0.replace("8set_high", "7set_low"), path)
    assert not _matches(v0.replace("4gpio", "6button"), path)
    legacy = "_ZN77_$LT$blinky..Host$u20$as$u20$blinky..embedded..platform..gpio..Host$GT$8set_high17h0123456789abcdefE"
    assert _matches(legacy, path)
    assert _matches("<blinky::Host as blinky::embedded::platform::gpio::Host>::set_high", path) is False
    assert _matches("blinky::embedded::platform::gpio::Host::set_high", path)


def _without_host_methods(machine, interfaces: tuple[str, ...]) -> None:
    """As if the host trait methods of these interfaces had been inlined (another crate's build)."""
    names = machine.symbols._by_name
    for name in [n for n in names if any(f"8platform{len(i)}{i}4Host" in n for i in interfaces)]:
        del names[name]


def test_inlined_host_methods_are_traced_at_wasmtimes_trampolines(firmware: dict[str, Path]) -> None:
    method = boot(firmware["button"])
    by_method = WitTracer(method).start()
    method.scheduler.schedule_at(400 * MS, method.button.press, "press")
    method.run_for(700 * MS)
    inlined = boot(firmware["button"])
    _without_host_methods(inlined, ("gpio", "button"))
    by_trampoline = WitTracer(inlined).start()
    inlined.scheduler.schedule_at(400 * MS, inlined.button.press, "press")
    inlined.run_for(700 * MS)
    # the same calls, in the same order; the trampoline wraps the method, so it starts earlier
    assert [c.call for c in by_trampoline.calls] == [c.call for c in by_method.calls]
    for a, b in zip(by_trampoline.calls, by_method.calls):
        if a.call.startswith(("gpio.", "button.")):
            assert a.via == "trampoline" and a.args == {} and a.t_ns <= b.t_ns and a.dur_ns >= b.dur_ns
        else:
            assert a.via == "method" and a.args == b.args
    assert "traced at Wasmtime's host trampolines, arguments not visible" in by_trampoline.coverage()
    assert "gpio.set-high" in by_trampoline.coverage() and "not imported by this image: uart" in \
        by_trampoline.coverage()
    assert stream(inlined) == stream(method)  # tracing at either point changes nothing
