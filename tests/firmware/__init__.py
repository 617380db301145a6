"""The real firmware images in the built-in engine."""
