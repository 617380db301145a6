"""argparse types over the shared input checks (rp2350_emu.inputs): bad values are usage errors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rp2350_emu import inputs
from rp2350_emu.errors import ConfigError


def _typed(check: Callable[..., Any], **kwargs: Any) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return check(text, "", **kwargs)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(": ")) from None
    return convert


seconds = _typed(inputs.seconds)
seconds_or_zero = _typed(inputs.seconds, allow_zero=True)
mips = _typed(inputs.positive_number, maximum=10_000)
port = _typed(inputs.port)
uart_text = _typed(lambda text, what: (inputs.latin1_text(text, what), text)[1])


def output_file(text: str) -> Path:
    """A file the run will write: checked now, not after the run."""
    return _typed(inputs.output_file)(text)
