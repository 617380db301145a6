//! Wasmtime on bare metal: heap, thread-local slots, engine, and the reports
//! printed when something fails.

use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use embedded_alloc::LlffHeap as Heap;
use wasmtime::component::Component;
use wasmtime::{Config, Engine};

include!("engine_config.rs");

#[global_allocator]
static HEAP: Heap = Heap::empty();

/// Wasmtime's engine, the component's code and metadata, the store and the
/// guest's 64 KiB linear memory all live here.
pub const HEAP_SIZE: usize = 256 * 1024;

pub fn init_heap() {
    use core::mem::MaybeUninit;
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];
    // SAFETY: called once, before the first allocation.
    unsafe { HEAP.init(ptr::addr_of_mut!(HEAP_MEM) as usize, HEAP_SIZE) }
}

// Wasmtime's `no_std` runtime keeps its per-thread state in two pointers the
// embedder stores; this firmware has one thread, so two statics suffice.
static TLS: [AtomicPtr<u8>; 2] = [AtomicPtr::new(ptr::null_mut()), AtomicPtr::new(ptr::null_mut())];

#[no_mangle]
pub extern "C" fn wasmtime_tls_get(slot: usize) -> *mut u8 {
    TLS[slot].load(Ordering::Relaxed)
}

#[no_mangle]
pub extern "C" fn wasmtime_tls_set(slot: usize, value: *mut u8) {
    TLS[slot].store(value, Ordering::Relaxed);
}

/// Deserialises the build-time Pulley artifact and hands it to `run`, which
/// instantiates the guest and calls its `run` export. A trap or error ends
/// in a report on UART0 and a halted core.
pub fn run_guest(
    cwasm: &[u8],
    run: impl FnOnce(&Engine, &Component) -> wasmtime::Result<()>,
) -> ! {
    let result = (|| {
        let mut config = Config::new();
        configure_engine(&mut config)?;
        let engine = Engine::new(&config)?;
        // SAFETY: the bytes were produced by build.rs with the same Wasmtime
        // version and `configure_engine`.
        let component = unsafe { Component::deserialize(&engine, cwasm)? };
        run(&engine, &component)
    })();
    match result {
        Ok(()) => crate::println!("\n*** guest returned from run"),
        Err(e) => crate::println!("\n*** guest trap: {e:?}"),
    }
    halt()
}

/// Parks the core for good: nothing is left to do, and `wfe` keeps a real
/// board (and the emulator) idle instead of spinning.
pub fn halt() -> ! {
    super::console::flush();
    loop {
        cortex_m::asm::wfe();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    cortex_m::interrupt::disable();
    match info.location() {
        Some(loc) => crate::println!(
            "\n*** panic at {}:{}:{}: {}",
            loc.file(),
            loc.line(),
            loc.column(),
            info.message()
        ),
        None => crate::println!("\n*** panic: {}", info.message()),
    }
    halt()
}

#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    // SAFETY: SCB fault status registers are read-only here.
    let scb = unsafe { &*cortex_m::peripheral::SCB::PTR };
    crate::println!(
        "\n*** hard fault: pc={:#010x} lr={:#010x} cfsr={:#010x} hfsr={:#010x} mmfar={:#010x} bfar={:#010x}",
        frame.pc(),
        frame.lr(),
        scb.cfsr.read(),
        scb.hfsr.read(),
        scb.mmfar.read(),
        scb.bfar.read()
    );
    halt()
}
