"""blinky, button and trap guests against the recording host, in both engines."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
import wasmtime
from wasmtime import component as wc

from rp2350_emu.guests.host import ButtonScriptExhausted, Call, CallLimitReached, GuestTrap, RecordingHost

LED = 25
BUTTON = 15

BLINK_PERIOD = [
    Call("gpio", "set-high", (LED,)),
    Call("timing", "delay-ms", (500,)),
    Call("gpio", "set-low", (LED,)),
    Call("timing", "delay-ms", (500,)),
]


def button_calls(presses: list[bool]) -> list[Call]:
    """What the button guest must do for each poll: read, mirror on the LED, wait 10 ms."""
    calls = []
    for pressed in presses:
        calls += [
            Call("button", "is-pressed", (BUTTON,), pressed),
            Call("gpio", "set-high" if pressed else "set-low", (LED,)),
            Call("timing", "delay-ms", (10,)),
        ]
    return calls


@pytest.mark.parametrize("max_calls", [1, 7, 40])
def test_blinky_sequence(max_calls: int, engine: wasmtime.Engine,
                         guest: Callable[[str], wc.Component]) -> None:
    # 7 stops mid-period, which also shows the limit cuts at exactly max_calls.
    host = RecordingHost(max_calls=max_calls)
    stop = host.run(engine, guest("blinky"))
    assert isinstance(stop, CallLimitReached)
    expected = (BLINK_PERIOD * 10)[:max_calls]
    assert host.calls == expected
    assert host.elapsed_ms == sum(c.args[0] for c in expected if c.function == "delay-ms")


def test_blinky_ten_periods_take_ten_virtual_seconds(engine: wasmtime.Engine,
                                                     guest: Callable[[str], wc.Component]) -> None:
    host = RecordingHost(max_calls=40)
    host.run(engine, guest("blinky"))
    assert host.elapsed_ms == 10_000
    assert host.pins == {LED: False}


SCRIPTED = [False, True, True, False, True, False, False, True, True, True, False]


@pytest.mark.parametrize("presses", [
    SCRIPTED,
    [True],
    [random.Random(2350).random() < 0.5 for _ in range(300)],  # seeded, so reproducible
], ids=["scripted", "single", "seeded-300"])
def test_button_follows_presses(presses: list[bool], engine: wasmtime.Engine,
                                guest: Callable[[str], wc.Component]) -> None:
    host = RecordingHost(button_presses=presses)
    stop = host.run(engine, guest("button"))
    # It ends by polling once more than scripted, not by some other call.
    assert isinstance(stop, ButtonScriptExhausted)
    assert host.calls == button_calls(presses)
    assert host.pins == {LED: presses[-1]}
    assert host.elapsed_ms == 10 * len(presses)


def test_trap_is_reported_with_the_calls_before_it(engine: wasmtime.Engine,
                                                   guest: Callable[[str], wc.Component]) -> None:
    host = RecordingHost()
    with pytest.raises(GuestTrap) as caught:
        host.run(engine, guest("trap"))
    message = str(caught.value)
    assert "wasm trap" in message
    assert "unreachable" in message
    assert isinstance(caught.value.__cause__, wasmtime.WasmtimeError)
    assert host.calls == [
        Call("gpio", "set-high", (LED,)),
        Call("timing", "delay-ms", (100,)),
        Call("gpio", "set-low", (LED,)),
    ]


def test_stop_after_trap_is_still_a_stop(engine: wasmtime.Engine,
                                         guest: Callable[[str], wc.Component]) -> None:
    # wasmtime-py carries a host exception through a module-level slot; a
    # trap must not leave anything there that a later run would report.
    with pytest.raises(GuestTrap):
        RecordingHost().run(engine, guest("trap"))
    host = RecordingHost(max_calls=2)
    assert isinstance(host.run(engine, guest("blinky")), CallLimitReached)
    assert host.calls == BLINK_PERIOD[:2]
