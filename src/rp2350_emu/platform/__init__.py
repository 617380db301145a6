"""The machine: .repl platform descriptions, wiring, ELF images, the bus, snapshots."""
