//! One cache file: a fixed header, then a postcard payload.
//!
//! Header (64 bytes, little endian):
//!
//! | bytes | what |
//! |---|---|
//! | 0..8 | magic `permcat\x1a` |
//! | 8..12 | format version ([`FORMAT`]) |
//! | 12..16 | section tag (which command's data) |
//! | 16..32 | build: digest of the permcat binary that wrote it |
//! | 32..48 | key: digest of the data directory's state and path |
//! | 48..56 | payload length |
//! | 56..60 | CRC-32 of the payload |
//! | 60..64 | zero |
//!
//! A file is used only when the magic, format, section, build and key all match, its
//! length is the header plus the payload length, under [`MAX_FILE`], and the CRC holds;
//! a payload that still fails to decode is refused too. Every refusal says why.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// Bumped whenever the header or any cached type changes shape.
pub const FORMAT: u32 = 4;

const MAGIC: &[u8; 8] = b"permcat\x1a";

/// Header length.
pub const HEADER: usize = 64;

/// Largest cache file read (the full upstream catalog is about a tenth of it).
pub const MAX_FILE: u64 = 1 << 30;

/// Why a cache file was not used.
#[derive(Debug)]
pub enum Refusal {
    /// Absent, or for another state of the data: rebuilt silently.
    Stale,
    /// Written by another permcat build or format version: rebuilt with a note.
    Other(String),
    /// Damaged: rebuilt with a note.
    Corrupt(String),
}

/// Header and payload as one buffer.
pub fn encode(section: u32, build: &[u8; 16], key: &[u8; 16], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&section.to_le_bytes());
    out.extend_from_slice(build);
    out.extend_from_slice(key);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(payload);
    out
}

/// Reads and checks a cache file of `section` written by `build`: the payload and the
/// key it was written for. The caller compares the key.
pub fn read(path: &Path, section: u32, build: &[u8; 16]) -> Result<(Vec<u8>, [u8; 16]), Refusal> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refusal::Stale),
        Err(e) => return Err(Refusal::Corrupt(format!("cannot be opened ({e})"))),
    };
    let meta = file
        .metadata()
        .map_err(|e| Refusal::Corrupt(format!("cannot be read ({e})")))?;
    if !meta.is_file() {
        return Err(Refusal::Corrupt("is not a regular file".into()));
    }
    if meta.len() > MAX_FILE {
        return Err(Refusal::Corrupt(format!(
            "is larger than the {} MiB cap",
            MAX_FILE >> 20
        )));
    }
    let mut head = [0u8; HEADER];
    if let Err(e) = file.read_exact(&mut head) {
        return Err(Refusal::Corrupt(match e.kind() {
            io::ErrorKind::UnexpectedEof => format!("is truncated ({} bytes)", meta.len()),
            _ => format!("cannot be read ({e})"),
        }));
    }
    if &head[0..8] != MAGIC {
        return Err(Refusal::Corrupt("is not a permcat cache file".into()));
    }
    let format = u32_at(&head, 8);
    if format != FORMAT {
        return Err(Refusal::Other(format!(
            "was written in cache format {format}, this permcat reads format {FORMAT}"
        )));
    }
    if u32_at(&head, 12) != section {
        return Err(Refusal::Corrupt("holds another section".into()));
    }
    if head[16..32] != build[..] {
        return Err(Refusal::Other(
            "was written by another permcat build".into(),
        ));
    }
    let mut key = [0u8; 16];
    key.copy_from_slice(&head[32..48]);
    let len = u64::from_le_bytes(head[48..56].try_into().unwrap_or_default());
    if meta.len().checked_sub(HEADER as u64) != Some(len) {
        return Err(Refusal::Corrupt(format!(
            "is truncated or padded ({} bytes, the header says {})",
            meta.len(),
            len.saturating_add(HEADER as u64)
        )));
    }
    let mut payload = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(len + 1)
        .read_to_end(&mut payload)
        .map_err(|e| Refusal::Corrupt(format!("cannot be read ({e})")))?;
    if payload.len() as u64 != len {
        return Err(Refusal::Corrupt("changed while it was read".into()));
    }
    if crc32fast::hash(&payload) != u32_at(&head, 56) {
        return Err(Refusal::Corrupt("fails its checksum".into()));
    }
    Ok((payload, key))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut four = [0u8; 4];
    four.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(four)
}
