"""The built-in engine on small test images from tests/elf."""
