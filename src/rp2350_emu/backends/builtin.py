"""The built-in engine as the harness creates it, and the factory override for tests."""

from __future__ import annotations

import importlib
import os
from typing import Any

from rp2350_emu.backends.engine import Engine, EngineFactory
from rp2350_emu.platform.machine import Machine

#: `module:attribute` of an engine factory to use instead of the built-in engine
#: (the harness's own tests point it at a fake engine)
FACTORY_ENV = "RP2350_EMU_MACHINE_FACTORY"


def builtin_engine(repl_path: str) -> Engine:
    """A built-in machine from a .repl."""
    return Machine.from_repl(repl_path)


def engine_factory_from_env() -> EngineFactory:
    """The factory named by $RP2350_EMU_MACHINE_FACTORY, else the built-in engine."""
    spec = os.environ.get(FACTORY_ENV)
    if not spec:
        return builtin_engine
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj
