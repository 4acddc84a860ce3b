//! [`PageCache`]: pages of the database's files kept in memory, so that reading them again
//! — a row looked up twice, an index node read and then rewritten, the PK-index page of
//! the next lookup — costs no system call.
//!
//! What it holds is true of the files while nothing else writes them. Within one lock
//! that is given (the lock excludes other writers; what this handle writes goes through
//! [`PageCache::wrote`]). Between locks the pager decides: with a directory watch it
//! forgets only the files another writer touched, without one it forgets everything
//! (see [`super::pager::Pager::look`]).
//!
//! The pages live in one arena of fixed slots, allocated as it grows, with a map per
//! file from page number to slot: a bulk import looks up a random FK target per row, so
//! most reads miss and replace pages, and a heap allocation per page (freed again when
//! the cache starts over) fragments the heap until the process's memory grows with the
//! import's length. When the arena is full the cache starts again empty, reusing it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::page_map::PageMap;
use super::pager::{FileId, Pager, PAGE};

/// Bytes per cached page. A point lookup in a table larger than the cache misses on each
/// of its reads, and the kernel's copy of the page was the largest cost of a random
/// `find_by_id` + Join over a million rows at 4 KiB; an index node (4 KiB) is still one
/// read on a miss, its four pages in one run. (A transaction's shadow pages are smaller,
/// [`PAGE`]; what it writes is copied into the cached pages that hold it.)
const CACHE_PAGE: u64 = 1024;
use crate::error::Result;

/// Reads this large or larger (scans) go straight to the file: caching them would only
/// copy them, and push out the pages point operations come back to.
const CACHED_READ_MAX: usize = 64 << 10;
/// Pages a miss just after the previous one reads past what it was asked for, and how
/// far after the previous miss it may start (see [`PageCache::read_ahead`]).
const READ_AHEAD: u64 = 7;
const READ_AHEAD_WINDOW: u64 = 8;
/// The most the cache keeps.
const CACHE_MAX: usize = 4 << 20;
const SLOTS: usize = CACHE_MAX / CACHE_PAGE as usize;
/// A commit writing more pages of one file than this drops the file from the cache
/// instead of copying them in (an import or a rewrite would only push everything out).
const WRITE_THROUGH_MAX: usize = 256;

#[derive(Default)]
pub(super) struct PageCache {
    files: Vec<FilePages>,
    /// `CACHE_PAGE` bytes per slot, grown a slot at a time up to `SLOTS`.
    data: Vec<u8>,
    /// How many bytes of each slot the file has (fewer only for its last page).
    lens: Vec<u16>,
    /// Slots handed out since the cache last started over.
    used: usize,
    /// The pages a write-through touched, kept for the next one's buffer.
    touched: Vec<u64>,
    /// The buffer a miss reads its pages into, kept rather than zeroed for each miss.
    run: Vec<u8>,
}

/// What is known of one file.
#[derive(Default)]
struct FilePages {
    /// Page number → slot, for pages holding at least one byte of the file.
    pages: HashMap<u64, u32, BuildHasherDefault<PageHasher>>,
    /// The file's length, when a read found its end, a `stat` told it, or a write set it.
    len: Option<u64>,
    /// The page after the last one a miss read: where a walk forward through the file
    /// misses next.
    miss_end: u64,
}

impl PageCache {
    fn file(&mut self, file: FileId) -> &mut FilePages {
        if self.files.len() <= file {
            self.files.resize_with(file + 1, FilePages::default);
        }
        &mut self.files[file]
    }

    fn page(&self, file: FileId, page: u64) -> Option<&[u8]> {
        let slot = *self.files.get(file)?.pages.get(&page)? as usize;
        let start = slot * CACHE_PAGE as usize;
        Some(&self.data[start..start + self.lens[slot] as usize])
    }

    /// Keeps `bytes` (at most a page, at least one byte) as page `page` of `file`.
    fn put(&mut self, file: FileId, page: u64, bytes: &[u8]) {
        let slot = self.slot_for(file, page);
        let start = slot * CACHE_PAGE as usize;
        self.data[start..start + bytes.len()].copy_from_slice(bytes);
        self.lens[slot] = bytes.len() as u16;
    }

    /// The slot page `page` of `file` is kept in: its own, or a fresh one (the arena
    /// starting over when full).
    fn slot_for(&mut self, file: FileId, page: u64) -> usize {
        match self.files.get(file).and_then(|f| f.pages.get(&page)) {
            Some(&slot) => slot as usize,
            None => {
                if self.used == SLOTS {
                    for f in &mut self.files {
                        f.pages.clear();
                    }
                    self.used = 0;
                }
                let slot = self.used;
                self.used += 1;
                if self.lens.len() <= slot {
                    if self.data.capacity() == 0 {
                        // The whole arena's address space at once: growing it by
                        // doubling copied it each time. The allocator maps it lazily, so
                        // memory is used only as slots fill.
                        self.data.reserve_exact(CACHE_MAX);
                    }
                    self.data.resize((slot + 1) * CACHE_PAGE as usize, 0);
                    self.lens.push(0);
                }
                self.file(file).pages.insert(page, slot as u32);
                slot
            }
        }
    }

    /// A miss within one page (a point read): the page read from disk straight into its
    /// slot, not through the run buffer (the copy was a tenth of a random lookup in a table
    /// larger than the cache).
    fn read_page(
        &mut self,
        pager: &Pager,
        file: FileId,
        page: u64,
        buf: &mut [u8],
        offset: u64,
    ) -> Result<usize> {
        let slot = self.slot_for(file, page);
        let start = slot * CACHE_PAGE as usize;
        let read =
            pager.disk_read(file, &mut self.data[start..start + CACHE_PAGE as usize], page * CACHE_PAGE);
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                self.file(file).pages.remove(&page);
                return Err(e);
            }
        };
        // As for a run: a short read ends at the end of the file, unless it read nothing.
        if n < CACHE_PAGE as usize && (n > 0 || page == 0) {
            self.file(file).len = Some(page * CACHE_PAGE + n as u64);
        }
        if n == 0 {
            self.file(file).pages.remove(&page);
            return Ok(0);
        }
        self.lens[slot] = n as u16;
        let lo = (offset - page * CACHE_PAGE) as usize;
        let got = n.saturating_sub(lo).min(buf.len());
        buf[..got].copy_from_slice(&self.data[start + lo..start + lo + got]);
        Ok(got)
    }

    /// Reads from `file` through the cache (as [`Pager::disk_read`]: fewer bytes only at
    /// the end of the file).
    pub(super) fn read(&mut self, pager: &Pager, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        let known_len = self.known_len(file);
        if buf.is_empty() || known_len.is_some_and(|len| offset >= len) {
            return Ok(0);
        }
        if buf.len() >= CACHED_READ_MAX {
            return pager.disk_read(file, buf, offset);
        }
        let end = offset + buf.len() as u64;
        let wanted_end = known_len.map_or(end, |len| end.min(len));
        let (first, last) = (offset / CACHE_PAGE, (wanted_end - 1) / CACHE_PAGE);
        // The hit (the common case) in one pass over the pages, each looked up once; a
        // page not held stops it, and the miss below reads the whole range again.
        let (done, hit) = self.copy_held(file, first, last, buf, offset, end);
        if hit {
            return Ok(done);
        }
        let last = self.read_ahead(file, first, last, known_len);
        if first == last {
            return self.read_page(pager, file, first, buf, offset);
        }
        // Every page of the read from disk, in one read (the few already held are
        // read again rather than splitting the read). A short read ends at the end
        // of the file, unless it read nothing: a read past the end says only that
        // the file is shorter.
        let mut run = std::mem::take(&mut self.run);
        let run_len = (last - first + 1) as usize * CACHE_PAGE as usize;
        if run.len() < run_len {
            run.resize(run_len, 0);
        }
        // (A failed read drops the buffer: the next miss makes another.)
        let n = pager.disk_read(file, &mut run[..run_len], first * CACHE_PAGE)?;
        if n < run_len && (n > 0 || first == 0) {
            self.file(file).len = Some(first * CACHE_PAGE + n as u64);
        }
        let lo = (offset - first * CACHE_PAGE) as usize;
        let got = n.saturating_sub(lo).min(buf.len());
        buf[..got].copy_from_slice(&run[lo..lo + got]);
        // Only pages of this read that hold bytes of the file are kept; the arena may
        // start over while they go in, so they are not read back from it.
        let (mut at, mut page) = (0, first);
        while at < n {
            self.put(file, page, &run[at..(at + CACHE_PAGE as usize).min(n)]);
            at += CACHE_PAGE as usize;
            page += 1;
        }
        self.run = run;
        Ok(got)
    }

    /// The last page a miss of pages `first..=last` reads: more than `last` when the miss
    /// comes just after the previous one (rows walked by increasing id, leaves in key
    /// order), so that one read serves the next few lookups. At a million rows, the
    /// SPEC §7 relation counts (authors 97 ids apart) missed 2.45 times per call with
    /// pages read one at a time, SQLite (4 KiB pages) 0.81 times. A random lookup is
    /// almost never near the previous miss, and still reads one page.
    fn read_ahead(&mut self, file: FileId, first: u64, last: u64, known_len: Option<u64>) -> u64 {
        let f = self.file(file);
        let forward = first >= f.miss_end && first - f.miss_end < READ_AHEAD_WINDOW;
        let mut end = last;
        if forward {
            let file_last = known_len.map_or(u64::MAX, |len| len.saturating_sub(1) / CACHE_PAGE);
            let held = |page: u64| self.page(file, page).is_some();
            while end < file_last && end - last < READ_AHEAD && !held(end + 1) {
                end += 1;
            }
        }
        self.file(file).miss_end = end + 1;
        end
    }

    /// Copies bytes `offset..end` of `file` from the held pages `first..=last` into
    /// `buf`: the bytes copied, and whether every page was held (otherwise the copy
    /// stopped at the first page not held, and the caller reads from disk).
    fn copy_held(
        &self,
        file: FileId,
        first: u64,
        last: u64,
        buf: &mut [u8],
        offset: u64,
        end: u64,
    ) -> (usize, bool) {
        let mut done = 0;
        for page in first..=last {
            let Some(data) = self.page(file, page) else { return (done, false) };
            let start = page * CACHE_PAGE;
            let lo = (offset.max(start) - start) as usize;
            let hi = ((end - start).min(CACHE_PAGE) as usize).min(data.len());
            if lo < hi {
                buf[done..done + hi - lo].copy_from_slice(&data[lo..hi]);
                done += hi - lo;
            }
            if lo >= hi || data.len() < CACHE_PAGE as usize {
                // The file's end, as the cache holds it: a hit only if the pages after
                // are held too (past the end of the file none is, and the read from
                // disk below finds where the file ends).
                let rest_held = (page + 1..=last).all(|p| self.page(file, p).is_some());
                return (done, rest_held);
            }
        }
        (done, true)
    }

    /// Appends bytes `offset..offset + len` of `file` to `out` if the cache holds every
    /// one of them, without reading the file; `false`, `out` untouched, if it does not.
    pub(super) fn extend_if_held(&self, file: FileId, out: &mut Vec<u8>, offset: u64, len: usize) -> bool {
        if len == 0 {
            return true;
        }
        let end = offset + len as u64;
        let pages = offset / CACHE_PAGE..=(end - 1) / CACHE_PAGE;
        // The bytes of `page` wanted, as a range within it.
        let wanted = |page: u64| {
            let start = page * CACHE_PAGE;
            (offset.max(start) - start) as usize..(end - start).min(CACHE_PAGE) as usize
        };
        let held = |page: u64| self.page(file, page).filter(|data| data.len() >= wanted(page).end);
        if !pages.clone().all(|page| held(page).is_some()) {
            return false;
        }
        for page in pages {
            if let Some(data) = held(page) {
                out.extend_from_slice(&data[wanted(page)]);
            }
        }
        true
    }

    /// The length of `file`, if known.
    pub(super) fn known_len(&self, file: FileId) -> Option<u64> {
        self.files.get(file).and_then(|f| f.len)
    }

    /// Records the length of `file` as a `stat` told it.
    pub(super) fn learn_len(&mut self, file: FileId, len: u64) {
        self.file(file).len = Some(len);
    }

    /// Drops what is known of `file`: something else changed it.
    pub(super) fn forget(&mut self, file: FileId) {
        if let Some(f) = self.files.get_mut(file) {
            f.pages.clear();
            f.len = None;
        }
    }

    /// Drops everything.
    pub(super) fn clear(&mut self) {
        for f in &mut self.files {
            f.pages.clear();
            f.len = None;
        }
        self.used = 0;
    }

    /// Takes in what a commit (or spill) just wrote to `file`: `pages` (shadow pages of
    /// [`PAGE`] bytes, whole but for the file's last), its length `len` now, and the
    /// lowest length it had on the way, `low` (bytes from there on may have changed
    /// without being in `pages`: the file was cut, or grown with zeros), below its length
    /// before, `before`. Cached pages take the bytes written into them; a page that
    /// cannot be brought up to date that way is dropped.
    pub(super) fn wrote(
        &mut self,
        file: FileId,
        pages: &PageMap<Box<[u8]>>,
        before: u64,
        low: u64,
        len: u64,
    ) {
        if pages.len() > WRITE_THROUGH_MAX {
            self.forget(file);
            self.file(file).len = Some(len);
            return;
        }
        if low < before {
            // Cut: pages past the one holding `low` are gone; that one keeps its bytes
            // below `low`, so the next pop of a free stack finds its new tail cached.
            let boundary = low / CACHE_PAGE;
            let kept = (low % CACHE_PAGE) as u16;
            let f = self.file(file);
            f.pages.retain(|p, _| *p < boundary || (*p == boundary && kept > 0));
            if let Some(&slot) = f.pages.get(&boundary) {
                let held = &mut self.lens[slot as usize];
                *held = (*held).min(kept);
            }
        }
        // The pages to check at the end: those written into, and the old last one.
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        touched.push(before.min(low) / CACHE_PAGE);
        for (page, data) in pages.iter() {
            let start = page * PAGE;
            if start >= len {
                break;
            }
            let bytes = &data[..(len - start).min(PAGE) as usize];
            let (cached, at) = (start / CACHE_PAGE, (start % CACHE_PAGE) as usize);
            if touched.last() != Some(&cached) {
                touched.push(cached);
            }
            let Some(&slot) = self.files.get(file).and_then(|f| f.pages.get(&cached)) else { continue };
            let slot = slot as usize;
            let held = self.lens[slot] as usize;
            if at > held {
                // Bytes between what it holds and this write are not known here.
                self.file(file).pages.remove(&cached);
                continue;
            }
            let base = slot * CACHE_PAGE as usize;
            self.data[base + at..base + at + bytes.len()].copy_from_slice(bytes);
            self.lens[slot] = held.max(at + bytes.len()) as u16;
        }
        // A page still short of what the file now has there (it grew with zeros, or past
        // a page only partly written) is dropped.
        self.file(file);
        let f = &mut self.files[file];
        for &p in &touched {
            let Some(&slot) = f.pages.get(&p) else { continue };
            let should = len.saturating_sub(p * CACHE_PAGE).min(CACHE_PAGE);
            if u64::from(self.lens[slot as usize]) != should {
                f.pages.remove(&p);
            }
        }
        f.len = Some(len);
        self.touched = touched;
    }
}

/// A hash for page numbers: small integers, hashed per read of a random FK target, where
/// SipHash (the default, built against untrusted keys) costs more than the lookup. Fx's
/// multiply-rotate.
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
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::CACHE_PAGE;
    use crate::storage::pager::{Pager, SyncMode};
    use crate::storage::txn::Io;
    use crate::storage::vfs::OsVfs;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Reads through the cache give the file's bytes, whatever their order: random
        /// ones, walks forward that read ahead, reads across pages and past the end.
        #[test]
        fn reads_through_the_cache_give_the_files_bytes(
            len in 0u64..40 * CACHE_PAGE,
            walks in proptest::collection::vec((0u64..44 * CACHE_PAGE, 1u64..4000, 1usize..2100, 1usize..12), 1..12),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::write(dir.path().join("t.dat"), &bytes).unwrap();
            let mut pager = Pager::open(dir.path(), Arc::new(OsVfs), SyncMode::Off, 1 << 20, false).unwrap();
            let file = pager.add_file("t.dat").unwrap();
            let io = Io::reader(&pager);
            for (start, stride, size, steps) in walks {
                for step in 0..steps as u64 {
                    let offset = start + step * stride;
                    let mut buf = vec![0u8; size];
                    let n = io.read_at(file, &mut buf, offset).unwrap();
                    let from = (offset.min(len)) as usize;
                    let want = &bytes[from..(from + size).min(len as usize)];
                    prop_assert_eq!(&buf[..n], want, "{} bytes at {}", size, offset);
                }
            }
        }
    }
}
