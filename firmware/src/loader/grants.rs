//! Which pins a loader guest may touch: those its interfaces name, and only
//! in their role. A refused pin is an error result (a trap in the guest); no
//! pin changes.

use crate::common::board::{BUTTON_PIN, LED_PIN};
use crate::common::servo::SERVO_PIN;

/// What a pin is on this board, for the refusal message.
fn role(pin: u32) -> &'static str {
    match pin {
        0 => "UART0 TX (the console)",
        1 => "UART0 RX (the console)",
        p if p == LED_PIN => "the LED output",
        p if p == BUTTON_PIN => "the button input",
        p if p == SERVO_PIN => "the servo PWM output (use servo.set-angle)",
        0..=47 => "not connected on this board",
        _ => "not a GPIO of the RP2350",
    }
}

/// `gpio.set-high` / `set-low`: the LED pin only.
pub fn output(pin: u32) -> wasmtime::Result<()> {
    if pin == LED_PIN {
        return Ok(());
    }
    Err(wasmtime::format_err!(
        "gpio: pin {pin} is {}; the guest is granted GPIO{LED_PIN} only",
        role(pin)
    ))
}

/// `button.is-pressed`: the button pin only.
pub fn button(pin: u32) -> wasmtime::Result<()> {
    if pin == BUTTON_PIN {
        return Ok(());
    }
    Err(wasmtime::format_err!(
        "button: pin {pin} is {}; the guest is granted GPIO{BUTTON_PIN} only",
        role(pin)
    ))
}
