"""Deprecated path of the Robot keyword library, kept for suites that import
`rp2350_emu.robot_keywords.RenodeKeywords` by name.

The library is `rp2350_emu.robotlib.library.RenodeKeywords` (Robot: `Import
Library    rp2350_emu.robotlib.library.RenodeKeywords`). This package will be removed.
"""

from rp2350_emu.robotlib.library import RESOURCE, RenodeKeywords  # noqa: F401
