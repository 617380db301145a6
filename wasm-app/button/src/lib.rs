//! Button guest (world `button-led`): GPIO25 follows the button on GPIO15,
//! polled every 10 ms.
#![no_std]

const LED_PIN: u32 = 25;
const BUTTON_PIN: u32 = 15;
const POLL_MS: u32 = 10;

#[link(wasm_import_module = "embedded:platform/gpio")]
extern "C" {
    #[link_name = "set-high"]
    fn set_high(pin: u32);
    #[link_name = "set-low"]
    fn set_low(pin: u32);
}

#[link(wasm_import_module = "embedded:platform/button")]
extern "C" {
    // The canonical ABI lowers `bool` to an i32 that is 0 or 1.
    #[link_name = "is-pressed"]
    fn is_pressed(pin: u32) -> i32;
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
            if is_pressed(BUTTON_PIN) != 0 {
                set_high(LED_PIN);
            } else {
                set_low(LED_PIN);
            }
            delay_ms(POLL_MS);
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
