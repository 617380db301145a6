"""Deprecated path of the engine's Machine, kept for `from rp2350_emu.machine import Machine`.

Import it from `rp2350_emu.platform.machine` instead. This module will be removed.
"""

from rp2350_emu.platform.events import Event  # noqa: F401
from rp2350_emu.platform.machine import Machine  # noqa: F401
from rp2350_emu.platform.pins import Button, Led, PinDevice  # noqa: F401
