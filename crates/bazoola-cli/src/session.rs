//! A [`Session`]: one open database directory and the SQL run against it.

use std::sync::Arc;

use bazoola::Value;

/// What one statement gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A result set (SELECT, `RETURNING *`): column names, and rows of plain values
    /// (`Int`, `Float`, `Text`, `Null`).
    Rows { columns: Arc<[String]>, rows: Vec<Vec<Value>> },
    /// A statement that changed rows (INSERT, UPDATE, DELETE without RETURNING): how many.
    Changed { rows: u64 },
    /// `EXPLAIN [ANALYZE]`: the plan as text, one step a line.
    Plan(String),
    /// Anything else (DDL, BEGIN, COMMIT): nothing to show.
    Done,
}

pub use crate::sql::Session;
