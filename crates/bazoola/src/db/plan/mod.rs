//! Queries as plans. A plan is a value: the access path to a table's rows (PK lookup,
//! index lookup, index range, full scan), the condition they are filtered by, and the
//! joins applied to them. It is decided in one place ([`choose`]: the planner), run in
//! another ([`run`]: the executor, which counts what each step did), and printed by its
//! `Display` ([`node`]: EXPLAIN, and EXPLAIN ANALYZE once run).
//!
//! Every read goes through here: `find_by_id`, `find_all`, `find_by_cond`, `count`,
//! `for_each` and joins; the delete rules find referring rows through the same index
//! lookups (`Engine::rows_holding`).

pub mod choose;
pub mod estimate;
pub mod node;
pub mod run;

pub use node::{Access, Plan};
