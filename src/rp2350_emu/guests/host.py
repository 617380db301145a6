"""A recording host for `embedded:platform` guests, run in wasmtime-py.

The host implements the WIT interfaces (gpio, button, timing, uart, servo) in
Python, records every call a guest makes, and runs the guest's `run` export in
either of two wasmtime engines: native code from Cranelift, or the Pulley
interpreter (`pulley64`), so a guest is checked by two unrelated back ends.

Every guest's `run` loops forever, so the host ends a run by raising a
`HostStop` from a host function. wasmtime-py (50) catches a Python exception
raised in a host function, gives wasmtime an error so the guest unwinds as on a
trap, and re-raises the same exception object from the export's call. A stop
therefore comes out as itself and cannot be mistaken for a guest trap, which
comes out as a `WasmtimeError`. (A `WasmtimeError` raised by a host function
would come back as a plain `WasmtimeError`: its subclass is lost, so stops do
not derive from it.)

Time is virtual: `delay-ms` adds to `elapsed_ms` and returns at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import component as wc

from rp2350_emu.errors import ConfigError

PACKAGE = "embedded:platform"

# Native code versus the portable interpreter; pulley32 cannot run on a
# 64-bit host, so it is not offered.
ENGINE_KINDS = ("cranelift", "pulley64")

# What this host provides, in WIT terms; `describe_component` writes a
# component's imports the same way, so the two can be compared directly.
HOST_INTERFACES: dict[str, dict[str, str]] = {
    "gpio": {"set-high": "func(pin: u32)", "set-low": "func(pin: u32)"},
    "button": {"is-pressed": "func(pin: u32) -> bool"},
    "timing": {"delay-ms": "func(ms: u32)"},
    "uart": {"read-byte": "func() -> u8", "write-byte": "func(byte: u8)"},
    "servo": {"set-angle": "func(degrees: u32)"},
}

#: the largest angle `servo.set-angle` takes; more traps the guest, as on the firmware
SERVO_MAX_DEGREES = 180

# A function's WIT signature as text, or an instance's functions by name.
ItemShape = str | dict[str, Any]


def make_engine(kind: str) -> wasmtime.Engine:
    """An engine of the given kind (one of ENGINE_KINDS)."""
    config = wasmtime.Config()
    if kind == "cranelift":
        config.strategy = "cranelift"
    elif kind == "pulley64":
        config.target = "pulley64"
    else:
        raise ValueError(f"unknown engine kind {kind!r}; expected one of {ENGINE_KINDS}")
    engine = wasmtime.Engine(config)
    # Guards against a config that silently falls back to the other back end.
    if engine.is_pulley() != (kind == "pulley64"):
        raise RuntimeError(f"wasmtime made the wrong engine for {kind!r}")
    return engine


@dataclass(frozen=True)
class Call:
    """One completed host call, as the guest made it."""

    interface: str  # short interface name: "gpio", "button", "timing", "uart"
    function: str  # WIT function name, e.g. "set-high"
    args: tuple[int, ...]
    result: int | bool | None = None


class HostStop(Exception):
    """Raised by a host function to end the guest's (endless) run."""


class CallLimitReached(HostStop):
    """The guest made one call more than the host's `max_calls`."""


class ButtonScriptExhausted(HostStop):
    """The guest polled the button after the scripted presses ran out."""


class UartInputExhausted(HostStop):
    """The guest read UART input after all of it had been read."""


class GuestLoadError(ConfigError):
    """The file is not a component wasmtime can compile."""


class GuestLinkError(ConfigError):
    """The component needs something this host does not provide."""


class GuestTrap(Exception):
    """The guest trapped (or wasmtime failed it) while running."""


def load_component(engine: wasmtime.Engine, source: str | os.PathLike[str] | bytes) -> wc.Component:
    """Compiles a component from a path or from its bytes."""
    if isinstance(source, bytes):
        name, data = "<bytes>", source
    else:
        name, data = str(source), Path(source).read_bytes()
    # wasmtime's own message for a core module ("parse a wasm module with a
    # component parser") does not say what to do, so this case is named here.
    if data[:4] == b"\0asm" and data[4:8] == b"\x01\0\0\0":
        raise GuestLoadError(
            f"{name}: a core WebAssembly module, not a component; "
            "make a component of it with `wasm-tools component new`")
    try:
        # Bytes on purpose: wasmtime-py would read a str as WAT text.
        return wc.Component(engine, data)
    except wasmtime.WasmtimeError as err:
        raise GuestLoadError(f"{name}: not a loadable component: {err}") from err


@dataclass(frozen=True)
class ComponentShape:
    """A component's imports and exports, written as WIT-like text."""

    imports: dict[str, ItemShape]
    exports: dict[str, ItemShape]


def describe_component(engine: wasmtime.Engine, component: wc.Component) -> ComponentShape:
    """The imports and exports of `component`, as wasmtime sees them."""
    ty = component.type
    return ComponentShape(
        imports={name: _describe_item(engine, ext) for name, ext in ty.imports(engine).items()},
        exports={name: _describe_item(engine, ext) for name, ext in ty.exports(engine).items()},
    )


def _describe_item(engine: wasmtime.Engine, ext: Any) -> ItemShape:
    # `ext` is a ComponentExtern, which wasmtime.component does not export.
    ty = ext.ty
    if isinstance(ty, wc.FuncType):
        return _signature(ty)
    if isinstance(ty, wc.ComponentInstanceType):
        return {name: _describe_item(engine, inner) for name, inner in ty.exports(engine).items()}
    # Items the platform never uses (resources, modules, types): named by kind
    # only, which is enough to make a comparison fail.
    return type(ty).__name__


def _signature(ty: wc.FuncType) -> str:
    params = ", ".join(f"{name}: {_type_name(vt)}" for name, vt in ty.params)
    result = ty.result
    return f"func({params})" if result is None else f"func({params}) -> {_type_name(result)}"


def _type_name(vt: wc.ValType) -> str:
    # Primitive classes are named like their WIT types (U32 -> u32); compound
    # types keep their class name, which the platform WIT never needs.
    return type(vt).__name__.lower()


class RecordingHost:
    """Runs one guest once, recording every host call it makes.

    `max_calls`: completed calls allowed; the call after them stops the run.
    `button_presses`: what successive `is-pressed` calls return, whatever
    the pin; polling after the last one stops the run.
    `uart_input`: the bytes `read-byte` returns; reading past them stops the run.
    A call that stops the run is not recorded.
    """

    def __init__(self, *, max_calls: int = 100_000, button_presses: Iterable[bool] = (),
                 uart_input: bytes = b"") -> None:
        self.max_calls = max_calls
        self.calls: list[Call] = []
        self.pins: dict[int, bool] = {}  # level last set on each output pin
        self.elapsed_ms = 0  # sum of the delays asked for
        self.uart_output = bytearray()
        self.angles: list[int] = []  # every servo angle set, in order
        self._presses = iter(button_presses)
        self._uart_input = bytes(uart_input)
        self._uart_read = 0  # bytes of _uart_input handed out so far

    def run(self, engine: wasmtime.Engine, component: wc.Component, export: str = "run") -> HostStop | None:
        """Calls `export`; returns the stop that ended it, or None if it returned."""
        self._check_imports(engine, component)
        linker = wc.Linker(engine)
        self.define(linker)
        store = wasmtime.Store(engine)
        try:
            instance = linker.instantiate(store, component)
        except wasmtime.WasmtimeError as err:
            raise GuestLinkError(f"cannot instantiate the guest: {err}") from err
        func = instance.get_func(store, export)
        if func is None:
            raise GuestLinkError(f"the guest exports no function `{export}`")
        try:
            func(store)
        except HostStop as stop:
            return stop
        except wasmtime.WasmtimeError as err:
            raise GuestTrap(f"guest `{export}` failed after {len(self.calls)} host call(s): {err}") from err
        func.post_return(store)
        return None

    def define(self, linker: wc.Linker) -> None:
        """Defines every interface of HOST_INTERFACES in `linker`."""
        impls = self._impls()
        with linker.root() as root:
            for interface, functions in HOST_INTERFACES.items():
                with root.add_instance(f"{PACKAGE}/{interface}") as inst:
                    for function in functions:
                        inst.add_func(function, self._recorded(interface, function, impls[interface][function]))

    def _check_imports(self, engine: wasmtime.Engine, component: wc.Component) -> None:
        # wasmtime's link errors name the import but not what is wrong with it
        # ("has the wrong type" even when it is simply absent); say it plainly.
        provided = ", ".join(f"{PACKAGE}/{name}" for name in HOST_INTERFACES)
        for name, shape in describe_component(engine, component).imports.items():
            package, _, interface = name.partition("/")
            host = HOST_INTERFACES.get(interface) if package == PACKAGE else None
            if host is None:
                raise GuestLinkError(f"the guest imports `{name}`, which this host does not provide "
                                     f"(it provides {provided})")
            if not isinstance(shape, dict):
                raise GuestLinkError(f"the guest imports `{name}` as {shape}, not as an interface")
            for function, signature in shape.items():
                if function not in host:
                    raise GuestLinkError(f"the guest imports `{name}.{function}`, which this host "
                                         f"does not provide (it has {', '.join(host)})")
                if signature != host[function]:
                    raise GuestLinkError(f"the guest imports `{name}.{function}` as {signature}, "
                                         f"but this host provides {host[function]}")

    def _recorded(self, interface: str, function: str, impl: Callable[..., Any]) -> Callable[..., Any]:
        def host_func(_store: wasmtime.StoreContext, *args: int) -> Any:
            if len(self.calls) >= self.max_calls:
                raise CallLimitReached(f"{len(self.calls)} host calls made; stopped at {interface}.{function}")
            result = impl(*args)
            self.calls.append(Call(interface, function, tuple(args), result))
            return result
        return host_func

    def _impls(self) -> dict[str, dict[str, Callable[..., Any]]]:
        return {
            "gpio": {"set-high": self._set_high, "set-low": self._set_low},
            "button": {"is-pressed": self._is_pressed},
            "timing": {"delay-ms": self._delay_ms},
            "uart": {"read-byte": self._read_byte, "write-byte": self._write_byte},
            "servo": {"set-angle": self._set_angle},
        }

    def _set_high(self, pin: int) -> None:
        self.pins[pin] = True

    def _set_low(self, pin: int) -> None:
        self.pins[pin] = False

    def _is_pressed(self, pin: int) -> bool:
        pressed = next(self._presses, None)
        if pressed is None:
            raise ButtonScriptExhausted(f"is-pressed({pin}) polled after the scripted presses")
        return bool(pressed)  # wasmtime-py accepts only a real bool here

    def _delay_ms(self, ms: int) -> None:
        self.elapsed_ms += ms

    def _read_byte(self) -> int:
        if self._uart_read >= len(self._uart_input):
            raise UartInputExhausted(f"read-byte after all {len(self._uart_input)} input byte(s)")
        self._uart_read += 1
        return self._uart_input[self._uart_read - 1]

    def _write_byte(self, byte: int) -> None:
        self.uart_output.append(byte)

    def _set_angle(self, degrees: int) -> None:
        if degrees > SERVO_MAX_DEGREES:
            # raised from the host function, it comes out of the export's call as itself
            raise GuestTrap(f"servo.set-angle({degrees}): more than {SERVO_MAX_DEGREES} degrees "
                            f"(the firmware traps the guest)")
        self.angles.append(degrees)
