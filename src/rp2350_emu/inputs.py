"""Checks of what users type and give, shared by the command line, the monitor and the keywords.

Each check returns the clean value or raises ConfigError with one line that
says what is wrong, where it came from (`what`, e.g. "--seconds") and what
would be right. Nothing downstream sees a NaN, an infinite or absurd
duration, a port outside 0-65535, a path it cannot write, or text it cannot
decode.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from rp2350_emu.errors import ConfigError

#: the longest virtual duration anything accepts: a year of virtual time
MAX_SECONDS = 365 * 24 * 3600.0


def seconds(value: str | float, what: str, *, allow_zero: bool = False, maximum: float = MAX_SECONDS) -> float:
    """A finite, non-negative number of seconds (positive unless `allow_zero`)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what}: {value!r} is not a number of seconds (e.g. 0.5)") from None
    if math.isnan(number) or math.isinf(number):
        raise ConfigError(f"{what}: {value!r} is not a finite number of seconds")
    if number < 0 or (number == 0 and not allow_zero):
        raise ConfigError(f"{what}: {value!r} must be {'zero or more' if allow_zero else 'more than zero'} seconds")
    if number > maximum:
        raise ConfigError(f"{what}: {value!r} seconds is more than the {maximum:g} s this accepts")
    return number


def positive_number(value: str | float, what: str, *, maximum: float = 1e6) -> float:
    """A finite number greater than zero (an instruction rate, a factor)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number) or number <= 0 or number > maximum:
        raise ConfigError(f"{what}: {value!r} must be a finite number greater than 0 and at most {maximum:g}")
    return number


def port(value: str | int, what: str, *, allow_zero: bool = True) -> int:
    """A TCP port number (0 = let the system pick one, if allowed)."""
    try:
        number = int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{what}: {value!r} is not a port number") from None
    low = 0 if allow_zero else 1
    if not low <= number <= 0xFFFF:
        hint = " (0 picks a free one)" if allow_zero else ""
        raise ConfigError(f"{what}: port {number} is outside {low}-65535{hint}")
    return number


_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\", "'": b"'", '"': b'"',
            "a": b"\a", "b": b"\b", "e": b"\x1b"}


def escaped_bytes(text: str, what: str) -> bytes:
    r"""Text with backslash escapes (\r \n \t \0 \\ \xNN) -> bytes; any other character must be Latin-1."""
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            if ord(ch) > 0xFF:
                utf8 = "".join(f"\\x{b:02x}" for b in ch.encode())
                raise ConfigError(f"{what}: {ch!r} (U+{ord(ch):04X}) is not a byte; write its UTF-8 bytes "
                                  f"as \\xNN escapes (here: {utf8})")
            out.append(ord(ch))
            i += 1
            continue
        if i + 1 >= len(text):
            raise ConfigError(f"{what}: the text ends in a lone backslash; write \\\\ for a backslash")
        code = text[i + 1]
        if code == "x":
            digits = text[i + 2:i + 4]
            if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ConfigError(f"{what}: \\x at position {i} needs two hex digits (e.g. \\x7f)")
            out.append(int(digits, 16))
            i += 4
        elif code in _ESCAPES:
            out += _ESCAPES[code]
            i += 2
        else:
            raise ConfigError(f"{what}: unknown escape \\{code} at position {i} (known: \\r \\n \\t \\0 \\\\ \\xNN)")
    return bytes(out)


def latin1_text(text: str, what: str) -> bytes:
    """Text to look for on a UART: not empty, every character one byte (Latin-1)."""
    if not text:
        raise ConfigError(f"{what}: the text is empty (it would match at once); give the text to look for")
    for i, ch in enumerate(text):
        if ord(ch) > 0xFF:
            raise ConfigError(f"{what}: {ch!r} (U+{ord(ch):04X}) at position {i} is not a byte; a UART "
                              "sends bytes, so give Latin-1 text")
    return text.encode("latin-1")


def output_file(path: str | Path, what: str) -> Path:
    """A file that can be created or replaced: its directory exists and it is not a directory."""
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        raise ConfigError(f"{what}: {p} is a directory, expected a file name")
    if not parent.is_dir():
        raise ConfigError(f"{what}: directory {parent} does not exist (create it first)")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise ConfigError(f"{what}: {p} is not writable")
    return p


def text_file(path: str | Path, what: str = "") -> str:
    """A UTF-8 text file's contents; a byte that is not UTF-8 is named with its line."""
    p = Path(path)
    label = f"{what}: {p}" if what else str(p)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{label}: is a directory, expected a file") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read it ({exc.strerror or exc})") from None
    return decode_text(raw, str(p))


def decode_text(raw: bytes, where: str) -> str:
    """UTF-8 bytes of a file -> text; a bad byte is named with its line, column and byte offset."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(f"{where}:{line}: byte 0x{raw[exc.start]:02x} at offset {exc.start} (column {column}) "
                          "is not UTF-8 text; save the file as UTF-8") from None
