//! Compute guest (world `compute`): a CRC-32 over 8 KiB, for measuring the
//! Pulley interpreter against native code.
//!
//! `delay-ms(0)` returns at once; the two calls only mark, in a WIT-call
//! trace, where the computation starts and ends. `run` returns the checksum
//! so every host running the guest can check that the work was done.
#![no_std]

mod work;

use embedded_platform::timing::delay_ms;

static mut BUF: [u8; work::LEN] = [0; work::LEN];

#[no_mangle]
pub extern "C" fn run() -> u32 {
    unsafe {
        delay_ms(0);
        let crc = work::workload(&mut *core::ptr::addr_of_mut!(BUF), core::hint::black_box(work::SEED));
        delay_ms(0);
        crc
    }
}
