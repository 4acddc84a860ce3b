//! [`import()`]: the records of a CSV, JSON or NDJSON file as rows of a table.
//!
//! 1. The file's format comes from its extension or the options; it is opened and
//!    streamed (the value conventions are in `transfer::value`).
//! 2. With `create`, a first pass infers the table's schema ([`super::infer`]) and the
//!    table is created (a schema change, before any row is written).
//! 3. The records go in one by one, each converted to the fields' types and inserted
//!    through the engine, which validates it (sizes, NOT NULL, FK targets, unique
//!    values, ids). A column named `id` gives the row its id; without one, or where it
//!    is empty, ids are assigned. Rows go in in file order — except that a value of a
//!    nullable FK to the table itself naming a row not in yet (a child exported before
//!    its parent) goes in as null and is set once every row is in.
//! 4. Atomic (the default): the whole import is one transaction — the engine spills it
//!    to its journal as it grows, so memory stays flat, and takes its bulk path
//!    ([`Database::bulk_load`]: index entries merged in sorted batches, FK targets read
//!    in one pass) — and the first bad record rolls
//!    everything back (and drops a table `create` made), naming its line or element and
//!    field. With `keep_going`: a transaction per [`ImportOptions::batch`] records, and a
//!    bad record is skipped and reported while the good ones are kept; only a failure
//!    of the file or the database stops it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use bazoola::{Database, TableSchema, Value};

use super::error::{Place, Result, TransferError};
use super::format::Format;
use super::infer::infer;
use super::progress::{Progress, WORTH_SHOWING_BYTES};
use super::source::{Record, Source, Visitor};
use super::txn::Txn;
use super::value::{convert, Cell};

/// Bad records a report keeps (a `keep_going` import counts all of them).
pub const MAX_REPORTED: usize = 100;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The file's format; `None`: by its extension (`.csv`, `.json`, `.ndjson`, `.jsonl`).
    pub format: Option<Format>,
    /// CSV: lines to pass over before the header row.
    pub skip: usize,
    /// Create the table (it must not exist), its schema inferred from the file.
    pub create: bool,
    /// Skip and report bad records instead of rolling the whole import back.
    pub keep_going: bool,
    /// With `keep_going`: records committed per transaction.
    pub batch: usize,
    /// Draw a progress bar on standard error when it is a terminal.
    pub progress: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            skip: 0,
            create: false,
            keep_going: false,
            batch: 10_000,
            progress: true,
        }
    }
}

/// What an import did.
#[derive(Debug)]
pub struct ImportReport {
    pub table: String,
    /// The schema `create` inferred and created.
    pub created: Option<TableSchema>,
    pub inserted: u64,
    /// Bad records skipped (`keep_going`).
    pub skipped: u64,
    /// The first [`MAX_REPORTED`] of them, each naming its place and field (and any
    /// reference to the table itself that named a row the file does not hold: that row
    /// is kept, the field null, and counted here too).
    pub bad_records: Vec<TransferError>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.created {
            writeln!(f, "created {}", crate::sql::render::create_table_sql(schema))?;
        }
        write!(f, "imported {} row{} into '{}'", self.inserted, plural(self.inserted), self.table)?;
        if self.skipped > 0 {
            write!(f, "; skipped {} bad record{}:", self.skipped, plural(self.skipped))?;
            for bad in &self.bad_records {
                write!(f, "\n  {bad}")?;
            }
            let unlisted = self.skipped - self.bad_records.len() as u64;
            if unlisted > 0 {
                write!(f, "\n  … and {unlisted} more")?;
            }
        }
        Ok(())
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Imports the records of the file at `path` into `table` (see the module doc).
pub fn import(db: &Database, path: &Path, table: &str, options: &ImportOptions) -> Result<ImportReport> {
    let source = Source::open(path, options.format, options.skip)?;
    let passes = if options.create { 2 } else { 1 };
    let label = format!("importing {}", path.display());
    let progress = Progress::start_at(options.progress, &label, source.size() * passes, WORTH_SHOWING_BYTES);
    let tables = db.tables()?;
    let mut created = None;
    if options.create {
        if tables.iter().any(|t| t.name == table) {
            return Err(TransferError::TableExists { table: table.to_string() });
        }
        progress.set_label(&format!("reading {}", path.display()));
        let width = tables.first().map_or(bazoola::TableSchema::new(table).width, |t| t.width);
        let schema = infer(&source, table, width, &progress)?;
        db.create_table(schema)?;
        created = Some(db.schema(table)?);
        progress.set_label(&label);
    }
    let outcome = load(db, &source, table, options, &progress);
    match outcome {
        Ok(mut report) => {
            report.created = created;
            Ok(report)
        }
        Err(e) => {
            if created.is_some() && !options.keep_going {
                db.drop_table(table, false)?;
            }
            Err(e)
        }
    }
}

fn load(
    db: &Database,
    source: &Source,
    table: &str,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<ImportReport> {
    let schema = db.schema(table)?;
    let mut loader = Loader {
        db,
        path: source.path().to_path_buf(),
        columns: Vec::new(),
        keep_going: options.keep_going,
        batch: options.batch.max(1),
        in_batch: 0,
        report: ImportReport {
            table: table.to_string(),
            created: None,
            inserted: 0,
            skipped: 0,
            bad_records: Vec::new(),
        },
        self_refs: (0..schema.fields.len())
            .filter(|&k| {
                schema.fields[k].nullable && schema.fields[k].reference().map(|r| r.0) == Some(table)
            })
            .collect(),
        pending: Vec::new(),
        schema,
        txn: Txn::begin_bulk(db, table)?,
    };
    source.read(progress, &mut loader)?;
    loader.settle()?;
    loader.txn.commit()?;
    Ok(loader.report)
}

struct Loader<'db> {
    db: &'db Database,
    path: PathBuf,
    schema: TableSchema,
    /// CSV: the field of each column of the header.
    columns: Vec<usize>,
    keep_going: bool,
    batch: usize,
    in_batch: usize,
    report: ImportReport,
    /// Nullable FK fields referring to the table itself.
    self_refs: Vec<usize>,
    /// References to rows not in yet: (where, the row's id, field, the id it names).
    pending: Vec<(Place, i64, usize, i64)>,
    txn: Txn<'db>,
}

impl Loader<'_> {
    fn header_error(&self, column: &str, problem: String) -> TransferError {
        TransferError::Header { path: self.path.clone(), column: Some(column.to_string()), problem }
    }

    fn value_error(&self, place: Place, field: &str, problem: String) -> TransferError {
        TransferError::Value {
            path: self.path.clone(),
            place,
            table: self.schema.name.clone(),
            field: field.to_string(),
            problem,
        }
    }

    /// The record's values by field, converted.
    fn values(&self, place: Place, record: Record<'_>) -> Result<Vec<(&str, Value)>> {
        let fields = &self.schema.fields;
        let mut values = Vec::with_capacity(fields.len());
        match record {
            Record::Csv(csv) => {
                for (i, &k) in self.columns.iter().enumerate() {
                    let (text, quoted) = csv.get(i);
                    let value = convert(&fields[k], Cell::Csv { text, quoted })
                        .map_err(|problem| self.value_error(place, &fields[k].name, problem))?;
                    values.push((fields[k].name.as_str(), value));
                }
            }
            Record::Json(object) => {
                for (key, json) in object {
                    let Some(k) = self.schema.field_index(key) else {
                        let problem = format!("no such field in table '{}'", self.schema.name);
                        return Err(self.value_error(place, key, problem));
                    };
                    let value = convert(&fields[k], Cell::Json(json))
                        .map_err(|problem| self.value_error(place, key, problem))?;
                    values.push((fields[k].name.as_str(), value));
                }
            }
        }
        Ok(values)
    }

    fn insert(&mut self, place: Place, record: Record<'_>) -> Result<()> {
        let mut values = self.values(place, record)?;
        let mut deferred = Vec::new();
        for (name, value) in values.iter_mut().filter(|_| !self.self_refs.is_empty()) {
            let k = self.schema.field_index(name).unwrap_or_default();
            if let (true, Value::Int(target)) = (self.self_refs.contains(&k), &*value) {
                let present = self.db.find_by_id(&self.schema.name, *target, &[]);
                let present = present.map_err(|source| self.row_error(place, source))?;
                if present.is_none() {
                    deferred.push((k, *target));
                    *value = Value::Null;
                }
            }
        }
        let row =
            self.db.insert(&self.schema.name, values).map_err(|source| self.row_error(place, source))?;
        for (k, target) in deferred {
            self.pending.push((place, row.id(), k, target));
        }
        Ok(())
    }

    fn row_error(&self, place: Place, source: bazoola::Error) -> TransferError {
        TransferError::Row { path: self.path.clone(), place, source: Box::new(source) }
    }

    /// Sets the references that named rows not in yet when their row went in.
    fn settle(&mut self) -> Result<()> {
        for (place, id, k, target) in std::mem::take(&mut self.pending) {
            let field = self.schema.fields[k].name.as_str();
            if let Err(source) = self.db.update_by_id(&self.schema.name, id, [(field, Value::Int(target))]) {
                let error = self.row_error(place, source);
                if !(self.keep_going && error.is_bad_record()) {
                    return Err(error);
                }
                // The row stays, without the reference it cannot have.
                self.report.skipped += 1;
                if self.report.bad_records.len() < MAX_REPORTED {
                    self.report.bad_records.push(error);
                }
            }
        }
        Ok(())
    }
}

impl Visitor for Loader<'_> {
    fn header(&mut self, names: &[String]) -> Result<()> {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for name in names {
            let Some(k) = self.schema.field_index(name) else {
                let fields: Vec<&str> = self.schema.fields.iter().map(|f| f.name.as_str()).collect();
                let problem = format!(
                    "column '{name}' is not a field of table '{}' (its fields: {})",
                    self.schema.name,
                    fields.join(", ")
                );
                return Err(self.header_error(name, problem));
            };
            if seen.insert(name, ()).is_some() {
                return Err(self.header_error(name, format!("column '{name}' appears twice in the header")));
            }
            self.columns.push(k);
        }
        for (k, field) in self.schema.fields.iter().enumerate().skip(1) {
            if !field.nullable && !self.columns.contains(&k) {
                let problem = format!("no column for field '{}', which is NOT NULL", field.name);
                return Err(self.header_error(&field.name, problem));
            }
        }
        Ok(())
    }

    fn record(&mut self, place: Place, record: Record<'_>) -> Result<()> {
        match self.insert(place, record) {
            Ok(()) => self.report.inserted += 1,
            Err(e) if self.keep_going && e.is_bad_record() => {
                self.report.skipped += 1;
                if self.report.bad_records.len() < MAX_REPORTED {
                    self.report.bad_records.push(e);
                }
            }
            Err(e) => return Err(e),
        }
        self.in_batch += 1;
        if self.keep_going && self.in_batch >= self.batch {
            self.txn.checkpoint()?;
            self.in_batch = 0;
        }
        Ok(())
    }
}
