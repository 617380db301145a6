"""The WebAssembly guests as components in host wasmtime."""
