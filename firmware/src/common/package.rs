// The packaged-guest format the loader image reads from flash or from an
// upload, and that `cwasm package` writes (docs/loader.md). Shared with the
// host tool through `#[path]`, so the two can never disagree on a field.
// Pure `core`: no allocation, no I/O.

/// "RPWG" (RP2350 Wasm guest), read as a little-endian u32.
pub const MAGIC: [u8; 4] = *b"RPWG";
pub const FORMAT_VERSION: u16 = 1;
pub const HEADER_LEN: usize = 40;
pub const FINGERPRINT_LEN: usize = 16;

/// The fixed header in front of the `.cwasm` payload. All fields little-endian.
///
/// | offset | size | field |
/// | 0  | 4  | magic `RPWG` |
/// | 4  | 2  | format version (1) |
/// | 6  | 2  | header length (40) |
/// | 8  | 4  | payload length |
/// | 12 | 4  | CRC-32 of the payload |
/// | 16 | 16 | engine fingerprint |
/// | 32 | 4  | reserved, 0 |
/// | 36 | 4  | CRC-32 of bytes 0..36 |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub payload_len: u32,
    pub payload_crc: u32,
    pub fingerprint: [u8; FINGERPRINT_LEN],
}

/// Why a blob is not a usable package; `Display` is the one line the loader
/// prints and the tool's error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageError {
    TooShort { len: usize },
    BadMagic,
    Version { found: u16 },
    HeaderLen { found: u16 },
    HeaderCrc,
    Truncated { expected: u32, found: usize },
    PayloadCrc { expected: u32, found: u32 },
    Fingerprint,
}

impl core::fmt::Display for PackageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Self::TooShort { len } => write!(f, "too short for a package header ({len} of {HEADER_LEN} bytes)"),
            Self::BadMagic => write!(f, "not a packaged guest (no RPWG magic)"),
            Self::Version { found } => {
                write!(f, "package format version {found}, this loader reads version {FORMAT_VERSION}")
            }
            Self::HeaderLen { found } => write!(f, "header length {found}, expected {HEADER_LEN}"),
            Self::HeaderCrc => write!(f, "header CRC mismatch (corrupt header)"),
            Self::Truncated { expected, found } => {
                write!(f, "truncated: header says {expected} payload bytes, {found} present")
            }
            Self::PayloadCrc { expected, found } => {
                write!(f, "payload CRC mismatch (header {expected:#010x}, payload {found:#010x})")
            }
            Self::Fingerprint => write!(
                f,
                "engine fingerprint mismatch: compiled for another Wasmtime version or engine configuration"
            ),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Header {
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[6..8].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        b[8..12].copy_from_slice(&self.payload_len.to_le_bytes());
        b[12..16].copy_from_slice(&self.payload_crc.to_le_bytes());
        b[16..32].copy_from_slice(&self.fingerprint);
        let crc = crc32(&b[0..36]);
        b[36..40].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parses and checks the header alone (magic, version, length, its CRC).
    pub fn parse(b: &[u8]) -> Result<Header, PackageError> {
        if b.len() < 4 || b[0..4] != MAGIC {
            return Err(if b.len() < 4 { PackageError::TooShort { len: b.len() } } else { PackageError::BadMagic });
        }
        if b.len() < HEADER_LEN {
            return Err(PackageError::TooShort { len: b.len() });
        }
        let version = u16_at(b, 4);
        if version != FORMAT_VERSION {
            return Err(PackageError::Version { found: version });
        }
        let header_len = u16_at(b, 6);
        if usize::from(header_len) != HEADER_LEN {
            return Err(PackageError::HeaderLen { found: header_len });
        }
        if crc32(&b[0..36]) != u32_at(b, 36) {
            return Err(PackageError::HeaderCrc);
        }
        let mut fingerprint = [0u8; FINGERPRINT_LEN];
        fingerprint.copy_from_slice(&b[16..32]);
        Ok(Header { payload_len: u32_at(b, 8), payload_crc: u32_at(b, 12), fingerprint })
    }

    /// Bytes of a whole package (header and payload).
    pub fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len as usize
    }
}

/// Checks a whole package in the order that needs no trust in the payload:
/// header, length, payload CRC, then the fingerprint. Returns the payload,
/// which only now may be handed to `Component::deserialize`.
pub fn open<'a>(blob: &'a [u8], fingerprint: &[u8; FINGERPRINT_LEN]) -> Result<&'a [u8], PackageError> {
    let header = Header::parse(blob)?;
    let body = &blob[HEADER_LEN..];
    if body.len() < header.payload_len as usize {
        return Err(PackageError::Truncated { expected: header.payload_len, found: body.len() });
    }
    let payload = &body[..header.payload_len as usize];
    let found = crc32(payload);
    if found != header.payload_crc {
        return Err(PackageError::PayloadCrc { expected: header.payload_crc, found });
    }
    if &header.fingerprint != fingerprint {
        return Err(PackageError::Fingerprint);
    }
    Ok(payload)
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`), bitwise: no 1 KiB
/// table in flash, and a few KiB of guest check in well under a second.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0xFFFF_FFFF, data) ^ 0xFFFF_FFFF
}

/// Running form of `crc32`: start with `0xFFFF_FFFF`, finish with `^ 0xFFFF_FFFF`.
pub fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    crc
}
