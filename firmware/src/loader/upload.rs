//! Upload protocol 1 (docs/loader.md): the host sends frames, the loader
//! answers each with one text line; stop-and-wait, resumable.
//!
//! Frame (host -> loader), little-endian:
//! `A5 5A | kind u8 | 0 u8 | arg u32 | len u16 | payload[len] | crc32 u32`
//! where the CRC-32 covers kind..payload. Kinds:
//! - `S` start: arg = total bytes, payload = CRC-32 of the whole blob (4 bytes);
//! - `D` data: arg = offset of the chunk, payload = 1..=256 bytes.
//!
//! Replies (loader -> host), one line each:
//! `loader: ack N` (next offset wanted), `loader: nak N REASON` (resend from
//! N), `loader: received N bytes` (complete, CRC checked).
//! A start naming the same length and CRC as the unfinished transfer resumes
//! it (`ack` with the offset reached); a data frame behind the offset is a
//! resend after a lost ack and is acked again without being written.

use alloc::vec::Vec;

use super::package::{crc32, crc32_update};
use crate::common::sleep;

pub const SYNC: [u8; 2] = [0xA5, 0x5A];
pub const KIND_START: u8 = b'S';
pub const KIND_DATA: u8 = b'D';
pub const MAX_CHUNK: usize = 256;
/// Largest blob accepted: it must fit the heap next to the engine, the
/// deserialised copy and the guest's store.
pub const MAX_UPLOAD: u32 = 96 * 1024;
/// Inside a frame, a gap this long means the rest was lost.
const BYTE_TIMEOUT_US: u32 = 50_000;

struct Frame {
    kind: u8,
    arg: u32,
    len: usize,
    payload: [u8; MAX_CHUNK],
}

enum Bad {
    Timeout,
    Length,
    Crc,
}

impl Bad {
    fn reason(&self) -> &'static str {
        match self {
            Bad::Timeout => "timeout",
            Bad::Length => "length",
            Bad::Crc => "crc",
        }
    }
}

fn byte() -> Result<u8, Bad> {
    sleep::read_byte_timeout(BYTE_TIMEOUT_US).ok_or(Bad::Timeout)
}

/// Waits (sleeping) for the sync bytes, skipping anything else, then reads
/// one frame.
fn read_frame(frame: &mut Frame) -> Result<(), Bad> {
    let mut prev = sleep::read_byte();
    loop {
        match sleep::read_byte_timeout(BYTE_TIMEOUT_US) {
            Some(b) if prev == SYNC[0] && b == SYNC[1] => break,
            Some(b) => prev = b,
            // A pause between frames: sleep until the next byte.
            None => prev = sleep::read_byte(),
        }
    }
    let mut head = [0u8; 8];
    for b in head.iter_mut() {
        *b = byte()?;
    }
    frame.kind = head[0];
    frame.arg = u32::from_le_bytes([head[2], head[3], head[4], head[5]]);
    frame.len = usize::from(u16::from_le_bytes([head[6], head[7]]));
    if frame.len > MAX_CHUNK {
        return Err(Bad::Length);
    }
    for b in frame.payload[..frame.len].iter_mut() {
        *b = byte()?;
    }
    let mut crc = [0u8; 4];
    for b in crc.iter_mut() {
        *b = byte()?;
    }
    let want = crc32_update(crc32_update(0xFFFF_FFFF, &head), &frame.payload[..frame.len]) ^ 0xFFFF_FFFF;
    if want != u32::from_le_bytes(crc) {
        return Err(Bad::Crc);
    }
    Ok(())
}

/// One transfer's state; kept across `receive` calls only while unfinished.
pub struct Receiver {
    buf: Vec<u8>,
    total: u32,
    crc: u32,
    active: bool,
}

fn ack(next: usize) {
    crate::println!("loader: ack {next}");
}

fn nak(next: usize, reason: &str) {
    crate::println!("loader: nak {next} {reason}");
}

impl Receiver {
    pub const fn new() -> Self {
        Receiver { buf: Vec::new(), total: 0, crc: 0, active: false }
    }

    fn reset(&mut self) {
        self.buf = Vec::new();
        self.active = false;
    }

    fn start(&mut self, frame: &Frame) {
        if frame.len != 4 {
            return nak(0, "start");
        }
        let crc = u32::from_le_bytes([frame.payload[0], frame.payload[1], frame.payload[2], frame.payload[3]]);
        if self.active && frame.arg == self.total && crc == self.crc {
            return ack(self.buf.len());
        }
        self.reset();
        if frame.arg == 0 || frame.arg > MAX_UPLOAD {
            return nak(0, "too-large");
        }
        if self.buf.try_reserve_exact(frame.arg as usize).is_err() {
            return nak(0, "no-memory");
        }
        self.total = frame.arg;
        self.crc = crc;
        self.active = true;
        ack(0)
    }

    /// Returns the blob once its last chunk is in and its CRC matches.
    fn data(&mut self, frame: &Frame) -> Option<Vec<u8>> {
        let next = self.buf.len();
        if !self.active {
            nak(0, "no-transfer");
            return None;
        }
        let offset = frame.arg as usize;
        if offset < next {
            ack(next);
            return None;
        }
        if offset > next {
            nak(next, "gap");
            return None;
        }
        if frame.len == 0 || next + frame.len > self.total as usize {
            nak(next, "overflow");
            return None;
        }
        self.buf.extend_from_slice(&frame.payload[..frame.len]);
        if self.buf.len() < self.total as usize {
            ack(self.buf.len());
            return None;
        }
        if crc32(&self.buf) != self.crc {
            self.reset();
            nak(0, "image-crc");
            return None;
        }
        crate::println!("loader: received {} bytes", self.total);
        self.active = false;
        Some(core::mem::take(&mut self.buf))
    }

    /// Serves frames until a whole blob is in.
    pub fn receive(&mut self) -> Vec<u8> {
        let mut frame = Frame { kind: 0, arg: 0, len: 0, payload: [0; MAX_CHUNK] };
        loop {
            match read_frame(&mut frame) {
                Err(bad) => nak(self.buf.len(), bad.reason()),
                Ok(()) if frame.kind == KIND_START => self.start(&frame),
                Ok(()) if frame.kind == KIND_DATA => {
                    if let Some(blob) = self.data(&frame) {
                        return blob;
                    }
                }
                Ok(()) => nak(self.buf.len(), "kind"),
            }
        }
    }
}
