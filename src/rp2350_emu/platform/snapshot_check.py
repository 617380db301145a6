"""The shape of a machine snapshot, checked before anything is restored from it.

A snapshot is JSON written by `run --save-snapshot` or the monitor's `Save`.
A file edited by hand, cut short or written by something else is refused with
one line naming the first field that is wrong and what it should be, instead
of failing half-way through a restore.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any

from rp2350_emu.errors import ConfigError
from rp2350_emu.inputs import MAX_SECONDS

_MAX_NS = int(MAX_SECONDS * 1_000_000_000)
_INT, _STR, _DICT, _LIST, _BOOL = "an integer", "a string", "an object", "a list", "true or false"


def _kind(value: Any, kind: str) -> bool:
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {_STR: str, _DICT: dict, _LIST: list, _BOOL: bool}[kind])


class _Checker:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, what: str) -> ConfigError:
        return ConfigError(f"{self.where}not a usable snapshot: {field} {what}; expected a file written by "
                           "--save-snapshot or the monitor's Save")

    def get(self, obj: dict[str, Any], key: str, kind: str, field: str, *, optional: bool = False) -> Any:
        if key not in obj:
            raise self.fail(f"{field}.{key}".lstrip("."), "is missing")
        value = obj[key]
        if value is None and optional:
            return None
        if not _kind(value, kind):
            raise self.fail(f"{field}.{key}".lstrip("."), f"is {type(value).__name__} {str(value)[:40]!r}, "
                                                          f"expected {kind}")
        return value

    def time(self, value: int, field: str) -> None:
        if not 0 <= value <= _MAX_NS:
            raise self.fail(field, f"is {value} ns, expected a virtual time from 0 to {_MAX_NS} ns (a year)")


def check_snapshot(data: Any, where: str = "") -> None:
    """Raise ConfigError unless `data` has every field a restore reads, of the right kind."""
    c = _Checker(where)
    if not isinstance(data, dict):
        raise c.fail("the top level", f"is a JSON {type(data).__name__}, expected an object")
    c.get(data, "elf", _STR, "")
    for key in ("elf_sha256", "repl", "repl_sha256"):
        c.get(data, key, _STR, "", optional=True)
    if c.get(data, "cpu_hz", _INT, "") <= 0:
        raise c.fail("cpu_hz", "is not positive, expected the core clock in Hz")
    now = c.get(data, "now_ns", _INT, "")
    c.time(now, "now_ns")
    cpu = c.get(data, "cpu", _DICT, "")
    regs = c.get(cpu, "regs", _DICT, "cpu")
    c.get(cpu, "state", _DICT, "cpu")
    for name in sorted({"r0", "pc", "msp", "psp", "control", "ipsr"} | set(regs)):
        if c.get(regs, name, _INT, "cpu.regs") < 0:
            raise c.fail(f"cpu.regs.{name}", "is negative, expected a register value")
    for name, mem in c.get(data, "ram", _DICT, "").items():
        if not isinstance(mem, dict):
            raise c.fail(f"ram.{name}", "is not an object")
        c.get(mem, "base", _INT, f"ram.{name}")
        size = c.get(mem, "size", _INT, f"ram.{name}")
        try:
            raw = zlib.decompress(base64.b64decode(c.get(mem, "data", _STR, f"ram.{name}"), validate=True))
        except (binascii.Error, zlib.error, ValueError) as exc:
            raise c.fail(f"ram.{name}.data", f"does not decode ({exc})") from None
        if len(raw) != size:
            raise c.fail(f"ram.{name}.data", f"holds {len(raw)} bytes, its size says {size}")
    c.get(data, "models", _DICT, "")
    sched = c.get(data, "scheduler", _DICT, "")
    c.get(sched, "next_seq", _INT, "scheduler")
    for i, event in enumerate(c.get(sched, "events", _LIST, "scheduler")):
        field = f"scheduler.events[{i}]"
        if not isinstance(event, dict):
            raise c.fail(field, "is not an object")
        c.time(c.get(event, "at_ns", _INT, field), f"{field}.at_ns")
        c.get(event, "seq", _INT, field)
        c.get(event, "name", _STR, field)
        c.get(event, "cancelled", _BOOL, field)
        c.get(event, "queued", _BOOL, field)
    machine = c.get(data, "machine", _DICT, "")
    for i, event in enumerate(c.get(machine, "events", _LIST, "machine")):
        if not (isinstance(event, list) and len(event) == 3 and _kind(event[0], _INT)
                and isinstance(event[1], str) and isinstance(event[2], dict)):
            raise c.fail(f"machine.events[{i}]", "is not [t_ns, kind, data]")
        c.time(event[0], f"machine.events[{i}] time")
    for name, text in c.get(machine, "uart_text", _DICT, "machine").items():
        if not isinstance(text, str):
            raise c.fail(f"machine.uart_text.{name}", "is not a string")
