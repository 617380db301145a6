//! Firmware image for the uart-echo guest (world `uart-echo`: uart).
#![no_std]
#![no_main]

#[path = "../common/mod.rs"]
mod common;

wasmtime::component::bindgen!({
    world: "uart-echo",
    path: "../wit",
    imports: { default: trappable },
});

// The host functions are `#[inline(never)]` so each stays a function of its
// own, whose entry the emulator's WIT-call trace can stop at.
struct Host;

impl embedded::platform::uart::Host for Host {
    #[inline(never)]
    fn read_byte(&mut self) -> wasmtime::Result<u8> {
        Ok(common::sleep::read_byte())
    }
    #[inline(never)]
    fn write_byte(&mut self, byte: u8) -> wasmtime::Result<()> {
        common::sleep::write_byte(byte);
        Ok(())
    }
}

guest_main!(UartEcho, Host, "uart-echo.cwasm");
