"""The snapshot codec: a machine's model objects to JSON-able data and back.

Model state is captured generically rather than model by model: each
model object's attributes are walked; plain values (numbers, strings,
bytes, containers of them) are state, callables are wiring (rebuilt by
construction) and skipped, and objects of this package are walked in turn.
A pending scheduler event is saved with its callback described as a bound
method (object path + name) or as a closure (its function's qualified name
plus cell values), which is recreated from the same code in the restored
machine, never from code stored in the file.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import importlib
import types
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rp2350_emu.errors import ConfigError, EmulationError
from rp2350_emu.time.scheduler import Event

if TYPE_CHECKING:  # pragma: no cover
    from rp2350_emu.platform.machine import Machine


class Encoder:
    """Turns the machine's model objects into JSON-able data (see module doc)."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.paths: dict[int, str] = {id(machine): "$machine", id(machine.cpu): "$cpu"}
        self.events: dict[int, Event] = {}
        # wiring reached from models that is saved separately or not state at all
        self.stop = {id(machine.scheduler), id(machine.bus), id(machine.cpu.uc), id(machine.sysbus)}

    def obj(self, value: Any, path: str) -> Any:
        if id(value) in self.paths:
            return {"$ref": self.paths[id(value)]}
        self.paths[id(value)] = path
        attrs = vars(value) if hasattr(value, "__dict__") else {
            slot: getattr(value, slot) for slot in getattr(type(value), "__slots__", ()) if hasattr(value, slot)}
        out: dict[str, Any] = {}
        for name, attr in attrs.items():
            encoded = self.value(attr, f"{path}.{name}")
            if encoded is not SKIP:
                out[name] = encoded
        return {"$obj": type(value).__qualname__, "attrs": out}

    def value(self, value: Any, path: str) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (bytes, bytearray)):
            return {"$bytes": base64.b64encode(bytes(value)).decode("ascii"), "mutable": isinstance(value,
                                                                                                   bytearray)}
        if isinstance(value, Event):
            self.events[value.seq] = value
            return {"$event": value.seq}
        if id(value) in self.stop or callable(value) and not isinstance(value, type):
            return SKIP
        if isinstance(value, (list, tuple, deque, set, frozenset)):
            items = [self.value(v, f"{path}[{i}]") for i, v in enumerate(value)]
            if any(item is SKIP for item in items):
                return SKIP  # a list of listeners: wiring
            tag = {list: "$list", tuple: "$tuple", deque: "$deque", set: "$set", frozenset: "$set"}
            return {tag.get(type(value), "$list"): items}
        if isinstance(value, dict):
            pairs = [[self.value(k, path), self.value(v, f"{path}[{k!r}]")] for k, v in value.items()]
            if any(k is SKIP or v is SKIP for k, v in pairs):
                return SKIP
            return {"$dict": pairs}
        if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:
            return SKIP  # a frozen description (a pin device's spec): built from the .repl, not state
        if type(value).__module__.startswith("rp2350_emu") and not isinstance(value, type):
            return self.obj(value, path)
        return SKIP  # foreign objects (ctypes, Unicorn, itertools): not model state

    def callback(self, fn: Callable[[], None]) -> dict[str, Any]:
        if isinstance(fn, functools.partial):
            return {"partial": self.callback(fn.func), "args": [self.value(a, "") for a in fn.args]}
        owner = getattr(fn, "__self__", None)
        if owner is not None:
            path = self.paths.get(id(owner))
            if path is None:
                raise EmulationError(f"snapshot: pending event callback {fn!r} belongs to an object "
                                     "outside the machine's models")
            return {"method": fn.__name__, "self": path}
        if isinstance(fn, types.FunctionType):
            cells = [self.value(cell.cell_contents, "") for cell in fn.__closure__ or ()]
            defaults = [self.value(d, "") for d in fn.__defaults__ or ()]
            if any(c is SKIP for c in cells + defaults):
                raise EmulationError(f"snapshot: pending event callback {fn.__qualname__} closes over "
                                     "something that cannot be saved")
            return {"function": fn.__qualname__, "module": fn.__module__, "cells": cells, "defaults": defaults}
        raise EmulationError(f"snapshot: cannot save the pending event callback {fn!r}")


SKIP = object()


class Decoder:
    """Writes encoded state back into a freshly built machine of the same shape."""

    def __init__(self, machine: Machine, events: dict[int, Event]) -> None:
        self.machine = machine
        self.paths: dict[str, Any] = {"$machine": machine, "$cpu": machine.cpu}
        self.events = events

    def into(self, target: Any, data: dict[str, Any], path: str) -> None:
        if "$ref" in data:
            return  # the same object, restored where it was first met
        self.paths[path] = target
        for name, encoded in data["attrs"].items():
            current = getattr(target, name, SKIP)
            if current is SKIP:
                raise ConfigError(f"snapshot: {path} has no attribute {name!r} in this engine version")
            if isinstance(encoded, dict) and "$obj" in encoded:
                self.into(current, encoded, f"{path}.{name}")
            elif isinstance(encoded, dict) and "$ref" in encoded:
                continue  # the same object, restored where it was first met
            else:
                setattr(target, name, self.value(encoded, current, f"{path}.{name}"))

    def value(self, encoded: Any, current: Any, path: str) -> Any:
        if not isinstance(encoded, dict):
            return encoded
        if "$bytes" in encoded:
            raw = base64.b64decode(encoded["$bytes"])
            return bytearray(raw) if encoded["mutable"] else raw
        if "$event" in encoded:
            return self.events[encoded["$event"]]
        if "$obj" in encoded:
            self.into(current, encoded, path)
            return current
        if "$ref" in encoded:
            return self.paths.get(encoded["$ref"], current)
        if "$dict" in encoded:
            old = current if isinstance(current, dict) else {}
            out = {}
            for k, v in encoded["$dict"]:
                key = self.value(k, None, path)
                out[key] = self.value(v, old.get(key), f"{path}[{key!r}]")
            if isinstance(current, dict):
                current.clear()
                current.update(out)  # keep the object: others may hold it
                return current
            return out
        for tag, kind in (("$list", list), ("$tuple", tuple), ("$deque", deque), ("$set", set)):
            if tag in encoded:
                old = list(current) if isinstance(current, (list, tuple, deque)) else []
                items = [self.value(v, old[i] if i < len(old) else None, f"{path}[{i}]")
                         for i, v in enumerate(encoded[tag])]
                if isinstance(current, (list, deque)) and type(current) is kind:
                    current.clear()
                    current.extend(items)  # same object: keeps references from elsewhere valid
                    return current
                return kind(items)
        raise ConfigError(f"snapshot: {path}: unknown encoding {sorted(encoded)}")

    def callback(self, desc: dict[str, Any]) -> Callable[[], None]:
        if "partial" in desc:
            return functools.partial(self.callback(desc["partial"]), *[self.value(a, None, "") for a in desc["args"]])
        if "method" in desc:
            owner = self.paths.get(desc["self"])
            if owner is None:
                raise ConfigError(f"snapshot: event callback owner {desc['self']} not found")
            return getattr(owner, desc["method"])
        module = importlib.import_module(desc["module"])
        code = find_code(module, desc["function"])
        cells = tuple(types.CellType(self.value(c, None, "")) for c in desc["cells"])
        defaults = tuple(self.value(d, None, "") for d in desc["defaults"]) or None
        return types.FunctionType(code, module.__dict__, code.co_name, defaults, cells or None)


def find_code(module: types.ModuleType, qualname: str) -> types.CodeType:
    """The code object named `qualname` in `module`, searched through nested code."""
    stack: list[Any] = []
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            stack += [v for v in vars(value).values()]
        elif isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            stack.append(value)
    codes: list[types.CodeType] = []
    for item in stack:
        func = item.__func__ if isinstance(item, (staticmethod, classmethod)) else item
        if isinstance(func, property):
            codes += [f.__code__ for f in (func.fget, func.fset) if f is not None]
        elif isinstance(func, types.FunctionType):
            codes.append(func.__code__)
    while codes:
        code = codes.pop()
        if code.co_qualname == qualname:
            return code
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    raise ConfigError(f"snapshot: no function {qualname} in {module.__name__} (engine changed since the snapshot?)")
