//! Firmware image for the trap guest (world `blinky`), which traps on purpose after one blink.
#![no_std]
#![no_main]

#[path = "../common/mod.rs"]
mod common;

wasmtime::component::bindgen!({
    world: "blinky",
    path: "../wit",
    imports: { default: trappable },
});

// The host functions are `#[inline(never)]` so each stays a function of its
// own, whose entry the emulator's WIT-call trace can stop at.
struct Host;

impl embedded::platform::gpio::Host for Host {
    #[inline(never)]
    fn set_high(&mut self, pin: u32) -> wasmtime::Result<()> {
        common::board::set_output(pin, true)
    }
    #[inline(never)]
    fn set_low(&mut self, pin: u32) -> wasmtime::Result<()> {
        common::board::set_output(pin, false)
    }
}

impl embedded::platform::timing::Host for Host {
    #[inline(never)]
    fn delay_ms(&mut self, ms: u32) -> wasmtime::Result<()> {
        common::sleep::delay_ms(ms);
        Ok(())
    }
}

guest_main!(Blinky, Host, "trap.cwasm");
