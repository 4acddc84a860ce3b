//! The open files of a database, and the write transaction over them.
//!
//! Reads outside a transaction go straight to the files. A write transaction ([`Txn`])
//! never touches a file before commit: each write lands in a *shadow* of the file — the
//! pages it changed (copied from disk on first touch) and its logical length — and reads
//! made by the transaction see the shadow over the disk. Rolling back is dropping the
//! shadows. Committing is, in order:
//!
//! 1. read from disk what the dirty pages and any cut-off tail hold now, and write it with
//!    every touched file's length to the journal (one `pwrite`; `fdatasync` in `full`);
//! 2. write the dirty pages and set the lengths (`fdatasync` of each file in `full`);
//! 3. retire the journal (one `pwrite`; `fdatasync` in `full`).
//!
//! A crash during 2 leaves a hot journal that undoes it; a failed write during 2 is
//! undone at once from the same records. Holding changes until commit also batches a
//! thousand inserts into one journal write and a few data writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, IoError, IoOp, Result};
use crate::format::constants::JOURNAL_FILE;

use super::journal::{self, Record};
use super::vfs::{FileIo, Vfs};

/// How hard a commit works to survive failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum SyncMode {
    /// Survives power loss: journal durable before data is touched, data durable before
    /// the journal is retired.
    Full,
    /// Survives the process dying at any point (kill -9), with no `fsync` per commit.
    #[default]
    Normal,
    /// No journal: a crash mid-write can leave a partial change.
    Off,
}

impl SyncMode {
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
const PAGE: u64 = 512;

struct OpenFile {
    name: String,
    path: PathBuf,
    io: Box<dyn FileIo>,
}

pub struct Pager {
    dir: PathBuf,
    vfs: Arc<dyn Vfs>,
    files: Vec<OpenFile>,
    journal: Box<dyn FileIo>,
    sync: SyncMode,
}

fn io_error(path: &Path, op: IoOp) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io(IoError { path: path.to_path_buf(), op, source })
}

impl Pager {
    pub fn open(dir: &Path, vfs: Arc<dyn Vfs>, sync: SyncMode) -> Result<Pager> {
        let path = dir.join(JOURNAL_FILE);
        let journal = vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
        Ok(Pager { dir: dir.to_path_buf(), vfs, files: Vec::new(), journal, sync })
    }

    /// Opens (creating if missing) a file of the directory; returns its id.
    pub fn add_file(&mut self, name: &str) -> Result<FileId> {
        let path = self.dir.join(name);
        let io = self.vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
        self.files.push(OpenFile { name: name.to_string(), path, io });
        Ok(self.files.len() - 1)
    }

    /// Gives a file its initial content if it is empty — how a new sequence file gets
    /// its `0`. Happens at open, under the exclusive lock, outside any transaction.
    pub fn init_if_empty(&self, file: FileId, body: &[u8]) -> Result<()> {
        if self.disk_len(file)? == 0 {
            let f = &self.files[file];
            f.io.write_all_at(body, 0).map_err(io_error(&f.path, IoOp::Write))?;
        }
        Ok(())
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.files[file].path
    }

    /// Whether a crashed writer left a journal to roll back.
    pub fn journal_is_hot(&self) -> Result<bool> {
        let mut header = [0u8; journal::HEADER_LEN];
        let path = self.dir.join(JOURNAL_FILE);
        let n = self.journal.read_at(&mut header, 0).map_err(io_error(&path, IoOp::Read))?;
        Ok(journal::header_state(&header[..n]) != journal::HeaderState::Clean)
    }

    /// Rolls back a hot journal. The caller holds the exclusive lock.
    pub fn recover(&self) -> Result<bool> {
        Ok(journal::recover(
            &self.dir,
            self.vfs.as_ref(),
            self.journal.as_ref(),
            self.sync == SyncMode::Full,
        )?)
    }

    fn disk_len(&self, file: FileId) -> Result<u64> {
        let f = &self.files[file];
        f.io.len().map_err(io_error(&f.path, IoOp::Read))
    }

    fn disk_read(&self, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        let f = &self.files[file];
        f.io.read_at(buf, offset).map_err(io_error(&f.path, IoOp::Read))
    }

    /// Writes a transaction's shadows to the files, journaled as the sync mode asks.
    pub fn commit(&self, txn: Txn) -> Result<()> {
        if txn.aborted {
            return Err(Error::TransactionAborted);
        }
        if txn.shadows.is_empty() {
            return Ok(());
        }
        let full = self.sync == SyncMode::Full;
        let records = if self.sync == SyncMode::Off { Vec::new() } else { self.originals(&txn)? };
        if records.is_empty() {
            return self.apply(&txn);
        }
        let journal_path = self.dir.join(JOURNAL_FILE);
        let bytes = journal::encode(next_nonce(), &records);
        self.journal.write_all_at(&bytes, 0).map_err(io_error(&journal_path, IoOp::Write))?;
        if full {
            if let Err(e) = self.journal.sync() {
                // No data was touched; the journal only names unchanged regions.
                let _ = journal::retire(self.journal.as_ref(), &journal_path, false);
                return Err(io_error(&journal_path, IoOp::Sync)(e));
            }
        }
        let outcome =
            self.apply(&txn).and_then(|()| Ok(journal::retire(self.journal.as_ref(), &journal_path, full)?));
        if let Err(e) = outcome {
            // Part of the data, or the retirement, may have reached the disk: put the old
            // bytes back now. If that fails too, the journal is still hot (or is written
            // hot again here) and the next lock holder rolls it back.
            if journal::apply(&self.dir, self.vfs.as_ref(), &records, full).is_ok() {
                let _ = journal::retire(self.journal.as_ref(), &journal_path, full);
            } else {
                let _ = self.journal.write_all_at(&bytes, 0);
            }
            return Err(e);
        }
        Ok(())
    }

    /// What the commit will overwrite: every touched file's length, the disk bytes under
    /// each dirty page (runs of adjacent pages read at once) and any tail cut off.
    fn originals(&self, txn: &Txn) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for (&file, shadow) in &txn.shadows {
            let name = &self.files[file].name;
            records.push(Record::Length { name: name.clone(), len: shadow.orig_len });
            let mut run: Option<(u64, Vec<u8>)> = None;
            for (&page, original) in &shadow.originals {
                let start = page * PAGE;
                match &mut run {
                    Some((run_start, data)) if *run_start + data.len() as u64 == start => {
                        data.extend_from_slice(original);
                    }
                    _ => {
                        if let Some((offset, data)) = run.take() {
                            records.push(Record::Bytes { name: name.clone(), offset, data });
                        }
                        run = Some((start, original.clone()));
                    }
                }
            }
            if let Some((offset, data)) = run {
                records.push(Record::Bytes { name: name.clone(), offset, data });
            }
            if shadow.min_len < shadow.orig_len {
                let (start, end) = (shadow.min_len, shadow.orig_len);
                let mut data = vec![0u8; (end - start) as usize];
                let n = self.disk_read(file, &mut data, start)?;
                data.truncate(n);
                records.push(Record::Bytes { name: name.clone(), offset: start, data });
            }
        }
        Ok(records)
    }

    fn apply(&self, txn: &Txn) -> Result<()> {
        for (&file, shadow) in &txn.shadows {
            let f = &self.files[file];
            if shadow.min_len < shadow.orig_len {
                f.io.set_len(shadow.min_len).map_err(io_error(&f.path, IoOp::Truncate))?;
            }
            let mut size = shadow.min_len.min(shadow.orig_len);
            let mut run: Vec<u8> = Vec::new();
            let mut run_start = 0;
            let flush = |run: &mut Vec<u8>, run_start: u64, size: &mut u64| -> Result<()> {
                if !run.is_empty() {
                    f.io.write_all_at(run, run_start).map_err(io_error(&f.path, IoOp::Write))?;
                    *size = (*size).max(run_start + run.len() as u64);
                    run.clear();
                }
                Ok(())
            };
            for (&page, data) in &shadow.pages {
                let start = page * PAGE;
                if start >= shadow.len {
                    break;
                }
                let end = (start + PAGE).min(shadow.len);
                if run_start + run.len() as u64 != start {
                    flush(&mut run, run_start, &mut size)?;
                    run_start = start;
                }
                run.extend_from_slice(&data[..(end - start) as usize]);
            }
            flush(&mut run, run_start, &mut size)?;
            if size != shadow.len {
                f.io.set_len(shadow.len).map_err(io_error(&f.path, IoOp::Truncate))?;
            }
        }
        if self.sync == SyncMode::Full {
            for &file in txn.shadows.keys() {
                let f = &self.files[file];
                f.io.sync().map_err(io_error(&f.path, IoOp::Sync))?;
            }
        }
        Ok(())
    }
}

fn next_nonce() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    static PID: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let pid = *PID.get_or_init(|| u64::from(std::process::id()));
    time ^ (pid << 32) ^ COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A file as the transaction sees it.
struct Shadow {
    orig_len: u64,
    len: u64,
    /// The smallest length the file had during the transaction: disk bytes at or past
    /// it are gone (read as zeros) even if the file grew again.
    min_len: u64,
    pages: BTreeMap<u64, Box<[u8]>>,
    /// What each dirty page below `orig_len` held on disk when first touched — the
    /// journal's content, captured by the read that loaded the page anyway.
    originals: BTreeMap<u64, Vec<u8>>,
}

/// A write transaction's pending changes. Owned by the thread holding the write lock.
#[derive(Default)]
pub struct Txn {
    shadows: BTreeMap<FileId, Shadow>,
    /// Lengths of files read but not written, valid while the write lock is held.
    lens: BTreeMap<FileId, u64>,
    /// Set when an operation failed half-way: the transaction can only roll back.
    pub aborted: bool,
    /// Count of writes, so a failed operation can tell whether it changed anything.
    pub writes: u64,
}

/// Reads (and, with a transaction, writes) of one operation.
pub struct Io<'a> {
    pager: &'a Pager,
    txn: Option<&'a mut Txn>,
}

impl<'a> Io<'a> {
    pub fn reader(pager: &'a Pager) -> Io<'a> {
        Io { pager, txn: None }
    }

    pub fn writer(pager: &'a Pager, txn: &'a mut Txn) -> Io<'a> {
        Io { pager, txn: Some(txn) }
    }

    pub fn path(&self, file: FileId) -> &'a Path {
        self.pager.path(file)
    }

    /// The file's length as this operation sees it.
    pub fn len(&mut self, file: FileId) -> Result<u64> {
        let Some(txn) = self.txn.as_deref_mut() else { return self.pager.disk_len(file) };
        if let Some(shadow) = txn.shadows.get(&file) {
            return Ok(shadow.len);
        }
        if let Some(&len) = txn.lens.get(&file) {
            return Ok(len);
        }
        let len = self.pager.disk_len(file)?;
        txn.lens.insert(file, len);
        Ok(len)
    }

    /// Reads up to `buf.len()` bytes at `offset`; returns how many there were.
    pub fn read_at(&self, file: FileId, buf: &mut [u8], offset: u64) -> Result<usize> {
        let shadow = self.txn.as_deref().and_then(|t| t.shadows.get(&file));
        let Some(shadow) = shadow else { return self.pager.disk_read(file, buf, offset) };
        if offset >= shadow.len {
            return Ok(0);
        }
        let n = buf.len().min((shadow.len - offset) as usize);
        let buf = &mut buf[..n];
        let end = offset + n as u64;
        let pages = offset / PAGE..end.div_ceil(PAGE);
        let covered = shadow.pages.range(pages.clone()).count() as u64 == pages.end - pages.start;
        if !covered {
            let disk_end = shadow.min_len.min(shadow.orig_len);
            let from_disk = disk_end.saturating_sub(offset).min(n as u64) as usize;
            let got =
                if from_disk > 0 { self.pager.disk_read(file, &mut buf[..from_disk], offset)? } else { 0 };
            buf[got..].fill(0);
        }
        for (&page, data) in shadow.pages.range(pages) {
            let start = page * PAGE;
            let lo = start.max(offset);
            let hi = (start + PAGE).min(end);
            buf[(lo - offset) as usize..(hi - offset) as usize]
                .copy_from_slice(&data[(lo - start) as usize..(hi - start) as usize]);
        }
        Ok(n)
    }

    fn shadow(&mut self, file: FileId) -> Result<&mut Shadow> {
        let pager = self.pager;
        let txn = self.txn.as_deref_mut().ok_or(Error::TransactionAborted)?;
        txn.writes += 1;
        if !txn.shadows.contains_key(&file) {
            let len = match txn.lens.get(&file) {
                Some(&len) => len,
                None => pager.disk_len(file)?,
            };
            let shadow = Shadow {
                orig_len: len,
                len,
                min_len: len,
                pages: BTreeMap::new(),
                originals: BTreeMap::new(),
            };
            txn.shadows.insert(file, shadow);
        }
        Ok(txn.shadows.get_mut(&file).expect("inserted above"))
    }

    pub fn write_at(&mut self, file: FileId, data: &[u8], offset: u64) -> Result<()> {
        let pager = self.pager;
        let shadow = self.shadow(file)?;
        let end = offset + data.len() as u64;
        for page in offset / PAGE..end.div_ceil(PAGE) {
            let start = page * PAGE;
            if !shadow.pages.contains_key(&page) {
                let mut fresh = vec![0u8; PAGE as usize].into_boxed_slice();
                if start < shadow.orig_len {
                    let want = (shadow.orig_len - start).min(PAGE) as usize;
                    let got = pager.disk_read(file, &mut fresh[..want], start)?;
                    shadow.originals.insert(page, fresh[..got].to_vec());
                    // Bytes the transaction cut off read as zeros, though still on disk.
                    if shadow.min_len < start + PAGE {
                        fresh[shadow.min_len.saturating_sub(start) as usize..].fill(0);
                    }
                }
                shadow.pages.insert(page, fresh);
            }
            let Some(buf) = shadow.pages.get_mut(&page) else { continue };
            let lo = start.max(offset);
            let hi = (start + PAGE).min(end);
            buf[(lo - start) as usize..(hi - start) as usize]
                .copy_from_slice(&data[(lo - offset) as usize..(hi - offset) as usize]);
        }
        shadow.len = shadow.len.max(end);
        Ok(())
    }

    pub fn set_len(&mut self, file: FileId, len: u64) -> Result<()> {
        let shadow = self.shadow(file)?;
        if len < shadow.len {
            let first_gone = len.div_ceil(PAGE);
            shadow.pages.split_off(&first_gone);
            if !len.is_multiple_of(PAGE) {
                if let Some(page) = shadow.pages.get_mut(&(len / PAGE)) {
                    page[(len % PAGE) as usize..].fill(0);
                }
            }
            shadow.min_len = shadow.min_len.min(len);
        }
        shadow.len = len;
        Ok(())
    }
}
