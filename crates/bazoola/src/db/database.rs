//! [`Database`]: the public handle. Every method is one atomic operation (or joins the
//! calling thread's open transaction); the handle is `Send + Sync`, so threads share it.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use super::alter::{run, Reshape, SchemaChange};
use super::check::{CheckReport, Problem};
use super::cond::Cond;
use super::engine::Engine;
use super::join::Join;
use super::open::OpenOptions;
use super::query_builder::Query;
use crate::error::{AlterError, Error, Result};
use crate::format::constants::SPEC_WIDTH;
use crate::format::schema::{Field, TableSchema};
use crate::progress::Progress;
use crate::value::{Row, Value};

/// An open database directory.
pub struct Database {
    dir: PathBuf,
    engine: RwLock<Option<Engine>>,
    /// How the directory was opened, and with which tables declared (`None`: as its
    /// schema files say): to open it again after a schema change.
    options: OpenOptions,
    declared: Mutex<Option<Vec<TableSchema>>>,
    /// Bumped each time a new engine (a new set of schemas) takes over: see
    /// [`Database::schema_generation`].
    generation: AtomicU64,
}

/// Turns `(name, value)` pairs with convenient types into the engine's form, the names
/// kept as given: a `&str` costs no allocation.
fn pairs<K: AsRef<str>, V: Into<Value>>(values: impl IntoIterator<Item = (K, V)>) -> Vec<(K, Value)> {
    values.into_iter().map(|(k, v)| (k, v.into())).collect()
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

    pub(crate) fn from_engine(
        engine: Engine,
        options: OpenOptions,
        declared: Option<Vec<TableSchema>>,
    ) -> Database {
        Database {
            dir: engine.dir.clone(),
            engine: RwLock::new(Some(engine)),
            options,
            declared: Mutex::new(declared),
            generation: AtomicU64::new(0),
        }
    }

    /// A number that changes whenever this handle takes up new schemas: after a schema
    /// change made through it, or one another handle or process made, which its next
    /// operation finds. Something built from [`Database::schema`] (a prepared SQL
    /// statement's plan) stays valid while the number stays the same. Reading it costs
    /// no system call, so it says nothing of changes no operation has found yet: check
    /// it again *after* running such a plan, and plan and run again if it moved.
    pub fn schema_generation(&self) -> u64 {
        self.generation.load(AtomicOrdering::Acquire)
    }

    /// Runs `f` on the engine. If the schema changed under it (through this handle, or
    /// another process), the directory is opened again and `f` runs once more — it was
    /// stopped before touching anything.
    pub(crate) fn run<R>(&self, mut f: impl FnMut(&Engine) -> Result<R>) -> Result<R> {
        let mut reopened = false;
        loop {
            let outcome = f(self.engine()?.get());
            match outcome {
                Err(Error::SchemaChanged { .. }) if !reopened => {
                    self.reopen()?;
                    reopened = true;
                }
                outcome => return outcome,
            }
        }
    }

    /// Opens the directory again, if the engine is retired (unless another thread did
    /// already). If that fails — the declared tables no longer match the files — the
    /// retired engine stays, and every operation meets the same error.
    fn reopen(&self) -> Result<()> {
        let mut slot = self.engine.write().unwrap_or_else(|p| p.into_inner());
        let known: Vec<String> = match slot.as_ref() {
            None => return Err(Error::Closed { dir: self.dir.clone() }),
            Some(engine) if !engine.is_retired() => return Ok(()),
            Some(engine) => engine.tables.iter().map(|t| t.name().to_string()).collect(),
        };
        let declared = self.declared.lock().unwrap_or_else(|p| p.into_inner()).clone();
        *slot = Some(self.options.open_engine(&self.dir, declared, &known)?);
        self.generation.fetch_add(1, AtomicOrdering::AcqRel);
        Ok(())
    }

    /// Makes one schema change (SPEC §9) as one crash-safe transaction: checked against
    /// the schemas and every row first (a refusal changes nothing and names the table,
    /// field and first offending row), then made by writing new files and swapping them
    /// in, tables rewritten a chunk at a time with every row in its slot. Other handles
    /// and processes pick the new schema up on their next operation. Cannot run inside a
    /// transaction.
    pub fn change_schema(&self, change: SchemaChange) -> Result<()> {
        let reshape = self.run(|e| {
            let guard = e.lock.write()?;
            if !guard.outermost {
                return Err(AlterError::InTransaction.into());
            }
            e.prepare_exclusive()?;
            let old: Vec<TableSchema> = e.tables.iter().map(|t| t.schema.clone()).collect();
            let width = self.options.new_table_width().unwrap_or(old.first().map_or(SPEC_WIDTH, |t| t.width));
            let reshape = Reshape::of(&old, &change, width)?;
            run::run(e, &reshape)?;
            e.retire();
            // Which tables changed, by their new names: their new indexes are built below.
            let changed: Vec<String> = reshape
                .tables
                .iter()
                .zip(&reshape.new)
                .filter(|(t, new)| t.from.is_none_or(|o| old[o] != **new))
                .map(|(_, new)| new.name.clone())
                .collect();
            Ok((reshape.new, changed))
        });
        let (new, changed) = reshape?;
        {
            let mut declared = self.declared.lock().unwrap_or_else(|p| p.into_inner());
            if declared.is_some() {
                *declared = Some(new);
            }
        }
        self.reopen()?;
        self.run(|e| {
            let tables: Vec<usize> = changed.iter().filter_map(|name| e.table(name).ok()).collect();
            e.build_indexes(&tables)
        })
    }

    /// Creates an empty table (its FKs must point at tables that exist).
    pub fn create_table(&self, schema: TableSchema) -> Result<()> {
        self.change_schema(SchemaChange::CreateTable(schema))
    }

    /// Drops a table and its files. Refused while another table refers to it, unless
    /// `cascade`, which makes those FK fields plain INT fields (values and index kept).
    pub fn drop_table(&self, table: &str, cascade: bool) -> Result<()> {
        self.change_schema(SchemaChange::DropTable { table: table.into(), cascade })
    }

    /// Adds a field at the end of `table`; existing rows get `default` (null refused for
    /// a field that is not nullable if the table has rows).
    pub fn add_field(&self, table: &str, field: Field, default: impl Into<Value>) -> Result<()> {
        self.change_schema(SchemaChange::AddField { table: table.into(), field, default: default.into() })
    }

    /// Drops a field and its values from every row of `table`. `id` cannot be dropped.
    pub fn drop_field(&self, table: &str, field: &str) -> Result<()> {
        self.change_schema(SchemaChange::DropField { table: table.into(), field: field.into() })
    }

    /// Renames field `from` of `table` to `to`; the values stay. `id` cannot be renamed.
    pub fn rename_field(&self, table: &str, from: &str, to: &str) -> Result<()> {
        self.change_schema(SchemaChange::RenameField {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        })
    }

    /// Renames a table and its files; FKs of other tables follow it.
    pub fn rename_table(&self, from: &str, to: &str) -> Result<()> {
        self.change_schema(SchemaChange::RenameTable { from: from.into(), to: to.into() })
    }

    /// Redefines field `field.name` of `table`: CHAR or INT size, NULL, index, unique,
    /// ON DELETE rule (not its type or FK target), checking every row first.
    pub fn alter_field(&self, table: &str, field: Field) -> Result<()> {
        self.change_schema(SchemaChange::AlterField { table: table.into(), field })
    }

    /// The directory the database lives in.
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
        // Under the lock, so that a schema another process changed is seen.
        self.run(|e| e.read(|_| Ok(e.tables.iter().map(|t| t.schema.clone()).collect())))
    }

    /// The schema of `table`.
    pub fn schema(&self, table: &str) -> Result<TableSchema> {
        self.run(|e| e.read(|_| Ok(e.tables[e.table(table)?].schema.clone())))
    }

    /// Inserts a row; without `id`, the next free id after the sequence is used.
    pub fn insert<K: AsRef<str>, V: Into<Value>>(
        &self,
        table: &str,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Row> {
        let values = pairs(values);
        self.run(|e| {
            let t = e.table(table)?;
            e.write(|io| e.insert(io, t, &values))
        })
    }

    /// The row with `id`, or `None` if there is none; `joins` are applied to it.
    pub fn find_by_id(&self, table: &str, id: i64, joins: &[Join]) -> Result<Option<Row>> {
        self.run(|e| {
            let t = e.table(table)?;
            if joins.is_empty() {
                return e.read(|io| e.find_by_id(io, t, id));
            }
            // The joins' plans alone: a whole plan around one PK lookup cost more than
            // the lookup.
            let joins = e.plan_joins(t, joins)?;
            // No `prepare_joins` first: nothing leaves this read before it ends, so a
            // stale index a join meets (each checks its own) can make it start over.
            e.read(|io| {
                let Some(row) = e.find_by_id(io, t, id)? else { return Ok(None) };
                let mut rows = [row];
                e.apply_joins(io, &mut rows, &joins)?;
                let [row] = rows;
                Ok(Some(row))
            })
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
        self.run(|e| {
            let plan = e.plan(e.table(table)?, cond, joins)?;
            e.read(|io| e.collect(io, &plan))
        })
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
        self.run(|e| {
            let plan = e.plan(e.table(table)?, cond, &[])?;
            e.read(|io| e.execute(io, &plan, STREAM_BATCH, &mut |row| Ok(visit(row))))
        })
    }

    /// Number of rows satisfying `cond` (all rows for `None`).
    pub fn count(&self, table: &str, cond: Option<&Cond>) -> Result<u64> {
        self.run(|e| {
            let plan = e.plan(e.table(table)?, cond, &[])?;
            e.read(|io| e.count_rows(io, &plan))
        })
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
    pub fn update_by_id<K: AsRef<str>, V: Into<Value>>(
        &self,
        table: &str,
        id: i64,
        values: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Row> {
        let values = pairs(values);
        self.run(|e| {
            let t = e.table(table)?;
            e.write(|io| e.update(io, t, id, &values))
        })
    }

    /// Deletes row `id`, applying the delete rules of the FKs that refer to it.
    pub fn delete_by_id(&self, table: &str, id: i64) -> Result<()> {
        self.run(|e| {
            let t = e.table(table)?;
            e.write(|io| e.delete(io, t, id))
        })
    }

    /// Empties a table and resets its sequence; with `cascade`, tables referring to it
    /// are emptied first.
    pub fn truncate(&self, table: &str, cascade: bool) -> Result<()> {
        self.run(|e| {
            let t = e.table(table)?;
            e.write(|io| e.truncate(io, t, cascade))
        })
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
        self.run(|e| e.begin())
    }

    /// Ends the calling thread's innermost transaction level; the outermost one commits,
    /// unless an inner level rolled back or an operation failed, when it rolls back.
    pub fn commit(&self) -> Result<()> {
        self.engine()?.get().end(true)
    }

    /// Ends the calling thread's innermost transaction level, rolling back: at once for the
    /// outermost, and when the outermost ends for an inner one.
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
        self.run(|e| {
            e.read(|io| {
                let mut rows = 0;
                for table in &e.tables {
                    rows += io.len(table.data_file())? / table.row_size();
                }
                let progress = Progress::start(e.progress, "checking", rows);
                e.check(io, &progress)
            })
        })
    }

    /// Rebuilds every index of `table` from its rows, in one transaction.
    pub fn reindex(&self, table: &str) -> Result<()> {
        self.run(|e| {
            let t = e.table(table)?;
            e.write(|io| {
                let rows = io.len(e.tables[t].data_file())? / e.tables[t].row_size();
                for index in &e.tables[t].indexes {
                    let label = format!("indexing {}.{}", table, e.tables[t].schema.fields[index.field].name);
                    e.build_index(io, t, index, &Progress::start(e.progress, &label, rows))?;
                }
                Ok(())
            })
        })
    }

    /// Gives back the space of freed TEXT records: rewrites the text heap of `table`
    /// (of every table, for `None`) to hold only live records, each table in one
    /// transaction, in bounded memory. Returns the bytes reclaimed. The journal, which
    /// holds the old heap while the transaction runs, is cut back when it retires.
    pub fn vacuum(&self, table: Option<&str>) -> Result<u64> {
        self.run(|e| {
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
        })
    }

    /// Closes the files. Idempotent; any later use is [`Error::Closed`].
    pub fn close(&self) {
        let mut guard = self.engine.write().unwrap_or_else(|p| p.into_inner());
        *guard = None;
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.engine.read().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

/// Rows a streaming read decodes and joins at a time.
pub(crate) const STREAM_BATCH: usize = 1024;

pub(crate) struct EngineRef<'a>(RwLockReadGuard<'a, Option<Engine>>);

impl EngineRef<'_> {
    pub(crate) fn get(&self) -> &Engine {
        self.0.as_ref().expect("checked open when the reference was taken")
    }
}
