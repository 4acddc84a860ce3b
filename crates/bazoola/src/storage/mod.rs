//! Storage: every byte the database reads or writes goes through here.
//!
//! - [`vfs`]: the small I/O trait ([`vfs::FileIo`], [`vfs::Vfs`]) with the operating
//!   system behind it. Tests put a fault-injecting or power-cutting one in its place.
//! - [`pager`]: the open files of a database and the write transaction. A transaction
//!   keeps its changes as dirty pages in memory (reads see them) and applies them at
//!   commit, after the journal holds what they replace.
//! - [`journal`]: the rollback journal's format, and rolling back a hot one.
//! - [`lock`]: many readers or one writer, across threads (a lock state with a condvar)
//!   and processes (`flock` on `.lock`).

pub mod journal;
pub mod lock;
pub mod pager;
pub mod vfs;
