//! The busywait flavour's waits, as most firmware is written: `delay-ms`
//! spins in `cortex_m::asm::delay` for a cycle count computed from the
//! nominal 150 MHz clock, and `read-byte` polls the HAL's `read_raw` through
//! `nb::block!` (UARTFR.RXFE, then UARTDR, in a loop). No interrupts.
//!
//! Same functions as sleep.rs, so the images do not know which they run.

use core::cell::RefCell;

use critical_section::Mutex;

use super::board::Uart0;
use super::hal::pac;

/// Cycles per millisecond at the nominal system clock.
const CYCLES_PER_MS: u32 = 150_000;
/// `asm::delay(n)` spins n + 1 rounds of `subs; bne`. Emulators (this
/// engine and Renode) count one cycle per instruction, so a round is two
/// cycles there; a real M33 takes about three, so on silicon these waits run
/// about 1.5x long, the usual inaccuracy of a spin-loop delay.
const CYCLES_PER_ROUND: u32 = 2;
/// `ms * CYCLES_PER_MS` must fit a u32: spin at most this many ms at a time.
const MAX_CHUNK_MS: u32 = u32::MAX / CYCLES_PER_MS;

static UART: Mutex<RefCell<Option<Uart0>>> = Mutex::new(RefCell::new(None));

fn timer0() -> &'static pac::timer0::RegisterBlock {
    // SAFETY: TIMER0 is only read here (TIMERAWL).
    unsafe { &*pac::TIMER0::ptr() }
}

/// Nothing to arm: this flavour takes no interrupts.
pub fn init() {}

/// Takes the HAL's UART0 driver from board init, for `read_raw`.
pub fn keep_uart(uart: Uart0) {
    critical_section::with(|cs| UART.borrow_ref_mut(cs).replace(uart));
}

/// One non-blocking `read_raw` of one byte: `Some` on a byte, `None` when
/// the FIFO is empty or the read reported an error (overrun, framing...),
/// which a blocking read retries.
fn try_read() -> Option<u8> {
    critical_section::with(|cs| {
        let uart = UART.borrow_ref(cs);
        let uart = uart.as_ref()?;
        let mut buf = [0u8; 1];
        match uart.read_raw(&mut buf) {
            Ok(n) if n > 0 => Some(buf[0]),
            _ => None,
        }
    })
}

/// Host side of `timing.delay-ms`: `cortex_m::asm::delay(ms * 150_000 / 2)`.
pub fn delay_ms(ms: u32) {
    let mut left = ms;
    while left > 0 {
        let chunk = left.min(MAX_CHUNK_MS);
        cortex_m::asm::delay(chunk * (CYCLES_PER_MS / CYCLES_PER_ROUND));
        left -= chunk;
    }
}

/// Host side of `uart.read-byte`: `nb::block!(uart.read_raw(&mut [byte]))`,
/// retried after a reported error.
pub fn read_byte() -> u8 {
    loop {
        let got = critical_section::with(|cs| {
            let uart = UART.borrow_ref(cs);
            let uart = uart.as_ref().expect("UART0 driver kept by board init");
            let mut buf = [0u8; 1];
            nb::block!(uart.read_raw(&mut buf)).ok().map(|_| buf[0])
        });
        if let Some(byte) = got {
            return byte;
        }
    }
}

/// Like `read_byte`, but gives up after `timeout_us` µs (polled on TIMER0).
pub fn read_byte_timeout(timeout_us: u32) -> Option<u8> {
    let start = now_us();
    loop {
        if let Some(byte) = try_read() {
            return Some(byte);
        }
        if now_us().wrapping_sub(start) >= timeout_us {
            return None;
        }
    }
}

/// Microseconds since boot (TIMER0's low word).
pub fn now_us() -> u32 {
    timer0().timerawl().read().bits()
}

/// Host side of `uart.write-byte`.
pub fn write_byte(byte: u8) {
    super::console::write_byte(byte);
}
