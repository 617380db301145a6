//! Host side of `servo.set-angle`: an SG90 hobby servo on GPIO6, which is
//! PWM slice 3 channel A, driven through rp235x-hal's PWM slice.
//!
//! Timing, exact with integer arithmetic at clk_sys = 150 MHz:
//! - DIV = 50 (integer, FRAC 0): the counter runs at 150 MHz / 50 = 3 MHz,
//!   one count = 1/3 µs;
//! - TOP = 59 999: the counter wraps every 60 000 counts = 20 ms, so the
//!   period is exactly 50 Hz (free-running, not phase-correct);
//! - CC (channel A compare) = pulse width in counts: 0.5 ms = 1 500 counts at
//!   0 degrees, 2.5 ms = 7 500 counts at 180 degrees, linear in between:
//!   CC = 1 500 + degrees * 6 000 / 180 = 1 500 + degrees * 100 / 3
//!   (exact for multiples of 3 degrees; otherwise rounded down by at most
//!   2/3 count, 0.22 µs). 30 degrees: CC = 2 500 (0.8333 ms); 90: 4 500 (1.5 ms).
//!
//! Until the first `set-angle` CC is 0: no pulse, so the servo does not move.

use core::cell::RefCell;

use critical_section::Mutex;
use embedded_hal::pwm::SetDutyCycle;

use super::board::Spare;
use super::hal::pwm::{FreeRunning, Pwm3, Slice, Slices};

pub const SERVO_PIN: u32 = 6;
pub const MAX_DEGREES: u32 = 180;
pub const PWM_DIV_INT: u8 = 50;
pub const PWM_TOP: u16 = 59_999;
/// Counts of 1/3 µs: 0.5 ms and the 2 ms span up to 2.5 ms.
pub const PULSE_MIN_COUNTS: u32 = 1_500;
pub const PULSE_SPAN_COUNTS: u32 = 6_000;

static SLICE: Mutex<RefCell<Option<Slice<Pwm3, FreeRunning>>>> = Mutex::new(RefCell::new(None));

/// Compare value for `degrees` (0..=180).
pub const fn compare_for(degrees: u32) -> u16 {
    (PULSE_MIN_COUNTS + degrees * PULSE_SPAN_COUNTS / MAX_DEGREES) as u16
}

/// Takes slice 3 out of reset, sets the 50 Hz period and routes channel A to
/// GPIO6; the output stays low until the first angle.
pub fn init(spare: Spare) {
    let Spare { pwm, mut resets, gpio6 } = spare;
    let slices = Slices::new(pwm, &mut resets);
    let mut slice = slices.pwm3;
    slice.set_div_int(PWM_DIV_INT);
    slice.set_div_frac(0);
    slice.set_top(PWM_TOP);
    let _ = slice.channel_a.set_duty_cycle(0);
    slice.channel_a.output_to(gpio6);
    slice.enable();
    critical_section::with(|cs| SLICE.borrow_ref_mut(cs).replace(slice));
}

/// Sets the pulse for `degrees` and logs `Angle N` on UART0. More than 180
/// degrees is an error (a trap in the guest), and the pulse stays as it was.
pub fn set_angle(degrees: u32) -> wasmtime::Result<()> {
    if degrees > MAX_DEGREES {
        return Err(wasmtime::format_err!(
            "servo: {degrees} degrees is out of range (0..={MAX_DEGREES})"
        ));
    }
    let done = critical_section::with(|cs| match SLICE.borrow_ref_mut(cs).as_mut() {
        Some(slice) => slice.channel_a.set_duty_cycle(compare_for(degrees)).is_ok(),
        None => false,
    });
    if !done {
        return Err(wasmtime::format_err!("servo: PWM slice 3 is not set up in this image"));
    }
    crate::println!("Angle {degrees}");
    Ok(())
}

/// No more pulses (CC = 0): the servo stops holding its position. Silent.
pub fn release() {
    critical_section::with(|cs| {
        if let Some(slice) = SLICE.borrow_ref_mut(cs).as_mut() {
            let _ = slice.channel_a.set_duty_cycle(0);
        }
    });
}
