//! Blinky guest (world `blinky`): GPIO25 on for 500 ms, off for 500 ms, forever.
//!
//! The imports are declared against the component model's canonical ABI by
//! hand: every parameter is a scalar, so no allocator or bindings generator
//! is needed, and the core module stays a few hundred bytes.
#![no_std]

const LED_PIN: u32 = 25;
const HALF_PERIOD_MS: u32 = 500;

#[link(wasm_import_module = "embedded:platform/gpio")]
extern "C" {
    #[link_name = "set-high"]
    fn set_high(pin: u32);
    #[link_name = "set-low"]
    fn set_low(pin: u32);
}

#[link(wasm_import_module = "embedded:platform/timing")]
extern "C" {
    #[link_name = "delay-ms"]
    fn delay_ms(ms: u32);
}

#[no_mangle]
pub extern "C" fn run() {
    loop {
        unsafe {
            set_high(LED_PIN);
            delay_ms(HALF_PERIOD_MS);
            set_low(LED_PIN);
            delay_ms(HALF_PERIOD_MS);
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
