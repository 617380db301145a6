"""The firmware on real Renode through pyrenode3 (`pytest --engine renode`; skipped otherwise).

Run: a venv with pythonnet and pyrenode3 (docs/renode.md), PYRENODE_BUILD_DIR=<renode source>
(PYRENODE_RUNTIME=mono for a mono build), then `pytest --engine renode tests/renode/test_on_real_renode.py`.
"""

from __future__ import annotations

from typing import Any

import pytest

NS_PER_MS = 1_000_000


def collect_tx(machine: Any, uart: str = "uart0") -> bytearray:
    sent = bytearray()
    machine[uart].on_tx(sent.append)
    return sent


@pytest.mark.rp2350(elf="build/blinky.elf")
def test_blinky_reports_and_drives_the_led(renode_machine: Any) -> None:
    sent = collect_tx(renode_machine)
    renode_machine.run_for(100 * NS_PER_MS)
    assert b"GPIO25 On" in sent
    assert renode_machine.pin(25).level is True
    assert renode_machine.now_ns == 100 * NS_PER_MS
    renode_machine.run_for(500 * NS_PER_MS)  # the LED is off 500 ms after it came on (66 ms)
    assert b"GPIO25 Off" in sent and renode_machine.pin(25).level is False


@pytest.mark.rp2350(elf="build/uart-echo.elf")
def test_uart_echo_echoes_what_it_gets(renode_machine: Any) -> None:
    sent = collect_tx(renode_machine)
    renode_machine.run_for(300 * NS_PER_MS)  # the receiver is on after boot
    renode_machine["uart0"].inject(b"hi\r")
    renode_machine.run_for(10 * NS_PER_MS)
    assert bytes(sent).endswith(b"hi\r\n")


@pytest.mark.rp2350(elf="build/button.elf")
def test_button_press_lights_the_led(renode_machine: Any) -> None:
    renode_machine.run_for(200 * NS_PER_MS)
    assert renode_machine.pin(25).level is False
    renode_machine.pin(15).drive(False)  # active low: pressed
    renode_machine.run_for(30 * NS_PER_MS)
    assert renode_machine.pin(25).level is True
