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
host_gpio!(Host);
host_button!(Host);
host_timing!(Host);

guest_main!(ButtonLed, Host, "button.cwasm");
