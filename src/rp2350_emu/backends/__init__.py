"""Engines the harness can drive: the Engine protocol, the built-in machine, Renode through pyrenode3."""
