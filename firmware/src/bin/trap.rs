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
host_gpio!(Host);
host_timing!(Host);

guest_main!(Blinky, Host, "trap.cwasm");
