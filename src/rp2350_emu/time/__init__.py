"""Virtual time: the scheduler that owns it, CPU time slices, and units (integer nanoseconds)."""
