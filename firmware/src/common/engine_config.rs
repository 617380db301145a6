// Wasmtime settings shared by build.rs (which AOT-compiles the guest) and the
// firmware (which deserialises it): they must be identical or
// `Component::deserialize` rejects the artifact. Included with `include!`.

/// Pulley 32-bit, no OS services: traps are checked in the interpreter rather
/// than caught from signals, linear memory is a plain heap allocation with no
/// reservation or guard pages, and memory is initialised by copying.
pub fn configure_engine(config: &mut wasmtime::Config) -> wasmtime::Result<()> {
    config.target("pulley32")?;
    config.signals_based_traps(false);
    config.memory_init_cow(false);
    config.memory_reservation(0);
    config.memory_guard_size(0);
    config.memory_reservation_for_growth(0);
    config.guard_before_linear_memory(false);
    // Bounds the host stack the interpreter may use for Wasm frames.
    config.max_wasm_stack(16 * 1024);
    Ok(())
}
