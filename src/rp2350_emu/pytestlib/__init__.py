"""pytest fixtures over the harness (the rp2350_emu pytest plugin)."""
