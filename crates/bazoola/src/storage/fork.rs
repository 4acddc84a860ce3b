//! Noticing that the process was forked.
//!
//! A database opened before `fork()` (multiprocessing's default start method on Linux,
//! gunicorn's `--preload`) is inherited by the children with its open files. Positional
//! reads and writes of shared descriptors are fine, but the lock is not: `flock` belongs
//! to the open file description, which parent and children now share, so they would no
//! longer exclude each other. A `pthread_atfork` handler bumps a generation counter in
//! every child; the lock compares it with the generation it was opened in and re-opens
//! its file when they differ — without a system call per operation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

static GENERATION: AtomicU64 = AtomicU64::new(0);
static WATCHING: Once = Once::new();

extern "C" fn in_child() {
    // Only an atomic increment: the one kind of work allowed in an atfork handler.
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Starts counting forks (idempotent); called before anything depends on the count.
pub fn watch() {
    WATCHING.call_once(|| {
        // SAFETY: registers a handler that only touches an atomic; no prepare or
        // parent handler. The return value is an errno we cannot act on: without the
        // handler, a fork goes unnoticed as it did before.
        let _ = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}

/// How many forks this process descends from since [`watch`] was first called.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// The process id, read once per generation (`getpid` is a system call).
pub fn pid() -> u32 {
    static CACHED: AtomicU64 = AtomicU64::new(u64::MAX);
    let generation = generation() & 0xFFFF_FFFF;
    let cached = CACHED.load(Ordering::Relaxed);
    if cached >> 32 == generation {
        return cached as u32;
    }
    let pid = std::process::id();
    CACHED.store((generation << 32) | u64::from(pid), Ordering::Relaxed);
    pid
}
