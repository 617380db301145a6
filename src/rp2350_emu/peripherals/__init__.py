"""Register-level models of the RP2350 peripherals.

`MODELS` maps the model key used in platform descriptions to its class; every
class is constructed as `Cls(name, scheduler, **kwargs)`.
"""

from __future__ import annotations

from .clocks import Clocks
from .eppb import Eppb
from .gpio import Gpio
from .io_bank0 import IoBank0
from .pads_bank0 import PadsBank0
from .pll import Pll
from .pwm import Pwm
from .resets import Resets
from .sio import Sio
from .ticks import Ticks
from .timer import Timer
from .uart_pl011 import UartPl011
from .watchdog import Watchdog
from .xosc import Xosc

MODELS: dict[str, type] = {
    "resets": Resets,
    "clocks": Clocks,
    "xosc": Xosc,
    "pll": Pll,
    "ticks": Ticks,
    "watchdog": Watchdog,
    "io_bank0": IoBank0,
    "pads_bank0": PadsBank0,
    "sio": Sio,
    "gpio": Gpio,
    "uart_pl011": UartPl011,
    "timer": Timer,
    "pwm": Pwm,
    "eppb": Eppb,
}

__all__ = ["MODELS", "Clocks", "Eppb", "Gpio", "IoBank0", "PadsBank0", "Pll", "Pwm", "Resets", "Sio", "Ticks",
           "Timer", "UartPl011", "Watchdog", "Xosc"]
