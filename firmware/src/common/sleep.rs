//! Sleeping waits: `timing.delay-ms` on a TIMER0 alarm and `uart.read-byte`
//! on the UART0 receive interrupt, both with `wfi`.
//!
//! The core sleeps with interrupts masked (PRIMASK) between checking its
//! condition and executing `wfi`: a pending interrupt still wakes `wfi`, and
//! the handler runs only after `cpsie`, so a wake-up can never slip in between
//! the check and the sleep.

use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m::peripheral::NVIC;

use super::hal::pac::{self, interrupt};

/// Set by the TIMER0 alarm 0 handler, consumed by `delay_ms`.
static ALARM_FIRED: AtomicBool = AtomicBool::new(false);

/// Longest single alarm: the alarm compares the low 32 bits of the µs
/// counter, so stay well inside one wrap (~71.6 minutes).
const MAX_ALARM_US: u64 = 1 << 30;

fn timer0() -> &'static pac::timer0::RegisterBlock {
    // SAFETY: TIMER0 is owned by this module after `init`.
    unsafe { &*pac::TIMER0::ptr() }
}

fn uart0() -> &'static pac::uart0::RegisterBlock {
    // SAFETY: after board init only this module reads UART0's RX side.
    unsafe { &*pac::UART0::ptr() }
}

pub fn init() {
    timer0().inte().write(|w| w.alarm_0().set_bit());
    // SAFETY: the handlers below are ready; unmasking cannot break a
    // critical section because none is held during init.
    unsafe {
        NVIC::unmask(pac::Interrupt::TIMER0_IRQ_0);
        NVIC::unmask(pac::Interrupt::UART0_IRQ);
    }
}

/// Runs `ready` with interrupts masked; if it is not yet true, sleeps until
/// an interrupt is pending, lets the handler run, and tries again.
fn sleep_until(mut ready: impl FnMut() -> bool) {
    loop {
        cortex_m::interrupt::disable();
        if ready() {
            // SAFETY: re-enables what this function disabled.
            unsafe { cortex_m::interrupt::enable() };
            return;
        }
        cortex_m::asm::wfi();
        // SAFETY: as above; the pending handler runs right here.
        unsafe { cortex_m::interrupt::enable() };
    }
}

fn sleep_us(us: u32) {
    let timer = timer0();
    ALARM_FIRED.store(false, Ordering::Relaxed);
    let target = timer.timerawl().read().bits().wrapping_add(us);
    // Writing ALARM0 arms it; it fires when TIMELR equals the target.
    timer.alarm0().write(|w| unsafe { w.bits(target) });
    sleep_until(|| ALARM_FIRED.load(Ordering::Relaxed));
}

/// Host side of `timing.delay-ms`: exact on a real board whatever the core
/// clock or cache does, because TIMER0 counts the 1 MHz tick from TICKS.
pub fn delay_ms(ms: u32) {
    let mut remaining = u64::from(ms) * 1000;
    while remaining > 0 {
        let chunk = remaining.min(MAX_ALARM_US);
        sleep_us(chunk as u32);
        remaining -= chunk;
    }
}

/// Host side of `uart.read-byte`: sleeps until the RX FIFO holds a byte.
pub fn read_byte() -> u8 {
    let uart = uart0();
    let mut byte = 0;
    sleep_until(|| {
        if uart.uartfr().read().rxfe().bit_is_clear() {
            byte = uart.uartdr().read().data().bits();
            return true;
        }
        // Wake on RX level or RX timeout; the handler masks both again so the
        // interrupt does not repeat while the data waits in the FIFO.
        uart.uartimsc().modify(|_, w| w.rxim().set_bit().rtim().set_bit());
        false
    });
    byte
}

/// Like `read_byte`, but gives up after `timeout_us` µs (the loader's upload
/// receiver uses it to drop a frame cut short).
pub fn read_byte_timeout(timeout_us: u32) -> Option<u8> {
    let uart = uart0();
    let timer = timer0();
    ALARM_FIRED.store(false, Ordering::Relaxed);
    let target = timer.timerawl().read().bits().wrapping_add(timeout_us);
    timer.alarm0().write(|w| unsafe { w.bits(target) });
    let mut byte = None;
    sleep_until(|| {
        if uart.uartfr().read().rxfe().bit_is_clear() {
            byte = Some(uart.uartdr().read().data().bits());
            return true;
        }
        if ALARM_FIRED.load(Ordering::Relaxed) {
            return true;
        }
        uart.uartimsc().modify(|_, w| w.rxim().set_bit().rtim().set_bit());
        false
    });
    // Disarm an alarm that has not fired yet (ARMED is write-1-to-clear) and
    // drop one that has, so neither can cut the next delay short.
    timer.armed().write(|w| unsafe { w.bits(1) });
    timer.intr().write(|w| w.alarm_0().clear_bit_by_one());
    NVIC::unpend(pac::Interrupt::TIMER0_IRQ_0);
    byte
}

/// Microseconds since boot (TIMER0's low word).
pub fn now_us() -> u32 {
    timer0().timerawl().read().bits()
}

/// Host side of `uart.write-byte`.
pub fn write_byte(byte: u8) {
    super::console::write_byte(byte);
}

#[interrupt]
fn TIMER0_IRQ_0() {
    // INTR is write-1-to-clear; the alarm disarmed itself when it fired.
    timer0().intr().write(|w| w.alarm_0().clear_bit_by_one());
    ALARM_FIRED.store(true, Ordering::Relaxed);
}

#[interrupt]
fn UART0_IRQ() {
    uart0().uartimsc().modify(|_, w| w.rxim().clear_bit().rtim().clear_bit());
}
