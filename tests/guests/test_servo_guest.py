"""The servo guest against the recording host: the sweep, its timing, the angle limit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import wasmtime
from wasmtime import component as wc

from rp2350_emu.guests.host import CallLimitReached, GuestTrap, RecordingHost

# 0 -> 180 in 30-degree steps, then back down to 30: one round, 12 angles
ROUND = [0, 30, 60, 90, 120, 150, 180, 150, 120, 90, 60, 30]


def test_servo_sweeps_up_and_down_every_200_ms(engine: wasmtime.Engine,
                                               guest: Callable[[str], wc.Component]) -> None:
    host = RecordingHost(max_calls=2 * 2 * len(ROUND))  # two rounds of set-angle + delay-ms
    stop = host.run(engine, guest("servo"))
    assert isinstance(stop, CallLimitReached)
    assert host.angles == ROUND * 2
    assert [c.function for c in host.calls[:4]] == ["set-angle", "delay-ms"] * 2
    assert host.elapsed_ms == 200 * 2 * len(ROUND)


def test_an_angle_over_180_traps_the_guest() -> None:
    host = RecordingHost()
    with pytest.raises(GuestTrap, match=r"servo.set-angle\(181\): more than 180 degrees"):
        host._set_angle(181)
    host._set_angle(180)
    assert host.angles == [180]
