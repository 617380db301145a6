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

/// The loader image's engine: the same settings plus fuel, so a guest that
/// loops without calling the host is stopped (the M33 has no 64-bit atomics,
/// which Wasmtime's epoch interruption needs). Fuel changes the generated
/// code, so a loader guest is compiled for this engine (`cwasm package`) and
/// the embedded images keep theirs unchanged.
pub fn configure_loader_engine(config: &mut wasmtime::Config) -> wasmtime::Result<()> {
    configure_engine(config)?;
    config.consume_fuel(true);
    Ok(())
}
