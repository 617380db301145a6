//! Build script: checks each guest component against the firmware's WIT
//! worlds and AOT-compiles it to a `pulley32` `.cwasm` that the firmware
//! embeds with `include_bytes!`.
//!
//! Components come from `../build/wasm/<guest>.wasm` (made by `make wasm`);
//! set `GUEST_WASM_DIR` to use another directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use wasmtime::{Config, Engine};
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldItem};

include!("src/common/engine_config.rs");

/// (component file stem, WIT world the firmware image implements)
const GUESTS: &[(&str, &str)] = &[
    ("blinky", "blinky"),
    ("button", "button-led"),
    ("uart-echo", "uart-echo"),
    ("trap", "blinky"),
    ("compute", "compute"),
];

/// Interface name -> function names, for every import of a world.
type Imports = BTreeMap<String, Vec<String>>;

fn world_imports(resolve: &Resolve, world: wit_parser::WorldId) -> Imports {
    let mut out = Imports::new();
    for (key, item) in &resolve.worlds[world].imports {
        match item {
            WorldItem::Interface { id, .. } => {
                let name = resolve.id_of(*id).unwrap_or_else(|| resolve.name_world_key(key));
                let funcs = resolve.interfaces[*id].functions.keys().cloned().collect();
                out.insert(name, funcs);
            }
            WorldItem::Function(f) => {
                out.insert(f.name.clone(), Vec::new());
            }
            WorldItem::Type { .. } => {}
        }
    }
    out
}

fn describe(imports: &Imports) -> String {
    imports
        .iter()
        .map(|(iface, funcs)| format!("{iface} {{{}}}", funcs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Fails with a message naming the file and every import the firmware image
/// does not provide.
fn check_component(path: &Path, bytes: &[u8], provided: &Imports, world: &str) -> Result<(), String> {
    if !wasmparser::Parser::is_component(bytes) {
        let what = if wasmparser::Parser::is_core_wasm(bytes) {
            "a core WebAssembly module, not a component (wrap it with `wasm-tools component new`)"
        } else {
            "not a WebAssembly binary"
        };
        return Err(format!("{}: {what}", path.display()));
    }
    let decoded = wit_component::decode(bytes)
        .map_err(|e| format!("{}: cannot decode component: {e:#}", path.display()))?;
    let DecodedWasm::Component(resolve, guest_world) = decoded else {
        return Err(format!("{}: is a WIT package, not a component", path.display()));
    };
    let wanted = world_imports(&resolve, guest_world);
    let mut missing = Vec::new();
    for (iface, funcs) in &wanted {
        match provided.get(iface) {
            None => missing.push(format!("`{iface}`")),
            Some(have) => {
                for f in funcs.iter().filter(|f| !have.contains(f)) {
                    missing.push(format!("`{iface}#{f}`"));
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "{}: imports {}, which the firmware (world `{world}`) does not provide; it provides: {}",
            path.display(),
            missing.join(", "),
            describe(provided)
        ));
    }
    let exports = &resolve.worlds[guest_world].exports;
    let has_run = exports.iter().any(|(key, _)| resolve.name_world_key(key) == "run");
    if !has_run {
        return Err(format!("{}: does not export `run: func()`", path.display()));
    }
    Ok(())
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());

    // cortex-m-rt's link.x includes memory.x from the linker search path.
    std::fs::copy(manifest.join("memory.x"), out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=src/common/engine_config.rs");

    let wit_dir = manifest.join("../wit");
    println!("cargo:rerun-if-changed={}", wit_dir.display());
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve.push_path(&wit_dir).expect("parse ../wit");

    let wasm_dir = std::env::var_os("GUEST_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../build/wasm"));
    println!("cargo:rerun-if-env-changed=GUEST_WASM_DIR");

    let mut config = Config::new();
    configure_engine(&mut config).expect("pulley32 engine settings");
    let engine = Engine::new(&config).expect("create pulley32 engine");

    let mut failures = Vec::new();
    for (name, world) in GUESTS {
        let path = wasm_dir.join(format!("{name}.wasm"));
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{}: {e} (run `make wasm` first)", path.display()));
                continue;
            }
        };
        let world_id = resolve.select_world(&[pkg], Some(world)).expect("world in ../wit");
        let provided = world_imports(&resolve, world_id);
        if let Err(msg) = check_component(&path, &bytes, &provided, world) {
            failures.push(msg);
            continue;
        }
        match engine.precompile_component(&bytes) {
            Ok(cwasm) => std::fs::write(out.join(format!("{name}.cwasm")), cwasm).expect("write .cwasm"),
            Err(e) => failures.push(format!("{}: AOT compilation failed: {e:?}", path.display())),
        }
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("error: {f}");
        }
        std::process::exit(1);
    }
}
