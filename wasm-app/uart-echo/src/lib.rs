//! UART echo guest (world `uart-echo`): a line-discipline echo.
//!
//! CR or LF comes back as CR LF, BS or DEL as BS SP BS (erase on a
//! terminal), every other byte as itself.
#![no_std]

use embedded_platform::uart;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const BS: u8 = 0x08;
const DEL: u8 = 0x7f;

#[no_mangle]
pub extern "C" fn run() {
    loop {
        match uart::read_byte() {
            CR | LF => {
                uart::write_byte(CR);
                uart::write_byte(LF);
            }
            BS | DEL => {
                uart::write_byte(BS);
                uart::write_byte(b' ');
                uart::write_byte(BS);
            }
            other => uart::write_byte(other),
        }
    }
}
