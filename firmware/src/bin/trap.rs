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

struct Host;

impl embedded::platform::gpio::Host for Host {
    fn set_high(&mut self, pin: u32) -> wasmtime::Result<()> {
        common::board::set_output(pin, true)
    }
    fn set_low(&mut self, pin: u32) -> wasmtime::Result<()> {
        common::board::set_output(pin, false)
    }
}

impl embedded::platform::timing::Host for Host {
    fn delay_ms(&mut self, ms: u32) -> wasmtime::Result<()> {
        common::sleep::delay_ms(ms);
        Ok(())
    }
}

guest_main!(Blinky, Host, "trap.cwasm");
