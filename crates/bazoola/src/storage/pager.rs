//! The open files of a database, and committing write transactions to them.
//!
//! Reads outside a transaction go straight to the files. A write transaction ([`Txn`])
//! keeps its changes as dirty pages in memory (see [`super::txn`]) and reaches the files
//! through journal *segments* ([`super::journal`]). Writing a segment is, in order:
//!
//! 1. append to the journal the length every newly touched file had before the
//!    transaction, and the original bytes of every dirty page (and of any tail cut off)
//!    not journaled before — one `pwrite` for a small transaction; `fdatasync` in `full`;
//! 2. write the dirty pages and set the lengths: a `pwrite` per run of adjacent pages,
//!    runs a few pages apart joined by the bytes between them as the cache holds them
//!    (see [`BRIDGE_MAX`]).
//!
//! Commit writes the last segment, then (in `full`) makes the data durable, then
//! *retires* the journal (one `pwrite`; `fdatasync` in `full`). A transaction whose
//! pages outgrow [`DEFAULT_TXN_MEMORY`] (or the limit set at open) writes a segment early —
//! a *spill* — so a rewrite of a million rows needs no more memory than one of a
//! hundred. A crash at any moment after the first segment leaves a hot journal that
//! undoes everything on disk; a failure during commit is undone at once the same way.
//! Holding changes until commit also batches a thousand inserts into one journal write
//! and a few data writes.
//!
//! The pager keeps the pages it reads between operations ([`PageCache`]), with the files'
//! lengths and whether the journal is clean. Another process may change the files
//! whenever this one does not hold the lock, so each time it takes the lock afresh it
//! *looks* ([`Pager::look`]): with a [`DirWatch`] on the directory, it forgets just the
//! files the watch saw written (usually none, for one system call); without one, it
//! forgets everything and checks the files as they are. What a commit writes goes into
//! the cache as it goes to the files, and the watch's events for those writes are taken
//! as this handle's own before the lock is released.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use std::ffi::OsStr;
use std::sync::MutexGuard;

use super::cache::PageCache;
use super::journal::{SegmentWriter, HEADER_LEN};
use super::recovery;
use super::txn::{JournalState, Shadow, Txn};
use super::vfs::{DirChange, DirStamp, DirWatch, FileIdentity, FileIo, FileStat, Stamp, Vfs, STAMP_LEN};
use crate::error::{Error, IoError, IoOp, Result};
use crate::format::constants::{JOURNAL_FILE, SCHEMA_SUFFIX};

/// How hard a commit works to survive failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SyncMode {
    /// Survives power loss: journal durable before data is touched, data durable before
    /// the journal is retired.
    Full,
    /// Survives the process dying at any point (kill -9), with no `fsync` per commit.
    #[default]
    Normal,
    /// No journal: a crash mid-write can leave a partial change. (A transaction large
    /// enough to spill is still journaled, so that it can be rolled back.)
    Off,
}

impl SyncMode {
    /// Reads `full`, `normal` or `off`, in any case; `None` for anything else.
    pub fn parse(text: &str) -> Option<SyncMode> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Some(SyncMode::Full),
            "normal" => Some(SyncMode::Normal),
            "off" => Some(SyncMode::Off),
            _ => None,
        }
    }
}

/// Index of an open file in the pager.
pub type FileId = usize;

/// Granularity of shadow copies and of journaled regions.
pub const PAGE: u64 = 512;

/// How many bytes of dirty pages a transaction holds before it spills them.
pub const DEFAULT_TXN_MEMORY: usize = 16 << 20;

/// The most bytes one journal record copies from a file at once.
const COPY_CHUNK: u64 = 1 << 20;

/// The widest gap between two dirty runs of one file that a commit fills with the bytes
/// already there (from the cache) to write both in one `pwrite`. A B+tree node changed
/// at its head (the entry count) and where an entry went in or out is two runs a few
/// pages apart; copying up to a node's worth of unchanged bytes costs less than the
/// second system call, and the watch event it would queue.
const BRIDGE_MAX: u64 = 4096;

struct OpenFile {
    name: String,
    path: PathBuf,
    io: Box<dyn FileIo>,
    /// The file the handle refers to, as last checked.
    identity: Mutex<Option<FileIdentity>>,
    /// For a schema file: the content the database was opened with. Replaced by other
    /// content, it means the schema changed under this handle ([`Pager::revalidate`]).
    watched: Option<Vec<u8>>,
}

/// What [`Pager::revalidate`] last saw of the directory.
#[derive(Default)]
struct DirSeen {
    stamp: Option<DirStamp>,
    /// The stamp was too close to the time it was read to trust: a rename in the same
    /// clock tick would not have moved it, so the next check looks at every file.
    racy: bool,
}

/// A directory change this recent (relative to when it is seen) might hide another in
/// the same timestamp tick: one tick of the kernel's coarse clock (at most 10 ms). On
/// Linux 6.13 and later (multigrain timestamps on ext4, xfs, btrfs, tmpfs) a change after
/// our `stat` always gets a later time, so even this window is only a safety margin; on
/// filesystems that keep whole seconds a replacement within that second can be missed.
const RACY_NS: i128 = 10_000_000;

/// What this handle knows of the directory beyond the pages it holds, true as of its
/// last look (and kept true by its own writes).
#[derive(Default)]
struct Known {
    /// The journal holds nothing to roll back.
    journal_clean: bool,
    /// Index files found to describe their tables' data files: (index, data file).
    fresh: Vec<(FileId, FileId)>,
    /// Names in the directory changed (seen while taking in a commit's own events), so
    /// the next look checks which files the names are.
    renamed: bool,
    /// The watch's events this handle's last commit will have caused, in order, each
    /// run of the same one counted once as the kernel merges them: the file written
    /// (`None`: the journal). The next look takes them as its own (see [`Pager::look`]).
    expected: Vec<Option<FileId>>,
}

pub struct Pager {
    dir: PathBuf,
    vfs: Arc<dyn Vfs>,
    files: Vec<OpenFile>,
    journal: Box<dyn FileIo>,
    journal_path: PathBuf,
    sync: SyncMode,
    spill_at: usize,
    seen: Mutex<DirSeen>,
    /// Whether a schema file appearing in the directory (a table created by another
    /// process) means the schema changed: for a handle that opened every table there.
    watch_new_tables: bool,
    /// Pages read and written, kept between operations while they are known true.
    cache: Mutex<PageCache>,
    /// What tells this pager which files changed between its locks, if anything can.
    dir_watch: Option<Box<dyn DirWatch>>,
    known: Mutex<Known>,
}

fn io_error(path: &Path, op: IoOp) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io(IoError { path: path.to_path_buf(), op, source })
}

impl Pager {
    /// Opens the pager of `dir`. With `watch`, it asks the `Vfs` to watch the directory,
    /// and keeps pages between operations for as long as the watch sees no change to
    /// their file; without (or when the `Vfs` cannot), it checks the files under every
    /// lock.
    pub fn open(
        dir: &Path,
        vfs: Arc<dyn Vfs>,
        sync: SyncMode,
        spill_at: usize,
        watch: bool,
    ) -> Result<Pager> {
        // Watching starts before anything is read, so no change goes unseen. A watch that
        // cannot be had costs speed, not correctness: the pager then checks the files.
        let dir_watch = if watch { vfs.watch(dir).ok().flatten() } else { None };
        let journal_path = dir.join(JOURNAL_FILE);
        let journal = vfs.open(&journal_path).map_err(io_error(&journal_path, IoOp::Open))?;
        let seen = Mutex::default();
        Ok(Pager {
            dir: dir.to_path_buf(),
            vfs,
            files: Vec::new(),
            journal,
            journal_path,
            sync,
            spill_at,
            seen,
            watch_new_tables: false,
            cache: Mutex::default(),
            dir_watch,
            known: Mutex::default(),
        })
    }

    pub(super) fn cache(&self) -> MutexGuard<'_, PageCache> {
        // The cache is only ever changed whole-page by whole-page; after a panic while it
        // was held, dropping everything is the safe way on.
        self.cache.lock().unwrap_or_else(|poisoned| {
            let mut cache = poisoned.into_inner();
            cache.clear();
            self.cache.clear_poison();
            cache
        })
    }

    fn known(&self) -> MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets every page, length and fact kept: the files may all have changed.
    fn forget_all(&self) {
        self.cache().clear();
        *self.known() = Known::default();
    }

    /// Brings what this pager keeps up to date with the files, as it takes the lock
    /// afresh (no other operation of this handle is running): forgets the files that
    /// changed since it last looked, and re-opens replaced ones. With a watch that saw
    /// nothing, that is one system call.
    pub fn look(&self) -> Result<()> {
        let Some(watch) = &self.dir_watch else {
            self.forget_all();
            return self.revalidate();
        };
        let (mut lost, mut renamed) = (false, false);
        {
            let mut cache = self.cache();
            let mut known = self.known();
            // The events of this handle's last commit come first, in the order it wrote;
            // what follows (or differs) is another writer's.
            let expected = std::mem::take(&mut known.expected);
            let mut own = expected.iter().peekable();
            watch
                .changes(&mut |change| match change {
                    DirChange::Written(name) => {
                        let who = if name == OsStr::new(JOURNAL_FILE) {
                            Some(None)
                        } else {
                            self.file_named(name).map(Some)
                        };
                        if who.is_some() && own.peek().copied() == who.as_ref() {
                            own.next();
                            return;
                        }
                        own = [].iter().peekable();
                        self.changed(name, &mut cache, &mut known);
                    }
                    DirChange::Renamed(name) => {
                        own = [].iter().peekable();
                        renamed = true;
                        self.changed(name, &mut cache, &mut known);
                    }
                    DirChange::Lost => lost = true,
                })
                .map_err(io_error(&self.dir, IoOp::Read))?;
            renamed |= std::mem::take(&mut known.renamed);
            // The list's buffer serves the next commit.
            let mut expected = expected;
            expected.clear();
            known.expected = expected;
        }
        if lost {
            self.forget_all();
        }
        if lost || renamed {
            // Look at every file, whatever the directory's stamp says.
            self.seen.lock().unwrap_or_else(|p| p.into_inner()).stamp = None;
            self.revalidate()?;
        }
        Ok(())
    }

    /// Forgets what is kept of the file named `name`, which another writer changed. Any
    /// such change makes the journal's state unknown too: that writer's first journal
    /// write may have been merged into this handle's last one (the kernel merges an event
    /// into the one before it when they are the same), and only its later writes show.
    fn changed(&self, name: &OsStr, cache: &mut PageCache, known: &mut Known) {
        known.journal_clean = false;
        if let Some(file) = self.file_named(name) {
            cache.forget(file);
            known.fresh.retain(|&(index, data)| index != file && data != file);
        }
    }

    /// Notes that this handle's commit wrote `file` (`None`: the journal), for the next
    /// look to recognise the event as its own.
    fn expect(&self, file: Option<FileId>) {
        if self.dir_watch.is_some() {
            let mut known = self.known();
            if known.expected.last() != Some(&file) {
                known.expected.push(file);
            }
        }
    }

    fn file_named(&self, name: &OsStr) -> Option<FileId> {
        self.files.iter().position(|f| OsStr::new(&f.name) == name)
    }

    /// Takes in the watch's events for what this handle's commit just wrote (the files of
    /// `txn`, and the journal), before the lock is released: they are its own, and the
    /// cache holds what they wrote. Anything else the watch saw is another writer's.
    fn take_own_events(&self, txn: &Txn) {
        let Some(watch) = &self.dir_watch else { return };
        let mut lost = false;
        let mut cache = self.cache();
        let mut known = self.known();
        known.expected.clear();
        let seen = watch.changes(&mut |change| match change {
            DirChange::Written(name) if name == OsStr::new(JOURNAL_FILE) => {}
            DirChange::Written(name) => {
                if self.file_named(name).is_none_or(|file| !txn.shadows.contains(file)) {
                    self.changed(name, &mut cache, &mut known);
                }
            }
            DirChange::Renamed(name) => {
                known.renamed = true;
                self.changed(name, &mut cache, &mut known);
            }
            DirChange::Lost => lost = true,
        });
        if lost || seen.is_err() {
            cache.clear();
            *known = Known { renamed: true, ..Known::default() };
        }
    }

    /// Whether index `index` was found to describe data file `data`, and neither file
    /// changed since.
    pub fn known_fresh(&self, index: FileId, data: FileId) -> bool {
        self.known().fresh.contains(&(index, data))
    }

    /// Records that index `index` describes data file `data` (with a watch to say when
    /// that stops being known).
    pub fn mark_fresh(&self, index: FileId, data: FileId) {
        if self.dir_watch.is_some() {
            let mut known = self.known();
            if !known.fresh.contains(&(index, data)) {
                known.fresh.push((index, data));
            }
        }
    }

    /// Opens (creating if missing) a file of the directory; returns its id.
    pub fn add_file(&mut self, name: &str) -> Result<FileId> {
        let path = self.dir.join(name);
        let io = self.vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
        let identity = Mutex::new(io.identity().map_err(io_error(&path, IoOp::Read))?);
        self.files.push(OpenFile { name: name.to_string(), path, io, identity, watched: None });
        Ok(self.files.len() - 1)
    }

    /// Treats a new schema file in the directory as a change of schema (see
    /// [`Pager::revalidate`]).
    pub fn watch_new_tables(&mut self) {
        self.watch_new_tables = true;
    }

    /// Watches a schema file, as it is now: if another process (or a hand edit)
    /// replaces it with something else, operations stop with [`Error::SchemaChanged`]
    /// rather than read or write rows of a layout that is no longer there.
    pub fn watch(&mut self, name: &str) -> Result<()> {
        let file = self.add_file(name)?;
        let content = self.read_whole(&self.files[file].path)?;
        self.files[file].watched = Some(content);
        Ok(())
    }

    /// Re-opens any file that was replaced since the last look (a rename over it, as
    /// `sed -i` and many editors save), so that reads see and writes reach the file
    /// that is there now. Called when this process takes the lock: no operation of
    /// ours is running then. One `stat` of the directory when nothing changed.
    pub fn revalidate(&self) -> Result<()> {
        let stamp = self.vfs.dir_stamp(&self.dir).map_err(io_error(&self.dir, IoOp::Read))?;
        let Some(stamp) = stamp else { return Ok(()) };
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.stamp == Some(stamp) && !seen.racy {
            return Ok(());
        }
        if self.watch_new_tables {
            self.look_for_new_tables()?;
        }
        // Schema files first: if one changed, nothing else is reopened (a dropped
        // table's files are not to be created again).
        let (watched, others): (Vec<&OpenFile>, Vec<&OpenFile>) =
            self.files.iter().partition(|f| f.watched.is_some());
        for f in watched.into_iter().chain(others) {
            let now = self.vfs.identity(&f.path).map_err(io_error(&f.path, IoOp::Read))?;
            let mut known = f.identity.lock().unwrap_or_else(|p| p.into_inner());
            if now.is_some() && now != *known || now.is_none() && known.is_some() {
                if let Some(content) = &f.watched {
                    if now.is_none() || self.read_whole(&f.path)? != *content {
                        return Err(Error::SchemaChanged { dir: self.dir.clone(), file: f.name.clone() });
                    }
                }
                f.io.reopen(&f.path).map_err(io_error(&f.path, IoOp::Open))?;
                *known = f.io.identity().map_err(io_error(&f.path, IoOp::Read))?;
                let id = self.files.iter().position(|g| std::ptr::eq(g, f)).unwrap_or(usize::MAX);
                self.cache().forget(id);
                self.known().fresh.retain(|&(index, data)| index != id && data != id);
            }
        }
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        seen.racy = now_ns - stamp.changed_ns.max(stamp.modified_ns) < RACY_NS;
        seen.stamp = Some(stamp);
        Ok(())
    }

    /// Fails with [`Error::SchemaChanged`] if the directory holds a schema file this
    /// pager does not watch: a table created since it opened.
    fn look_for_new_tables(&self) -> Result<()> {
        let entries = std::fs::read_dir(&self.dir).map_err(io_error(&self.dir, IoOp::ListDir))?;
        for entry in entries {
            let entry = entry.map_err(io_error(&self.dir, IoOp::ListDir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let is_schema = name.ends_with(SCHEMA_SUFFIX) && !name.starts_with('.');
            if is_schema && !self.files.iter().any(|f| f.watched.is_some() && f.name == name) {
                return Err(Error::SchemaChanged { dir: self.dir.clone(), file: name.to_string() });
            }
        }
        Ok(())
    }

    /// The whole content of the file at `path` (a schema file: a few hundred bytes).
    fn read_whole(&self, path: &Path) -> Result<Vec<u8>> {
        let file = self.vfs.open(path).map_err(io_error(path, IoOp::Open))?;
        let len = file.len().map_err(io_error(path, IoOp::Read))?;
        let mut content = vec![0u8; len.min(1 << 20) as usize];
        let n = file.read_at(&mut content, 0).map_err(io_error(path, IoOp::Read))?;
        content.truncate(n);
        Ok(content)
    }

    /// Gives a file its initial content if it is empty — how a new sequence file gets
    /// its `0`. Happens at open, under the exclusive lock, outside any transaction.
    pub fn init_if_empty(&self, file: FileId, body: &[u8]) -> Result<()> {
        if self.disk_len(file)? == 0 {
            let f = &self.files[file];
            f.io.write_all_at(body, 0).map_err(io_error(&f.path, IoOp::Write))?;
            self.cache().forget(file);
        }
        Ok(())
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.files[file].path
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn vfs(&self) -> &dyn Vfs {
        self.vfs.as_ref()
    }

    /// The journal, for a whole-file change ([`super::change`]) to write and roll back
    /// itself: from here on nothing kept is trusted.
    pub(super) fn journal(&self) -> (&dyn FileIo, &Path) {
        self.forget_all();
        (self.journal.as_ref(), &self.journal_path)
    }

    pub(super) fn spill_at(&self) -> usize {
        self.spill_at
    }

    /// Whether a crashed writer left a journal to roll back.
    pub fn journal_is_hot(&self) -> Result<bool> {
        if self.known().journal_clean {
            return Ok(false);
        }
        let mut header = [0u8; HEADER_LEN];
        let n = self.journal.read_at(&mut header, 0).map_err(io_error(&self.journal_path, IoOp::Read))?;
        let hot = super::journal::Header::decode(&header[..n]) != super::journal::HeaderState::Clean;
        if !hot && self.dir_watch.is_some() {
            self.known().journal_clean = true;
        }
        Ok(hot)
    }

    /// Rolls back a hot journal. The caller holds the exclusive lock.
    pub fn recover(&self) -> Result<bool> {
        if self.known().journal_clean {
            return Ok(false);
        }
        let outcome = recovery::recover(
            &self.dir,
            self.vfs.as_ref(),
            self.journal.as_ref(),
            self.sync == SyncMode::Full,
        );
        if !matches!(outcome, Ok(false)) {
            // Files were put back (or may have been, part of the way).
            self.forget_all();
        }
        if outcome.is_ok() && self.dir_watch.is_some() {
            self.known().journal_clean = true;
        }
        outcome
    }

    pub(super) fn disk_len(&self, file: FileId) -> Result<u64> {
        let f = &self.files[file];
        f.io.len().map_err(io_error(&f.path, IoOp::Read))
    }

    /// The length of `file` on disk: as kept, or from a `stat` (then kept).
    pub(super) fn len(&self, file: FileId) -> Result<u64> {
        if let Some(len) = self.cache().known_len(file) {
            return Ok(len);
        }
        let len = self.disk_len(file)?;
        self.cache().learn_len(file, len);
        Ok(len)
    }

    /// Reads from `file` on disk through the cache.
    pub(super) fn cached_read(&self, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        self.cache().read(self, file, buf, offset)
    }

    pub(super) fn disk_stat(&self, file: FileId) -> Result<FileStat> {
        let f = &self.files[file];
        f.io.stat().map_err(io_error(&f.path, IoOp::Read))
    }

    pub(super) fn disk_read(&self, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        let f = &self.files[file];
        f.io.read_at(buf, offset).map_err(io_error(&f.path, IoOp::Read))
    }

    /// Writes a transaction's changes to the files, journaled as the sync mode asks.
    /// An aborted transaction is rolled back instead.
    pub fn commit(&self, mut txn: Txn) -> Result<()> {
        if txn.aborted {
            self.discard(txn)?;
            return Err(Error::TransactionAborted);
        }
        if txn.shadows.is_empty() {
            return Ok(());
        }
        let journaled = self.sync != SyncMode::Off || txn.spilled();
        let full = self.sync == SyncMode::Full;
        let outcome = (|| {
            if journaled {
                self.write_segment(&mut txn, true)?;
            }
            self.apply(&mut txn)?;
            if full {
                for (file, _) in txn.shadows.iter() {
                    let f = &self.files[file];
                    f.io.sync().map_err(io_error(&f.path, IoOp::Sync))?;
                }
            }
            if let Some(journal) = txn.journal.filter(|_| journaled) {
                recovery::retire(self.journal.as_ref(), &self.journal_path, full, journal.end)?;
                self.expect(None);
            }
            Ok(())
        })();
        match &outcome {
            Ok(()) => {
                if txn.journal.is_some() {
                    // The last event is the journal's retirement, which no other writer's
                    // data write can merge into: the next look sorts the events out.
                    if self.dir_watch.is_some() {
                        self.known().journal_clean = true;
                    }
                } else {
                    // Unjournaled, the last event is a data file's, into which another
                    // writer's next write to it would merge: take them in now.
                    self.take_own_events(&txn);
                }
            }
            Err(_) => {
                // Part of the data may have reached the disk: put the old bytes back now
                // from the journal. If that fails too, the journal stays hot and the next
                // lock holder rolls it back. Either way nothing kept is known true.
                let _ = self.undo(&txn);
                self.forget_all();
            }
        }
        outcome
    }

    /// Rolls a transaction back: its pages are dropped, and whatever a spill put on
    /// disk is undone from the journal.
    pub fn discard(&self, txn: Txn) -> Result<()> {
        if txn.spilled() {
            self.undo(&txn)?;
        }
        Ok(())
    }

    /// Rolls back what `txn` put on disk, from its journal segments. The first header
    /// is written again first: a retirement that failed half-way may have zeroed part
    /// of it.
    fn undo(&self, txn: &Txn) -> Result<()> {
        self.known().journal_clean = false;
        if let Some(journal) = txn.journal {
            self.journal
                .write_all_at(&journal.first_header, 0)
                .map_err(io_error(&self.journal_path, IoOp::Write))?;
        }
        self.recover().map(|_| ())
    }

    /// Writes the transaction's pages out early, under a journal segment, and goes on
    /// from the new disk state.
    pub(super) fn spill(&self, txn: &mut Txn) -> Result<()> {
        self.write_segment(txn, false)?;
        self.apply(txn)
    }

    /// Makes sure every stamp whose source this segment writes has its target's bytes in
    /// the shadow, so their original is journaled before [`Pager::apply`] patches them.
    fn touch_stamp_targets(&self, txn: &mut Txn) -> Result<()> {
        let wanted: Vec<(FileId, u64)> = txn
            .stamps
            .iter()
            .filter(|(source, _, _)| txn.shadows.get(*source).is_some_and(Shadow::dirty))
            .map(|&(_, target, at)| (target, at))
            .collect();
        for (target, at) in wanted {
            let (shadow, disk) = txn.shadow(self, target)?;
            // A short file reads as zeros: the stamp is written in full either way.
            let mut bytes = [0u8; STAMP_LEN];
            shadow.read(&disk, &mut bytes, at)?;
            let held = shadow.write(&disk, &bytes, at)?;
            txn.held += held;
        }
        Ok(())
    }

    /// Appends a journal segment with what the files hold under the transaction's
    /// dirty state and was not journaled before (step 1 of the module doc). `last`: the
    /// transaction ends with this segment (a commit's), so which pages it journaled is
    /// asked only by its own cut tail, below, and not recorded for files without one.
    fn write_segment(&self, txn: &mut Txn, last: bool) -> Result<()> {
        self.touch_stamp_targets(txn)?;
        // From here until the journal is retired, it may be hot.
        self.known().journal_clean = false;
        let (nonce, start) = txn.journal.map_or_else(|| (next_nonce(), 0), |j| (j.nonce, j.end));
        let journal_error = io_error(&self.journal_path, IoOp::Write);
        // Originals and cut tails, and a record head (under 64 bytes with its name) per
        // run and file.
        let expected: usize = txn
            .shadows
            .values()
            .map(|s| {
                let tail = s.txn_len.min(s.disk_len).saturating_sub(s.min_len).min(COPY_CHUNK) as usize;
                s.originals.values().map(|o| o.len() + 64).sum::<usize>() + tail + 128
            })
            .sum();
        let mut segment = SegmentWriter::with_capacity(self.journal.as_ref(), start, nonce, expected);
        let mut write = || -> Result<()> {
            for (file, shadow) in txn.shadows.iter_mut() {
                let name = &self.files[file].name;
                let put = |e| io_error(&self.journal_path, IoOp::Write)(e);
                if !shadow.length_journaled {
                    segment.length(name, shadow.txn_len).map_err(put)?;
                    shadow.length_journaled = true;
                }
                let tail_end = shadow.txn_len.min(shadow.disk_len);
                let record = !last || shadow.min_len < tail_end;
                // Originals captured when pages were first dirtied, in runs of adjacent pages.
                let mut originals = std::mem::take(&mut shadow.originals);
                let mut pages = originals.iter().peekable();
                while let Some(&(first, _)) = pages.peek() {
                    // The run's length first (its record head says it), then its bytes.
                    let (mut len, mut count) = (0, 0);
                    for (page, data) in originals.range(first, u64::MAX) {
                        if page != first + count {
                            break;
                        }
                        len += data.len();
                        count += 1;
                    }
                    segment.begin_bytes(name, first * PAGE, len as u32).map_err(put)?;
                    for (page, data) in pages.by_ref().take(count as usize) {
                        segment.put(data).map_err(put)?;
                        if record {
                            shadow.journaled.insert(page, ());
                        }
                    }
                }
                super::spare::give_originals(originals.drain_values());
                // A tail cut off since the last segment: whole pages, as the disk has
                // them. (Nothing is cut when the smallest length reached the file's
                // end: an append journals only the length.)
                let mut page = shadow.min_len / PAGE;
                while shadow.min_len < tail_end && page * PAGE < tail_end {
                    if shadow.journaled.contains(page) {
                        page += 1;
                        continue;
                    }
                    let start = page * PAGE;
                    let mut end = start;
                    while end < tail_end && end - start < COPY_CHUNK && !shadow.journaled.contains(end / PAGE)
                    {
                        shadow.journaled.insert(end / PAGE, ());
                        end = (end + PAGE).min(tail_end);
                    }
                    // The cache holds what the disk does until `apply` writes.
                    let mut data = vec![0u8; (end - start) as usize];
                    let n = self.cached_read(file, &mut data, start)?;
                    segment.begin_bytes(name, start, n as u32).map_err(put)?;
                    segment.put(&data[..n]).map_err(put)?;
                    page = end.div_ceil(PAGE);
                }
            }
            Ok(())
        };
        write()?;
        let (end, header) = segment.finish().map_err(journal_error)?;
        self.expect(None);
        let first_header = txn.journal.map_or(header, |j| j.first_header);
        txn.journal = Some(JournalState { nonce, end, first_header });
        txn.held = txn.shadows.values().map(|s| s.pages.len() * PAGE as usize).sum();
        if self.sync == SyncMode::Full {
            self.journal.sync().map_err(io_error(&self.journal_path, IoOp::Sync))?;
        }
        Ok(())
    }

    /// Writes the dirty pages and lengths to the files; the shadows then start afresh
    /// over the new disk state. Stamp targets go last: each gets its sources' state as
    /// written.
    fn apply(&self, txn: &mut Txn) -> Result<()> {
        // An index whose data file this writes without stamping it is not known to
        // describe it any more.
        self.known().fresh.retain(|&(index, data)| {
            !txn.shadows.get(data).is_some_and(Shadow::dirty)
                || txn.stamps.iter().any(|&(source, target, _)| source == data && target == index)
        });
        let is_target = |txn: &Txn, file: FileId| txn.stamps.iter().any(|&(_, target, _)| target == file);
        // One buffer for the runs of adjacent pages of every file.
        let most = txn.shadows.values().map(|s| s.pages.len()).max().unwrap_or_default();
        let mut run = super::spare::take((most * PAGE as usize).min(COPY_CHUNK as usize));
        let mut next = txn.shadows.iter().next().map(|(f, _)| f);
        while let Some(file) = next {
            if !is_target(txn, file) {
                self.apply_file(txn, file, &mut run)?;
            }
            next = txn.shadows.range(file + 1, FileId::MAX).next().map(|(f, _)| f);
        }
        // One `stat` per source, however many indexes it stamps (its files are all
        // written by now).
        let mut stamped: Option<(FileId, [u8; STAMP_LEN])> = None;
        for &(source, target, at) in &txn.stamps {
            let Some(shadow) = txn.shadows.get_mut(target) else { continue };
            if !shadow.dirty() {
                continue;
            }
            let stamp = match stamped {
                Some((file, stamp)) if file == source => stamp,
                _ => {
                    let f = &self.files[source];
                    let stat = f.io.stat().map_err(io_error(&f.path, IoOp::Read))?;
                    Stamp::of(&stat).encode()
                }
            };
            stamped = Some((source, stamp));
            shadow.patch(at, &stamp);
        }
        let mut next = txn.shadows.iter().next().map(|(f, _)| f);
        while let Some(file) = next {
            if is_target(txn, file) {
                self.apply_file(txn, file, &mut run)?;
            }
            next = txn.shadows.range(file + 1, FileId::MAX).next().map(|(f, _)| f);
        }
        super::spare::give(run);
        txn.held = 0;
        Ok(())
    }

    /// Writes one file's dirty pages, in runs of adjacent pages gathered in `run`.
    fn apply_file(&self, txn: &mut Txn, file: FileId, run: &mut Vec<u8>) -> Result<()> {
        {
            let Some(shadow) = txn.shadows.get_mut(file) else { return Ok(()) };
            let f = &self.files[file];
            if shadow.min_len < shadow.disk_len {
                f.io.set_len(shadow.min_len).map_err(io_error(&f.path, IoOp::Truncate))?;
            }
            if shadow.dirty() {
                self.expect(Some(file));
            }
            let mut size = shadow.min_len.min(shadow.disk_len);
            run.clear();
            let mut run_start = 0;
            let flush = |run: &mut Vec<u8>, run_start: u64, size: &mut u64| -> Result<()> {
                if !run.is_empty() {
                    f.io.write_all_at(run, run_start).map_err(io_error(&f.path, IoOp::Write))?;
                    *size = (*size).max(run_start + run.len() as u64);
                    run.clear();
                }
                Ok(())
            };
            // Below this the file holds what it did before the transaction, but for the
            // dirty pages: the bytes a bridge may copy from the cache.
            let unchanged_below = shadow.min_len.min(shadow.disk_len);
            for (page, data) in shadow.pages.iter() {
                let start = page * PAGE;
                if start >= shadow.len {
                    break;
                }
                let end = (start + PAGE).min(shadow.len);
                let run_end = run_start + run.len() as u64;
                let continues = run_end == start && (run.len() as u64) < COPY_CHUNK;
                if !continues && !self.bridge(file, run, run_end, start, unchanged_below) {
                    flush(run, run_start, &mut size)?;
                    run_start = start;
                }
                run.extend_from_slice(&data[..(end - start) as usize]);
            }
            flush(run, run_start, &mut size)?;
            if size != shadow.len {
                f.io.set_len(shadow.len).map_err(io_error(&f.path, IoOp::Truncate))?;
            }
            // What the file holds now, as the cache will tell the next reads.
            self.cache().wrote(file, &shadow.pages, shadow.disk_len, unchanged_below, shadow.len);
            super::txn::recycle(&mut shadow.pages);
            shadow.disk_len = shadow.len;
            shadow.min_len = shadow.len;
        }
        Ok(())
    }

    /// Extends `run`, which ends at `run_end`, up to the next dirty page at `start` with
    /// the bytes `file` holds in between, if the gap is at most [`BRIDGE_MAX`], lies below
    /// `unchanged_below`, and the cache holds all of it (no read is made for it). The
    /// bridged bytes are rewritten as they are: the journal need not hold them, and a
    /// write torn across them leaves them as they were.
    fn bridge(
        &self,
        file: FileId,
        run: &mut Vec<u8>,
        run_end: u64,
        start: u64,
        unchanged_below: u64,
    ) -> bool {
        if run.is_empty()
            || start <= run_end
            || start - run_end > BRIDGE_MAX
            || start > unchanged_below
            || run.len() as u64 + (start - run_end) + PAGE > COPY_CHUNK
        {
            return false;
        }
        self.cache().extend_if_held(file, run, run_end, (start - run_end) as usize)
    }
}

/// A number no other transaction's journal starts with: time, process and a counter.
pub(super) fn next_nonce() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    time ^ (u64::from(super::fork::pid()) << 32) ^ COUNTER.fetch_add(1, Ordering::Relaxed)
}
