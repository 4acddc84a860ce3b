//! Data in and out (SPEC §10 `.import`, `.export`, `.dump`; §11 leaving for PostgreSQL).
//!
//! - [`import()`]: rows from a CSV file (header row), a JSON array of objects or NDJSON
//!   into a table — an existing one, each value converted to its field's type and the
//!   row validated by the engine, or a new one whose schema [`infer`] derives from a
//!   first pass over the file. Either way the file is streamed, never held whole.
//!   Atomic by default (one transaction, which the engine spills to its journal as it
//!   grows, so memory stays flat); `keep_going` skips and reports bad rows instead.
//! - [`export()`]: a table to CSV, JSON or NDJSON, streamed through the engine's row
//!   walk.
//! - [`dump()`]: the database as SQL in one of three dialects ([`Dialect`]): tables in
//!   foreign-key order ([`order`]), constraints and indexes, rows as multi-row INSERTs.
//! - [`migrate()`]: the whole database into PostgreSQL with `COPY`, in one transaction.
//!
//! What each reads is one consistent state: a dump and a migration read every table
//! inside one transaction of the database (other processes wait meanwhile); an export
//! reads its table under one shared lock.
//!
//! [`args`] turns the words of the dot-commands and subcommands into these calls'
//! options, so a front end wires each in a few lines.

pub mod args;
mod csv;
mod dialect;
pub mod dump;
mod error;
pub mod export;
mod format;
pub mod import;
pub mod infer;
mod json;
pub mod order;
pub mod postgres;
mod progress;
mod source;
mod txn;
mod value;

pub use dialect::Dialect;
pub use dump::{dump, DumpOptions, DumpReport};
pub use error::{Place, TransferError};
pub use export::{export, export_to};
pub use format::Format;
pub use import::{import, ImportOptions, ImportReport};
pub use postgres::{migrate, MigrateOptions, MigrateReport};
