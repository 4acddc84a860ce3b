//! Many readers or one writer, across threads and processes.
//!
//! Processes exclude each other with `flock` on `.lock` (shared for reads, exclusive for
//! writes) — the file the original package locks too. `flock` belongs to the open file,
//! not the thread, so threads of one process coordinate first through [`State`]: the
//! first reader in takes the shared `flock`, the last one out releases it, and a writer
//! waits until no reader of this process is left. Waiting writers hold back new readers,
//! so a stream of reads cannot starve a write.
//!
//! The write lock is reentrant for the thread that holds it, which is what lets a
//! transaction (or Python's `db.storage.lock()`) run many operations, and lets that
//! thread read while it writes.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

use crate::error::{IoError, IoOp};

#[derive(Debug, Default)]
struct State {
    readers: usize,
    writer: Option<ThreadId>,
    depth: usize,
    waiting_writers: usize,
    /// Threads blocked in `wait`; releases skip the wake-up syscall when there are none.
    sleepers: usize,
}

pub struct DbLock {
    file: File,
    path: PathBuf,
    state: Mutex<State>,
    changed: Condvar,
}

/// Proof that the holder may read: a shared lock, or the write lock of this thread.
pub struct ReadGuard<'a> {
    lock: &'a DbLock,
    counted: bool,
}

/// Proof that the holder may write. `outermost` is false for a nested acquisition.
pub struct WriteGuard<'a> {
    lock: &'a DbLock,
    pub outermost: bool,
}

impl DbLock {
    pub fn open(path: &Path) -> Result<DbLock, IoError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|source| IoError { path: path.to_path_buf(), op: IoOp::Open, source })?;
        Ok(DbLock { file, path: path.to_path_buf(), state: Mutex::default(), changed: Condvar::new() })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding this mutex cannot leave `State` half-updated (every
        // update is a few plain assignments), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'g>(&self, mut guard: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        guard.sleepers += 1;
        let mut guard = self.changed.wait(guard).unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.sleepers -= 1;
        guard
    }

    fn wake(&self, state: &State) {
        if state.sleepers > 0 {
            self.changed.notify_all();
        }
    }

    pub fn read(&self) -> Result<ReadGuard<'_>, IoError> {
        let me = thread::current().id();
        let mut state = self.state();
        if state.writer == Some(me) {
            return Ok(ReadGuard { lock: self, counted: false });
        }
        while state.writer.is_some() || state.waiting_writers > 0 {
            state = self.wait(state);
        }
        if state.readers == 0 {
            self.flock(libc::LOCK_SH)?;
        }
        state.readers += 1;
        Ok(ReadGuard { lock: self, counted: true })
    }

    pub fn write(&self) -> Result<WriteGuard<'_>, IoError> {
        let me = thread::current().id();
        let mut state = self.state();
        if state.writer == Some(me) {
            state.depth += 1;
            return Ok(WriteGuard { lock: self, outermost: false });
        }
        state.waiting_writers += 1;
        while state.writer.is_some() || state.readers > 0 {
            state = self.wait(state);
        }
        state.waiting_writers -= 1;
        if let Err(e) = self.flock(libc::LOCK_EX) {
            self.wake(&state);
            return Err(e);
        }
        state.writer = Some(me);
        state.depth = 1;
        Ok(WriteGuard { lock: self, outermost: true })
    }

    /// Whether the calling thread holds the write lock.
    pub fn held_by_me(&self) -> bool {
        self.state().writer == Some(thread::current().id())
    }

    /// How many nested write acquisitions the holder has (0 when not held).
    pub fn write_depth(&self) -> usize {
        let state = self.state();
        if state.writer == Some(thread::current().id()) {
            state.depth
        } else {
            0
        }
    }

    fn flock(&self, operation: libc::c_int) -> Result<(), IoError> {
        loop {
            // SAFETY: flock on a descriptor this struct owns; no memory is involved.
            let rc = unsafe { libc::flock(self.file.as_raw_fd(), operation) };
            if rc == 0 {
                return Ok(());
            }
            let source = std::io::Error::last_os_error();
            if source.kind() != std::io::ErrorKind::Interrupted {
                return Err(IoError { path: self.path.clone(), op: IoOp::Lock, source });
            }
        }
    }

    fn release_read(&self) {
        let mut state = self.state();
        state.readers -= 1;
        if state.readers == 0 {
            // Unlocking a lock we hold cannot fail in a way we could act on.
            let _ = self.flock(libc::LOCK_UN);
            self.wake(&state);
        }
    }

    /// Releases one level of the write lock (see [`DbLock::write`]).
    pub fn release_write(&self) {
        let mut state = self.state();
        state.depth -= 1;
        if state.depth == 0 {
            let _ = self.flock(libc::LOCK_UN);
            state.writer = None;
            self.wake(&state);
        }
    }
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        if self.counted {
            self.lock.release_read();
        }
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.lock.release_write();
    }
}
