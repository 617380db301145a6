//! Button guest (world `button-led`): GPIO25 follows the button on GPIO15,
//! polled every 10 ms.
#![no_std]

use embedded_platform::{button, gpio, timing};

const LED_PIN: u32 = 25;
const BUTTON_PIN: u32 = 15;
const POLL_MS: u32 = 10;

#[no_mangle]
pub extern "C" fn run() {
    loop {
        if button::is_pressed(BUTTON_PIN) {
            gpio::set_high(LED_PIN);
        } else {
            gpio::set_low(LED_PIN);
        }
        timing::delay_ms(POLL_MS);
    }
}
