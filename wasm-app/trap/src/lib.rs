//! Trap guest (world `blinky`): blinks once, then executes `unreachable`.
//!
//! It exists to prove that a guest trap reaches the firmware's fault report
//! on UART0 instead of hanging the board silently.
#![no_std]

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
    unsafe {
        set_high(25);
        delay_ms(100);
        set_low(25);
    }
    core::arch::wasm32::unreachable()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
