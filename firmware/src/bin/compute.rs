//! Firmware image for the compute guest (world `compute`: timing only).
//!
//! Runs the guest's CRC-32 workload twice: first compiled natively for the
//! M33 (`native_workload`, the same source file as the guest's), then inside
//! Pulley. Both checksums go to UART0; an emulator measuring the instructions
//! of each phase gets Pulley's cost relative to native code on this core.
#![no_std]
#![no_main]

#[path = "../common/mod.rs"]
mod common;
#[path = "../../../wasm-app/compute/src/work.rs"]
mod work;

wasmtime::component::bindgen!({
    world: "compute",
    path: "../wit",
    imports: { default: trappable },
});

struct Host;
host_timing!(Host);

/// The workload compiled for the M33: the baseline Pulley is compared with.
#[inline(never)]
fn native_workload() -> u32 {
    let mut buf = [0u8; work::LEN];
    work::workload(&mut buf, core::hint::black_box(work::SEED))
}

#[cortex_m_rt::entry]
fn main() -> ! {
    common::runtime::init_heap();
    common::board::init();
    let native = native_workload();
    crate::println!("compute: native crc32 {native:#010x}");
    static CWASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/compute.cwasm"));
    common::runtime::run_guest(CWASM, |engine, component| {
        let mut linker = wasmtime::component::Linker::new(engine);
        Compute::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |h| h)?;
        let mut store = wasmtime::Store::new(engine, Host);
        let guest = Compute::instantiate(&mut store, component, &linker)?;
        let crc = guest.call_run(&mut store)?;
        crate::println!("compute: pulley crc32 {crc:#010x}");
        Ok(())
    })
}
