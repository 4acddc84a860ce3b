//! Queries as plans. A plan is a value: the access path to a table's rows (PK lookup,
//! index lookup, index range, full scan), the condition they are filtered by, and the
//! joins applied to them. It is decided in one place ([`choose`]: the planner), run in
//! another ([`run`]: the executor, which counts what each step did), and printed by its
//! `Display` ([`node`]: EXPLAIN, and EXPLAIN ANALYZE once run).
//!
//! Every read goes through here: `find_by_id`, `find_all`, `find_by_cond`, `count`,
//! `for_each` and joins; the delete rules find referring rows through the same index
//! lookups (`Engine::rows_holding`).

pub mod aggregate;
pub mod choose;
pub mod count;
pub mod estimate;
pub mod node;
pub mod order;
pub mod run;

pub use aggregate::Agg;
pub use node::{Access, Plan};

use std::sync::Arc;

use crate::db::cond::Cond;
use crate::db::join::Join;

/// What a query asks for, before it is planned.
#[derive(Debug, Clone, Default)]
pub struct QuerySpec {
    /// Shared with the plan, which keeps it to show in EXPLAIN.
    pub cond: Option<Arc<Cond>>,
    pub joins: Vec<Join>,
    /// Field names, each descending or not.
    pub order: Vec<(String, bool)>,
    pub offset: u64,
    pub limit: Option<u64>,
    /// The fields to return (`id` always is); `None`: every field.
    pub fields: Option<Vec<String>>,
}
