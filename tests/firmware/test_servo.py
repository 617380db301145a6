"""servo on the real firmware: every set-angle is logged as `Angle N` on UART0.

Needs the engine's PWM model (peripherals/pwm.py); the pulse-width checks
live with that model's tests.
"""

from __future__ import annotations

import itertools

from tests.firmware.helpers import MS, S, uart_lines

# One sweep: 0 -> 180 -> 30 in 30-degree steps, then it starts again at 0.
SWEEP = [0, 30, 60, 90, 120, 150, 180, 150, 120, 90, 60, 30]


def angle_lines(lines: list[str]) -> list[int]:
    return [int(line.removeprefix("Angle ")) for line in lines if line.startswith("Angle ")]


def test_sweeps_0_to_180_and_back_in_30_degree_steps(boot) -> None:
    m = boot("servo")
    m.run_for(5300 * MS)
    angles = angle_lines(uart_lines(m))
    assert angles[:26] == SWEEP * 2 + [0, 30]
    assert not [line for line in uart_lines(m) if line and not line.startswith("Angle ")]


def test_one_step_every_200_ms(boot) -> None:
    m = boot("servo")
    m.run_for(2 * S)
    # "Angle N" has one capital A: the first byte of each line on the wire.
    starts = [e.t_ns for e in m.events if e.kind == "uart-tx" and e.data["byte"] == ord("A")]
    assert len(starts) >= 9
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(abs(g - 200 * MS) < 1 * MS for g in gaps), gaps
