//! The import check that used to run in the firmware's build script: does a
//! component import only what a WIT world of `wit/platform.wit` provides?

use std::collections::BTreeMap;
use std::path::Path;

use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldItem};

/// Interface name -> function names, for every import of a world.
pub type Imports = BTreeMap<String, Vec<String>>;

/// The parsed `wit/` directory and its package.
pub struct Worlds {
    resolve: Resolve,
    package: wit_parser::PackageId,
}

impl Worlds {
    pub fn load(wit_dir: &Path) -> Result<Worlds, String> {
        let mut resolve = Resolve::default();
        let (package, _) = resolve
            .push_path(wit_dir)
            .map_err(|e| format!("{}: cannot parse WIT: {e:#}", wit_dir.display()))?;
        Ok(Worlds { resolve, package })
    }

    /// The imports of world `name`, or an error listing the worlds there are.
    pub fn imports(&self, name: &str) -> Result<Imports, String> {
        let id = self.resolve.select_world(&[self.package], Some(name)).map_err(|_| {
            let known: Vec<&str> = self.resolve.worlds.iter().map(|(_, w)| w.name.as_str()).collect();
            format!("unknown WIT world `{name}` (known: {})", known.join(", "))
        })?;
        Ok(world_imports(&self.resolve, id))
    }

    /// Every interface of the package: what a host implementing all of
    /// `embedded:platform` (the loader) provides.
    pub fn all_interfaces(&self) -> Imports {
        let mut out = Imports::new();
        for (_, id) in &self.resolve.packages[self.package].interfaces {
            if let Some(name) = self.resolve.id_of(*id) {
                out.insert(name, self.resolve.interfaces[*id].functions.keys().cloned().collect());
            }
        }
        out
    }
}

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

/// Is this a component (not a core module, not something else)? The error
/// names the file.
pub fn require_component(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if wasmparser::Parser::is_component(bytes) {
        return Ok(());
    }
    let what = if wasmparser::Parser::is_core_wasm(bytes) {
        "a core WebAssembly module, not a component (wrap it with `wasm-tools component new`)"
    } else {
        "not a WebAssembly binary"
    };
    Err(format!("{}: {what}", path.display()))
}

/// Fails with one line naming the file and every import that `provided`
/// lacks, or a missing `run` export; `host` names the provider in the message
/// ("the firmware (world `blinky`)").
pub fn check_component(path: &Path, bytes: &[u8], provided: &Imports, host: &str) -> Result<(), String> {
    require_component(path, bytes)?;
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
            "{}: imports {}, which {host} does not provide; it provides: {}",
            path.display(),
            missing.join(", "),
            describe(provided)
        ));
    }
    let exports = &resolve.worlds[guest_world].exports;
    if !exports.iter().any(|(key, _)| resolve.name_world_key(key) == "run") {
        return Err(format!("{}: does not export `run: func()`", path.display()));
    }
    Ok(())
}
