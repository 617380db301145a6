//! Servo guest (world `servo-sweep`): sweeps 0 -> 180 -> 0 degrees in 30
//! degree steps, one step every 200 ms, forever.
#![no_std]

use embedded_platform::{servo, timing};

const STEP_DEGREES: u32 = 30;
const MAX_DEGREES: u32 = 180;
const STEP_MS: u32 = 200;

#[no_mangle]
pub extern "C" fn run() {
    loop {
        // Up to 180 (inclusive), then back down to just above 0: the next
        // round starts at 0, so no angle is repeated at either end.
        for degrees in (0..=MAX_DEGREES).step_by(STEP_DEGREES as usize) {
            servo::set_angle(degrees);
            timing::delay_ms(STEP_MS);
        }
        for step in (1..MAX_DEGREES / STEP_DEGREES).rev() {
            servo::set_angle(step * STEP_DEGREES);
            timing::delay_ms(STEP_MS);
        }
    }
}
