//! The rollback journal, `.journal`: what a write transaction is about to overwrite.
//!
//! Before a commit touches any table file, the journal receives every region the commit
//! will change, as it is on disk, and every touched file's length. Then the data is
//! written, and the journal is *retired* by zeroing its header. A journal whose header is
//! intact is *hot*: its writer died between those two moments, and the next process to
//! take a lock (reader or writer) puts the old bytes back before doing anything else.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! header, 32 bytes:  magic "BZJRNL01" | nonce u64 | body_len u64 | body_crc u32 | header_crc u32
//! body, records:     kind u8 | name_len u16 | name | value u64 | [data_len u32 | data]
//!                    kind 1 = file length before the transaction (value = length)
//!                    kind 2 = original bytes (value = offset, then data)
//! ```
//!
//! `body_crc` covers the nonce and the body, `header_crc` the first 28 header bytes. A
//! journal that fails either check was torn while being written — which happens only
//! before any data was touched — so it is discarded, not applied. The nonce is new for
//! every transaction, so stale records from an earlier, longer journal never verify.
//!
//! The file stays in place between transactions (a zeroed header) rather than being
//! created and deleted per commit: that costs one `pwrite` instead of two metadata
//! operations (36 µs measured), and another process may hold it open.

use std::path::Path;

use crate::error::{IoError, IoOp};

use super::vfs::{FileIo, Vfs};

pub const MAGIC: &[u8; 8] = b"BZJRNL01";
pub const HEADER_LEN: usize = 32;

const KIND_LENGTH: u8 = 1;
const KIND_BYTES: u8 = 2;

/// One thing the journal remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// The file's length before the transaction.
    Length { name: String, len: u64 },
    /// The bytes at `offset` before the transaction.
    Bytes { name: String, offset: u64, data: Vec<u8> },
}

/// Serialises a journal with its header.
pub fn encode(nonce: u64, records: &[Record]) -> Vec<u8> {
    let mut out = vec![0u8; HEADER_LEN];
    for record in records {
        match record {
            Record::Length { name, len } => push_record(&mut out, KIND_LENGTH, name, *len, None),
            Record::Bytes { name, offset, data } => {
                push_record(&mut out, KIND_BYTES, name, *offset, Some(data))
            }
        }
    }
    let body_len = (out.len() - HEADER_LEN) as u64;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&nonce.to_le_bytes());
    crc.update(&out[HEADER_LEN..]);
    out[..8].copy_from_slice(MAGIC);
    out[8..16].copy_from_slice(&nonce.to_le_bytes());
    out[16..24].copy_from_slice(&body_len.to_le_bytes());
    out[24..28].copy_from_slice(&crc.finalize().to_le_bytes());
    let header_crc = crc32fast::hash(&out[..28]);
    out[28..32].copy_from_slice(&header_crc.to_le_bytes());
    out
}

fn push_record(out: &mut Vec<u8>, kind: u8, name: &str, value: u64, data: Option<&[u8]>) {
    out.push(kind);
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&value.to_le_bytes());
    if let Some(data) = data {
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
}

/// What a journal's header says.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderState {
    /// Retired or never used.
    Clean,
    /// Hot, with this many body bytes after the header.
    Hot { body_len: u64 },
    /// Torn: the header does not verify.
    Torn,
}

pub fn header_state(header: &[u8]) -> HeaderState {
    if header.len() < HEADER_LEN || &header[..8] != MAGIC {
        return HeaderState::Clean;
    }
    let stored = u32::from_le_bytes([header[28], header[29], header[30], header[31]]);
    if crc32fast::hash(&header[..28]) != stored {
        return HeaderState::Torn;
    }
    HeaderState::Hot { body_len: u64::from_le_bytes(header[16..24].try_into().unwrap_or_default()) }
}

/// Parses a whole hot journal; `None` when it does not verify (torn).
pub fn decode(journal: &[u8]) -> Option<Vec<Record>> {
    let HeaderState::Hot { body_len } = header_state(journal) else { return None };
    let body = journal.get(HEADER_LEN..HEADER_LEN.checked_add(usize::try_from(body_len).ok()?)?)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&journal[8..16]);
    crc.update(body);
    if crc.finalize().to_le_bytes() != journal[24..28] {
        return None;
    }
    let mut records = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (kind, tail) = rest.split_first()?;
        let (name_len, tail) = take::<2>(tail)?;
        let name_len = usize::from(u16::from_le_bytes(name_len));
        let name = std::str::from_utf8(tail.get(..name_len)?).ok()?.to_string();
        if name.contains('/') || name.is_empty() || name == ".." {
            return None;
        }
        let (value, tail) = take::<8>(&tail[name_len..])?;
        let value = u64::from_le_bytes(value);
        rest = match *kind {
            KIND_LENGTH => {
                records.push(Record::Length { name, len: value });
                tail
            }
            KIND_BYTES => {
                let (data_len, tail) = take::<4>(tail)?;
                let data_len = u32::from_le_bytes(data_len) as usize;
                let data = tail.get(..data_len)?.to_vec();
                records.push(Record::Bytes { name, offset: value, data });
                &tail[data_len..]
            }
            _ => return None,
        };
    }
    Some(records)
}

fn take<const N: usize>(bytes: &[u8]) -> Option<([u8; N], &[u8])> {
    let head = bytes.get(..N)?.try_into().ok()?;
    Some((head, &bytes[N..]))
}

/// Reads the journal; if it is hot, puts every recorded region and length back, makes
/// that durable when `sync`, and retires the journal. Returns whether it rolled back.
/// The caller holds the exclusive lock.
pub fn recover(dir: &Path, vfs: &dyn Vfs, journal: &dyn FileIo, sync: bool) -> Result<bool, IoError> {
    let journal_path = dir.join(super::super::format::constants::JOURNAL_FILE);
    let io_err = |path: &Path, op: IoOp| {
        let path = path.to_path_buf();
        move |source| IoError { path, op, source }
    };
    let mut header = [0u8; HEADER_LEN];
    let n = journal.read_at(&mut header, 0).map_err(io_err(&journal_path, IoOp::Read))?;
    let body_len = match header_state(&header[..n]) {
        HeaderState::Clean => return Ok(false),
        HeaderState::Torn => None,
        HeaderState::Hot { body_len } => Some(body_len),
    };
    let records = match body_len.and_then(|len| usize::try_from(len).ok()) {
        Some(len) => {
            let mut whole = vec![0u8; HEADER_LEN + len];
            let n = journal.read_at(&mut whole, 0).map_err(io_err(&journal_path, IoOp::Read))?;
            whole.truncate(n);
            decode(&whole)
        }
        None => None,
    };
    let rolled_back = records.is_some();
    if let Some(records) = records {
        apply(dir, vfs, &records, sync)?;
    }
    retire(journal, &journal_path, sync)?;
    Ok(rolled_back)
}

/// Restores the recorded state: bytes first (newest record last wins, so apply in
/// reverse), then lengths, which cut off whatever the transaction appended.
pub fn apply(dir: &Path, vfs: &dyn Vfs, records: &[Record], sync: bool) -> Result<(), IoError> {
    let mut files: Vec<(String, Box<dyn FileIo>)> = Vec::new();
    let mut open = |name: &str| -> Result<usize, IoError> {
        if let Some(i) = files.iter().position(|(n, _)| n == name) {
            return Ok(i);
        }
        let path = dir.join(name);
        let file = vfs.open(&path).map_err(|source| IoError { path, op: IoOp::Open, source })?;
        files.push((name.to_string(), file));
        Ok(files.len() - 1)
    };
    let mut plan = Vec::new();
    for record in records.iter().rev() {
        let name = match record {
            Record::Length { name, .. } | Record::Bytes { name, .. } => name,
        };
        plan.push((open(name)?, record));
    }
    for (i, record) in &plan {
        if let Record::Bytes { offset, data, .. } = record {
            let (name, file) = &files[*i];
            file.write_all_at(data, *offset).map_err(|source| IoError {
                path: dir.join(name),
                op: IoOp::Write,
                source,
            })?;
        }
    }
    for (i, record) in &plan {
        if let Record::Length { len, .. } = record {
            let (name, file) = &files[*i];
            file.set_len(*len).map_err(|source| IoError {
                path: dir.join(name),
                op: IoOp::Truncate,
                source,
            })?;
        }
    }
    if sync {
        for (name, file) in &files {
            file.sync().map_err(|source| IoError { path: dir.join(name), op: IoOp::Sync, source })?;
        }
    }
    Ok(())
}

/// Zeroes the header: from now on the journal is not hot.
pub fn retire(journal: &dyn FileIo, path: &Path, sync: bool) -> Result<(), IoError> {
    journal.write_all_at(&[0u8; HEADER_LEN], 0).map_err(|source| IoError {
        path: path.to_path_buf(),
        op: IoOp::Write,
        source,
    })?;
    if sync {
        journal.sync().map_err(|source| IoError { path: path.to_path_buf(), op: IoOp::Sync, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record::Length { name: "a.dat".into(), len: 28 },
            Record::Bytes { name: "a.dat".into(), offset: 14, data: b"2        bar  \n".to_vec() },
            Record::Length { name: "a__seqnum.dat".into(), len: 1 },
        ]
    }

    #[test]
    fn a_journal_reads_back() {
        assert_eq!(decode(&encode(7, &sample())), Some(sample()));
    }

    #[test]
    fn every_torn_prefix_and_every_flipped_byte_is_refused() {
        let whole = encode(7, &sample());
        for cut in 0..whole.len() {
            assert_eq!(decode(&whole[..cut]), None, "prefix of {cut} bytes");
        }
        for i in 0..whole.len() {
            let mut bad = whole.clone();
            bad[i] ^= 0x40;
            assert_eq!(decode(&bad), None, "byte {i} flipped");
        }
    }

    #[test]
    fn stale_records_of_another_transaction_do_not_verify() {
        let old = encode(1, &sample());
        // The new journal's body is as long as the old one's first record, but differs.
        let new = encode(2, &[Record::Length { name: "b.dat".into(), len: 99 }]);
        let mut mixed = old.clone();
        mixed[..HEADER_LEN].copy_from_slice(&new[..HEADER_LEN]);
        // The header claims a body of the new length, but the bytes are the old body's.
        assert_eq!(decode(&mixed), None);
    }
}
