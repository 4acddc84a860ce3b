//! [`Query`]: a query put together step by step — condition, joins, relation counts,
//! order, limit, offset, fields, aggregates — then run, streamed, counted or explained.
//!
//! ```
//! # use bazoola::{Agg, Cond, Database, Field, Join, TableSchema, Value};
//! # let dir = tempfile::tempdir().unwrap();
//! let db = Database::open(dir.path(), [
//!     TableSchema::new("authors").field(Field::char("name", 20)),
//!     TableSchema::new("books")
//!         .field(Field::char("title", 20))
//!         .field(Field::fk("author_id", "authors"))
//!         .field(Field::int("year").nullable().indexed()),
//! ])?;
//! let lem = db.insert("authors", [("name", "Stanislaw Lem")])?.id();
//! for (title, year) in [("Solaris", 1961), ("The Cyberiad", 1965), ("Fiasco", 1986)] {
//!     db.insert("books", [("title", Value::from(title)), ("author_id", lem.into()), ("year", year.into())])?;
//! }
//! // The two newest books: the index on year, walked backwards, stops after two rows.
//! let newest = db.query("books").order_by_desc("year").limit(2).fields(&["title"]).rows()?;
//! assert_eq!(newest[0]["title"].as_str(), Some("Fiasco"));
//! // Books per author, counted through the FK's index without reading a book.
//! let authors = db.query("authors").join(Join::count("author_id", "books", "books")).rows()?;
//! assert_eq!(authors[0]["books"], Value::Int(3));
//! // An aggregate per group.
//! let per_author = db.query("books").group_by(&["author_id"]).aggregates(&[("n", Agg::Count)]).aggregate()?;
//! assert_eq!(per_author[0]["n"], Value::Int(3));
//! # Ok::<(), bazoola::Error>(())
//! ```

use std::ops::ControlFlow;
use std::sync::Arc;

use super::database::{Database, STREAM_BATCH};
use super::engine::Engine;
use super::plan::aggregate::Aggregate;
use super::plan::{Agg, Plan, QuerySpec};
use crate::db::cond::Cond;
use crate::db::join::Join;
use crate::error::Result;
use crate::value::Row;

/// A query being put together. Nothing is read until it is run ([`Query::rows`],
/// [`Query::iter`], [`Query::for_each`], [`Query::count`], [`Query::aggregate`]) or
/// explained ([`Query::explain`], [`Query::analyze`]).
#[derive(Clone)]
pub struct Query<'db> {
    db: &'db Database,
    parts: Parts,
}

/// What a query asks, apart from the database it asks it of.
#[derive(Clone)]
struct Parts {
    table: String,
    spec: QuerySpec,
    group_by: Vec<String>,
    aggs: Vec<(String, Agg)>,
}

impl Parts {
    fn plan(&self, e: &Engine) -> Result<Plan> {
        let mut plan = e.plan_query(e.table(&self.table)?, &self.spec)?;
        if !self.aggs.is_empty() {
            plan.aggregate = Some(e.plan_aggregate(&plan, &self.group_by, &self.aggs)?);
        }
        Ok(plan)
    }
}

impl<'db> Query<'db> {
    pub(crate) fn new(db: &'db Database, table: &str) -> Query<'db> {
        Query {
            db,
            parts: Parts {
                table: table.to_string(),
                spec: QuerySpec::default(),
                group_by: Vec::new(),
                aggs: Vec::new(),
            },
        }
    }

    /// Keeps the rows satisfying `cond` (ANDed with any condition already given).
    pub fn filter(mut self, cond: Cond) -> Self {
        self.parts.spec.cond = Some(Arc::new(match self.parts.spec.cond.take() {
            Some(first) => Arc::unwrap_or_clone(first).and(cond),
            None => cond,
        }));
        self
    }

    /// Adds a join (or relation count, [`Join::count`]), applied after those already given.
    pub fn join(mut self, join: Join) -> Self {
        self.parts.spec.joins.push(join);
        self
    }

    /// Orders by `field`, ascending (nulls first); later calls order ties.
    pub fn order_by(mut self, field: &str) -> Self {
        self.parts.spec.order.push((field.to_string(), false));
        self
    }

    /// Orders by `field`, descending (nulls last); later calls order ties.
    pub fn order_by_desc(mut self, field: &str) -> Self {
        self.parts.spec.order.push((field.to_string(), true));
        self
    }

    /// Returns at most `n` rows (at least 1).
    pub fn limit(mut self, n: u64) -> Self {
        self.parts.spec.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.parts.spec.offset = n;
        self
    }

    /// Returns only these fields (and `id`, always; and the FK of a forward join). TEXT
    /// fields not asked for are not read.
    pub fn fields(mut self, names: &[&str]) -> Self {
        self.parts.spec.fields = Some(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// Groups an aggregate by these fields.
    pub fn group_by(mut self, fields: &[&str]) -> Self {
        self.parts.group_by = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// The aggregates to compute, each under its key.
    pub fn aggregates(mut self, aggs: &[(&str, Agg)]) -> Self {
        self.parts.aggs = aggs.iter().map(|(k, a)| (k.to_string(), a.clone())).collect();
        self
    }

    fn plan(&self, e: &Engine) -> Result<Plan> {
        self.parts.plan(e)
    }

    /// The rows, in order (file order when no order is asked for).
    pub fn rows(&self) -> Result<Vec<Row>> {
        self.db.run(|e| {
            let plan = self.plan(e)?;
            e.read(|io| e.collect(io, &plan))
        })
    }

    /// Streams the rows to `visit` (joins applied a batch at a time) until it says to
    /// stop; the shared lock is held throughout, so `visit` must not write.
    pub fn for_each(&self, visit: impl FnMut(Row) -> ControlFlow<()>) -> Result<()> {
        self.for_each_batched(STREAM_BATCH, visit)
    }

    /// [`Query::for_each`] with the rows decoded and joined `batch` at a time (at least
    /// one): a bigger batch reads a join's targets in fewer passes over their table
    /// (each pass in slot order), a smaller one keeps fewer decoded rows in memory.
    pub fn for_each_batched(
        &self,
        batch: usize,
        mut visit: impl FnMut(Row) -> ControlFlow<()>,
    ) -> Result<()> {
        self.db.run(|e| {
            let plan = self.plan(e)?;
            e.read(|io| e.execute(io, &plan, batch.max(1), &mut |row| Ok(visit(row))))
        })
    }

    /// The rows one at a time, without materialising the result and without holding a
    /// lock between batches: the order of the result (its rows' slots and ids) is taken
    /// first, then the rows are read `batch` at a time, each batch under its own read
    /// lock. A row deleted meanwhile (its slot empty or holding another row now), or
    /// changed so that the condition no longer holds, is left out — the consistency of
    /// SQL's READ COMMITTED.
    pub fn iter(&self, batch: usize) -> Result<QueryIter<'db>> {
        Ok(QueryIter { db: self.db, cursor: self.cursor(batch), buffered: Vec::new().into_iter() })
    }

    /// The same walk as [`Query::iter`], as a value that does not borrow the database:
    /// each [`Cursor::next_batch`] is given it. For owners that cannot hold a borrow (a
    /// Python iterator object).
    pub fn cursor(&self, batch: usize) -> Cursor {
        Cursor { parts: self.parts.clone(), slots: None, next: 0, batch: batch.max(1) }
    }

    /// The number of rows (offset and limit applied).
    pub fn count(&self) -> Result<u64> {
        self.db.run(|e| {
            let plan = self.count_plan(e)?;
            e.read(|io| e.count_rows(io, &plan))
        })
    }

    /// The plan that counts the query's rows: no joins (they change no count), no
    /// field read that the count does not need.
    fn count_plan(&self, e: &Engine) -> Result<Plan> {
        let mut spec = self.parts.spec.clone();
        spec.joins.clear();
        spec.fields = Some(Vec::new());
        e.plan_query(e.table(&self.parts.table)?, &spec)
    }

    /// The aggregates of [`Query::aggregates`], one row per group of
    /// [`Query::group_by`] (one row in all without groups).
    pub fn aggregate(&self) -> Result<Vec<Row>> {
        // As `analyze`, without estimating the rows first (EXPLAIN's numbers, which for
        // an index lookup cost a walk of the index of their own).
        self.db.run(|e| {
            let plan = self.plan(e)?;
            e.read(|io| {
                e.prepare(io, &plan)?;
                match &plan.aggregate {
                    Some(aggregate) => run_aggregate(e, io, &plan, aggregate),
                    None => e.collect(io, &plan),
                }
            })
        })
    }

    /// The plan the query would run, with estimated rows (EXPLAIN).
    pub fn explain(&self) -> Result<Plan> {
        self.db.run(|e| {
            let plan = self.plan(e)?;
            e.read(|io| {
                e.prepare(io, &plan)?;
                e.estimate(io, &plan)
            })?;
            Ok(plan)
        })
    }

    /// Runs the query (its aggregate, if it has one) and returns its rows with the plan,
    /// each step showing what it actually did (EXPLAIN ANALYZE).
    pub fn analyze(&self) -> Result<(Vec<Row>, Plan)> {
        self.db.run(|e| {
            let plan = self.plan(e)?;
            let rows = e.read(|io| {
                e.prepare(io, &plan)?;
                e.estimate(io, &plan)?;
                match &plan.aggregate {
                    Some(aggregate) => run_aggregate(e, io, &plan, aggregate),
                    None => e.collect(io, &plan),
                }
            })?;
            Ok((rows, plan))
        })
    }

    /// Counts the query's rows and returns the plan, each step showing what it did.
    pub fn analyze_count(&self) -> Result<(u64, Plan)> {
        self.db.run(|e| {
            let plan = self.count_plan(e)?;
            let n = e.read(|io| {
                e.estimate(io, &plan)?;
                e.count_rows(io, &plan)
            })?;
            Ok((n, plan))
        })
    }
}

fn run_aggregate(
    e: &Engine,
    io: &mut crate::storage::txn::Io,
    plan: &Plan,
    aggregate: &Aggregate,
) -> Result<Vec<Row>> {
    e.aggregate(io, plan, aggregate)
}

/// Where a walk over a query's rows is (see [`Query::cursor`]).
pub struct Cursor {
    parts: Parts,
    /// The result's slots and the ids they held, in order, taken at the first call.
    slots: Option<Vec<(u64, i64)>>,
    next: usize,
    batch: usize,
}

impl Cursor {
    /// The next rows, up to the batch size, read under one lock; empty once there are
    /// no more. An error ends the walk.
    pub fn next_batch(&mut self, db: &Database) -> Result<Vec<Row>> {
        let outcome = self.fill(db);
        if outcome.is_err() {
            self.slots = Some(Vec::new());
        }
        outcome
    }

    fn fill(&mut self, db: &Database) -> Result<Vec<Row>> {
        db.run(|e| self.fill_from(e))
    }

    fn fill_from(&mut self, e: &Engine) -> Result<Vec<Row>> {
        let plan = self.parts.plan(e)?;
        if self.slots.is_none() {
            self.slots = Some(e.read(|io| e.result_slots(io, &plan))?);
        }
        let slots = self.slots.as_deref().unwrap_or_default();
        while self.next < slots.len() {
            let end = (self.next + self.batch).min(slots.len());
            let rows = e.read(|io| e.rows_at(io, &plan, &slots[self.next..end]))?;
            self.next = end;
            if !rows.is_empty() {
                return Ok(rows);
            }
        }
        Ok(Vec::new())
    }
}

/// The rows of a [`Query`], a batch at a time (see [`Query::iter`]).
pub struct QueryIter<'db> {
    db: &'db Database,
    cursor: Cursor,
    buffered: std::vec::IntoIter<Row>,
}

impl Iterator for QueryIter<'_> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        if let Some(row) = self.buffered.next() {
            return Some(Ok(row));
        }
        match self.cursor.next_batch(self.db) {
            Ok(rows) => {
                self.buffered = rows.into_iter();
                self.buffered.next().map(Ok)
            }
            Err(e) => Some(Err(e)),
        }
    }
}
