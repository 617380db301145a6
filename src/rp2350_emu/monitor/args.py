"""Monitor argument checks: arity and the conversion of tokens to numbers, booleans and strings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rp2350_emu import inputs
from rp2350_emu.errors import ConfigError
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.script import Token


def checked(check: Callable[..., Any], value: Any, what: str, **kwargs: Any) -> Any:
    """One of the shared input checks (rp2350_emu.inputs), its refusal as a monitor error."""
    try:
        return check(value, what, **kwargs)
    except ConfigError as exc:
        raise MonitorError(str(exc)) from None


def to_port(token: Token, what: str) -> int:
    """A TCP port 0-65535 (0: the system picks one)."""
    return checked(inputs.port, to_int(token, what), what)


def to_uint(token: Token, what: str, bits: int = 32) -> int:
    """A number that fits `bits` unsigned bits (an address, a register or bus value)."""
    value = to_int(token, what)
    if not 0 <= value < 1 << bits:
        raise MonitorError(f"{what} 0x{value:X} does not fit {bits} bits, expected 0..0x{(1 << bits) - 1:X}")
    return value


def to_int(token: Token, what: str) -> int:
    if token.kind == "int":
        return int(token.value)  # type: ignore[arg-type]
    if token.kind == "string":
        try:
            return int(str(token.value), 0)
        except ValueError:
            pass
    raise MonitorError(f"{what} expects a number (decimal or 0x hex), got {token.text!r}")


def to_bool(token: Token, what: str) -> bool:
    if token.kind == "bool":
        return bool(token.value)
    if token.kind == "string" and str(token.value).lower() in ("true", "false"):
        return str(token.value).lower() == "true"
    raise MonitorError(f"{what} expects true or false, got {token.text!r}")


def to_str(token: Token, what: str) -> str:
    if token.kind in ("string", "word"):
        return str(token.value)
    if token.kind in ("int", "float"):
        return token.text
    raise MonitorError(f"{what} expects a string, got {token.text!r}")


def arity(args: list[Token], low: int, high: int, usage: str) -> None:
    if not low <= len(args) <= high:
        got = " ".join(t.text for t in args) or "nothing"
        raise MonitorError(f"wrong arguments ({got}); usage: {usage}")
