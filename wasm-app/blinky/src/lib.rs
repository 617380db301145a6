//! Blinky guest (world `blinky`): GPIO25 on for 500 ms, off for 500 ms, forever.
#![no_std]

use embedded_platform::{gpio, timing};

const LED_PIN: u32 = 25;
const HALF_PERIOD_MS: u32 = 500;

#[no_mangle]
pub extern "C" fn run() {
    loop {
        gpio::set_high(LED_PIN);
        timing::delay_ms(HALF_PERIOD_MS);
        gpio::set_low(LED_PIN);
        timing::delay_ms(HALF_PERIOD_MS);
    }
}
