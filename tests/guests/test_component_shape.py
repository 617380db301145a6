"""The engines are what they claim, and each component has exactly its world's imports and exports."""

from __future__ import annotations

from collections.abc import Callable

import wasmtime
from wasmtime import component as wc

from rp2350_emu.guests.host import HOST_INTERFACES, PACKAGE, ComponentShape, describe_component

# World blinky of wit/platform.wit, written out by hand: the anchor that keeps
# the WIT reading in conftest honest.
BLINKY_WORLD = ComponentShape(
    imports={
        "embedded:platform/gpio": {"set-high": "func(pin: u32)", "set-low": "func(pin: u32)"},
        "embedded:platform/timing": {"delay-ms": "func(ms: u32)"},
    },
    exports={"run": "func()"},
)


def test_engine_kind_is_what_it_says(engine: wasmtime.Engine, engine_kind: str) -> None:
    # Without this, a config that fell back to native code would run every
    # "pulley64" case on Cranelift unnoticed.
    assert engine.is_pulley() == (engine_kind == "pulley64")


def test_blinky_has_exactly_the_blinky_world(engine: wasmtime.Engine,
                                             guest: Callable[[str], wc.Component]) -> None:
    assert describe_component(engine, guest("blinky")) == BLINKY_WORLD


def test_component_matches_its_wit_world(guest_name: str, guest_world: str, engine: wasmtime.Engine,
                                         guest: Callable[[str], wc.Component],
                                         wit_worlds: dict[str, ComponentShape]) -> None:
    assert describe_component(engine, guest(guest_name)) == wit_worlds[guest_world]


def test_wit_reading_agrees_with_the_hand_written_world(wit_worlds: dict[str, ComponentShape]) -> None:
    assert sorted(wit_worlds) == ["blinky", "button-led", "compute", "servo-sweep", "uart-echo"]
    assert wit_worlds["blinky"] == BLINKY_WORLD


def test_host_provides_exactly_the_wit_interfaces(wit_worlds: dict[str, ComponentShape]) -> None:
    # The host's signature table is written by hand; it must not drift from the WIT.
    in_wit: dict[str, object] = {}
    for world in wit_worlds.values():
        in_wit.update(world.imports)
    assert in_wit["embedded:platform/servo"] == {"set-angle": "func(degrees: u32)"}
    host = {f"{PACKAGE}/{name}": funcs for name, funcs in HOST_INTERFACES.items()}
    assert in_wit == host
