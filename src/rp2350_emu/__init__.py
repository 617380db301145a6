"""rp2350_emu: an RP2350 (Cortex-M33) machine in Python, in virtual time."""

__version__ = "0.1.0"
