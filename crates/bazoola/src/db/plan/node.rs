//! What a plan is: how a table's rows are reached (the access path), the condition
//! they are filtered by, their order, how many are kept, which fields are returned, and
//! the joins (and relation counts) applied to them — with the planner's estimates and,
//! once run, the counts of what each step actually did. Printing a plan is EXPLAIN.

use std::cell::Cell;
use std::fmt;
use std::ops::Bound;
use std::time::Duration;

use super::aggregate::AggPath;
use crate::db::cond::{Cond, Predicate};
use crate::db::join::JoinKind;
use crate::value::{Columns, Value};

/// How the rows of a table are reached.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Rows by id, through the PK index.
    PkLookup {
        /// The ids to look up.
        ids: Vec<i64>,
    },
    /// Rows whose indexed field holds one of `keys`, through index `index` of the table.
    IndexLookup {
        /// The index, by its position among the table's indexes.
        index: usize,
        /// The keys to look up.
        keys: Vec<Value>,
    },
    /// Rows whose indexed field lies within the bounds, through index `index`.
    IndexRange {
        /// The index, by its position among the table's indexes.
        index: usize,
        /// The lower bound of the field's values.
        lower: Bound<Value>,
        /// The upper bound of the field's values.
        upper: Bound<Value>,
    },
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

/// One key of an ordering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    pub field: usize,
    pub name: String,
    pub descending: bool,
}

/// How the rows are put in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    /// File (slot) order: no ordering asked for.
    Slots,
    /// Walking the PK index (`ORDER BY id`): ids are unique, so no other key matters;
    /// stops as soon as enough rows are out.
    Ids,
    /// Walking the index on the first key (index `index` of the table), each run of equal
    /// values sorted by the other keys; stops as soon as enough rows are out.
    Index { index: usize },
    /// Sorting sort keys and slots (a top-k heap when there is a limit), then reading the
    /// rows in that order.
    Sort,
}

/// How a join finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Forward: the referenced rows by id, through the PK index (or, for a batch of
    /// ids larger than an eighth of the table, in one scan of it).
    PkIndex,
    /// Inverse or count: the referring rows through the FK field's index `index`.
    FkIndex { index: usize },
    /// Inverse or count, for an FK declared `NOINDEX`: one scan of the referring table
    /// per batch.
    FkScan,
}

/// A join (or relation count) of a plan.
#[derive(Debug)]
pub struct JoinPlan {
    pub kind: JoinKind,
    /// The key the joined value goes under.
    pub key: String,
    /// The other table, and its name.
    pub table: usize,
    pub table_name: String,
    /// The FK field: of the plan's table (forward) or of the other table (inverse, count).
    pub field: usize,
    pub field_name: String,
    pub via: Via,
    /// A count's condition on the rows it counts (or crosses, with `through`).
    pub filter: Option<(Predicate, Cond)>,
    /// A count's second hop.
    pub through: Option<Box<JoinPlan>>,
    pub joins: Vec<JoinPlan>,
    pub counters: Counters,
    /// Estimated rows joined to (or counted for) each row.
    pub estimate: Cell<Option<f64>>,
}

/// A query on one table: how its rows are reached, filtered, ordered, cut and joined.
/// Printed, it is the EXPLAIN of the query; after running, the counts of each step are
/// printed too (EXPLAIN ANALYZE).
pub struct Plan {
    pub(crate) table: usize,
    pub(crate) table_name: String,
    pub(crate) access: Access,
    /// The name of the field the access path's index is on.
    pub(crate) access_field: Option<String>,
    /// The whole condition, re-checked on every row the access path yields (so an
    /// access path only ever has to be a superset of the answer).
    pub(crate) filter: Option<(Predicate, std::sync::Arc<Cond>)>,
    pub(crate) order: Vec<OrderKey>,
    pub(crate) ordering: Ordering,
    pub(crate) offset: u64,
    pub(crate) limit: Option<u64>,
    /// The fields returned (positions, in table order, `id` first), and their names;
    /// `None`: every field.
    pub(crate) fields: Option<(Vec<usize>, Columns)>,
    /// Whether the access path answers the condition exactly: every row it yields
    /// satisfies it (so the filter is skipped, and a count reads no row).
    pub(crate) covered: bool,
    pub(crate) joins: Vec<JoinPlan>,
    /// An aggregate over the rows, instead of the rows.
    pub(crate) aggregate: Option<super::aggregate::Aggregate>,
    /// The access path's work, the rows the filter let through, the ordering step's
    /// and the limit's.
    pub(crate) access_counters: Counters,
    pub(crate) filter_counters: Counters,
    pub(crate) order_counters: Counters,
    pub(crate) limit_counters: Counters,
    /// Estimated rows from the access path, and after the filter.
    pub(crate) estimate: Cell<Option<(f64, f64)>>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plan(\n{self})")
    }
}

/// The most rows [`Plan::rows_bound`] makes room for up front.
const ROWS_RESERVED_MAX: u64 = 1024;

impl Plan {
    /// How many rows to make room for before running: what the limit (or a lookup's
    /// ids) lets through, capped. Other results grow their vectors as rows come.
    pub(crate) fn rows_bound(&self) -> usize {
        let ids = match &self.access {
            Access::PkLookup { ids } => Some(ids.len() as u64),
            _ => None,
        };
        let bound = match (self.limit, ids) {
            (Some(limit), Some(ids)) => limit.min(ids),
            (Some(n), None) | (None, Some(n)) => n,
            (None, None) => 0,
        };
        bound.min(ROWS_RESERVED_MAX) as usize
    }

    /// How the rows are reached.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// Rows (and index entries) read from files by the whole plan as it ran, joins and
    /// counts included.
    pub fn rows_examined(&self) -> u64 {
        fn joins(list: &[JoinPlan]) -> u64 {
            list.iter()
                .map(|j| {
                    j.counters.examined.get()
                        + joins(&j.joins)
                        + j.through.as_deref().map_or(0, |t| joins(std::slice::from_ref(t)))
                })
                .sum()
        }
        let aggregate = self.aggregate.as_ref().map_or(0, |a| match a.path {
            super::aggregate::AggPath::Rows => 0,
            _ => a.counters.examined.get(),
        });
        self.access_counters.examined.get()
            + self.order_counters.examined.get()
            + aggregate
            + joins(&self.joins)
    }

    fn describe_access(&self) -> String {
        let field = self.access_field.as_deref().unwrap_or("?");
        match &self.access {
            Access::FullScan => {
                let index_only = self.aggregate.as_ref().filter(|a| a.path != AggPath::Rows);
                match (self.ordering, index_only) {
                    (_, Some(aggregate)) => {
                        let field = aggregate.group_by.first().map_or("?", |k| k.name.as_str());
                        let field = aggregate.aggs.first().and_then(|(_, a, _)| a.field()).unwrap_or(field);
                        format!("{} via index on {field} only", self.table_name)
                    }
                    (Ordering::Ids, _) => format!("{} via PK index, in id order", self.table_name),
                    (Ordering::Index { .. }, _) => {
                        format!("{} via index on {}, in its order", self.table_name, self.order[0].name)
                    }
                    _ => format!("scan {}", self.table_name),
                }
            }
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

    fn describe_order(&self) -> String {
        let keys: Vec<String> = self
            .order
            .iter()
            .map(|k| if k.descending { format!("{} DESC", k.name) } else { k.name.clone() })
            .collect();
        match self.ordering {
            Ordering::Ids => format!("order by {}: in PK index order", keys.join(", ")),
            Ordering::Index { .. } => {
                format!("order by {}: in index order on {}", keys.join(", "), self.order[0].name)
            }
            _ => match self.limit {
                Some(limit) => format!("order by {}: top {} of a sort", keys.join(", "), self.offset + limit),
                None => format!("order by {}: sort", keys.join(", ")),
            },
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
    } else if n.round() == 1.0 {
        "1 row".into()
    } else {
        format!("{} rows", n.round() as u64)
    }
}

fn describe_join(join: &JoinPlan) -> String {
    let via = match join.via {
        Via::PkIndex => "via PK index".to_string(),
        Via::FkIndex { .. } => format!("via index on {}", join.field_name),
        Via::FkScan => format!("scanning {}", join.table_name),
    };
    let filter = join.filter.as_ref().map(|(_, text)| format!(" where {text}")).unwrap_or_default();
    match join.kind {
        JoinKind::Forward => {
            format!("join {}: the {} row {} points at, {via}", join.key, join.table_name, join.field_name)
        }
        JoinKind::Inverse => format!(
            "inverse join {}: {} rows whose {} points here, {via}",
            join.key, join.table_name, join.field_name
        ),
        JoinKind::Count if join.through.is_some() => {
            format!(
                "count {}: across {} rows whose {} points here{filter}, {via}",
                join.key, join.table_name, join.field_name
            )
        }
        JoinKind::Count => {
            let what = if join.filter.is_none() && matches!(join.via, Via::FkIndex { .. }) {
                "index entries only"
            } else {
                "rows read"
            };
            format!(
                "count {}: {} rows whose {} points here{filter}, {via} ({what})",
                join.key, join.table_name, join.field_name
            )
        }
    }
}

fn joins(f: &mut fmt::Formatter<'_>, indent: &str, list: &[&JoinPlan]) -> fmt::Result {
    for (i, join) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        let (branch, next) = if last { ("└─ ", "   ") } else { ("├─ ", "│  ") };
        let estimate = join.estimate.get().map(|n| format!("{} each", rows(n)));
        line(f, &format!("{indent}{branch}"), &describe_join(join), estimate, &join.counters)?;
        let mut children: Vec<&JoinPlan> = join.through.iter().map(|t| &**t).collect();
        children.extend(join.joins.iter());
        joins(f, &format!("{indent}{next}"), &children)?;
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
        let mut steps: Vec<(String, Option<String>, &Counters)> = Vec::new();
        if let Some((_, text)) = &self.filter {
            steps.push((format!("filter: {text}"), filter_estimate, &self.filter_counters));
        }
        if !self.order.is_empty() {
            steps.push((self.describe_order(), None, &self.order_counters));
        }
        if self.limit.is_some() || self.offset > 0 {
            let text = match self.limit {
                Some(limit) if self.offset > 0 => format!("limit {limit} offset {}", self.offset),
                Some(limit) => format!("limit {limit}"),
                None => format!("offset {}", self.offset),
            };
            steps.push((text, None, &self.limit_counters));
        }
        if let Some((_, names)) = &self.fields {
            let names: Vec<&str> = names.iter().map(|n| &**n).collect();
            steps.push((format!("fields: {}", names.join(", ")), None, &self.limit_counters));
        }
        if let Some(aggregate) = &self.aggregate {
            steps.push((aggregate.describe(), None, &aggregate.counters));
        }
        let join_list: Vec<&JoinPlan> = self.joins.iter().collect();
        for (i, (text, estimate, counters)) in steps.iter().enumerate() {
            let last = i + 1 == steps.len() && join_list.is_empty();
            let counters = if text.starts_with("fields:") { &Counters::default() } else { *counters };
            line(f, if last { "└─ " } else { "├─ " }, text, estimate.clone(), counters)?;
        }
        joins(f, "", &join_list)
    }
}
