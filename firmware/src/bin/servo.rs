//! Firmware image for the servo guest (world `servo-sweep`: servo, timing).
#![no_std]
#![no_main]

#[path = "../common/mod.rs"]
mod common;

wasmtime::component::bindgen!({
    world: "servo-sweep",
    path: "../wit",
    imports: { default: trappable },
});

struct Host;
host_servo!(Host);
host_timing!(Host);

guest_main!(ServoSweep, Host, "servo.cwasm", init = common::servo::init);
