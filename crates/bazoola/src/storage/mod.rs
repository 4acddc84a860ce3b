//! Storage: every byte the database reads or writes goes through here.
//!
//! - [`vfs`]: the small I/O trait ([`vfs::FileIo`], [`vfs::Vfs`]) with the operating
//!   system behind it. Tests put a fault-injecting or power-cutting one in its place.
//! - [`txn`]: a write transaction's dirty pages (reads see them), and [`txn::Io`], the
//!   one door through which operations read and write; [`cache`]: the pages it read.
//! - [`pager`]: the open files of a database; commits (and spills) a transaction's
//!   pages after the journal holds what they replace.
//! - [`journal`]: the rollback journal's format, written in segments.
//! - [`recovery`]: rolling back a hot journal, in bounded memory.
//! - [`change`]: whole files created, renamed and removed under the journal (schema
//!   changes).
//! - `spare`: byte buffers a thread keeps between commits; `page_map`: a transaction's
//!   files, and each file's pages, in order.
//! - [`lock`]: many readers or one writer, across threads (a lock state with a condvar)
//!   and processes (`flock` on `.lock`); [`fork`] tells it when it was inherited.
//! - `watch` (Linux): what changed in the directory since the last look, through
//!   inotify, so that the pager can keep pages between operations.

pub mod cache;
pub mod change;
pub mod fork;
pub mod journal;
pub mod lock;
mod page_map;
pub mod pager;
pub mod recovery;
mod spare;
pub mod txn;
pub mod vfs;
#[cfg(target_os = "linux")]
pub mod watch;
