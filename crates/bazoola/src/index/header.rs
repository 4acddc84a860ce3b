//! Page 0 of an index file: what the tree is, where it starts, and which state of its
//! table it describes.
//!
//! ```text
//! 0..8    magic "BZINDEX2"
//! 8..12   page size u32        12..16  key length u32
//! 16..20  root page u32        20..24  pages in the file u32 (this one included)
//! 24..28  height u32 (1: the root is a leaf)
//! 28..36  entries u64          36..40  flags u32 (bit 0: unique)
//! 40..64  stamp of the table's data file: length u64 | mtime ns i64 | inode u64
//! ```
//!
//! All little-endian. The stamp is written by the pager when a transaction that changed
//! the table commits (it is only known once the data file is written); an index whose
//! stamp differs from its data file's is stale — the original package or a hand edit
//! changed rows behind its back — and is rebuilt before use.

use crate::storage::vfs::{Stamp, STAMP_LEN};

/// Version 2: entries end in the row's slot (version 1, never released, ended in its id;
/// such a file reads as no index and is rebuilt).
pub const MAGIC: &[u8; 8] = b"BZINDEX2";
/// Where the stamp sits in page 0.
pub const STAMP_AT: u64 = 40;
pub const HEADER_LEN: usize = 64;
const UNIQUE: u32 = 1;

/// What page 0 says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub page_size: u32,
    pub key_len: u32,
    pub root: u32,
    pub pages: u32,
    pub height: u32,
    pub entries: u64,
    pub unique: bool,
    pub stamp: Stamp,
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
}

impl Header {
    pub fn encode(&self, page: &mut [u8]) {
        page[..HEADER_LEN].fill(0);
        page[0..8].copy_from_slice(MAGIC);
        page[8..12].copy_from_slice(&self.page_size.to_le_bytes());
        page[12..16].copy_from_slice(&self.key_len.to_le_bytes());
        page[16..20].copy_from_slice(&self.root.to_le_bytes());
        page[20..24].copy_from_slice(&self.pages.to_le_bytes());
        page[24..28].copy_from_slice(&self.height.to_le_bytes());
        page[28..36].copy_from_slice(&self.entries.to_le_bytes());
        let flags = if self.unique { UNIQUE } else { 0 };
        page[36..40].copy_from_slice(&flags.to_le_bytes());
        let at = STAMP_AT as usize;
        page[at..at + STAMP_LEN].copy_from_slice(&self.stamp.encode());
    }

    /// Reads a header; `None` when the bytes are not one (a missing, new or damaged
    /// index, which is then rebuilt) or describe a tree that cannot be.
    pub fn decode(bytes: &[u8]) -> Option<Header> {
        if bytes.len() < HEADER_LEN || bytes[0..8] != *MAGIC {
            return None;
        }
        let at = STAMP_AT as usize;
        let header = Header {
            page_size: u32_at(bytes, 8),
            key_len: u32_at(bytes, 12),
            root: u32_at(bytes, 16),
            pages: u32_at(bytes, 20),
            height: u32_at(bytes, 24),
            entries: u64::from_le_bytes(bytes[28..36].try_into().ok()?),
            unique: u32_at(bytes, 36) & UNIQUE != 0,
            stamp: Stamp::decode(&bytes[at..at + STAMP_LEN]),
        };
        let sane = header.page_size.is_power_of_two()
            && (256..=65536).contains(&header.page_size)
            && header.root >= 1
            && header.root < header.pages
            && (1..=64).contains(&header.height);
        sane.then_some(header)
    }
}
