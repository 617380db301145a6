"""The rp2350-emu command line: the composition root that wires engine, harness, monitor and GDB."""
