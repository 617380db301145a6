//! The loader's host: every `embedded:platform` interface, linked only where
//! the guest imports it, with pin grants and a fuel budget.
//!
//! Fuel: a guest starts with `FUEL_BUDGET` units (about one per Wasm
//! instruction) and gets a full budget again at every host call that sleeps
//! (`delay-ms` of 1 ms or more, `read-byte`). Every other host call costs
//! `HOST_CALL_FUEL`, so endless loops, floods of host calls and UART floods
//! all end in a trap instead of holding the board for ever.

use alloc::format;
use alloc::string::String;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store, StoreContextMut, StoreLimits, StoreLimitsBuilder};

use super::{grants, FUEL_BUDGET};
use crate::common::{board, sleep};

/// What a non-sleeping host call costs, in fuel: about its time on the M33
/// (~1 400 cycles) in Wasm instructions' worth.
pub const HOST_CALL_FUEL: u64 = 1_000;
/// Longest single `delay-ms` the loader honours.
pub const MAX_DELAY_MS: u32 = 60_000;
/// Linear memory a guest may have in all (its 64 KiB page and one more).
pub const MAX_MEMORY_BYTES: usize = 128 * 1024;

/// Interface name -> its functions, as `wit/platform.wit` has them.
const INTERFACES: &[(&str, &[&str])] = &[
    ("embedded:platform/gpio", &["set-high", "set-low"]),
    ("embedded:platform/button", &["is-pressed"]),
    ("embedded:platform/timing", &["delay-ms"]),
    ("embedded:platform/uart", &["read-byte", "write-byte"]),
    ("embedded:platform/servo", &["set-angle"]),
];

/// Which of `INTERFACES` a guest imports (bit i = entry i).
#[derive(Clone, Copy, Default)]
pub struct Imports(u8);

impl Imports {
    fn has(self, name: &str) -> bool {
        INTERFACES.iter().position(|(n, _)| *n == name).is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

/// Every import must be one of `INTERFACES`, as an instance whose functions
/// the loader has; the error names the first that is not.
pub fn check_imports(engine: &Engine, component: &Component) -> Result<Imports, String> {
    let mut found = Imports::default();
    for (name, item) in component.component_type().imports(engine) {
        let Some(index) = INTERFACES.iter().position(|(n, _)| *n == name) else {
            return Err(format!(
                "imports `{name}`, which the loader does not provide (it has gpio, button, timing, uart, servo)"
            ));
        };
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            return Err(format!("imports `{name}` as something other than an interface"));
        };
        for (func, _) in instance.exports(engine) {
            if !INTERFACES[index].1.contains(&func) {
                return Err(format!("imports `{name}#{func}`, which the loader does not provide"));
            }
        }
        found.0 |= 1 << index;
    }
    Ok(found)
}

/// The store's data: only the limits; the board is global.
pub struct GuestState {
    limits: StoreLimits,
}

type Cx<'a> = StoreContextMut<'a, GuestState>;

/// A non-sleeping call: take its cost from the fuel left.
fn charge(cx: &mut Cx<'_>) -> wasmtime::Result<()> {
    let left = cx.get_fuel()?;
    cx.set_fuel(left.saturating_sub(HOST_CALL_FUEL))
}

/// A sleeping call: the guest waited, so it gets a full budget again.
fn refuel(cx: &mut Cx<'_>) -> wasmtime::Result<()> {
    cx.set_fuel(FUEL_BUDGET)
}

// The host functions proper: a function each, `#[inline(never)]` so each keeps
// an entry of its own, as the embedded images' `Host` methods do (the
// emulator's WIT-call trace and `rp2350-emu report` stop there). The closures
// in `link` charge or refill fuel around them.

pub mod gpio {
    use super::{board, grants};

    #[inline(never)]
    pub fn set_high(pin: u32) -> wasmtime::Result<()> {
        grants::output(pin)?;
        board::set_output(pin, true)
    }

    #[inline(never)]
    pub fn set_low(pin: u32) -> wasmtime::Result<()> {
        grants::output(pin)?;
        board::set_output(pin, false)
    }
}

pub mod button {
    use super::{board, grants};

    #[inline(never)]
    pub fn is_pressed(pin: u32) -> wasmtime::Result<bool> {
        grants::button(pin)?;
        board::is_pressed(pin)
    }
}

pub mod timing {
    use super::{sleep, MAX_DELAY_MS};

    #[inline(never)]
    pub fn delay_ms(ms: u32) -> wasmtime::Result<()> {
        if ms > MAX_DELAY_MS {
            return Err(wasmtime::format_err!(
                "timing: delay-ms({ms}) is longer than the loader's limit of {MAX_DELAY_MS} ms"
            ));
        }
        if ms > 0 {
            sleep::delay_ms(ms);
        }
        Ok(())
    }
}

pub mod uart {
    use super::sleep;

    #[inline(never)]
    pub fn read_byte() -> wasmtime::Result<u8> {
        Ok(sleep::read_byte())
    }

    #[inline(never)]
    pub fn write_byte(byte: u8) -> wasmtime::Result<()> {
        sleep::write_byte(byte);
        Ok(())
    }
}

pub mod servo {
    #[inline(never)]
    pub fn set_angle(degrees: u32) -> wasmtime::Result<()> {
        crate::common::servo::set_angle(degrees)
    }
}

fn link(engine: &Engine, imports: Imports) -> wasmtime::Result<Linker<GuestState>> {
    let mut linker = Linker::new(engine);
    if imports.has("embedded:platform/gpio") {
        let mut instance = linker.instance("embedded:platform/gpio")?;
        instance.func_wrap("set-high", |mut cx: Cx<'_>, (pin,): (u32,)| {
            charge(&mut cx)?;
            gpio::set_high(pin)
        })?;
        instance.func_wrap("set-low", |mut cx: Cx<'_>, (pin,): (u32,)| {
            charge(&mut cx)?;
            gpio::set_low(pin)
        })?;
    }
    if imports.has("embedded:platform/button") {
        let mut instance = linker.instance("embedded:platform/button")?;
        instance.func_wrap("is-pressed", |mut cx: Cx<'_>, (pin,): (u32,)| {
            charge(&mut cx)?;
            Ok((button::is_pressed(pin)?,))
        })?;
    }
    if imports.has("embedded:platform/timing") {
        let mut instance = linker.instance("embedded:platform/timing")?;
        instance.func_wrap("delay-ms", |mut cx: Cx<'_>, (ms,): (u32,)| {
            timing::delay_ms(ms)?;
            if ms == 0 {
                charge(&mut cx)
            } else {
                refuel(&mut cx)
            }
        })?;
    }
    if imports.has("embedded:platform/uart") {
        let mut instance = linker.instance("embedded:platform/uart")?;
        instance.func_wrap("read-byte", |mut cx: Cx<'_>, (): ()| {
            let byte = uart::read_byte()?;
            refuel(&mut cx)?;
            Ok((byte,))
        })?;
        instance.func_wrap("write-byte", |mut cx: Cx<'_>, (byte,): (u8,)| {
            charge(&mut cx)?;
            uart::write_byte(byte)
        })?;
    }
    if imports.has("embedded:platform/servo") {
        let mut instance = linker.instance("embedded:platform/servo")?;
        instance.func_wrap("set-angle", |mut cx: Cx<'_>, (degrees,): (u32,)| {
            charge(&mut cx)?;
            servo::set_angle(degrees)
        })?;
    }
    Ok(linker)
}

pub enum Outcome {
    Returned,
    ReturnedValue(u32),
}

pub enum Failure {
    /// Linking or instantiation refused the guest (types, limits).
    Instantiate(wasmtime::Error),
    /// No usable `run` export.
    NoRun(String),
    /// `run` trapped or a host function refused a call.
    Trap(wasmtime::Error),
}

/// Instantiates the guest with a fresh store and calls its `run` (either
/// `func()` or `func() -> u32`). Everything is dropped on return.
pub fn run(engine: &Engine, component: &Component, imports: Imports) -> Result<Outcome, Failure> {
    let limits = StoreLimitsBuilder::new()
        .memory_size(MAX_MEMORY_BYTES)
        .memories(1)
        .tables(4)
        .table_elements(1024)
        .instances(8)
        .build();
    let mut store = Store::new(engine, GuestState { limits });
    store.limiter(|s| &mut s.limits);
    store.set_fuel(FUEL_BUDGET).map_err(Failure::Instantiate)?;
    let linker = link(engine, imports).map_err(Failure::Instantiate)?;
    let instance = linker.instantiate(&mut store, component).map_err(Failure::Instantiate)?;
    let Some(func) = instance.get_func(&mut store, "run") else {
        return Err(Failure::NoRun("does not export `run`".into()));
    };
    if let Ok(run) = func.typed::<(), ()>(&store) {
        run.call(&mut store, ()).map_err(Failure::Trap)?;
        return Ok(Outcome::Returned);
    }
    if let Ok(run) = func.typed::<(), (u32,)>(&store) {
        let (value,) = run.call(&mut store, ()).map_err(Failure::Trap)?;
        return Ok(Outcome::ReturnedValue(value));
    }
    Err(Failure::NoRun("exports `run` with a signature other than func() or func() -> u32".into()))
}
