"""Deprecated path of the pytest plugin, kept for `-p rp2350_emu.pytest_plugin` in existing configs.

The plugin is `rp2350_emu.pytestlib.plugin` (registered through the `pytest11`
entry point); import or name that instead. This module will be removed.
"""

from rp2350_emu.pytestlib.plugin import *
from rp2350_emu.pytestlib.plugin import pytest_addoption, pytest_configure, pytest_runtest_makereport  # noqa: F401
