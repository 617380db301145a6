"""servo on the real firmware, both flavours: the pulse on GPIO6 (PWM slice 3 A) in virtual time.

firmware/src/common/servo.rs: DIV 50 at clk_sys 150 MHz (one count = 1/3 us), TOP 59 999
(a period of 20 ms), CC = 1 500 + degrees * 100 / 3 counts (0.5 ms at 0 degrees, 2.5 ms at
180). The pulse edges come from the engine's PWM model at their exact ns; a CC written
mid-period takes over at the next wrap, so the pulse after each `Angle N` line may still
have the previous width.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rp2350_emu.platform.machine import Machine
from tests.firmware.helpers import MS, REPL, pin_changes

SERVO_PIN = 6
PERIOD_NS = 20 * MS
SWEEP = [0, 30, 60, 90, 120, 150, 180, 150, 120, 90, 60, 30, 0]


def width_ns(degrees: int) -> int:
    """The pulse of `degrees` in ns, rounded to the ns as the engine places edges."""
    counts = 1_500 + degrees * 100 // 3
    return round(counts * 1_000 / 3)


def angle_starts(m: Machine) -> list[tuple[int, int]]:
    """(virtual ns of the line's first byte, degrees) for every `Angle N` line on UART0."""
    starts, line, t0 = [], b"", 0
    for e in m.events:
        if e.kind != "uart-tx":
            continue
        if not line:
            t0 = e.t_ns
        line += bytes([e.data["byte"]])
        if line.endswith(b"\r\n"):
            text = line.decode("latin-1").strip()
            if text.startswith("Angle "):
                starts.append((t0, int(text.removeprefix("Angle "))))
            line = b""
    return starts


def pulses(m: Machine) -> list[tuple[int, int]]:
    """(rising edge ns, width ns) of every complete high pulse on GPIO6."""
    changes = pin_changes(m, SERVO_PIN)
    assert changes and changes[0][1] == 1, "GPIO6 must start low and rise first"
    return [(t_up, t_down - t_up) for (t_up, up), (t_down, down) in itertools.pairwise(changes)
            if up == 1 and down == 0]


@pytest.fixture(params=["wfi", "busywait"])
def sweep(request: pytest.FixtureRequest) -> Machine:
    """One full sweep, 0 -> 180 -> 0, of the flavour's servo image."""
    images: dict[str, Path] = request.getfixturevalue("firmware" if request.param == "wfi"
                                                      else "firmware_busywait")
    m = Machine.from_repl(REPL)
    m.load_elf(images["servo"])
    m.run_for(2_700 * MS)
    return m


def test_the_sweep_logs_every_angle(sweep: Machine) -> None:
    assert [degrees for _t, degrees in angle_starts(sweep)][:len(SWEEP)] == SWEEP


def test_no_pulse_before_the_first_angle(sweep: Machine) -> None:
    first_line = angle_starts(sweep)[0][0]
    first_rise = pin_changes(sweep, SERVO_PIN)[0][0]
    assert first_rise > first_line


def test_fifty_hertz_exactly(sweep: Machine) -> None:
    rises = [t for t, _w in pulses(sweep)]
    assert len(rises) > 120
    periods = {b - a for a, b in itertools.pairwise(rises)}
    assert periods <= {PERIOD_NS - 1, PERIOD_NS, PERIOD_NS + 1}, sorted(periods)


def test_each_pulse_is_the_width_of_the_angle_in_force(sweep: Machine) -> None:
    starts = angle_starts(sweep)
    seen = set()
    for (t_line, degrees), (t_next, _next) in itertools.pairwise(starts):
        in_window = [(t, w) for t, w in pulses(sweep) if t_line < t < t_next]
        assert len(in_window) >= 9, f"Angle {degrees}: {len(in_window)} pulses"
        # the first pulse may still carry the previous CC (double-buffered, taken at the wrap)
        for t, w in in_window[1:]:
            assert abs(w - width_ns(degrees)) <= 1, f"Angle {degrees}: pulse at {t} ns is {w} ns wide"
        seen.add(degrees)
    assert {0, 90, 180} <= seen


def test_the_ends_and_the_middle_are_half_one_and_a_half_and_two_and_a_half_ms(sweep: Machine) -> None:
    assert (width_ns(0), width_ns(90), width_ns(180)) == (500_000, 1_500_000, 2_500_000)
    widths = {w for _t, w in pulses(sweep)}
    assert {500_000, 1_500_000, 2_500_000} <= widths
    assert min(widths) == 500_000 and max(widths) == 2_500_000
