"""The Renode monitor over the harness: interpreter, commands, object methods, console.

Importing the package loads every command and method module, so the
interpreter's tables are complete whichever module a caller imports.
"""

# the order sets the order of help's listing
from rp2350_emu.monitor import commands, methods_machine, methods_emulation  # noqa: F401, I001 - they register
from rp2350_emu.monitor.errors import MonitorError
from rp2350_emu.monitor.interpreter import Monitor

__all__ = ["Monitor", "MonitorError"]
