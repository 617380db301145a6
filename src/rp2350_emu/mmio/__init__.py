"""Memory-mapped register blocks: the register table, the block base with the RP2350 atomic aliases, and wires."""
