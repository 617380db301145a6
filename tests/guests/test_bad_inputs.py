"""Inputs the host cannot run fail with errors that say what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import wasmtime

from rp2350_emu.guests.host import GuestLinkError, GuestLoadError, RecordingHost, load_component


def test_core_module_is_refused(engine: wasmtime.Engine, data_wasm: Callable[[str], Path]) -> None:
    path = data_wasm("core-module")
    with pytest.raises(GuestLoadError, match="core WebAssembly module, not a component") as caught:
        load_component(engine, path)
    assert str(path) in str(caught.value)


def test_truncated_component_is_refused(engine: wasmtime.Engine,
                                        components: dict[str, Path]) -> None:
    data = components["blinky"].read_bytes()
    with pytest.raises(GuestLoadError, match="not a loadable component"):
        load_component(engine, data[: len(data) // 2])


@pytest.mark.parametrize(("name", "expected"), [
    pytest.param(name, expected, id=name) for name, expected in [
        ("unknown-interface", "imports `embedded:platform/adc`, which this host does not provide"),
        ("unknown-function", "imports `embedded:platform/gpio.toggle`, which this host does not provide"),
        ("wrong-signature", ("imports `embedded:platform/gpio.set-high` as func(pin: u64), "
                             "but this host provides func(pin: u32)")),
    ]
])
def test_unprovided_import_is_refused(name: str, expected: str, engine: wasmtime.Engine,
                                      data_wasm: Callable[[str], Path]) -> None:
    component = load_component(engine, data_wasm(name))  # a valid component: loading works
    host = RecordingHost()
    with pytest.raises(GuestLinkError) as caught:
        host.run(engine, component)
    assert expected in str(caught.value)
    assert host.calls == []
