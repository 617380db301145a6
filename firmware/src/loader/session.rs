//! One guest, from bytes to its end: validate, deserialise, link, run, and
//! the one line that says how it went.

use alloc::format;
use alloc::string::{String, ToString};

use wasmtime::component::Component;
use wasmtime::{Config, Engine, Precompiled, Trap};

use crate::common::runtime::configure_loader_engine;

use super::{host, package, FINGERPRINT};

/// A guest that passed every check, with the interfaces it imports.
pub struct Guest {
    component: Component,
    imports: host::Imports,
}

pub fn engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    configure_loader_engine(&mut config)?;
    Engine::new(&config)
}

/// One line for an error: the trap if it is one, else the innermost cause
/// (a host function's own message), without Wasmtime's backtrace lines.
pub fn one_line(e: &wasmtime::Error) -> String {
    let text = match e.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => e.root_cause().to_string(),
    };
    text.lines().next().unwrap_or("").trim().to_string()
}

fn check(engine: &Engine, blob: &[u8]) -> Result<Guest, String> {
    let payload = package::open(blob, &FINGERPRINT).map_err(|e| e.to_string())?;
    match Engine::detect_precompiled(payload) {
        Some(Precompiled::Component) => {}
        Some(Precompiled::Module) => return Err("a core WebAssembly module, not a component".into()),
        None => return Err("the payload is not a Wasmtime artifact".into()),
    }
    // SAFETY: the payload's CRC and the engine fingerprint both match, so
    // these are the bytes `cwasm package` compiled for exactly this engine.
    let component = unsafe { Component::deserialize(engine, payload) }
        .map_err(|e| format!("cannot deserialise: {}", one_line(&e)))?;
    let imports = host::check_imports(engine, &component)?;
    Ok(Guest { component, imports })
}

/// Checks `blob` (from `source`, "flash" or "upload"); prints why not.
pub fn load(engine: &Engine, blob: &[u8], source: &str) -> Option<Guest> {
    match check(engine, blob) {
        Ok(guest) => {
            crate::println!("loader: {source} guest accepted ({} bytes)", blob_len(blob));
            Some(guest)
        }
        Err(why) => {
            crate::println!("loader: {source} guest rejected: {why}");
            None
        }
    }
}

fn blob_len(blob: &[u8]) -> usize {
    package::Header::parse(blob).map(|h| h.total_len()).unwrap_or(blob.len())
}

/// Runs a checked guest to its end. Policy afterwards, whatever happened:
/// the board's outputs go back to their boot state (LED off, no servo
/// pulse) and the caller waits for an upload (docs/loader.md).
pub fn run(engine: &Engine, guest: Guest) {
    report(engine, guest);
    let _ = crate::common::board::set_output(crate::common::board::LED_PIN, false);
    crate::common::servo::release();
}

fn report(engine: &Engine, guest: Guest) {
    match host::run(engine, &guest.component, guest.imports) {
        // Reports start on a line of their own, as trap.elf's do, even after a
        // guest's unterminated UART output.
        Ok(host::Outcome::Returned) => crate::println!("\n*** guest returned from run"),
        Ok(host::Outcome::ReturnedValue(v)) => crate::println!("\n*** guest returned from run: {v}"),
        Err(host::Failure::Instantiate(e)) => {
            crate::println!("loader: guest rejected: cannot instantiate: {}", one_line(&e))
        }
        Err(host::Failure::NoRun(why)) => crate::println!("loader: guest rejected: {why}"),
        Err(host::Failure::Trap(e)) => crate::println!("\n*** guest trap: {}", one_line(&e)),
    }
}
