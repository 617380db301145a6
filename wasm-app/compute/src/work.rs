//! The compute workload: fill a buffer from xorshift32, then take its CRC-32.
//!
//! Shared source: the compute guest runs it inside Pulley and the compute
//! firmware image includes this same file (`#[path]`) to run it natively on
//! the M33, so the two figures compare the same computation.

/// Buffer length in bytes: long enough that the call overhead around it is noise.
pub const LEN: usize = 8192;
/// xorshift32 seed; any non-zero value.
pub const SEED: u32 = 0x2545_F491;

pub fn fill(buf: &mut [u8], seed: u32) {
    let mut x = seed;
    for b in buf.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
}

/// CRC-32 as zlib computes it (IEEE 802.3, reflected, poly 0xEDB88320), bit
/// by bit: branch-free shifts and masks, the kind of loop interpreters pay for.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// The whole workload; `seed` goes through `black_box` at the call site so
/// the compiler cannot fold the result at build time.
pub fn workload(buf: &mut [u8; LEN], seed: u32) -> u32 {
    fill(buf, seed);
    crc32(buf)
}
