#![allow(dead_code)] // each image uses the part of the board support its world needs
//! Board support shared by every guest's firmware image.
//!
//! Each `src/bin/<guest>.rs` includes this module with `#[path]` so that the
//! interrupt handlers, the panic handler and the allocator are compiled into
//! the binary itself (the vector table refers to them by symbol).

pub mod board;
pub mod console;
pub mod package;
pub mod runtime;
pub mod servo;
// How the host waits: on interrupts with `wfi` (default), or spinning (the
// `busywait` flavour); both offer the same functions.
#[cfg(not(feature = "busywait"))]
pub mod sleep;
#[cfg(feature = "busywait")]
#[path = "busywait.rs"]
pub mod sleep;

pub use rp235x_hal as hal;

/// The IMAGE_DEF block the RP2350 boot ROM looks for in the first 4 KiB of
/// flash: a secure Arm executable.
#[link_section = ".start_block"]
#[used]
pub static IMAGE_DEF: hal::block::ImageDef = hal::block::ImageDef::secure_exe();

/// The entry point every image shares: bring up the board, then instantiate
/// the embedded guest (`$world`, the bindgen world type) with `$host` as the
/// implementation of its imports and call its `run` export.
#[macro_export]
macro_rules! guest_main {
    (@spare $spare:ident) => {};
    (@spare $spare:ident, $init:path) => { $init($spare) };
    ($world:ident, $host:expr, $cwasm:literal $(, init = $init:path)?) => {
        #[cortex_m_rt::entry]
        fn main() -> ! {
            common::runtime::init_heap();
            let _spare = common::board::init();
            // An image whose world drives more of the board sets it up here.
            $crate::guest_main!(@spare _spare $(, $init)?);
            static CWASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/", $cwasm));
            common::runtime::run_guest(CWASM, |engine, component| {
                let mut linker = wasmtime::component::Linker::new(engine);
                $world::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |h| h)?;
                let mut store = wasmtime::Store::new(engine, $host);
                let guest = $world::instantiate(&mut store, component, &linker)?;
                guest.call_run(&mut store)
            })
        }
    };
}

// Host sides of the WIT interfaces. Each image's `bindgen!` generates its
// own `embedded::platform::*::Host` traits, so the impls are written by these
// macros in the image's crate. The functions are `#[inline(never)]` so each
// stays a function of its own, whose entry the emulator's WIT-call trace can
// stop at.

#[macro_export]
macro_rules! host_gpio {
    ($host:ty) => {
        impl embedded::platform::gpio::Host for $host {
            #[inline(never)]
            fn set_high(&mut self, pin: u32) -> wasmtime::Result<()> {
                common::board::set_output(pin, true)
            }
            #[inline(never)]
            fn set_low(&mut self, pin: u32) -> wasmtime::Result<()> {
                common::board::set_output(pin, false)
            }
        }
    };
}

#[macro_export]
macro_rules! host_button {
    ($host:ty) => {
        impl embedded::platform::button::Host for $host {
            #[inline(never)]
            fn is_pressed(&mut self, pin: u32) -> wasmtime::Result<bool> {
                common::board::is_pressed(pin)
            }
        }
    };
}

#[macro_export]
macro_rules! host_timing {
    ($host:ty) => {
        impl embedded::platform::timing::Host for $host {
            #[inline(never)]
            fn delay_ms(&mut self, ms: u32) -> wasmtime::Result<()> {
                common::sleep::delay_ms(ms);
                Ok(())
            }
        }
    };
}

#[macro_export]
macro_rules! host_uart {
    ($host:ty) => {
        impl embedded::platform::uart::Host for $host {
            #[inline(never)]
            fn read_byte(&mut self) -> wasmtime::Result<u8> {
                Ok(common::sleep::read_byte())
            }
            #[inline(never)]
            fn write_byte(&mut self, byte: u8) -> wasmtime::Result<()> {
                common::sleep::write_byte(byte);
                Ok(())
            }
        }
    };
}

#[macro_export]
macro_rules! host_servo {
    ($host:ty) => {
        impl embedded::platform::servo::Host for $host {
            #[inline(never)]
            fn set_angle(&mut self, degrees: u32) -> wasmtime::Result<()> {
                common::servo::set_angle(degrees)
            }
        }
    };
}
