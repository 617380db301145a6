//! UART echo guest (world `uart-echo`): a line-discipline echo.
//!
//! CR or LF comes back as CR LF, BS or DEL as BS SP BS (erase on a
//! terminal), every other byte as itself.
#![no_std]

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const BS: u8 = 0x08;
const DEL: u8 = 0x7f;

#[link(wasm_import_module = "embedded:platform/uart")]
extern "C" {
    // The canonical ABI lowers `u8` to an i32 holding 0..=255.
    #[link_name = "read-byte"]
    fn read_byte() -> i32;
    #[link_name = "write-byte"]
    fn write_byte(byte: i32);
}

fn put(byte: u8) {
    unsafe { write_byte(byte as i32) }
}

#[no_mangle]
pub extern "C" fn run() {
    loop {
        let byte = unsafe { read_byte() } as u8;
        match byte {
            CR | LF => {
                put(CR);
                put(LF);
            }
            BS | DEL => {
                put(BS);
                put(b' ');
                put(BS);
            }
            other => put(other),
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
