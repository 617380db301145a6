//! The two pulley32 engines, configured by the firmware's own settings file,
//! and the fingerprint that names an engine's artifacts.

use std::hash::{Hash, Hasher};

use wasmtime::{Config, Engine};

include!("../../../src/common/engine_config.rs");

/// Which firmware deserialises the artifact.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The embedded images (build/<guest>.elf): `configure_engine`.
    Image,
    /// The loader image (build/loader.elf): `configure_loader_engine`.
    Loader,
}

pub fn engine(target: Target) -> Result<Engine, String> {
    let mut config = Config::new();
    match target {
        Target::Image => configure_engine(&mut config),
        Target::Loader => configure_loader_engine(&mut config),
    }
    .map_err(|e| format!("engine settings rejected: {e:#}"))?;
    Engine::new(&config).map_err(|e| format!("cannot create the pulley32 engine: {e:#}"))
}

/// FNV-1a, 128 bits: fixed and portable (std's `DefaultHasher` may change
/// between Rust releases), and the firmware only compares the bytes.
struct Fnv128(u128);

impl Hasher for Fnv128 {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
        }
    }
    fn finish(&self) -> u64 {
        self.0 as u64
    }
}

/// 16 bytes naming the engine: Wasmtime's `precompile_compatibility_hash`
/// (target, Cranelift flags, tunables, wasm features, Wasmtime version)
/// hashed with FNV-1a 128. The firmware cannot compute it (it has no
/// compiler), so the loader's build embeds the value this tool prints.
pub fn fingerprint(engine: &Engine) -> [u8; 16] {
    let mut h = Fnv128(0x6C62_272E_07BB_0142_62B8_2175_6295_C58D);
    engine.precompile_compatibility_hash().hash(&mut h);
    h.0.to_le_bytes()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
