//! UART0 as the firmware's console: GPIO log lines and fault reports.
//!
//! Writes go straight to the PL011 data register, waiting while the 32-byte
//! TX FIFO is full, so a report still gets out from a panic or fault handler
//! where no driver object is available.

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use super::hal::pac;

static READY: AtomicBool = AtomicBool::new(false);

/// Called once UART0 is configured; before that, output is dropped because
/// the peripheral clock and pins are not set up yet.
pub fn mark_ready() {
    READY.store(true, Ordering::Release);
}

fn uart0() -> &'static pac::uart0::RegisterBlock {
    // SAFETY: UART0's register block is always mapped; the firmware is single
    // core and writers never interleave within one byte.
    unsafe { &*pac::UART0::ptr() }
}

pub fn write_byte(byte: u8) {
    if !READY.load(Ordering::Acquire) {
        return;
    }
    let uart = uart0();
    while uart.uartfr().read().txff().bit_is_set() {}
    uart.uartdr().write(|w| unsafe { w.data().bits(byte) });
}

pub fn write_bytes(bytes: &[u8]) {
    for &b in bytes {
        write_byte(b);
    }
}

/// Waits until the last byte has left the shift register, so a report is on
/// the wire before the core halts.
pub fn flush() {
    if !READY.load(Ordering::Acquire) {
        return;
    }
    while uart0().uartfr().read().busy().bit_is_set() {}
}

/// `core::fmt` sink that turns `\n` into CRLF, as terminals expect.
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            if b == b'\n' {
                write_byte(b'\r');
            }
            write_byte(b);
        }
        Ok(())
    }
}

#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::common::console::Console, $($arg)*);
    }};
}
