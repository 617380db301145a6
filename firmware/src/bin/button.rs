//! Firmware image for the button guest (world `button-led`: gpio, button, timing).
#![no_std]
#![no_main]

#[path = "../common/mod.rs"]
mod common;

wasmtime::component::bindgen!({
    world: "button-led",
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

impl embedded::platform::button::Host for Host {
    fn is_pressed(&mut self, pin: u32) -> wasmtime::Result<bool> {
        common::board::is_pressed(pin)
    }
}

impl embedded::platform::timing::Host for Host {
    fn delay_ms(&mut self, ms: u32) -> wasmtime::Result<()> {
        common::sleep::delay_ms(ms);
        Ok(())
    }
}

guest_main!(ButtonLed, Host, "button.cwasm");
