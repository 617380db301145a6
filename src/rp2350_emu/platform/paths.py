"""Where the platform descriptions of this source tree are."""

from __future__ import annotations

from pathlib import Path

#: the board the tools use unless told otherwise: the SoC (platforms/cpus/rp2350.repl) plus LED and button
DEFAULT_BOARD = Path("platforms") / "boards" / "pico2.repl"


def default_repl() -> Path:
    """platforms/boards/pico2.repl of the source tree this package runs from."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / DEFAULT_BOARD
        if candidate.is_file():
            return candidate
    return DEFAULT_BOARD
