"""button on the real firmware: GPIO25 follows GPIO15 (active low)."""

from __future__ import annotations

from tests.firmware.helpers import MS, pin_changes, uart_lines


def test_led_follows_presses_within_20ms(boot) -> None:
    m = boot("button")
    m.run_for(200 * MS)
    assert not m.gpio.pin(25).level, "LED must be off while the button is released"
    presses = [(300, 150), (700, 40), (1000, 500), (1800, 25)]  # (at ms, held ms)
    button = m.gpio.pin(15)
    edges = []
    for at, held in presses:
        m.run_for(at * MS - m.now_ns)
        button.drive(False)
        edges.append((m.now_ns, 1))
        m.run_for(held * MS)
        button.drive(None)  # released: the pull-up brings it back high
        edges.append((m.now_ns, 0))
    m.run_for(100 * MS)
    led = pin_changes(m, 25)
    assert [level for _, level in led] == [level for _, level in edges]
    for (t_edge, level), (t_led, led_level) in zip(edges, led):
        assert led_level == level
        assert 0 <= t_led - t_edge <= 20 * MS, (t_edge, t_led)
    lines = [line for line in uart_lines(m) if line]
    assert lines == ["GPIO25 On", "GPIO25 Off"] * len(presses)


def test_released_button_reads_high_through_the_pull_up(boot) -> None:
    m = boot("button")
    m.run_for(500 * MS)
    assert m.gpio.pin(15).level is True
    assert pin_changes(m, 25) == []
    assert m.uart_text() == b""
