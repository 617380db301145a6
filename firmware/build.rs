//! Build script: brings the guests' AOT-compiled `pulley32` `.cwasm` files
//! into OUT_DIR for `include_bytes!`, and writes the loader's settings.
//!
//! The guests are compiled on the host by `tools/cwasm` (`make guest`,
//! `make cwasm`), which also checks each component's imports against its
//! world; that keeps Wasmtime's compiler out of this build entirely.
//! The `.cwasm` files come from `../build/cwasm/` (`GUEST_CWASM_DIR` to
//! override), the loader's engine fingerprint from `loader.fingerprint`
//! there (`cwasm fingerprint --loader`).

use std::fmt::Write as _;
use std::path::PathBuf;

/// Every guest some image embeds.
const GUESTS: &[&str] = &["blinky", "button", "uart-echo", "trap", "compute", "servo"];

/// Default Wasm fuel a loader guest may burn between two sleeping host calls
/// (`LOADER_FUEL` overrides at build time; docs/loader.md).
const DEFAULT_LOADER_FUEL: u64 = 2_000_000;

fn fail(msg: String) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());

    // cortex-m-rt's link.x includes memory.x from the linker search path.
    std::fs::copy(manifest.join("memory.x"), out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    // The loader must end below its guest partition (docs/loader.md).
    println!("cargo:rustc-link-arg-bin=loader=-T{}", manifest.join("loader.x").display());
    println!("cargo:rerun-if-changed=loader.x");

    let cwasm_dir = std::env::var_os("GUEST_CWASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../build/cwasm"));
    println!("cargo:rerun-if-env-changed=GUEST_CWASM_DIR");

    let mut failures = Vec::new();
    for name in GUESTS {
        let path = cwasm_dir.join(format!("{name}.cwasm"));
        println!("cargo:rerun-if-changed={}", path.display());
        match std::fs::read(&path) {
            // A Pulley artifact is an ELF object.
            Ok(b) if b.starts_with(b"\x7fELF") => {
                std::fs::write(out.join(format!("{name}.cwasm")), b).expect("write .cwasm")
            }
            Ok(_) => failures.push(format!("{}: not a Wasmtime .cwasm artifact", path.display())),
            Err(e) => failures.push(format!("{}: {e} (run `make guest GUEST={name}`)", path.display())),
        }
    }

    let fp_path = cwasm_dir.join("loader.fingerprint");
    println!("cargo:rerun-if-changed={}", fp_path.display());
    let fingerprint = match std::fs::read_to_string(&fp_path) {
        Ok(text) => parse_hex16(text.trim())
            .unwrap_or_else(|| fail(format!("{}: not 32 hex digits", fp_path.display()))),
        Err(e) => fail(format!("{}: {e} (run `make cwasm`)", fp_path.display())),
    };

    println!("cargo:rerun-if-env-changed=LOADER_FUEL");
    let fuel = match std::env::var("LOADER_FUEL") {
        Ok(v) => v
            .parse::<u64>()
            .ok()
            .filter(|&f| f > 0)
            .unwrap_or_else(|| fail(format!("LOADER_FUEL={v}: not a positive integer"))),
        Err(_) => DEFAULT_LOADER_FUEL,
    };

    let mut rs = String::new();
    writeln!(rs, "/// Engine fingerprint `cwasm package` writes for this loader's engine.").unwrap();
    writeln!(rs, "pub const FINGERPRINT: [u8; 16] = {fingerprint:?};").unwrap();
    writeln!(rs, "/// Wasm fuel between two sleeping host calls.").unwrap();
    writeln!(rs, "pub const FUEL_BUDGET: u64 = {fuel};").unwrap();
    std::fs::write(out.join("loader_settings.rs"), rs).expect("write loader_settings.rs");

    if !failures.is_empty() {
        for f in &failures {
            eprintln!("error: {f}");
        }
        std::process::exit(1);
    }
}

fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
