"""Keyword arguments the way Renode's keyword server reads them.

Robot hands a Renode keyword every argument positionally (its remote library
publishes no signatures), so Renode parses them itself:

- a string shaped `name=value` (name of letters, digits, `_`; non-empty value)
  is a named argument, and the name must be one of the keyword's C# parameter
  names exactly (case-sensitive) - otherwise no overload matches;
- positional arguments must come before named ones;
- strings are converted to the parameter's type: booleans case-insensitively,
  integers in decimal or `0x` hex, floats with a `.` decimal point, enums by
  member name; non-string values (`${1}`, `${True}`) are positional only;
- missing parameters take their defaults; a required one missing, an extra
  argument or a failed conversion means no overload matches.

We reproduce that so a suite that passes here passes under `renode-test`,
and we say *why* nothing matched, which Renode does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rp2350_emu import inputs
from rp2350_emu.errors import ConfigError, HarnessError

#: keywords that check their durations themselves, with Renode's own texts (LEDTester.ValidateArgument:
#: "ArgumentException: Value must not be negative, but was -1 / Parameter name: timeout"); for them
#: only what Renode could not even hold (NaN, infinite, absurdly large) is refused here
RENODE_VALIDATES = {"Create LED Tester", "Assert LED State", "Assert And Hold LED State", "Assert LED Is Blinking",
                    "Assert LED Duty Cycle"}
_NAMED = re.compile(r"^([a-zA-Z0-9_]+)=(.+)", re.DOTALL)
_REQUIRED = object()


class ArgumentMismatch(HarnessError):
    """No overload of the keyword accepts these arguments."""


class BadArgument(HarnessError):
    """An argument of the right type with a value the keyword cannot use (a negative timeout)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # str, int, float, bool, char, byte, str[], reg, enum:<A|B>; trailing ? = nullable
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def signature(self) -> str:
        return self.name if self.required else f"{self.name}={_show_default(self.default)}"


def _show_default(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def convert(value: Any, param: Param) -> Any:
    """One argument -> the parameter's Python value; raises ValueError."""
    kind = param.type
    nullable = kind.endswith("?")
    kind = kind.rstrip("?")
    if value is None or (nullable and value == "null"):  # Renode's SmartParser: "null" is a nullable's null
        if nullable or kind in ("str", "str[]"):
            return None
        raise ValueError(f"{param.name} cannot be None")
    if kind == "str":
        return value if isinstance(value, str) else str(value)
    if kind == "str[]":
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value]
        raise ValueError(f"{param.name} expects a list (pass a Robot list variable, e.g. ${{lines}})")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise ValueError(f"{param.name} expects true or false, got {value!r}")
    if kind in ("int", "byte"):
        number = _parse_int(value, param)
        if kind == "byte" and not 0 <= number <= 0xFF:
            raise ValueError(f"{param.name} expects a byte (0..255 or 0x0..0xFF), got {value!r}")
        return number
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(f"{param.name} expects a number, got {value!r}")
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", value):
            text = value.strip()
            return float(text) if any(c in text for c in ".eE") else int(text)
        raise ValueError(f"{param.name} expects a number of seconds like 1 or 0.5, got {value!r}")
    if kind == "char":
        if isinstance(value, str) and len(value) == 1:
            return value
        raise ValueError(f"{param.name} expects a single character, got {value!r}")
    if kind == "reg":  # register: number or name (two overloads in Renode)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return _parse_int(value, param)
            except ValueError:
                return value
        raise ValueError(f"{param.name} expects a register number or name, got {value!r}")
    if kind.startswith("enum:"):
        members = kind[5:].split("|")
        if isinstance(value, str):
            for member in members:
                if value.strip().lower() == member.lower():
                    return member
        raise ValueError(f"{param.name} expects one of {', '.join(members)}, got {value!r}")
    raise ValueError(f"unknown parameter type {kind}")  # pragma: no cover - table error


def _parse_int(value: Any, param: Param) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|\d+)", text):
            return int(text, 0) if not re.fullmatch(r"[-+]?0\d+", text) else int(text, 10)
    raise ValueError(f"{param.name} expects an integer (decimal or 0x hex), got {value!r}")


def bind(keyword: str, params: Sequence[Param], args: Sequence[Any]) -> dict[str, Any]:
    """Robot's positional list -> {C# parameter name: converted value}."""
    names = [p.name for p in params]
    by_name = {p.name: p for p in params}
    values: dict[str, Any] = {}
    seen_named = False
    position = 0

    def mismatch(reason: str) -> ArgumentMismatch:
        sig = ", ".join(p.signature() for p in params) or "no arguments"
        return ArgumentMismatch(f"Arguments types do not match any available keyword: {keyword}: {reason}. "
                                f"Parameters: {sig}")

    for arg in args:
        named = _NAMED.match(arg) if isinstance(arg, str) else None
        if named:
            name, raw = named.groups()
            seen_named = True
            if name not in by_name:
                close = [n for n in names if n.lower() == name.lower()]
                hint = f" (did you mean {close[0]}=...? names are case-sensitive)" if close else ""
                raise mismatch(f"no parameter named '{name}'{hint}")
            if name in values:
                raise mismatch(f"'{name}' is given twice")
            target, value = by_name[name], raw
        else:
            if seen_named:
                raise mismatch(f"positional argument {arg!r} after named arguments")
            if position >= len(params):
                raise mismatch(f"too many arguments (expected at most {len(params)})")
            target, value = params[position], arg
            position += 1
            if target.name in values:  # pragma: no cover - positional fills in order
                raise mismatch(f"'{target.name}' is given twice")
        try:
            values[target.name] = convert(value, target)
        except ValueError as exc:
            raise mismatch(str(exc)) from None
        number = values[target.name]
        if target.type.rstrip("?") == "float" and number is not None:
            if keyword in RENODE_VALIDATES and math.isfinite(number) and number <= inputs.MAX_SECONDS:
                continue
            try:  # every float a keyword takes is a duration, tolerance or ratio: finite, 0 or more
                inputs.seconds(number, f"{keyword}: argument {target.name}", allow_zero=True)
            except ConfigError as exc:
                raise BadArgument(f"{exc} (given as {arg!r})") from None
    for param in params:
        if param.name not in values:
            if param.required:
                raise mismatch(f"missing required argument '{param.name}'")
            values[param.name] = param.default
    return values
