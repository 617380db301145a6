"""The GDB server: protocol units, sessions with gdb-multiarch, real firmware."""
