//! A write transaction's pending changes ([`Txn`]), and [`Io`], through which every
//! operation reads and writes without knowing whether it runs inside a transaction.
//!
//! Each file a transaction writes has a *shadow*: the pages it changed (copied from disk
//! on first touch) and its logical length. Reads made by the transaction see the shadow
//! over the disk. When the pages held outgrow the pager's limit, the transaction
//! *spills* them ([`Pager::spill`]): their originals go to the journal, the pages to the
//! files, and the shadow starts afresh over the new disk state.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::page_map::PageMap;
use super::pager::{FileId, Pager, PAGE};
use super::vfs::FileStat;
use crate::error::{Error, Result};

/// A file as the transaction sees it.
pub(super) struct Shadow {
    /// The length when the transaction first touched the file (the journal's length
    /// record), and whether that record is in the journal yet.
    pub txn_len: u64,
    pub length_journaled: bool,
    /// The length on disk: `txn_len` until a spill writes pages out.
    pub disk_len: u64,
    pub len: u64,
    /// The smallest length since the last spill: disk bytes at or past it are gone
    /// (read as zeros) even if the file grew again.
    pub min_len: u64,
    pub pages: PageMap<Box<[u8]>>,
    /// What each dirty page below `txn_len` held before the transaction, captured by
    /// the read that loaded the page anyway; moved to the journal at the next segment.
    pub originals: PageMap<Vec<u8>>,
    /// Pages whose original is in the journal already (so a later change of theirs,
    /// after a spill, must not journal the transaction's own bytes as original).
    pub journaled: PageMap<()>,
}

thread_local! {
    /// Pages of finished transactions, handed to the next one on this thread instead of
    /// allocating (and zeroing) a page each time a transaction touches one.
    static SPARE_PAGES: RefCell<Vec<Box<[u8]>>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// The buffer a write reads the pages it spans into, all at once, and takes them
    /// from one by one; kept, not zeroed each time.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// How many spare pages a thread keeps: enough for the few pages of a point operation.
const SPARE_PAGES_KEPT: usize = 64;

/// A page to fill, with whatever bytes it held: a spare one if there is one (the caller
/// overwrites or zeroes every byte; zeroing a page about to be read over was a tenth
/// of the shadow's upkeep).
fn page_to_fill() -> Box<[u8]> {
    let spare = SPARE_PAGES.with(|spare| spare.borrow_mut().pop());
    spare.unwrap_or_else(|| vec![0u8; PAGE as usize].into_boxed_slice())
}

/// Gives pages back to this thread's spares.
pub(super) fn recycle(pages: &mut PageMap<Box<[u8]>>) {
    SPARE_PAGES.with(|spare| {
        let mut spare = spare.borrow_mut();
        for page in pages.drain_values() {
            if spare.len() >= SPARE_PAGES_KEPT {
                break;
            }
            spare.push(page);
        }
    });
}

impl Drop for Shadow {
    fn drop(&mut self) {
        recycle(&mut self.pages);
        super::spare::give_originals(self.originals.drain_values());
    }
}

impl Shadow {
    /// Whether this segment changes the file on disk.
    pub fn dirty(&self) -> bool {
        !self.pages.is_empty() || self.len != self.disk_len || self.min_len < self.disk_len
    }

    fn new(len: u64) -> Shadow {
        Shadow {
            txn_len: len,
            length_journaled: false,
            disk_len: len,
            len,
            min_len: len,
            pages: PageMap::default(),
            originals: PageMap::default(),
            journaled: PageMap::default(),
        }
    }

    pub(super) fn read(&self, disk: &Disk, buf: &mut [u8], offset: u64) -> Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let n = buf.len().min((self.len - offset) as usize);
        let buf = &mut buf[..n];
        let end = offset + n as u64;
        // The common case, bytes within one page the transaction holds: one lookup
        // instead of two range walks.
        let first = offset / PAGE;
        if n > 0 && first == (end - 1) / PAGE {
            if let Some(data) = self.pages.get(first) {
                let at = (offset % PAGE) as usize;
                buf.copy_from_slice(&data[at..at + n]);
                return Ok(n);
            }
        }
        let last = end.div_ceil(PAGE);
        let covered = self.pages.range(first, last).count() as u64 == last - first;
        if !covered {
            let disk_end = self.min_len.min(self.disk_len);
            let from_disk = disk_end.saturating_sub(offset).min(n as u64) as usize;
            let got = if from_disk > 0 { disk.read(&mut buf[..from_disk], offset)? } else { 0 };
            buf[got..].fill(0);
        }
        for (page, data) in self.pages.range(first, last) {
            let start = page * PAGE;
            let lo = start.max(offset);
            let hi = (start + PAGE).min(end);
            buf[(lo - offset) as usize..(hi - offset) as usize]
                .copy_from_slice(&data[(lo - start) as usize..(hi - start) as usize]);
        }
        Ok(n)
    }

    /// Writes into the shadow; returns how many bytes of memory it newly holds.
    pub(super) fn write(&mut self, disk: &Disk, data: &[u8], offset: u64) -> Result<usize> {
        let end = offset + data.len() as u64;
        let mut held = 0;
        // The common case, a row or an entry within one page held already, whose
        // original is kept or not needed: one lookup or three.
        let p = offset / PAGE;
        if !data.is_empty()
            && p == (end - 1) / PAGE
            && (offset >= self.txn_len || self.originals.contains(p) || self.journaled.contains(p))
        {
            if let Some(page) = self.pages.get_mut(p) {
                let at = (offset % PAGE) as usize;
                page[at..at + data.len()].copy_from_slice(data);
                self.len = self.len.max(end);
                return Ok(0);
            }
        }
        // The pages this write brings in from disk, in one read (an index node is eight):
        // (the bytes, where they start, how many the read found).
        let missing = (offset / PAGE..end.div_ceil(PAGE)).filter(|&p| !self.pages.contains(p)).count();
        let mut spanned = None;
        if missing > 1 && offset < self.disk_len {
            let first = offset / PAGE * PAGE;
            let len = (end.min(self.disk_len).div_ceil(PAGE) * PAGE - first) as usize;
            let mut scratch = SCRATCH.with(|scratch| std::mem::take(&mut *scratch.borrow_mut()));
            if scratch.len() < len {
                scratch.resize(len, 0);
            }
            let got = disk.read(&mut scratch[..len], first)?;
            spanned = Some((scratch, first, got));
        }
        for page in offset / PAGE..end.div_ceil(PAGE) {
            let start = page * PAGE;
            // The bytes of this page the file had when the transaction began, and whether
            // the transaction cut some of them off (they read as zeros in the shadow, so
            // their original must come from the disk).
            let original_end = (start + PAGE).min(self.txn_len);
            let cut = self.min_len < original_end;
            if !self.pages.contains(page) {
                let mut fresh = page_to_fill();
                if start >= self.disk_len {
                    fresh.fill(0);
                } else {
                    let want = (self.disk_len - start).min(PAGE) as usize;
                    let got = match &spanned {
                        // Within the span read above (it covers every page of the write
                        // the file has), short only where the file ends.
                        Some((bytes, first, read)) => {
                            let at = (start - first) as usize;
                            let got = want.min(read.saturating_sub(at));
                            fresh[..got].copy_from_slice(&bytes[at..at + got]);
                            got
                        }
                        None => disk.read(&mut fresh[..want], start)?,
                    };
                    // Past the file's end the page reads as zeros.
                    fresh[got..].fill(0);
                    if cut && start < self.txn_len && !self.journaled.contains(page) {
                        let original = got.min((self.txn_len - start) as usize);
                        self.originals.insert(page, super::spare::original(&fresh[..original]));
                        held += original;
                    }
                    // Bytes the transaction cut off read as zeros, though still on disk.
                    if self.min_len < start + PAGE {
                        fresh[self.min_len.saturating_sub(start) as usize..].fill(0);
                    }
                }
                self.pages.insert(page, fresh);
                held += PAGE as usize;
            }
            let Some(buf) = self.pages.get_mut(page) else { continue };
            let lo = start.max(offset);
            // The original of a page is kept when the transaction first changes a byte
            // the file had: an append (a new row, a new PK entry) needs none, since the
            // journal's length record undoes it. Until then the shadow holds the page's
            // bytes as they were. (A page the transaction cut is journaled from the disk
            // instead, with the cut-off tail, see `Pager::write_segment`.)
            if lo < original_end && !cut && !self.journaled.contains(page) && !self.originals.contains(page) {
                let original = (original_end - start) as usize;
                self.originals.insert(page, super::spare::original(&buf[..original]));
                held += original;
            }
            let hi = (start + PAGE).min(end);
            buf[(lo - start) as usize..(hi - start) as usize]
                .copy_from_slice(&data[(lo - offset) as usize..(hi - offset) as usize]);
        }
        if let Some((scratch, _, _)) = spanned {
            SCRATCH.with(|kept| *kept.borrow_mut() = scratch);
        }
        self.len = self.len.max(end);
        Ok(held)
    }

    /// Overwrites bytes already in the shadow's pages (a stamp, at apply time).
    pub(super) fn patch(&mut self, offset: u64, bytes: &[u8]) {
        let mut done = 0;
        while done < bytes.len() {
            let at = offset + done as u64;
            let within = (at % PAGE) as usize;
            let n = (PAGE as usize - within).min(bytes.len() - done);
            if let Some(page) = self.pages.get_mut(at / PAGE) {
                page[within..within + n].copy_from_slice(&bytes[done..done + n]);
            }
            done += n;
        }
    }

    fn set_len(&mut self, len: u64) {
        if len < self.len {
            let first_gone = len.div_ceil(PAGE);
            self.pages.truncate_from(first_gone);
            if !len.is_multiple_of(PAGE) {
                if let Some(page) = self.pages.get_mut(len / PAGE) {
                    page[(len % PAGE) as usize..].fill(0);
                }
            }
            self.min_len = self.min_len.min(len);
        }
        self.len = len;
    }
}

/// One file on disk as a transaction reads it: through the pager's page cache.
pub(super) struct Disk<'a> {
    pub pager: &'a Pager,
    pub file: FileId,
}

impl Disk<'_> {
    pub(super) fn read(&self, buf: &mut [u8], offset: u64) -> Result<usize> {
        self.pager.cached_read(self.file, buf, offset)
    }
}

/// A write transaction's pending changes. Owned by the thread holding the write lock.
#[derive(Default)]
pub struct Txn {
    pub(super) shadows: PageMap<Shadow, FileId>,
    /// Set when an operation failed half-way: the transaction can only roll back.
    pub aborted: bool,
    /// Count of writes, so a failed operation can tell whether it changed anything.
    pub writes: u64,
    /// Bytes of pages and originals held in memory.
    pub(super) held: usize,
    /// The journal segments written so far, once there is one.
    pub(super) journal: Option<JournalState>,
    /// Files whose state must be recorded in another file when they are written:
    /// (source, target, offset in target). See [`Io::stamp_on_write`].
    pub(super) stamps: Vec<(FileId, FileId, u64)>,
    /// Files whose upkeep the layer above defers while this transaction lasts (index
    /// files during a bulk import, see `db::deferred`), with the bytes it holds back for
    /// each until it merges them in. Dropped with the transaction: a rollback needs
    /// nothing undone, and a commit is preceded by the merge.
    deferred: BTreeMap<FileId, Vec<u8>>,
    /// State the layer above keeps for as long as the transaction lasts (what a bulk
    /// import knows of FK targets, see `db::targets`): dropped with it, so nothing
    /// learnt in a transaction outlives it.
    attached: Option<Box<dyn Any + Send>>,
}

/// What a transaction has written to the journal.
#[derive(Clone, Copy)]
pub(super) struct JournalState {
    pub nonce: u64,
    /// Where the next segment goes.
    pub end: u64,
    /// The first segment's header, to put back if retiring it fails half-way (a failed
    /// write can leave part of it zeroed) before rolling back from the journal.
    pub first_header: [u8; super::journal::HEADER_LEN],
}

impl Txn {
    /// Whether some of this transaction's changes are on disk already (under a hot
    /// journal), so rolling it back means recovering from the journal.
    pub fn spilled(&self) -> bool {
        self.journal.is_some()
    }

    /// The shadow of `file`, made on first touch, and the file on disk to read it from.
    pub(super) fn shadow<'t>(
        &'t mut self,
        pager: &'t Pager,
        file: FileId,
    ) -> Result<(&'t mut Shadow, Disk<'t>)> {
        let shadow =
            self.shadows.get_or_try_insert_with(file, || Ok::<_, Error>(Shadow::new(pager.len(file)?)))?;
        Ok((shadow, Disk { pager, file }))
    }
}

/// How an operation reaches the transaction it writes in.
enum Access<'a> {
    /// A one-operation transaction, owned by the caller.
    Local(&'a mut Txn),
    /// The calling thread's open transaction. Each access locks it briefly, so an
    /// operation run from a callback of another (a condition that writes) shares it.
    Shared(&'a Mutex<Option<Txn>>),
}

/// Reads (and, with a transaction, writes) of one operation.
pub struct Io<'a> {
    pager: &'a Pager,
    access: Option<Access<'a>>,
    /// Index files this operation has found fresh already (see `db::indexes`).
    verified: Vec<FileId>,
}

fn lock(slot: &Mutex<Option<Txn>>) -> MutexGuard<'_, Option<Txn>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<'a> Io<'a> {
    pub fn reader(pager: &'a Pager) -> Io<'a> {
        Io { pager, access: None, verified: Vec::new() }
    }

    pub fn writer(pager: &'a Pager, txn: &'a mut Txn) -> Io<'a> {
        Io { pager, access: Some(Access::Local(txn)), verified: Vec::new() }
    }

    /// Reads and writes through the transaction in `slot` (a thread's open one).
    pub fn shared(pager: &'a Pager, slot: &'a Mutex<Option<Txn>>) -> Io<'a> {
        Io { pager, access: Some(Access::Shared(slot)), verified: Vec::new() }
    }

    pub fn path(&self, file: FileId) -> &'a Path {
        self.pager.path(file)
    }

    /// Whether this operation can write (it runs in a transaction).
    pub fn can_write(&self) -> bool {
        self.access.is_some()
    }

    /// What the file is on disk now (its length there, modification time, identity) —
    /// not as the transaction sees it.
    pub fn disk_stat(&self, file: FileId) -> Result<FileStat> {
        self.pager.disk_stat(file)
    }

    /// Whether this operation already found `file` (an index) fresh.
    pub fn verified(&self, file: FileId) -> bool {
        self.verified.contains(&file)
    }

    pub fn mark_verified(&mut self, file: FileId) {
        self.verified.push(file);
    }

    /// Whether an earlier operation of this handle found index file `index` fresh against
    /// data file `data`, and neither changed since but through this handle (which keeps
    /// them in step).
    pub fn known_fresh(&self, index: FileId, data: FileId) -> bool {
        self.pager.known_fresh(index, data)
    }

    /// Records that `index` describes `data` as they are, for this operation and (while
    /// the pager can tell that neither changed) the ones after it.
    pub fn mark_fresh(&mut self, index: FileId, data: FileId) {
        self.verified.push(index);
        self.pager.mark_fresh(index, data);
    }

    /// Runs `f` on the transaction, if there is one.
    fn with<R>(&mut self, f: impl FnOnce(&Pager, &mut Txn) -> R) -> Option<R> {
        let pager = self.pager;
        match self.access.as_mut()? {
            Access::Local(txn) => Some(f(pager, txn)),
            Access::Shared(slot) => lock(slot).as_mut().map(|txn| f(pager, txn)),
        }
    }

    fn with_ref<R>(&self, f: impl FnOnce(&Txn) -> R) -> Option<R> {
        match self.access.as_ref()? {
            Access::Local(txn) => Some(f(txn)),
            Access::Shared(slot) => lock(slot).as_ref().map(f),
        }
    }

    /// The file's length as this operation sees it.
    pub fn len(&mut self, file: FileId) -> Result<u64> {
        let shadowed = self.with_ref(|txn| txn.shadows.get(file).map(|shadow| shadow.len)).flatten();
        match shadowed {
            Some(len) => Ok(len),
            None => self.pager.len(file),
        }
    }

    /// Reads up to `buf.len()` bytes at `offset`; returns how many there were.
    pub fn read_at(&self, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        let pager = self.pager;
        let in_txn = self.with_ref(|txn| {
            let disk = Disk { pager, file };
            txn.shadows.get(file).map(|shadow| shadow.read(&disk, buf, offset))
        });
        match in_txn.flatten() {
            Some(result) => result,
            None => pager.cached_read(file, buf, offset),
        }
    }

    /// Changes a file in the transaction; a reader has none, which is a bug upstream
    /// (writes always run in a transaction) reported as an aborted one.
    fn change(&mut self, file: FileId, f: impl FnOnce(&Disk, &mut Shadow) -> Result<usize>) -> Result<()> {
        let outcome = self.with(|pager, txn| {
            txn.writes += 1;
            let (shadow, disk) = txn.shadow(pager, file)?;
            let held = f(&disk, shadow)?;
            txn.held += held;
            if txn.held > pager.spill_at() {
                pager.spill(txn)?;
            }
            Ok(())
        });
        // A match, not `unwrap_or(Err(…))`: that builds and drops an error on every write.
        match outcome {
            Some(result) => result,
            None => Err(Error::TransactionAborted),
        }
    }

    pub fn write_at(&mut self, file: FileId, data: &[u8], offset: u64) -> Result<()> {
        self.change(file, |disk, shadow| shadow.write(disk, data, offset))
    }

    /// Asks that whenever this transaction writes `source` to disk, `source`'s state
    /// (a [`Stamp`](super::vfs::Stamp)) be written into `target` at `at` — known only
    /// once the data is written, so the pager does it as it applies the pages.
    pub fn stamp_on_write(&mut self, source: FileId, target: FileId, at: u64) -> Result<()> {
        let registered = self.with(|_, txn| {
            if !txn.stamps.contains(&(source, target, at)) {
                txn.stamps.push((source, target, at));
            }
        });
        registered.ok_or(Error::TransactionAborted)
    }

    /// Marks `file` as one whose upkeep is deferred until the transaction ends (see
    /// [`Txn`]'s `deferred`); a reader has no transaction to defer in.
    pub fn defer(&mut self, file: FileId) -> Result<()> {
        let marked = self.with(|_, txn| {
            txn.deferred.entry(file).or_default();
        });
        marked.ok_or(Error::TransactionAborted)
    }

    /// Whether `file`'s upkeep is deferred in this transaction.
    pub fn is_deferred(&self, file: FileId) -> bool {
        self.with_ref(|txn| txn.deferred.contains_key(&file)).unwrap_or(false)
    }

    /// Holds `bytes` back for deferred `file`; returns how many it holds now. Counts as a
    /// write: an operation that fails after it leaves the transaction aborted.
    pub fn hold(&mut self, file: FileId, bytes: &[u8]) -> Result<usize> {
        let held = self.with(|_, txn| {
            txn.writes += 1;
            let held = txn.deferred.entry(file).or_default();
            held.extend_from_slice(bytes);
            held.len()
        });
        held.ok_or(Error::TransactionAborted)
    }

    /// Takes what is held back for `file` (which stays deferred).
    pub fn take_held(&mut self, file: FileId) -> Vec<u8> {
        self.with(|_, txn| txn.deferred.get_mut(&file).map(std::mem::take).unwrap_or_default())
            .unwrap_or_default()
    }

    /// The deferred files holding something back.
    pub fn holding(&self) -> Vec<FileId> {
        self.with_ref(|txn| txn.deferred.iter().filter(|(_, b)| !b.is_empty()).map(|(&f, _)| f).collect())
            .unwrap_or_default()
    }

    /// Runs `f` on the transaction's attached state of type `T` (made on first use);
    /// `None` without a transaction.
    pub fn attached<T: Any + Send + Default, R>(&mut self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.with(|_, txn| {
            if !txn.attached.as_ref().is_some_and(|a| a.is::<T>()) {
                txn.attached = Some(Box::new(T::default()));
            }
            txn.attached.as_mut().and_then(|a| a.downcast_mut::<T>()).map(f)
        })
        .flatten()
    }

    /// Makes `bytes` the whole of `file` (a write and a truncation in one change).
    pub fn replace(&mut self, file: FileId, bytes: &[u8]) -> Result<()> {
        self.change(file, |disk, shadow| {
            let held = shadow.write(disk, bytes, 0)?;
            shadow.set_len(bytes.len() as u64);
            Ok(held)
        })
    }

    pub fn set_len(&mut self, file: FileId, len: u64) -> Result<()> {
        self.change(file, |_, shadow| {
            shadow.set_len(len);
            Ok(0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stamp patched across a page boundary lands in both pages held, and in no page
    /// the shadow does not hold.
    #[test]
    fn a_patch_spanning_pages_changes_the_held_ones_only() {
        let mut shadow = Shadow::new(3 * PAGE);
        shadow.pages.insert(0, vec![0u8; PAGE as usize].into_boxed_slice());
        shadow.pages.insert(2, vec![0u8; PAGE as usize].into_boxed_slice());
        let bytes: Vec<u8> = (1..=8).collect();
        shadow.patch(PAGE - 4, &bytes);
        shadow.patch(2 * PAGE - 2, &bytes[..4]);
        let page = |p: u64| shadow.pages.get(p).map(|b| b.to_vec());
        assert_eq!(page(0).map(|b| b[PAGE as usize - 4..].to_vec()), Some(vec![1, 2, 3, 4]));
        assert_eq!(page(1), None);
        assert_eq!(page(2).map(|b| b[..2].to_vec()), Some(vec![3, 4]));
        assert!(page(2).is_some_and(|b| b[2..].iter().all(|&x| x == 0)));
    }
}
