//! [`PageCache`]: the pages a write transaction has read from disk, kept so that reading
//! them again — a row looked up twice, an index node read and then rewritten — costs no
//! system call.
//!
//! The transaction holds the exclusive lock, so nothing else changes the files; what it
//! writes to them itself is forgotten here when written ([`PageCache::forget`]).
//!
//! The pages live in one arena of fixed slots, allocated once, with a map from (file,
//! page) to slot: a bulk import looks up a random FK target per row, so most reads miss
//! and replace pages, and a heap allocation per page (freed again when the cache starts
//! over) fragments the heap until the process's memory grows with the import's length.
//! When the arena is full the cache starts again empty, reusing it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::pager::{FileId, Pager, PAGE};
use crate::error::Result;

/// Reads this large or larger (scans) go straight to the file: caching them would only
/// copy them.
const CACHED_READ_MAX: usize = 64 << 10;
/// The most a transaction keeps.
const CACHE_MAX: usize = 4 << 20;
const SLOTS: usize = CACHE_MAX / PAGE as usize;

#[derive(Default)]
pub(super) struct PageCache {
    slots: RefCell<Slots>,
    /// File lengths learnt from short reads (the end of the file).
    lens: RefCell<HashMap<FileId, u64>>,
}

#[derive(Default)]
struct Slots {
    /// (file, page) → slot.
    map: HashMap<(FileId, u64), u32, BuildHasherDefault<PageHasher>>,
    /// `PAGE` bytes per slot, grown a slot at a time up to `SLOTS`.
    data: Vec<u8>,
    /// How many bytes of each slot the file has (fewer only for its last page).
    lens: Vec<u16>,
    /// Slots handed out since the cache last started over.
    used: usize,
}

impl Slots {
    fn page(&self, key: (FileId, u64)) -> Option<&[u8]> {
        let slot = *self.map.get(&key)? as usize;
        let start = slot * PAGE as usize;
        Some(&self.data[start..start + self.lens[slot] as usize])
    }

    /// Keeps `bytes` (at most a page) as `key`'s page.
    fn put(&mut self, key: (FileId, u64), bytes: &[u8]) {
        if self.used == SLOTS {
            self.map.clear();
            self.used = 0;
        }
        let slot = self.used;
        self.used += 1;
        let start = slot * PAGE as usize;
        if self.data.len() < start + PAGE as usize {
            self.data.resize(start + PAGE as usize, 0);
            self.lens.push(0);
        }
        self.data[start..start + bytes.len()].copy_from_slice(bytes);
        self.lens[slot] = bytes.len() as u16;
        self.map.insert(key, slot as u32);
    }
}

impl PageCache {
    /// Reads from `file` on disk through the cache (as [`Pager::disk_read`]: fewer bytes
    /// only at the end of the file).
    pub(super) fn read(&self, pager: &Pager, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if buf.len() >= CACHED_READ_MAX {
            return pager.disk_read(file, buf, offset);
        }
        let end = offset + buf.len() as u64;
        let (first, last) = (offset / PAGE, (end - 1) / PAGE);
        let mut slots = self.slots.borrow_mut();
        let missing = (first..=last).any(|p| !slots.map.contains_key(&(file, p)));
        if missing {
            // Every page of the read from disk, in one read (the few already held are
            // read again rather than splitting the read). A short read ends at the end
            // of the file, unless it read nothing: a read past the end says only that
            // the file is shorter.
            let mut run = vec![0u8; ((last - first + 1) * PAGE) as usize];
            let n = pager.disk_read(file, &mut run, first * PAGE)?;
            if n < run.len() && (n > 0 || first == 0) {
                self.lens.borrow_mut().insert(file, first * PAGE + n as u64);
            }
            let lo = (offset - first * PAGE) as usize;
            let got = n.saturating_sub(lo).min(buf.len());
            buf[..got].copy_from_slice(&run[lo..lo + got]);
            // Only the pages of this read that the file has are worth keeping; the
            // arena may start over while they go in, so they are not read back from it.
            for (i, p) in (first..=last).enumerate() {
                let lo = (i * PAGE as usize).min(n);
                let hi = (lo + PAGE as usize).min(n);
                slots.put((file, p), &run[lo..hi]);
            }
            return Ok(got);
        }
        let mut done = 0;
        for page in first..=last {
            let data = slots.page((file, page)).unwrap_or_default();
            let start = page * PAGE;
            let lo = (offset.max(start) - start) as usize;
            let hi = ((end - start).min(PAGE) as usize).min(data.len());
            if lo >= hi {
                break;
            }
            buf[done..done + hi - lo].copy_from_slice(&data[lo..hi]);
            done += hi - lo;
            if data.len() < PAGE as usize {
                break;
            }
        }
        Ok(done)
    }

    /// The length of `file` if a read found its end.
    pub(super) fn known_len(&self, file: FileId) -> Option<u64> {
        self.lens.borrow().get(&file).copied()
    }

    /// Drops what is known of `file`: the transaction wrote it.
    pub(super) fn forget(&self, file: FileId) {
        self.slots.borrow_mut().map.retain(|(f, _), _| *f != file);
        self.lens.borrow_mut().remove(&file);
    }
}

/// A hash for (file, page) keys: two small integers, hashed per read of a random FK
/// target, where SipHash (the default, built against untrusted keys) costs more than the
/// lookup. Fx's multiply-rotate.
#[derive(Default)]
struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}
