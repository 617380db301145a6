"""blinky on the real firmware: GPIO25 toggles every 500 ms of virtual time."""

from __future__ import annotations

import itertools

from tests.firmware.helpers import MS, S, pin_changes, uart_lines


def test_blinks_twenty_times_in_ten_seconds_at_500ms(boot) -> None:
    m = boot("blinky")
    m.run_for(10 * S)
    changes = [c for c in pin_changes(m, 25)]
    # The first change is the first set-high after boot; it happens within
    # the first 100 ms (clock start-up, Wasmtime deserialisation).
    assert changes[0][1] == 1 and changes[0][0] < 100 * MS
    in_window = [c for c in changes if c[0] <= 10 * S]
    assert len(in_window) == 20, changes
    levels = [level for _, level in in_window]
    assert levels == [1, 0] * 10
    intervals = [b[0] - a[0] for a, b in itertools.pairwise(in_window)]
    for dt in intervals:
        assert abs(dt - 500 * MS) <= 100_000, f"interval {dt} ns is not 500 ms ± 0.1 ms"


def test_logs_on_off_alternately_on_uart0(boot) -> None:
    m = boot("blinky")
    m.run_for(3 * S)
    lines = [line for line in uart_lines(m) if line]
    assert lines[:6] == ["GPIO25 On", "GPIO25 Off"] * 3
    # Each log line follows its pin change, not the other way round.
    first_on = next(t for t, level in pin_changes(m, 25) if level == 1)
    tx = [e for e in m.events if e.kind == "uart-tx"]
    assert tx[0].t_ns > first_on


def test_uart_line_rate_is_115200_baud(boot) -> None:
    m = boot("blinky")
    m.run_for(600 * MS)
    tx = [e.t_ns for e in m.events if e.kind == "uart-tx"]
    # Back-to-back characters of one line: 10 bits at 115200 baud each.
    # (IBRD 81 / FBRD 24 at 150 MHz gives 115 207 baud: 86.80 µs per 8N1 char)
    gaps = {b - a for a, b in itertools.pairwise(tx) if b - a < MS}
    assert gaps and all(abs(g - 86_800) < 100 for g in gaps), gaps
