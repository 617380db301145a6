"""Monitor argument checks: arity and the conversion of tokens to numbers, booleans and strings."""

from __future__ import annotations

from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.script import Token


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
