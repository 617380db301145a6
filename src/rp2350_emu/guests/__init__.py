"""WebAssembly guests on the host: run components in Python wasmtime against a scripted board."""
