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
//! thread read while it writes. A read is reentrant too (a condition callback may read),
//! but a thread that holds a read cannot start a write — it would wait for itself — so
//! that is refused with [`Error::WriteInsideRead`] instead of hanging.
//!
//! After a `fork()` the child's first acquisition notices (see [`super::fork`]) and opens
//! `.lock` afresh, so that parent and children exclude each other again.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};

use super::fork;
use crate::error::{Error, IoError, IoOp};

#[derive(Debug)]
struct State {
    /// The open `.lock`, as opened in fork generation `generation`.
    file: File,
    generation: u64,
    readers: usize,
    writer: Option<ThreadId>,
    depth: usize,
    waiting_writers: usize,
    /// Threads blocked in `wait`; releases skip the wake-up syscall when there are none.
    sleepers: usize,
}

thread_local! {
    /// The locks this thread holds a read of (one entry per held read), by address.
    static READING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

pub struct DbLock {
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

fn open_file(path: &Path) -> Result<File, IoError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| IoError { path: path.to_path_buf(), op: IoOp::Open, source })
}

impl DbLock {
    pub fn open(path: &Path) -> Result<DbLock, IoError> {
        fork::watch();
        let state = State {
            file: open_file(path)?,
            generation: fork::generation(),
            readers: 0,
            writer: None,
            depth: 0,
            waiting_writers: 0,
            sleepers: 0,
        };
        Ok(DbLock { path: path.to_path_buf(), state: Mutex::new(state), changed: Condvar::new() })
    }

    /// This lock's identity in the thread-local list of reads held.
    fn key(&self) -> usize {
        self as *const DbLock as usize
    }

    fn reading(&self) -> bool {
        let key = self.key();
        READING.with(|held| held.borrow().contains(&key))
    }

    /// The state, made this process's own first if it was inherited through `fork`:
    /// the inherited holders are the parent's threads, which do not exist here.
    fn state(&self) -> Result<MutexGuard<'_, State>, IoError> {
        // A panic while holding this mutex cannot leave `State` half-updated (every
        // update is a few plain assignments), so a poisoned lock is still usable.
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = fork::generation();
        if state.generation != generation {
            state.file = open_file(&self.path)?;
            state.generation = generation;
            state.readers = 0;
            state.writer = None;
            state.depth = 0;
            state.waiting_writers = 0;
            state.sleepers = 0;
            let key = self.key();
            READING.with(|held| held.borrow_mut().retain(|&k| k != key));
        }
        Ok(state)
    }

    /// The state for a release, which must not fail.
    fn state_for_release(&self) -> MutexGuard<'_, State> {
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

    /// Takes a read. When this takes the process's `flock` (no other thread of the
    /// process holds one), `on_fresh` runs before any other thread can join the read: it
    /// brings what the process keeps of the files up to date, so nobody reads what
    /// another process changed meanwhile. If it fails, the lock is let go.
    pub fn read(&self, on_fresh: impl FnOnce() -> Result<(), Error>) -> Result<ReadGuard<'_>, Error> {
        let me = thread::current().id();
        let mut state = self.state()?;
        if state.writer == Some(me) {
            return Ok(ReadGuard { lock: self, counted: false });
        }
        // A thread that reads already (a callback of its own scan) is let in at once:
        // waiting behind a writer that waits for it would never end.
        if !self.reading() {
            while state.writer.is_some() || state.waiting_writers > 0 {
                state = self.wait(state);
            }
        }
        let fresh = state.readers == 0;
        if fresh {
            flock(&state.file, &self.path, libc::LOCK_SH)?;
            if let Err(e) = on_fresh() {
                let _ = flock(&state.file, &self.path, libc::LOCK_UN);
                self.wake(&state);
                return Err(e);
            }
        }
        state.readers += 1;
        let key = self.key();
        READING.with(|held| held.borrow_mut().push(key));
        Ok(ReadGuard { lock: self, counted: true })
    }

    pub fn write(&self) -> Result<WriteGuard<'_>, Error> {
        let me = thread::current().id();
        let mut state = self.state()?;
        if state.writer == Some(me) {
            state.depth += 1;
            return Ok(WriteGuard { lock: self, outermost: false });
        }
        if self.reading() {
            let dir = self.path.parent().unwrap_or(&self.path).to_path_buf();
            return Err(Error::WriteInsideRead { dir });
        }
        state.waiting_writers += 1;
        while state.writer.is_some() || state.readers > 0 {
            state = self.wait(state);
        }
        state.waiting_writers -= 1;
        if let Err(e) = flock(&state.file, &self.path, libc::LOCK_EX) {
            self.wake(&state);
            return Err(e.into());
        }
        state.writer = Some(me);
        state.depth = 1;
        Ok(WriteGuard { lock: self, outermost: true })
    }

    /// Whether the calling thread holds the write lock.
    pub fn held_by_me(&self) -> bool {
        self.state_for_release().writer == Some(thread::current().id())
    }

    /// How many nested write acquisitions the holder has (0 when not held).
    pub fn write_depth(&self) -> usize {
        let state = self.state_for_release();
        if state.writer == Some(thread::current().id()) {
            state.depth
        } else {
            0
        }
    }

    fn release_read(&self) {
        let key = self.key();
        READING.with(|held| {
            let mut held = held.borrow_mut();
            if let Some(i) = held.iter().rposition(|&k| k == key) {
                held.swap_remove(i);
            }
        });
        let mut state = self.state_for_release();
        // A fork between acquiring and releasing reset the count; nothing to undo then.
        if state.readers == 0 {
            return;
        }
        state.readers -= 1;
        if state.readers == 0 {
            // Unlocking a lock we hold cannot fail in a way we could act on.
            let _ = flock(&state.file, &self.path, libc::LOCK_UN);
            self.wake(&state);
        }
    }

    /// Releases one level of the write lock (see [`DbLock::write`]).
    pub fn release_write(&self) {
        let mut state = self.state_for_release();
        if state.depth == 0 {
            return;
        }
        state.depth -= 1;
        if state.depth == 0 {
            let _ = flock(&state.file, &self.path, libc::LOCK_UN);
            state.writer = None;
            self.wake(&state);
        }
    }
}

fn flock(file: &File, path: &Path, operation: libc::c_int) -> Result<(), IoError> {
    loop {
        // SAFETY: flock on a descriptor the caller owns; no memory is involved.
        let rc = unsafe { libc::flock(file.as_raw_fd(), operation) };
        if rc == 0 {
            return Ok(());
        }
        let source = std::io::Error::last_os_error();
        if source.kind() != std::io::ErrorKind::Interrupted {
            return Err(IoError { path: path.to_path_buf(), op: IoOp::Lock, source });
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
