"""Deprecated path of the insight keywords; use `rp2350_emu.robotlib.insight.InsightKeywords`."""

from rp2350_emu.robotlib.insight import InsightKeywords  # noqa: F401
