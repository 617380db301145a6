//! Trap guest (world `blinky`): blinks once, then executes `unreachable`.
//!
//! It exists to prove that a guest trap reaches the firmware's fault report
//! on UART0 instead of hanging the board silently.
#![no_std]

use embedded_platform::{gpio, timing};

#[no_mangle]
pub extern "C" fn run() {
    gpio::set_high(25);
    timing::delay_ms(100);
    gpio::set_low(25);
    core::arch::wasm32::unreachable()
}
