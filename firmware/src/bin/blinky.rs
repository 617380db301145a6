//! Firmware image for the blinky guest (world `blinky`: gpio, timing).
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

guest_main!(Blinky, Host, "blinky.cwasm");
