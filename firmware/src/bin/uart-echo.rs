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

struct Host;
host_uart!(Host);

guest_main!(UartEcho, Host, "uart-echo.cwasm");
