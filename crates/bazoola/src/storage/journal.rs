//! The rollback journal, `.journal`: what a write transaction is about to overwrite.
//!
//! Before a transaction's changes touch any table file, the journal receives, for every
//! file they touch, its length before the transaction and the original bytes of every
//! page they overwrite. Then the data is written, and the journal is *retired* by
//! zeroing its first header. A journal whose first header is intact is *hot*: its
//! writer died between those two moments, and the next process to take a lock (reader
//! or writer) puts the old bytes back before doing anything else ([`super::recovery`]).
//!
//! A journal is a chain of *segments*, each a header and a body of records. A small
//! transaction writes one segment at commit. A large one (a table rewrite, a vacuum)
//! *spills*: when its dirty pages outgrow the memory it may hold, it appends a segment
//! for them, writes them to the files, and goes on; commit appends the last segment.
//! Each page's original is journaled once per transaction, before its first change
//! reaches the disk, so every record holds bytes as they were before the transaction:
//! records never contradict each other and can be applied in any order.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! segment header, 32 bytes:  magic "BZJRNL01" | nonce u64 | body_len u64 | body_crc u32 | header_crc u32
//! segment body, records:     kind u8 | name_len u16 | name | value u64 | [data_len u32 | data]
//!                            kind 1 = file length before the transaction (value = length)
//!                            kind 2 = original bytes (value = offset, then data)
//!                            kind 3 = the file did not exist (value 0): it is removed
//!                            kind 4 = the file was renamed (value 0, data = the new name)
//! ```
//!
//! Kinds 3 and 4 are written by schema changes ([`super::change`]), which create,
//! rename and remove whole files. Rolling back puts bytes and lengths back first, then
//! undoes the renames and creations, last first.
//!
//! The first segment starts at byte 0; each next one right after the previous body.
//! `body_crc` covers the nonce and the body, `header_crc` the first 28 header bytes. A
//! segment that fails either check, or whose nonce differs from the first segment's,
//! ends the chain: it was torn while being written, which happens only before any of
//! its data was touched, so it is not applied. The nonce is new for every transaction,
//! so segments left over from an earlier, longer journal never join the chain.
//!
//! The file stays in place between transactions (a zeroed header) rather than being
//! created and deleted per commit: that costs one `pwrite` instead of two metadata
//! operations, and another process may hold it open. After a transaction that grew it
//! past [`KEEP_LEN`], it is cut back.

use std::io;
use std::ops::Range;

use super::vfs::FileIo;

pub const MAGIC: &[u8; 8] = b"BZJRNL01";
pub const HEADER_LEN: usize = 32;
const MAGIC_AT: Range<usize> = 0..8;
const NONCE_AT: Range<usize> = 8..16;
const BODY_LEN_AT: Range<usize> = 16..24;
const BODY_CRC_AT: Range<usize> = 24..28;
const HEADER_CRC_AT: Range<usize> = 28..32;

pub const KIND_LENGTH: u8 = 1;
pub const KIND_BYTES: u8 = 2;
pub const KIND_CREATED: u8 = 3;
pub const KIND_RENAMED: u8 = 4;
/// kind, name length, value.
pub const RECORD_HEAD_LEN: usize = 1 + 2 + 8;

/// A journal that grew past this is cut back to a bare header when retired.
pub const KEEP_LEN: u64 = 1 << 20;
/// How much of a segment is gathered in memory before it is written out.
const WRITE_CHUNK: usize = 1 << 20;

/// A segment's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub nonce: u64,
    pub body_len: u64,
    pub body_crc: u32,
}

/// What the bytes at a segment's start say.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderState {
    /// Zeroed, or never written: no segment here.
    Clean,
    /// A header that verifies (its body is checked separately).
    Hot(Header),
    /// Something is there, but it does not verify.
    Torn,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[MAGIC_AT].copy_from_slice(MAGIC);
        out[NONCE_AT].copy_from_slice(&self.nonce.to_le_bytes());
        out[BODY_LEN_AT].copy_from_slice(&self.body_len.to_le_bytes());
        out[BODY_CRC_AT].copy_from_slice(&self.body_crc.to_le_bytes());
        let header_crc = crc32fast::hash(&out[..HEADER_CRC_AT.start]);
        out[HEADER_CRC_AT].copy_from_slice(&header_crc.to_le_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> HeaderState {
        let Some(bytes) = bytes.get(..HEADER_LEN) else { return HeaderState::Clean };
        if bytes[MAGIC_AT] != *MAGIC {
            return HeaderState::Clean;
        }
        let stored = u32::from_le_bytes(array(&bytes[HEADER_CRC_AT]));
        if crc32fast::hash(&bytes[..HEADER_CRC_AT.start]) != stored {
            return HeaderState::Torn;
        }
        HeaderState::Hot(Header {
            nonce: u64::from_le_bytes(array(&bytes[NONCE_AT])),
            body_len: u64::from_le_bytes(array(&bytes[BODY_LEN_AT])),
            body_crc: u32::from_le_bytes(array(&bytes[BODY_CRC_AT])),
        })
    }
}

/// The first `N` bytes of `bytes`, which the caller has sized.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

/// Writes one segment at a given offset of the journal. The body is gathered in memory
/// and written in large pieces; the header goes last, so a segment whose writer died
/// midway has no valid header. A small segment is written with one `pwrite`.
pub struct SegmentWriter<'a> {
    file: &'a dyn FileIo,
    start: u64,
    nonce: u64,
    /// The checksum of the body bytes written out so far (those pending in `buf` are
    /// added as they go out: one pass over large pieces rather than one per record).
    crc: crc32fast::Hasher,
    body_len: u64,
    /// Pending bytes; while nothing has been written yet it begins with room for the
    /// header, so that a segment that fits is written in one piece.
    buf: Vec<u8>,
    /// Segment bytes (header room included) already written.
    written: u64,
}

impl<'a> SegmentWriter<'a> {
    pub fn new(file: &'a dyn FileIo, start: u64, nonce: u64) -> SegmentWriter<'a> {
        SegmentWriter::with_capacity(file, start, nonce, 4096)
    }

    /// A writer whose buffer starts with room for `bytes` of body (a caller that knows
    /// about how much it will write saves the buffer's growing).
    pub fn with_capacity(file: &'a dyn FileIo, start: u64, nonce: u64, bytes: usize) -> SegmentWriter<'a> {
        let mut crc = crc32fast::Hasher::new();
        crc.update(&nonce.to_le_bytes());
        let mut buf = super::spare::take((HEADER_LEN + bytes).min(WRITE_CHUNK + 4096));
        buf.resize(HEADER_LEN, 0);
        SegmentWriter { file, start, nonce, crc, body_len: 0, buf, written: 0 }
    }

    /// Appends body bytes.
    pub fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.body_len += bytes.len() as u64;
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= WRITE_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    /// The body bytes pending in the buffer (after the header's room, before the first write).
    fn pending_body(&self) -> &[u8] {
        &self.buf[if self.written == 0 { HEADER_LEN } else { 0 }..]
    }

    fn flush(&mut self) -> io::Result<()> {
        let body = if self.written == 0 { HEADER_LEN } else { 0 };
        self.crc.update(&self.buf[body..]);
        self.file.write_all_at(&self.buf, self.start + self.written)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn head(&mut self, kind: u8, name: &str, value: u64) -> io::Result<()> {
        let start = self.buf.len();
        self.buf.push(kind);
        self.buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(&value.to_le_bytes());
        debug_assert_eq!(self.buf.len() - start, RECORD_HEAD_LEN + name.len());
        self.body_len += (self.buf.len() - start) as u64;
        if self.buf.len() >= WRITE_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    /// A file's length before the transaction.
    pub fn length(&mut self, name: &str, len: u64) -> io::Result<()> {
        self.head(KIND_LENGTH, name, len)
    }

    /// Starts a record of original bytes at `offset`; exactly `len` bytes must follow
    /// through [`SegmentWriter::put`].
    pub fn begin_bytes(&mut self, name: &str, offset: u64, len: u32) -> io::Result<()> {
        self.head(KIND_BYTES, name, offset)?;
        self.put(&len.to_le_bytes())
    }

    /// The file `name` did not exist before the transaction.
    pub fn created(&mut self, name: &str) -> io::Result<()> {
        self.head(KIND_CREATED, name, 0)
    }

    /// The file `from` is renamed to `to` (which did not exist).
    pub fn renamed(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.head(KIND_RENAMED, from, 0)?;
        self.put(&(to.len() as u32).to_le_bytes())?;
        self.put(to.as_bytes())
    }

    /// Writes the rest of the body and the header; returns where the segment ends, and
    /// the header's bytes.
    pub fn finish(mut self) -> io::Result<(u64, [u8; HEADER_LEN])> {
        let mut crc = self.crc.clone();
        crc.update(self.pending_body());
        let header = Header { nonce: self.nonce, body_len: self.body_len, body_crc: crc.finalize() };
        let header = header.encode();
        let end = self.start + HEADER_LEN as u64 + self.body_len;
        if self.written == 0 {
            self.buf[..HEADER_LEN].copy_from_slice(&header);
            self.file.write_all_at(&self.buf, self.start)?;
        } else {
            if !self.buf.is_empty() {
                self.flush()?;
            }
            self.file.write_all_at(&header, self.start)?;
        }
        Ok((end, header))
    }
}

impl Drop for SegmentWriter<'_> {
    fn drop(&mut self) {
        super::spare::give(std::mem::take(&mut self.buf));
    }
}

/// Reads a segment's body front to back in large pieces, checksumming what it reads,
/// and never past the body's end.
pub struct BodyReader<'a> {
    file: &'a dyn FileIo,
    /// File offset of the next unread byte.
    pos: u64,
    end: u64,
    crc: crc32fast::Hasher,
    buf: Vec<u8>,
    /// Unread bytes of `buf` start here.
    at: usize,
}

/// Why a body could not be read: the file refused, or the body is not well formed.
pub enum BodyError {
    Io(io::Error),
    /// The body ends inside a record (or a record's claims run past the body's end).
    Short,
}

impl From<io::Error> for BodyError {
    fn from(e: io::Error) -> Self {
        BodyError::Io(e)
    }
}

impl<'a> BodyReader<'a> {
    pub fn new(file: &'a dyn FileIo, body_start: u64, header: &Header) -> BodyReader<'a> {
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header.nonce.to_le_bytes());
        BodyReader {
            file,
            pos: body_start,
            end: body_start.saturating_add(header.body_len),
            crc,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// Bytes of the body not yet consumed.
    pub fn remaining(&self) -> u64 {
        (self.end - self.pos) + (self.buf.len() - self.at) as u64
    }

    /// The file offset of the next byte to be consumed.
    pub fn offset(&self) -> u64 {
        self.pos - (self.buf.len() - self.at) as u64
    }

    fn fill(&mut self) -> Result<(), BodyError> {
        let want = (self.end - self.pos).min(WRITE_CHUNK as u64) as usize;
        if want == 0 {
            return Err(BodyError::Short);
        }
        self.buf.resize(want, 0);
        let n = self.file.read_at(&mut self.buf, self.pos)?;
        if n == 0 {
            return Err(BodyError::Short);
        }
        self.buf.truncate(n);
        self.crc.update(&self.buf);
        self.pos += n as u64;
        self.at = 0;
        Ok(())
    }

    /// Hands the next `len` bytes to `take`, in pieces.
    pub fn stream(
        &mut self,
        mut len: u64,
        take: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> Result<(), BodyError> {
        if len > self.remaining() {
            return Err(BodyError::Short);
        }
        while len > 0 {
            if self.at == self.buf.len() {
                self.fill()?;
            }
            let n = (self.buf.len() - self.at).min(len as usize);
            take(&self.buf[self.at..self.at + n])?;
            self.at += n;
            len -= n as u64;
        }
        Ok(())
    }

    /// The next `N` bytes.
    pub fn take<const N: usize>(&mut self) -> Result<[u8; N], BodyError> {
        let mut out = [0u8; N];
        let mut filled = 0;
        self.stream(N as u64, &mut |piece| {
            out[filled..filled + piece.len()].copy_from_slice(piece);
            filled += piece.len();
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads the rest of the body (unchecked records) and tells whether it verifies.
    pub fn verifies(mut self, expected: u32) -> Result<bool, BodyError> {
        let rest = self.remaining();
        self.stream(rest, &mut |_| Ok(()))?;
        Ok(self.crc.finalize() == expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_reads_back_and_any_flipped_byte_is_caught() {
        let header = Header { nonce: 7, body_len: 1234, body_crc: 99 };
        let bytes = header.encode();
        assert_eq!(Header::decode(&bytes), HeaderState::Hot(header));
        for i in MAGIC_AT.end..HEADER_LEN {
            let mut bad = bytes;
            bad[i] ^= 0x40;
            assert_eq!(Header::decode(&bad), HeaderState::Torn, "byte {i}");
        }
        assert_eq!(Header::decode(&[0u8; HEADER_LEN]), HeaderState::Clean);
        assert_eq!(Header::decode(&bytes[..HEADER_LEN - 1]), HeaderState::Clean);
    }
}
