//! Whole-file changes under the journal: what a schema change does to the directory.
//!
//! A schema change does not edit a table's files in place; it writes new files beside
//! them and swaps them in by renaming, so its memory does not grow with the table and a
//! crash never leaves a file half rewritten. The journal covers the swap like any other
//! write ([`super::journal`] kinds 3 and 4):
//!
//! 1. Each new file is recorded as created before it exists, then written. A
//!    replacement is written under a staged name, `.new.{name}`.
//! 2. Commit makes the new files durable, names included, then records in one segment
//!    every rename to come (a replaced or removed file first goes to a backup name, `.old.{name}`;
//!    staged files then take their final names) and the original bytes of every range
//!    it patches in place, makes that segment durable, and does all of it.
//! 3. The directory is made durable, and the journal retired; only then are the backups
//!    removed.
//!
//! Until the journal is retired, rolling it back (after a crash, by whoever takes the
//! lock next; after a failure, at once) puts every name and byte back: the database
//! has the old schema and data, or the new ones, never a mix. A crash after the
//! retirement leaves backups nobody needs; opening the directory removes them
//! ([`remove_leftovers`]).
//!
//! Unlike ordinary commits, every step is synced whatever the sync mode: a power cut
//! between a rename and a retirement that did not reach the disk would otherwise undo
//! half of a change whose backups are already gone.

use std::path::Path;

use super::journal::{SegmentWriter, HEADER_LEN};
use super::pager::{next_nonce, Pager};
use super::recovery;
use super::vfs::FileIo;
use crate::error::{Error, IoError, IoOp, Result};

/// Prefix of a file written to replace another at commit.
pub const STAGED_PREFIX: &str = ".new.";
/// Prefix of a file replaced or removed by a change, until its commit is durable.
pub const BACKUP_PREFIX: &str = ".old.";

pub fn staged_name(name: &str) -> String {
    format!("{STAGED_PREFIX}{name}")
}

pub fn backup_name(name: &str) -> String {
    format!("{BACKUP_PREFIX}{name}")
}

fn io_error(path: &Path, op: IoOp) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io(IoError { path: path.to_path_buf(), op, source })
}

/// What commit does, in order.
enum Step {
    Rename { from: String, to: String },
    Patch { name: String, offset: u64, bytes: Vec<u8> },
}

/// A set of whole-file changes that happens completely or not at all. Dropped without
/// [`FileChange::commit`], it is rolled back.
pub struct FileChange<'p> {
    pager: &'p Pager,
    nonce: u64,
    /// Where the next journal segment goes, and the first segment's header (put back
    /// before rolling back, in case a failed retirement zeroed part of it).
    journal: Option<(u64, [u8; HEADER_LEN])>,
    /// Files created or appended to: made durable before any rename.
    written: Vec<String>,
    steps: Vec<Step>,
    backups: Vec<String>,
    finished: bool,
}

impl<'p> FileChange<'p> {
    /// Starts a change. The caller holds the exclusive lock, and no journal is hot.
    pub fn new(pager: &'p Pager) -> FileChange<'p> {
        FileChange {
            pager,
            nonce: next_nonce(),
            journal: None,
            written: Vec::new(),
            steps: Vec::new(),
            backups: Vec::new(),
            finished: false,
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.pager.dir().join(name)
    }

    /// The directory the change is made in.
    pub fn dir(&self) -> &Path {
        self.pager.dir()
    }

    /// Appends a journal segment and makes it durable.
    fn segment(&mut self, write: impl FnOnce(&mut SegmentWriter) -> std::io::Result<()>) -> Result<()> {
        let (journal, path) = self.pager.journal();
        let start = self.journal.map_or(0, |(end, _)| end);
        let mut segment = SegmentWriter::new(journal, start, self.nonce);
        write(&mut segment).map_err(io_error(path, IoOp::Write))?;
        let (end, header) = segment.finish().map_err(io_error(path, IoOp::Write))?;
        let first = self.journal.map_or(header, |(_, first)| first);
        self.journal = Some((end, first));
        journal.sync().map_err(io_error(path, IoOp::Sync))
    }

    /// Creates the empty file `name` — one that is no live file of the database (a new
    /// table's, a staged one) — and returns it for the caller to fill. Rolled back, it
    /// is removed.
    pub fn create(&mut self, name: &str) -> Result<Box<dyn FileIo>> {
        self.segment(|s| s.created(name))?;
        let path = self.path(name);
        let file = self.pager.vfs().open(&path).map_err(io_error(&path, IoOp::Open))?;
        file.set_len(0).map_err(io_error(&path, IoOp::Truncate))?;
        self.written.push(name.to_string());
        Ok(file)
    }

    /// A new version of `name` (or a new file by that name), for the caller to fill; at
    /// commit it takes the name, and the old one goes.
    pub fn replace(&mut self, name: &str) -> Result<Box<dyn FileIo>> {
        let staged = staged_name(name);
        let file = self.create(&staged)?;
        if self.exists(name)? {
            self.remove(name);
        }
        self.steps.push(Step::Rename { from: staged, to: name.to_string() });
        Ok(file)
    }

    /// Renames `from` to `to` at commit; `to` must be free (the caller checks).
    pub fn rename(&mut self, from: &str, to: &str) {
        self.steps.push(Step::Rename { from: from.to_string(), to: to.to_string() });
    }

    /// Removes `name` at commit.
    pub fn remove(&mut self, name: &str) {
        let backup = backup_name(name);
        self.steps.push(Step::Rename { from: name.to_string(), to: backup.clone() });
        self.backups.push(backup);
    }

    /// Overwrites `bytes` of `name` at `offset` at commit (after the renames).
    pub fn patch(&mut self, name: &str, offset: u64, bytes: &[u8]) {
        self.steps.push(Step::Patch { name: name.to_string(), offset, bytes: bytes.to_vec() });
    }

    /// Records the length of `name` now, so that what the caller appends to it (through
    /// the file returned, from the length returned) is cut off again if the change rolls
    /// back. No step of the change may rename the file.
    pub fn append(&mut self, name: &str) -> Result<(Box<dyn FileIo>, u64)> {
        let path = self.path(name);
        let file = self.pager.vfs().open(&path).map_err(io_error(&path, IoOp::Open))?;
        let len = file.len().map_err(io_error(&path, IoOp::Read))?;
        self.segment(|s| s.length(name, len))?;
        self.written.push(name.to_string());
        Ok((file, len))
    }

    pub fn exists(&self, name: &str) -> Result<bool> {
        let path = self.path(name);
        self.pager.vfs().exists(&path).map_err(io_error(&path, IoOp::Read))
    }

    /// Makes the change, durably; on failure it is rolled back.
    pub fn commit(mut self) -> Result<()> {
        let outcome = self.commit_steps();
        self.finished = true;
        if outcome.is_err() {
            // If this fails too, the journal stays hot for the next lock holder.
            let _ = self.undo();
        }
        outcome
    }

    fn commit_steps(&mut self) -> Result<()> {
        let vfs = self.pager.vfs();
        for name in &self.written {
            let path = self.path(name);
            let file = vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
            file.sync().map_err(io_error(&path, IoOp::Sync))?;
        }
        // The new files' names too: rolling back infers from what exists how far the
        // renames got, which holds only if a staged file cannot vanish behind a rename
        // the journal records (as it could after a power cut, before this sync).
        let dir = self.pager.dir();
        vfs.sync_dir(dir).map_err(io_error(dir, IoOp::Sync))?;
        // A backup left by an earlier change (whose commit was durable before it could
        // be removed) is in the way: the journal records renames only to free names.
        for step in &self.steps {
            if let Step::Rename { to, .. } = step {
                if to.starts_with(BACKUP_PREFIX) {
                    let path = self.path(to);
                    vfs.remove(&path).map_err(io_error(&path, IoOp::Remove))?;
                }
            }
        }
        let mut originals = Vec::new();
        for step in &self.steps {
            if let Step::Patch { name, offset, bytes } = step {
                let path = self.path(name);
                let file = vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
                let len = file.len().map_err(io_error(&path, IoOp::Read))?;
                let mut original = vec![0u8; bytes.len()];
                let n = file.read_at(&mut original, *offset).map_err(io_error(&path, IoOp::Read))?;
                original.truncate(n);
                originals.push((name.clone(), len, *offset, original));
            }
        }
        let steps = std::mem::take(&mut self.steps);
        self.segment(|s| {
            for step in &steps {
                if let Step::Rename { from, to } = step {
                    s.renamed(from, to)?;
                }
            }
            for (name, len, offset, original) in &originals {
                s.length(name, *len)?;
                s.begin_bytes(name, *offset, original.len() as u32)?;
                s.put(original)?;
            }
            Ok(())
        })?;
        for step in &steps {
            match step {
                Step::Rename { from, to } => {
                    let (from, to) = (self.path(from), self.path(to));
                    vfs.rename(&from, &to).map_err(io_error(&from, IoOp::Rename))?;
                }
                Step::Patch { name, offset, bytes } => {
                    let path = self.path(name);
                    let file = vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
                    file.write_all_at(bytes, *offset).map_err(io_error(&path, IoOp::Write))?;
                    file.sync().map_err(io_error(&path, IoOp::Sync))?;
                }
            }
        }
        vfs.sync_dir(dir).map_err(io_error(dir, IoOp::Sync))?;
        let (journal, path) = self.pager.journal();
        let end = self.journal.map_or(0, |(end, _)| end);
        recovery::retire(journal, path, true, end)?;
        for backup in &self.backups {
            // What is left here is removed at the next open.
            let _ = vfs.remove(&self.path(backup));
        }
        Ok(())
    }

    /// Rolls back whatever of the change reached the disk.
    fn undo(&self) -> Result<()> {
        let Some((_, first)) = self.journal else { return Ok(()) };
        let (journal, path) = self.pager.journal();
        journal.write_all_at(&first, 0).map_err(io_error(path, IoOp::Write))?;
        recovery::recover(self.pager.dir(), self.pager.vfs(), journal, true).map(|_| ())
    }
}

impl Drop for FileChange<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // A change abandoned half-way (an error in the caller): undone now, or, if
            // that fails, by the next lock holder from the hot journal.
            let _ = self.undo();
        }
    }
}

/// Removes what schema changes leave behind after a crash: backups of a committed change
/// and staged files of a rolled-back one. The caller holds the exclusive lock and has
/// rolled back any hot journal, so no change is under way and none of these is needed.
pub fn remove_leftovers(pager: &Pager) -> Result<()> {
    let dir = pager.dir();
    let entries = std::fs::read_dir(dir).map_err(io_error(dir, IoOp::ListDir))?;
    for entry in entries {
        let entry = entry.map_err(io_error(dir, IoOp::ListDir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(STAGED_PREFIX) || name.starts_with(BACKUP_PREFIX) {
            let path = dir.join(name);
            pager.vfs().remove(&path).map_err(io_error(&path, IoOp::Remove))?;
        }
    }
    Ok(())
}
