//! Guest-side bindings to `wit/platform.wit`, written against the component
//! model's canonical ABI by hand: every parameter and result is a scalar, so
//! no allocator or bindings generator is needed and a guest stays a few
//! hundred bytes. Each world's guest uses the modules its world imports; an
//! unused module adds no import to the core module.
#![no_std]

/// `embedded:platform/gpio`
pub mod gpio {
    #[link(wasm_import_module = "embedded:platform/gpio")]
    extern "C" {
        #[link_name = "set-high"]
        fn set_high_raw(pin: u32);
        #[link_name = "set-low"]
        fn set_low_raw(pin: u32);
    }

    pub fn set_high(pin: u32) {
        unsafe { set_high_raw(pin) }
    }

    pub fn set_low(pin: u32) {
        unsafe { set_low_raw(pin) }
    }
}

/// `embedded:platform/button`
pub mod button {
    #[link(wasm_import_module = "embedded:platform/button")]
    extern "C" {
        // `bool` is lowered to an i32 holding 0 or 1.
        #[link_name = "is-pressed"]
        fn is_pressed_raw(pin: u32) -> i32;
    }

    pub fn is_pressed(pin: u32) -> bool {
        unsafe { is_pressed_raw(pin) != 0 }
    }
}

/// `embedded:platform/timing`
pub mod timing {
    #[link(wasm_import_module = "embedded:platform/timing")]
    extern "C" {
        #[link_name = "delay-ms"]
        fn delay_ms_raw(ms: u32);
    }

    pub fn delay_ms(ms: u32) {
        unsafe { delay_ms_raw(ms) }
    }
}

/// `embedded:platform/uart`
pub mod uart {
    #[link(wasm_import_module = "embedded:platform/uart")]
    extern "C" {
        // `u8` is lowered to an i32 holding 0..=255.
        #[link_name = "read-byte"]
        fn read_byte_raw() -> i32;
        #[link_name = "write-byte"]
        fn write_byte_raw(byte: i32);
    }

    pub fn read_byte() -> u8 {
        unsafe { read_byte_raw() as u8 }
    }

    pub fn write_byte(byte: u8) {
        unsafe { write_byte_raw(byte as i32) }
    }
}

/// `embedded:platform/servo`
pub mod servo {
    #[link(wasm_import_module = "embedded:platform/servo")]
    extern "C" {
        #[link_name = "set-angle"]
        fn set_angle_raw(degrees: u32);
    }

    pub fn set_angle(degrees: u32) {
        unsafe { set_angle_raw(degrees) }
    }
}

/// A trap is the only way out for a guest that panics.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
