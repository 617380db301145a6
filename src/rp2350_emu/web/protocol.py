"""What a page may send over the WebSocket: JSON objects, checked into session commands.

    {"t": "button", "down": true}          press (true) or release GPIO15's button
    {"t": "uart", "data": "hi\\r"}          bytes for UART0 RX, as the terminal sends them (UTF-8)
    {"t": "pause"} / {"t": "resume"}
    {"t": "step", "ms": 10}                 pause, then run this much virtual time (0 < ms <= 60000)
    {"t": "run-to", "s": 2.5}               run until this virtual time, then pause
    {"t": "fast", "on": true}               unpaced (as fast as the host goes) or paced to wall time
    {"t": "upload", "name": "x.cwasm", "data": BASE64}   a packaged guest for the loader image

Anything else is a `BadMessage` whose text says why, for one log line.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from rp2350_emu.guests.upload import MAX_UPLOAD
from rp2350_emu.time.units import NS_PER_MS
from rp2350_emu.web.session import run_to_ns

MAX_UART_CHARS = 4096
MAX_STEP_MS = 60_000
#: the largest text message the server reads (a base64 upload of the largest blob, with room)
MAX_MESSAGE = 4 * MAX_UPLOAD


class BadMessage(ValueError):
    """A message the board cannot act on; the text says why (one line)."""


def _field(data: dict, name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadMessage(f"'{data['t']}' needs '{name}' to be {getattr(kind, '__name__', 'a number')}")
    return value


def _number(data: dict, name: str) -> float:
    value = _field(data, name, (int, float))
    if not math.isfinite(value):
        raise BadMessage(f"'{data['t']}': '{name}' is not a finite number")
    return float(value)


def parse_command(text: str) -> tuple:
    """One page message as a session command; raises BadMessage."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BadMessage(f"not JSON: {text[:40]!r}") from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise BadMessage(f"not an object with a string 't': {text[:40]!r}")
    kind = data["t"]
    if kind == "button":
        return ("button", _field(data, "down", bool))
    if kind == "uart":
        chars = _field(data, "data", str)
        if not chars or len(chars) > MAX_UART_CHARS:
            raise BadMessage(f"'uart' data of {len(chars)} characters (1..{MAX_UART_CHARS})")
        return ("uart", chars.encode("utf-8", "replace"))
    if kind in ("pause", "resume"):
        return (kind,)
    if kind == "fast":
        return ("fast", _field(data, "on", bool))
    if kind == "step":
        ms = _number(data, "ms")
        if not 0 < ms <= MAX_STEP_MS:
            raise BadMessage(f"'step' of {ms:g} ms (0 < ms <= {MAX_STEP_MS})")
        return ("step", max(1, round(ms * NS_PER_MS)))
    if kind == "run-to":
        try:
            return ("run-to", run_to_ns(_number(data, "s")))
        except ValueError as exc:
            raise BadMessage(str(exc)) from None
    if kind == "upload":
        name = _field(data, "name", str)[:200] or "upload"
        try:
            blob = base64.b64decode(_field(data, "data", str), validate=True)
        except (binascii.Error, ValueError):
            raise BadMessage("'upload' data is not base64") from None
        return ("upload", name, blob)
    raise BadMessage(f"unknown message type {kind[:40]!r}")
