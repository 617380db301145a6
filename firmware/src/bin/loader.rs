//! The loader image (issue 15, docs/loader.md): no embedded guest. It runs
//! the packaged guest in the flash partition at 0x10200000, or waits for one
//! over UART0, and implements every `embedded:platform` interface.
#![no_std]
#![no_main]

extern crate alloc;

#[path = "../common/mod.rs"]
mod common;
#[path = "../loader/mod.rs"]
mod loader;

#[cortex_m_rt::entry]
fn main() -> ! {
    common::runtime::init_heap();
    let spare = common::board::init();
    common::servo::init(spare);
    loader::run()
}
