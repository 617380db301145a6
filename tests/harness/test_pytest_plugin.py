"""The pytest plugin: fixtures over the testers, virtual-time waits, failure reports."""

from __future__ import annotations

import pytest

from tests.harness.helpers import DATA

pytest_plugins = ["pytester"]

TESTS = f"""
import pytest

pytestmark = pytest.mark.rp2350(elf="{DATA}/fake-firmware/blinky.fake", resc="{DATA}/board.resc")


def test_boot_line_and_blinking(machine, uart, led):
    line = uart.wait_for_line("GPIO25 On", timeout=1)
    assert line.line == "GPIO25 On" and 1 < line.timestamp_ms < 3
    led.assert_blinking(2, on=0.5, off=0.5)
    assert machine.now_ns > 2_000_000_000
    assert machine.execute("sysbus.gpio.led State") in ("True\\r\\n", "False\\r\\n")


@pytest.mark.rp2350(elf="{DATA}/fake-firmware/button.fake")
def test_button(machine, button, led):
    machine.run_for(0.05)
    assert not led.state
    button.press()
    led.assert_state(True, timeout=0.02)
    button.hold(0.2)
    led.assert_state(False, timeout=0.02)


@pytest.mark.rp2350(elf="{DATA}/fake-firmware/uart-echo.fake")
def test_echo(machine, uart):
    machine.run_for(0.01)
    uart.write_line("hello")
    uart.should_not_see("hello", timeout=0.2)


def test_failure_shows_uart_and_pins(machine, uart):
    uart.wait_for_line("never printed", timeout=0.7)


@pytest.mark.rp2350(elf="{DATA}/fake-firmware/missing.fake")
def test_missing_firmware(machine):
    pass
"""


def test_plugin_fixtures_and_failure_report(pytester: pytest.Pytester, fake_factory: None) -> None:
    pytester.makepyfile(test_inner=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    text = result.stdout.str()
    assert "rp2350-emu: UART output and pin history" in text
    assert "timed out after 0.700000 s of virtual time" in text
    assert "GPIO25 On" in text and "GPIO25 high" in text
    assert "missing.fake is missing: build it with `make firmware`" in text
