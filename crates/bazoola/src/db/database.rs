//! [`Database`]: the public handle. Every method is one atomic operation (or joins the
//! calling thread's open transaction); the handle is `Send + Sync`, so threads share it.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

use super::check::{CheckReport, Problem};
use super::cond::Cond;
use super::engine::Engine;
use super::join::Join;
use super::open::OpenOptions;
use super::plan::Plan;
use super::query_builder::Query;
use crate::error::{Error, Result};
use crate::format::schema::TableSchema;
use crate::progress::Progress;
use crate::value::{Row, Value};

/// An open database directory.
pub struct Database {
    dir: PathBuf,
    engine: RwLock<Option<Engine>>,
}

/// Turns `(name, value)` pairs with convenient types into the engine's form.
fn pairs<K: Into<String>, V: Into<Value>>(values: impl IntoIterator<Item = (K, V)>) -> Vec<(String, Value)> {
    values.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
}

impl Database {
    /// Opens (creating if needed) `dir` with these tables, in the default options.
    pub fn open(dir: impl AsRef<Path>, tables: impl IntoIterator<Item = TableSchema>) -> Result<Database> {
        OpenOptions::new().open(dir, tables)
    }

    /// Opens an existing directory with the tables its schema files describe.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Database> {
        OpenOptions::new().open_existing(dir)
    }

    pub(crate) fn from_engine(engine: Engine) -> Database {
        Database { dir: engine.dir.clone(), engine: RwLock::new(Some(engine)) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn engine(&self) -> Result<EngineRef<'_>> {
        let guard = self.engine.read().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            return Err(Error::Closed { dir: self.dir.clone() });
        }
        Ok(EngineRef(guard))
    }

    /// The schemas of the tables, in declaration order.
    pub fn tables(&self) -> Result<Vec<TableSchema>> {
        Ok(self.engine()?.get().tables.iter().map(|t| t.schema.clone()).collect())
    }

    pub fn schema(&self, table: &str) -> Result<TableSchema> {
        let engine = self.engine()?;
        let e = engine.get();
        Ok(e.tables[e.table(table)?].schema.clone())
    }

    /// Inserts a row; without `id`, the next free id after the sequence is used.
    pub fn insert<K: Into<String>, V: Into<Value>>(
        &self,
        table: &str,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Row> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        let values = pairs(values);
        e.write(|io| e.insert(io, t, values))
    }

    pub fn find_by_id(&self, table: &str, id: i64, joins: &[Join]) -> Result<Option<Row>> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        if joins.is_empty() {
            return e.read(|io| e.find_by_id(io, t, id));
        }
        let plan = e.plan_by_id(t, id, joins)?;
        e.read(|io| {
            e.prepare(io, &plan)?;
            let Some(row) = e.find_by_id(io, t, id)? else { return Ok(None) };
            let mut rows = [row];
            e.apply_joins(io, &mut rows, &plan.joins)?;
            let [row] = rows;
            Ok(Some(row))
        })
    }

    /// Every row, in file (slot) order.
    pub fn find_all(&self, table: &str, joins: &[Join]) -> Result<Vec<Row>> {
        self.find(table, None, joins)
    }

    /// The rows satisfying `cond`, in file (slot) order.
    pub fn find_by_cond(&self, table: &str, cond: &Cond, joins: &[Join]) -> Result<Vec<Row>> {
        self.find(table, Some(cond), joins)
    }

    fn find(&self, table: &str, cond: Option<&Cond>, joins: &[Join]) -> Result<Vec<Row>> {
        let engine = self.engine()?;
        let e = engine.get();
        let plan = e.plan(e.table(table)?, cond, joins)?;
        e.read(|io| collect(e, io, &plan))
    }

    /// Streams the rows satisfying `cond` (all rows for `None`) to `visit` without
    /// collecting them, until it returns `ControlFlow::Break`. The shared lock is held
    /// throughout, so `visit` must not write to this database.
    pub fn for_each(
        &self,
        table: &str,
        cond: Option<&Cond>,
        mut visit: impl FnMut(Row) -> ControlFlow<()>,
    ) -> Result<()> {
        let engine = self.engine()?;
        let e = engine.get();
        let plan = e.plan(e.table(table)?, cond, &[])?;
        e.read(|io| e.execute(io, &plan, STREAM_BATCH, &mut |row| Ok(visit(row))))
    }

    /// Number of rows satisfying `cond` (all rows for `None`).
    pub fn count(&self, table: &str, cond: Option<&Cond>) -> Result<u64> {
        let engine = self.engine()?;
        let e = engine.get();
        let plan = e.plan(e.table(table)?, cond, &[])?;
        e.read(|io| e.count_rows(io, &plan))
    }

    /// A query on `table`, to filter, join, run, count or explain.
    ///
    /// ```
    /// # use bazoola::{Cond, Database, Field, TableSchema};
    /// # let dir = tempfile::tempdir().unwrap();
    /// let db = Database::open(dir.path(), [TableSchema::new("t").field(Field::int("n").indexed())])?;
    /// db.insert("t", [("n", 7)])?;
    /// let query = db.query("t").filter(Cond::gt("n", 5));
    /// assert_eq!(query.rows()?.len(), 1);
    /// assert!(query.explain()?.to_string().starts_with("t via index on n: range (5, +∞)"));
    /// # Ok::<(), bazoola::Error>(())
    /// ```
    pub fn query(&self, table: &str) -> Query<'_> {
        Query::new(self, table)
    }

    /// Changes the given fields of row `id`; it keeps its slot. Returns the new row.
    pub fn update_by_id<K: Into<String>, V: Into<Value>>(
        &self,
        table: &str,
        id: i64,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Row> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        let values = pairs(values);
        e.write(|io| e.update(io, t, id, values))
    }

    /// Deletes row `id`, applying the delete rules of the FKs that refer to it.
    pub fn delete_by_id(&self, table: &str, id: i64) -> Result<()> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        e.write(|io| e.delete(io, t, id))
    }

    /// Empties a table and resets its sequence; with `cascade`, tables referring to it
    /// are emptied first.
    pub fn truncate(&self, table: &str, cascade: bool) -> Result<()> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        e.write(|io| e.truncate(io, t, cascade))
    }

    /// Runs `f` as one transaction: committed when it returns `Ok`, rolled back (every
    /// file byte-identical to before) when it returns `Err` or panics. Inside, this
    /// thread's reads see the transaction's writes; other threads and processes wait.
    /// A nested call joins the outer transaction.
    pub fn transaction<R>(&self, f: impl FnOnce(&Database) -> Result<R>) -> Result<R> {
        self.begin()?;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        match outcome {
            Ok(Ok(value)) => self.commit().map(|()| value),
            Ok(Err(e)) => {
                self.rollback()?;
                Err(e)
            }
            Err(panic) => {
                let _ = self.rollback();
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Opens a transaction for the calling thread; pair with [`commit`](Self::commit) or
    /// [`rollback`](Self::rollback) on the same thread. Prefer [`transaction`](Self::transaction).
    pub fn begin(&self) -> Result<()> {
        self.engine()?.get().begin()
    }

    pub fn commit(&self) -> Result<()> {
        self.engine()?.get().end(true)
    }

    pub fn rollback(&self) -> Result<()> {
        self.engine()?.get().end(false)
    }

    /// Checks every invariant of the files; an empty list means healthy.
    pub fn check(&self) -> Result<Vec<Problem>> {
        Ok(self.check_report()?.problems)
    }

    /// Checks every invariant of the files, and measures the space `vacuum` would
    /// reclaim. Reads every file once, in bounded memory; a progress bar shows on a
    /// terminal when it is long.
    pub fn check_report(&self) -> Result<CheckReport> {
        let engine = self.engine()?;
        let e = engine.get();
        e.read(|io| {
            let mut rows = 0;
            for table in &e.tables {
                rows += io.len(table.data_file())? / table.row_size();
            }
            let progress = Progress::start(e.progress, "checking", rows);
            e.check(io, &progress)
        })
    }

    /// Rebuilds every index of `table` from its rows, in one transaction.
    pub fn reindex(&self, table: &str) -> Result<()> {
        let engine = self.engine()?;
        let e = engine.get();
        let t = e.table(table)?;
        e.write(|io| {
            let rows = io.len(e.tables[t].data_file())? / e.tables[t].row_size();
            for index in &e.tables[t].indexes {
                let label = format!("indexing {}.{}", table, e.tables[t].schema.fields[index.field].name);
                e.build_index(io, t, index, &Progress::start(e.progress, &label, rows))?;
            }
            Ok(())
        })
    }

    /// Gives back the space of freed TEXT records: rewrites the text heap of `table`
    /// (of every table, for `None`) to hold only live records, each table in one
    /// transaction, in bounded memory. Returns the bytes reclaimed. The journal, which
    /// holds the old heap while the transaction runs, is cut back when it retires.
    pub fn vacuum(&self, table: Option<&str>) -> Result<u64> {
        let engine = self.engine()?;
        let e = engine.get();
        let targets: Vec<usize> = match table {
            Some(name) => vec![e.table(name)?],
            None => e.heaps().collect(),
        };
        let mut reclaimed = 0;
        for t in targets {
            let table = &e.tables[t];
            reclaimed += e.write(|io| {
                let rows = io.len(table.data_file())? / table.row_size();
                let progress = Progress::start(e.progress, &format!("vacuuming {}", table.name()), rows);
                e.vacuum(io, t, &progress)
            })?;
        }
        Ok(reclaimed)
    }

    /// Closes the files. Idempotent; any later use is [`Error::Closed`].
    pub fn close(&self) {
        let mut guard = self.engine.write().unwrap_or_else(|p| p.into_inner());
        *guard = None;
    }

    pub fn is_closed(&self) -> bool {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

/// Rows a streaming read decodes and joins at a time.
pub(crate) const STREAM_BATCH: usize = 1024;

/// Every row `plan` yields, joins applied.
pub(crate) fn collect(e: &Engine, io: &mut crate::storage::txn::Io, plan: &Plan) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    e.execute(io, plan, usize::MAX, &mut |row| {
        rows.push(row);
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(rows)
}

pub(crate) struct EngineRef<'a>(RwLockReadGuard<'a, Option<Engine>>);

impl EngineRef<'_> {
    pub(crate) fn get(&self) -> &Engine {
        self.0.as_ref().expect("checked open when the reference was taken")
    }
}
