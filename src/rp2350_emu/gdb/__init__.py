"""A GDB server: the remote serial protocol, its socket transport and the debug target over the engine."""
