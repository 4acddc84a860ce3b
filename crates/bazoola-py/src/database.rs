//! `bazoola._bazoola.Database`: an open database directory, shared by every Python
//! thread. Each method converts its arguments with the GIL held, then runs the core
//! operation with the GIL released ([`guard::run`]), then builds the Python result.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use bazoola::{Cond, Join, OpenOptions, SchemaChange, SyncMode, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{int_arg, Kind, RowMaker, TableInfo};
use crate::error::{about_object, to_py};
use crate::guard::{attached, in_transaction, run, Callbacks};
use crate::query;
use crate::read::{self, Shape};
use crate::schema::{self, FieldSpec, SchemaSpec, TableSpec};
use crate::stream::Stream;

#[pyclass(frozen, module = "bazoola._bazoola")]
pub struct Database {
    db: bazoola::Database,
    /// The field kinds of every table, replaced after each schema change.
    tables: RwLock<HashMap<String, Arc<TableInfo>>>,
    /// Field kinds of a table that does not exist: values pass through, and the core
    /// refuses the table by name.
    unknown: Arc<TableInfo>,
}

/// The field kinds of the tables `db` has now.
fn table_infos(db: &bazoola::Database) -> bazoola::Result<HashMap<String, Arc<TableInfo>>> {
    Ok(db.tables()?.iter().map(|schema| (schema.name.clone(), Arc::new(TableInfo::new(schema)))).collect())
}

impl Database {
    fn info(&self, table: &str) -> Arc<TableInfo> {
        let tables = self.tables.read().unwrap_or_else(|p| p.into_inner());
        tables.get(table).unwrap_or(&self.unknown).clone()
    }

    /// Makes a schema change, then takes the field kinds of the tables as they are
    /// after it — also when it failed, in case it failed after the files changed.
    fn change(&self, py: Python<'_>, change: SchemaChange) -> PyResult<()> {
        run(py, None, || {
            let outcome = self.db.change_schema(change);
            let refreshed = table_infos(&self.db).map(|infos| {
                *self.tables.write().unwrap_or_else(|p| p.into_inner()) = infos;
            });
            outcome.and(refreshed)
        })
    }

    /// The core's form of the field `spec` of `table`, a `SchemaError` if it has none.
    fn field(py: Python<'_>, table: &str, spec: FieldSpec) -> PyResult<bazoola::Field> {
        schema::field(table, spec).map_err(|e| to_py(py, e.into()))
    }

    pub fn core(&self) -> &bazoola::Database {
        &self.db
    }
}

/// An optional condition argument (`None` for no condition).
fn cond_arg(
    py: Python<'_>,
    table: &str,
    cond: Option<&Bound<'_, PyAny>>,
    callbacks: &Callbacks,
) -> PyResult<Option<Cond>> {
    match cond {
        Some(c) if !c.is_none() => Ok(Some(attached(py, || query::cond(table, c, callbacks))?)),
        _ => Ok(None),
    }
}

/// Rows a batch of `db.iter` reads unless told otherwise.
const STREAM_BATCH: i64 = 1024;

/// An id argument.
fn id_arg(table: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    int_arg(table, "id", obj).map_err(|e| crate::error::about_object(e, obj))
}

/// The core query for a read of `table` (rows satisfying `cond`, `joins` applied).
fn build_query<'db>(
    db: &'db bazoola::Database,
    table: &str,
    cond: Option<Cond>,
    joins: Vec<Join>,
) -> bazoola::Query<'db> {
    let query = db.query(table);
    let query = match cond {
        Some(cond) => query.filter(cond),
        None => query,
    };
    joins.into_iter().fold(query, bazoola::Query::join)
}

/// Rows a read decodes, joins and builds into Python rows at a time (see [`build_rows`]).
const BUILD_BATCH: usize = 65_536;

/// The rows of the query `query` makes on the database the read runs on, as a list of
/// Python rows built while the core reads: a batch at a time, the GIL taken back for
/// each, and the last (or only) batch after the read. So the core's rows of one batch
/// live beside the Python rows, never those of the whole result (which doubled the
/// memory of a big read). The batch is big so that a join reads its targets in few
/// passes over their table.
fn build_rows<'py>(
    py: Python<'py>,
    db: &bazoola::Database,
    callbacks: &Callbacks,
    query: impl FnOnce(&bazoola::Database) -> bazoola::Query<'_> + Send,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py).unbind();
    let rest = run(py, Some(callbacks), || {
        in_transaction(db, callbacks, |db| {
            let mut pending = Vec::new();
            let mut failed = None;
            query(db).for_each_batched(BUILD_BATCH, |row| {
                pending.push(row);
                if pending.len() < BUILD_BATCH {
                    return ControlFlow::Continue(());
                }
                let built = Python::attach(|py| RowMaker::new(py)?.extend(list.bind(py), &pending));
                pending.clear();
                built.map_or_else(
                    |err| {
                        failed = Some(err);
                        ControlFlow::Break(())
                    },
                    ControlFlow::Continue,
                )
            })?;
            failed.map_or(Ok(pending), |err| Err(callbacks.stop(err)))
        })
    })?;
    let list = list.into_bound(py);
    RowMaker::new(py)?.extend(&list, &rest)?;
    Ok(list)
}

/// Panics inside a core call, for the test that no panic reaches Python as anything
/// but `DBError`.
#[pyfunction]
pub fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    run(py, None, || -> bazoola::Result<()> { panic!("deliberate panic for a test") })
}

#[pymethods]
impl Database {
    /// Opens (creating if needed) `dir` with the declared tables; with `migrate`, the
    /// safe differences between them and the stored ones are applied (see
    /// [`OpenOptions::migrate`]).
    #[new]
    #[pyo3(signature = (dir, tables, sync = "normal", width = None, migrate = false))]
    fn new(
        py: Python<'_>,
        dir: PathBuf,
        tables: Vec<TableSpec>,
        sync: &str,
        width: Option<usize>,
        migrate: bool,
    ) -> PyResult<Self> {
        let Some(mode) = SyncMode::parse(sync) else {
            let message = format!("unknown sync mode {sync:?} (expected 'full', 'normal' or 'off')");
            return Err(pyo3::exceptions::PyValueError::new_err(message));
        };
        let schemas = tables
            .into_iter()
            .map(schema::table)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| to_py(py, e.into()))?;
        let mut options = OpenOptions::new().sync(mode).migrate(migrate);
        if let Some(width) = width {
            options = options.width(width);
        }
        let db = run(py, None, || options.open(&dir, schemas))?;
        let tables = RwLock::new(run(py, None, || table_infos(&db))?);
        Ok(Database { db, tables, unknown: Arc::new(TableInfo::empty()) })
    }

    fn insert<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        values: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pairs = attached(py, || self.info(table_name).pairs(values))?;
        let row = run(py, None, || self.db.insert(table_name, pairs))?;
        RowMaker::new(py)?.row(&row)
    }

    #[pyo3(signature = (table_name, pk, joins = None))]
    fn find_by_id<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        pk: &Bound<'py, PyAny>,
        joins: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = id_arg(table_name, pk)?;
        let callbacks = Callbacks::default();
        let joins = attached(py, || query::joins(joins, &callbacks))?;
        let found = run(py, Some(&callbacks), || {
            in_transaction(&self.db, &callbacks, |db| db.find_by_id(table_name, id, &joins))
        })?;
        match found {
            Some(row) => RowMaker::new(py)?.row(&row),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Every row (in file order unless `order_by` says otherwise), `joins` applied.
    #[pyo3(signature = (table_name, joins = None, order_by = None, limit = None, offset = None, fields = None))]
    #[allow(clippy::too_many_arguments)]
    fn find_all<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        joins: Option<&Bound<'py, PyAny>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let callbacks = Callbacks::default();
        let joins = attached(py, || query::joins(joins, &callbacks))?;
        let shape = Shape::new(table_name, order_by, limit, offset, fields)?;
        build_rows(py, &self.db, &callbacks, |db| shape.apply(build_query(db, table_name, None, joins)))
    }

    /// The rows satisfying `cond` (in file order unless `order_by` says otherwise),
    /// `joins` applied.
    #[pyo3(signature = (table_name, cond, joins = None, order_by = None, limit = None, offset = None, fields = None))]
    #[allow(clippy::too_many_arguments)]
    fn find_by_cond<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        cond: &Bound<'py, PyAny>,
        joins: Option<&Bound<'py, PyAny>>,
        order_by: Option<&Bound<'py, PyAny>>,
        limit: Option<&Bound<'py, PyAny>>,
        offset: Option<&Bound<'py, PyAny>>,
        fields: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let callbacks = Callbacks::default();
        let cond = attached(py, || query::cond(table_name, cond, &callbacks))?;
        let joins = attached(py, || query::joins(joins, &callbacks))?;
        let shape = Shape::new(table_name, order_by, limit, offset, fields)?;
        build_rows(py, &self.db, &callbacks, |db| shape.apply(build_query(db, table_name, Some(cond), joins)))
    }

    /// The rows of a read, a batch at a time: see `stream`.
    #[pyo3(signature = (
        table_name, cond = None, joins = None, order_by = None, limit = None, offset = None,
        fields = None, batch = STREAM_BATCH
    ))]
    #[allow(clippy::too_many_arguments)]
    fn stream(
        slf: &Bound<'_, Self>,
        table_name: &str,
        cond: Option<&Bound<'_, PyAny>>,
        joins: Option<&Bound<'_, PyAny>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
        batch: i64,
    ) -> PyResult<Stream> {
        let py = slf.py();
        let batch = usize::try_from(batch).ok().filter(|b| *b >= 1).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("batch must be at least 1, got {batch}"))
        })?;
        let callbacks = Callbacks::default();
        let cond = cond_arg(py, table_name, cond, &callbacks)?;
        let joins = attached(py, || query::joins(joins, &callbacks))?;
        let shape = Shape::new(table_name, order_by, limit, offset, fields)?;
        let query = shape.apply(build_query(slf.get().core(), table_name, cond, joins));
        Ok(Stream::new(slf, callbacks, batch, &query))
    }

    /// Number of rows satisfying `cond` (all rows for `None`), without building them.
    #[pyo3(signature = (table_name, cond = None))]
    fn count(&self, py: Python<'_>, table_name: &str, cond: Option<&Bound<'_, PyAny>>) -> PyResult<u64> {
        let callbacks = Callbacks::default();
        let cond = cond_arg(py, table_name, cond, &callbacks)?;
        run(py, Some(&callbacks), || {
            in_transaction(&self.db, &callbacks, |db| db.count(table_name, cond.as_ref()))
        })
    }

    /// The aggregates `aggs` (`name=COUNT()`, …) of the rows satisfying `cond`, one
    /// row per group of `group_by` values (in group order, nulls first), or one row in
    /// all without `group_by`.
    #[pyo3(signature = (table_name, cond = None, group_by = None, **aggs))]
    fn aggregate<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        cond: Option<&Bound<'py, PyAny>>,
        group_by: Option<&Bound<'py, PyAny>>,
        aggs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let aggs = read::aggregates(aggs)?;
        let group_by = read::names(table_name, "group_by", group_by)?.unwrap_or_default();
        let callbacks = Callbacks::default();
        let cond = cond_arg(py, table_name, cond, &callbacks)?;
        let rows = run(py, Some(&callbacks), || {
            in_transaction(&self.db, &callbacks, |db| {
                let group_by: Vec<&str> = group_by.iter().map(String::as_str).collect();
                let aggs: Vec<(&str, bazoola::Agg)> =
                    aggs.iter().map(|(k, a)| (k.as_str(), a.clone())).collect();
                build_query(db, table_name, cond, Vec::new())
                    .group_by(&group_by)
                    .aggregates(&aggs)
                    .aggregate()
            })
        })?;
        RowMaker::new(py)?.rows(&rows)
    }

    fn update_by_id<'py>(
        &self,
        py: Python<'py>,
        table_name: &str,
        pk: &Bound<'py, PyAny>,
        values: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let id = id_arg(table_name, pk)?;
        let pairs = attached(py, || self.info(table_name).pairs(values))?;
        let row = run(py, None, || self.db.update_by_id(table_name, id, pairs))?;
        RowMaker::new(py)?.row(&row)
    }

    fn delete_by_id(&self, py: Python<'_>, table_name: &str, pk: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = id_arg(table_name, pk)?;
        run(py, None, || self.db.delete_by_id(table_name, id))
    }

    #[pyo3(signature = (table_name, cascade = false))]
    fn truncate(&self, py: Python<'_>, table_name: &str, cascade: bool) -> PyResult<()> {
        run(py, None, || self.db.truncate(table_name, cascade))
    }

    /// Opens (or, nested, joins) this thread's transaction, holding the exclusive lock.
    fn begin(&self, py: Python<'_>) -> PyResult<()> {
        run(py, None, || self.db.begin())
    }

    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        run(py, None, || self.db.commit())
    }

    fn rollback(&self, py: Python<'_>) -> PyResult<()> {
        run(py, None, || self.db.rollback())
    }

    /// Every broken invariant of the files, as messages; empty when healthy.
    fn check(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let problems = run(py, None, || self.db.check())?;
        Ok(problems.iter().map(ToString::to_string).collect())
    }

    /// The problems `check` finds, the bytes `vacuum` would reclaim per table, and the
    /// (table, field) of indexes that will be rebuilt at their next use.
    fn check_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let report = run(py, None, || self.db.check_report())?;
        let out = PyDict::new(py);
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        out.set_item("problems", problems)?;
        let reclaimable = PyDict::new(py);
        for r in &report.reclaimable {
            reclaimable.set_item(&r.table, r.bytes)?;
        }
        out.set_item("reclaimable", reclaimable)?;
        let stale: Vec<(String, String)> =
            report.stale_indexes.iter().map(|s| (s.table.clone(), s.field.clone())).collect();
        out.set_item("stale_indexes", stale)?;
        Ok(out)
    }

    /// Compacts the text heap of `table_name` (every table for `None`); returns the
    /// bytes reclaimed.
    #[pyo3(signature = (table_name = None))]
    fn vacuum(&self, py: Python<'_>, table_name: Option<&str>) -> PyResult<u64> {
        run(py, None, || self.db.vacuum(table_name))
    }

    /// Rebuilds every secondary index of `table_name` from its rows, in one transaction.
    fn reindex(&self, py: Python<'_>, table_name: &str) -> PyResult<()> {
        run(py, None, || self.db.reindex(table_name))
    }

    /// The plan of a read of `table_name` (rows satisfying `cond`, `joins` applied,
    /// ordered and limited) as an indented tree with estimated rows; with `analyze`, the
    /// read runs and each step shows what it actually did. A condition written in
    /// Python (`<custom>` in the plan) is only called when the read runs.
    #[pyo3(signature = (table_name, cond = None, joins = None, order_by = None, limit = None, analyze = false))]
    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        py: Python<'_>,
        table_name: &str,
        cond: Option<&Bound<'_, PyAny>>,
        joins: Option<&Bound<'_, PyAny>>,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        analyze: bool,
    ) -> PyResult<String> {
        let callbacks = Callbacks::default();
        let cond = cond_arg(py, table_name, cond, &callbacks)?;
        let joins = attached(py, || query::joins(joins, &callbacks))?;
        let shape = Shape::new(table_name, order_by, limit, None, None)?;
        run(py, Some(&callbacks), || {
            if analyze {
                in_transaction(&self.db, &callbacks, |db| {
                    Ok(shape.apply(build_query(db, table_name, cond, joins)).analyze()?.1.to_string())
                })
            } else {
                Ok(shape.apply(build_query(&self.db, table_name, cond, joins)).explain()?.to_string())
            }
        })
    }

    /// The tables as the engine has them now, each as `(name, width, fields)`.
    fn schemas(&self, py: Python<'_>) -> PyResult<Vec<SchemaSpec>> {
        Ok(run(py, None, || self.db.tables())?.iter().map(schema::describe).collect())
    }

    /// Creates the table `spec` declares, empty. Schema changes (SPEC §9) are each one
    /// crash-safe transaction, and cannot run inside another one.
    fn create_table(&self, py: Python<'_>, spec: TableSpec) -> PyResult<()> {
        let table = schema::table(spec).map_err(|e| to_py(py, e.into()))?;
        self.change(py, SchemaChange::CreateTable(table))
    }

    /// Drops a table and its files; with `cascade`, the FKs of other tables that refer
    /// to it become plain INT fields (values and index kept) instead of refusing.
    #[pyo3(signature = (table_name, cascade = false))]
    fn drop_table(&self, py: Python<'_>, table_name: &str, cascade: bool) -> PyResult<()> {
        self.change(py, SchemaChange::DropTable { table: table_name.into(), cascade })
    }

    /// Adds a field at the end of the table; the rows there get `default`.
    #[pyo3(signature = (table_name, field, default = None))]
    fn add_field(
        &self,
        py: Python<'_>,
        table_name: &str,
        field: FieldSpec,
        default: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let field = Self::field(py, table_name, field)?;
        let default = match default {
            None => Value::Null,
            Some(obj) => {
                Kind::of(&field.ty).value(table_name, &field.name, obj).map_err(|e| about_object(e, obj))?
            }
        };
        self.change(py, SchemaChange::AddField { table: table_name.into(), field, default })
    }

    fn drop_field(&self, py: Python<'_>, table_name: &str, field_name: &str) -> PyResult<()> {
        self.change(py, SchemaChange::DropField { table: table_name.into(), field: field_name.into() })
    }

    fn rename_field(&self, py: Python<'_>, table_name: &str, old: &str, new: &str) -> PyResult<()> {
        let change = SchemaChange::RenameField { table: table_name.into(), from: old.into(), to: new.into() };
        self.change(py, change)
    }

    /// Gives field `field.name` a new definition (size, NULL, index, unique, ON DELETE),
    /// checking every row first.
    fn alter_field(&self, py: Python<'_>, table_name: &str, field: FieldSpec) -> PyResult<()> {
        let field = Self::field(py, table_name, field)?;
        self.change(py, SchemaChange::AlterField { table: table_name.into(), field })
    }

    /// Renames a table and its files; the FKs of other tables follow it.
    fn rename_table(&self, py: Python<'_>, old: &str, new: &str) -> PyResult<()> {
        self.change(py, SchemaChange::RenameTable { from: old.into(), to: new.into() })
    }

    /// Closes the files; idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        run(py, None, || {
            self.db.close();
            Ok(())
        })
    }

    #[getter]
    fn closed(&self) -> bool {
        self.db.is_closed()
    }

    #[getter]
    fn dir(&self) -> PathBuf {
        self.db.dir().to_path_buf()
    }

    /// The format width of `table` (9, or 6 for directories of `bazoola==0.0.7`).
    fn width(&self, py: Python<'_>, table_name: &str) -> PyResult<usize> {
        Ok(run(py, None, || self.db.schema(table_name))?.width)
    }
}
