//! What a plan is: how a table's rows are reached (the access path), the condition
//! they are filtered by, and the joins applied to them — with the planner's estimates
//! and, once run, the counts of what each step actually did. Printing a plan is EXPLAIN.

use std::cell::Cell;
use std::fmt;
use std::ops::Bound;
use std::time::Duration;

use crate::db::cond::Predicate;
use crate::db::join::JoinKind;
use crate::value::Value;

/// How the rows of a table are reached.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Rows by id, through the PK index.
    PkLookup { ids: Vec<i64> },
    /// Rows whose indexed field holds one of `keys`, through index `index` of the table.
    IndexLookup { index: usize, keys: Vec<Value> },
    /// Rows whose indexed field lies within the bounds, through index `index`.
    IndexRange { index: usize, lower: Bound<Value>, upper: Bound<Value> },
    /// Every row, in file order.
    FullScan,
}

/// What a step of a plan did, counted as it ran.
#[derive(Debug, Default)]
pub struct Counters {
    /// Rows (or index entries) read.
    pub examined: Cell<u64>,
    /// Rows the step passed on.
    pub rows: Cell<u64>,
    pub nanos: Cell<u64>,
    /// Whether the step ran at all (EXPLAIN ANALYZE shows counts only then).
    pub ran: Cell<bool>,
}

impl Counters {
    pub fn examine(&self, n: u64) {
        self.examined.set(self.examined.get() + n);
    }
    pub fn pass(&self, n: u64) {
        self.rows.set(self.rows.get() + n);
    }
    pub fn spend(&self, time: Duration) {
        self.ran.set(true);
        self.nanos.set(self.nanos.get() + time.as_nanos() as u64);
    }
}

/// How a join finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Forward: the referenced rows by id, through the PK index (or, for a batch of
    /// ids larger than an eighth of the table, in one scan of it).
    PkIndex,
    /// Inverse: the referring rows through the FK field's index `index`.
    FkIndex { index: usize },
    /// Inverse, for an FK declared `NOINDEX`: one scan of the referring table per batch.
    FkScan,
}

/// A join of a plan.
#[derive(Debug)]
pub struct JoinPlan {
    pub kind: JoinKind,
    /// The key the joined value goes under.
    pub key: String,
    /// The other table, and its name.
    pub table: usize,
    pub table_name: String,
    /// The FK field: of the plan's table (forward) or of the other table (inverse).
    pub field: usize,
    pub field_name: String,
    pub via: Via,
    pub joins: Vec<JoinPlan>,
    pub counters: Counters,
    /// Estimated rows joined to each row (forward: 1).
    pub estimate: Cell<Option<f64>>,
}

/// A query on one table: how its rows are reached, filtered and joined. Printed, it is
/// the EXPLAIN of the query; after running, the counts of each step are printed too
/// (EXPLAIN ANALYZE).
pub struct Plan {
    pub(crate) table: usize,
    pub(crate) table_name: String,
    pub(crate) access: Access,
    /// The name of the field the access path's index is on.
    pub(crate) access_field: Option<String>,
    /// The whole condition, re-checked on every row the access path yields (so an
    /// access path only ever has to be a superset of the answer).
    pub(crate) filter: Option<(Predicate, String)>,
    pub(crate) joins: Vec<JoinPlan>,
    /// The access path's work and the rows the filter let through.
    pub(crate) access_counters: Counters,
    pub(crate) filter_counters: Counters,
    /// Estimated rows from the access path, and after the filter.
    pub(crate) estimate: Cell<Option<(f64, f64)>>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plan(\n{self})")
    }
}

impl Plan {
    /// How the rows are reached.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Rows read from files by the whole plan as it ran, joins included.
    pub fn rows_examined(&self) -> u64 {
        fn joins(list: &[JoinPlan]) -> u64 {
            list.iter().map(|j| j.counters.examined.get() + joins(&j.joins)).sum()
        }
        self.access_counters.examined.get() + joins(&self.joins)
    }

    fn describe_access(&self) -> String {
        let field = self.access_field.as_deref().unwrap_or("?");
        match &self.access {
            Access::FullScan => format!("scan {}", self.table_name),
            Access::PkLookup { ids } => {
                let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                format!("{} by id via PK index: {}", self.table_name, ids.join(", "))
            }
            Access::IndexLookup { keys, .. } => {
                let keys: Vec<String> = keys.iter().map(Value::repr).collect();
                format!("{} via index on {field}: {field} IN ({})", self.table_name, keys.join(", "))
            }
            Access::IndexRange { lower, upper, .. } => {
                let lo = match lower {
                    Bound::Included(v) => format!("[{}", v.repr()),
                    Bound::Excluded(v) => format!("({}", v.repr()),
                    Bound::Unbounded => "(-∞".into(),
                };
                let hi = match upper {
                    Bound::Included(v) => format!("{}]", v.repr()),
                    Bound::Excluded(v) => format!("{})", v.repr()),
                    Bound::Unbounded => "+∞)".into(),
                };
                format!("{} via index on {field}: range {lo}, {hi}", self.table_name)
            }
        }
    }
}

/// One line of the printed tree: what the step is, its estimate and what it did.
fn line(
    f: &mut fmt::Formatter<'_>,
    prefix: &str,
    text: &str,
    estimate: Option<String>,
    counters: &Counters,
) -> fmt::Result {
    write!(f, "{prefix}{text}")?;
    if let Some(estimate) = estimate {
        write!(f, "  (est. {estimate})")?;
    }
    if counters.ran.get() {
        let ms = counters.nanos.get() as f64 / 1e6;
        write!(
            f,
            "  [actual: {} rows, {} examined, {ms:.3} ms]",
            counters.rows.get(),
            counters.examined.get()
        )?;
    }
    writeln!(f)
}

fn rows(n: f64) -> String {
    if n < 10.0 && n.fract() != 0.0 {
        format!("{n:.1} rows")
    } else {
        format!("{} rows", n.round() as u64)
    }
}

fn joins(f: &mut fmt::Formatter<'_>, indent: &str, list: &[JoinPlan]) -> fmt::Result {
    for (i, join) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        let (branch, next) = if last { ("└─ ", "   ") } else { ("├─ ", "│  ") };
        let text = match (join.kind, join.via) {
            (JoinKind::Forward, _) => format!(
                "join {}: the {} row {} points at, via PK index",
                join.key, join.table_name, join.field_name
            ),
            (JoinKind::Inverse, Via::FkIndex { .. }) => format!(
                "inverse join {}: {} rows whose {} points here, via index on {}",
                join.key, join.table_name, join.field_name, join.field_name
            ),
            (JoinKind::Inverse, _) => format!(
                "inverse join {}: {} rows whose {} points here, scanning {}",
                join.key, join.table_name, join.field_name, join.table_name
            ),
        };
        let estimate = join.estimate.get().map(|n| format!("{} each", rows(n)));
        line(f, &format!("{indent}{branch}"), &text, estimate, &join.counters)?;
        joins(f, &format!("{indent}{next}"), &join.joins)?;
    }
    Ok(())
}

/// The plan as an indented tree, one step a line: EXPLAIN (and, once run, ANALYZE).
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (access_estimate, filter_estimate) = match self.estimate.get() {
            Some((a, b)) => (Some(rows(a)), Some(rows(b))),
            None => (None, None),
        };
        line(f, "", &self.describe_access(), access_estimate, &self.access_counters)?;
        if let Some((_, text)) = &self.filter {
            let branch = if self.joins.is_empty() { "└─ " } else { "├─ " };
            line(f, branch, &format!("filter: {text}"), filter_estimate, &self.filter_counters)?;
        }
        joins(f, "", &self.joins)
    }
}
