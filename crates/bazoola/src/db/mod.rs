//! The database: tables opened together, with the rules that span them — schemas agreed
//! with the disk, validation, foreign keys, joins, conditions, transactions and `check`.
//!
//! - [`database`]: the public [`Database`](database::Database) handle.
//! - [`engine`]: locking and transactions around each operation.
//! - [`open`]: opening a directory and agreeing on schemas.
//! - [`plan`]: queries as plans — chosen, run, explained; [`query`], [`cond`],
//!   [`join`]: reading rows.
//! - [`write`], [`validate`]: changing rows; [`indexes`]: rows and their indexes in step;
//!   [`bulk`]: the bulk path of a large import — [`deferred`] index upkeep in sorted
//!   batches, FK [`targets`] read once.
//! - [`check`]: verifying the files; [`vacuum`]: compacting text heaps.
//! - [`alter`]: schema changes and migrations at open.

pub mod alter;
pub mod bulk;
pub mod check;
pub mod cond;
pub mod database;
pub mod deferred;
pub mod engine;
pub mod indexes;
pub mod join;
pub mod open;
pub mod plan;
pub mod query;
pub mod query_builder;
pub mod targets;
pub mod vacuum;
pub mod validate;
pub mod write;
