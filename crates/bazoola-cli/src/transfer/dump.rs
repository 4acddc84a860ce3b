//! [`dump()`]: the database as SQL that makes it again, in one of three dialects
//! ([`Dialect`]), streamed to any writer.
//!
//! The script, in order:
//! 1. `bazoola`: the `CREATE TABLE` and `CREATE INDEX` statements (schema changes run
//!    outside transactions there), then `BEGIN;`. `sqlite`: `PRAGMA foreign_keys=OFF;
//!    BEGIN TRANSACTION;` and the tables (as `sqlite3 .dump` does). `postgres`: `SET`s of
//!    the encoding and string syntax, `BEGIN;` and the tables. Tables come in FK order
//!    ([`super::order`]), each with its NOT NULL, UNIQUE and FK constraints.
//! 2. The rows, table by table in that order, as `INSERT INTO t (…) VALUES (…), …;` of
//!    up to [`ROWS_PER_INSERT`] rows, read in one transaction of the database (so the
//!    dump is one state of it) and streamed.
//! 3. FKs on a cycle: PostgreSQL adds them now (`ALTER TABLE … ADD FOREIGN KEY`), once
//!    every row is in; SQLite needs nothing (its FKs may name tables created later, and
//!    the load runs with its checks off); the bazoola shell checks every FK as a row
//!    goes in and cannot add an FK later, so a table referring to itself gets its rows
//!    with that field null and an `UPDATE` per row setting it afterwards — and FK cycles
//!    through several tables are refused, as is a non-empty table whose NOT NULL FK
//!    refers to itself.
//! 4. `sqlite`, `postgres`: the indexes (built once, over all rows); `postgres`: each
//!    table's id sequence set past its largest id (`setval`), so an insert without an
//!    id gets the next one.
//! 5. `COMMIT;` — last, so that a dump cut short loads nothing.

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;

use bazoola::{Database, Field, TableSchema, ValidationError, Value};

use super::dialect::Dialect;
use super::error::{Result, TransferError};
use super::order::{fk_order, FkOrder};
use super::progress::{Progress, WORTH_SHOWING_ROWS};
use super::txn::Snapshot;

/// Rows in one INSERT statement.
pub const ROWS_PER_INSERT: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    pub dialect: Dialect,
    /// The tables to dump (in any order); empty: all of them. FKs of a dumped table
    /// keep naming their targets, which must then exist where the dump is loaded.
    pub tables: Vec<String>,
    /// Draw a progress bar on standard error when it is a terminal.
    pub progress: bool,
}

/// What a dump wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpReport {
    pub tables: usize,
    pub rows: u64,
}

/// The tables `names` asks for (all when empty), in the database's order.
pub(crate) fn selected(db: &Database, names: &[String]) -> Result<Vec<TableSchema>> {
    let all = db.tables()?;
    if let Some(missing) = names.iter().find(|n| !all.iter().any(|t| &t.name == *n)) {
        return Err(bazoola::Error::from(ValidationError::UnknownTable { table: missing.clone() }).into());
    }
    Ok(all.into_iter().filter(|t| names.is_empty() || names.contains(&t.name)).collect())
}

/// Writes the tables of `options` as SQL in its dialect to `out`.
pub fn dump(db: &Database, options: &DumpOptions, out: &mut dyn Write) -> Result<DumpReport> {
    let _snapshot = Snapshot::begin(db)?;
    let schemas = selected(db, &options.tables)?;
    let order = fk_order(&schemas);
    let dialect = options.dialect;
    if dialect == Dialect::Bazoola {
        refuse_for_bazoola(db, &schemas, &order)?;
    }
    let mut total = 0;
    for schema in &schemas {
        total += db.count(&schema.name, None)?;
    }
    let progress = Progress::start_at(options.progress, "dumping", total, WORTH_SHOWING_ROWS);
    let mut out = Out { inner: BufWriter::with_capacity(256 << 10, out) };
    let ordered: Vec<&TableSchema> = order.tables.iter().map(|&t| &schemas[t]).collect();

    out.line(&format!("-- Bazoola dump of {} ({} dialect)", db.dir().display(), dialect))?;
    match dialect {
        Dialect::Bazoola => {}
        Dialect::Sqlite => out.line("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;")?,
        Dialect::Postgres => {
            out.line("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nBEGIN;")?
        }
    }
    for (&t, schema) in order.tables.iter().zip(&ordered) {
        let inline = |f: usize| dialect != Dialect::Postgres || !order.is_cyclic(t, f);
        out.line(&dialect.create_table(schema, &inline, false))?;
        if dialect == Dialect::Bazoola {
            for index in dialect.create_indexes(schema) {
                out.line(&index)?;
            }
            for field in schema.fields.iter().filter(|f| f.indexing == bazoola::Indexing::Off) {
                out.line(&format!(
                    "-- {}.{} has no index (NOINDEX), which SQL cannot say: it gets one when this loads",
                    schema.name, field.name
                ))?;
            }
        }
    }
    if dialect == Dialect::Bazoola {
        out.line("BEGIN;")?;
    }

    let mut rows = 0;
    for (&t, schema) in order.tables.iter().zip(&ordered) {
        // Bazoola: a table's FKs to itself are filled in by UPDATEs after its rows.
        let deferred: Vec<usize> = match dialect {
            Dialect::Bazoola => (0..schema.fields.len()).filter(|&f| order.is_cyclic(t, f)).collect(),
            _ => Vec::new(),
        };
        rows += insert_rows(db, dialect, schema, &deferred, &mut out, &progress)?;
        if !deferred.is_empty() {
            update_rows(db, dialect, schema, &deferred, &mut out)?;
        }
    }

    if dialect == Dialect::Postgres {
        for &(t, f) in &order.cyclic {
            if let Some(sql) = dialect.add_foreign_key(&schemas[t], &schemas[t].fields[f]) {
                out.line(&sql)?;
            }
        }
    }
    if dialect != Dialect::Bazoola {
        for schema in &ordered {
            for index in dialect.create_indexes(schema) {
                out.line(&index)?;
            }
        }
    }
    if dialect == Dialect::Postgres {
        for schema in &ordered {
            out.line(&setval_sql(schema))?;
        }
    }
    out.line("COMMIT;")?;
    out.inner.flush().map_err(|source| TransferError::Write { what: "dump", source })?;
    Ok(DumpReport { tables: schemas.len(), rows })
}

/// `SELECT setval(…)`: the next id PostgreSQL gives is one past the largest (1 for an
/// empty table).
pub(crate) fn setval_sql(schema: &TableSchema) -> String {
    let d = Dialect::Postgres;
    let table = d.ident(&schema.name);
    format!(
        "SELECT setval(pg_get_serial_sequence('{}', 'id'), COALESCE(MAX({}), 0) + 1, false) FROM {table};",
        table.replace('\'', "''"),
        d.ident("id"),
    )
}

/// What the bazoola shell cannot load: FK cycles through several tables, and rows of a
/// table whose NOT NULL FK refers to itself.
fn refuse_for_bazoola(db: &Database, schemas: &[TableSchema], order: &FkOrder) -> Result<()> {
    if let Some((t, f)) = order.loops(schemas).next() {
        let cycle: Vec<&str> = order.loops(schemas).map(|(t, _)| schemas[t].name.as_str()).collect();
        return Err(TransferError::Unsupported {
            dialect: "bazoola",
            table: schemas[t].name.clone(),
            field: Some(schemas[t].fields[f].name.clone()),
            id: None,
            problem: format!(
                "the foreign keys of tables {} form a cycle, and the bazoola shell creates a table only after \
                 the tables it refers to (dump with --dialect sqlite or postgres, or copy the directory)",
                cycle.join(", ")
            ),
        });
    }
    for &(t, f) in &order.cyclic {
        let (schema, field) = (&schemas[t], &schemas[t].fields[f]);
        if !field.nullable && db.count(&schema.name, None)? > 0 {
            return Err(TransferError::Unsupported {
                dialect: "bazoola",
                table: schema.name.clone(),
                field: Some(field.name.clone()),
                id: None,
                problem:
                    "the field is a NOT NULL foreign key to its own table, so its rows cannot be \
                          inserted one by one (dump with --dialect sqlite or postgres, or copy the directory)"
                        .into(),
            });
        }
    }
    Ok(())
}

/// The dump's output, with its errors named.
struct Out<'w> {
    inner: BufWriter<&'w mut dyn Write>,
}

impl Out<'_> {
    fn line(&mut self, text: &str) -> Result<()> {
        self.write(text.as_bytes())?;
        self.write(b"\n")
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.inner.write_all(bytes).map_err(|source| TransferError::Write { what: "dump", source })
    }
}

/// Appends a value as SQL to `line`, or says why the dialect cannot hold it. Written in
/// place: a string per value was a third of a dump's time.
fn push_sql_value(
    line: &mut String,
    dialect: Dialect,
    schema: &TableSchema,
    field: &Field,
    id: i64,
    value: &Value,
) -> Result<()> {
    use std::fmt::Write as _;
    match value {
        Value::Null => line.push_str("NULL"),
        // Writing to a String cannot fail.
        Value::Int(n) => {
            let _ = write!(line, "{n}");
        }
        Value::Text(text) => {
            if !dialect.push_literal(line, text) {
                return Err(TransferError::Unsupported {
                    dialect: dialect.name(),
                    table: schema.name.clone(),
                    field: Some(field.name.clone()),
                    id: Some(id),
                    problem: "the text holds a NUL character, which PostgreSQL cannot store".into(),
                });
            }
        }
        other => {
            let _ = write!(line, "{other}");
        }
    }
    Ok(())
}

/// Streams the rows of `schema` as INSERTs; the `deferred` fields are written as NULL.
fn insert_rows(
    db: &Database,
    dialect: Dialect,
    schema: &TableSchema,
    deferred: &[usize],
    out: &mut Out<'_>,
    progress: &Progress,
) -> Result<u64> {
    let columns: Vec<String> = schema.fields.iter().map(|f| dialect.ident(&f.name)).collect();
    let head = format!("INSERT INTO {} ({}) VALUES\n", dialect.ident(&schema.name), columns.join(", "));
    let mut in_statement = 0;
    let mut rows = 0;
    let mut failed = None;
    let mut line = String::new();
    db.for_each(&schema.name, None, |row| {
        let outcome = (|| {
            line.clear();
            line.push_str(if in_statement == 0 { &head } else { ",\n" });
            line.push('(');
            for (i, (field, value)) in schema.fields.iter().zip(row.values()).enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                if deferred.contains(&i) {
                    line.push_str("NULL");
                } else {
                    push_sql_value(&mut line, dialect, schema, field, row.id(), value)?;
                }
            }
            line.push(')');
            in_statement += 1;
            if in_statement == ROWS_PER_INSERT {
                line.push_str(";\n");
                in_statement = 0;
            }
            out.write(line.as_bytes())
        })();
        match outcome {
            Ok(()) => {
                rows += 1;
                progress.advance(1);
                ControlFlow::Continue(())
            }
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    if in_statement > 0 {
        out.write(b";\n")?;
    }
    Ok(rows)
}

/// `UPDATE t SET f = … WHERE id = …;` for each row holding a value in a `deferred` field.
fn update_rows(
    db: &Database,
    dialect: Dialect,
    schema: &TableSchema,
    deferred: &[usize],
    out: &mut Out<'_>,
) -> Result<()> {
    let table = dialect.ident(&schema.name);
    let mut failed = None;
    db.for_each(&schema.name, None, |row| {
        let sets: Vec<String> = deferred
            .iter()
            .filter_map(|&f| match &row.values()[f] {
                Value::Int(n) => Some(format!("{} = {n}", dialect.ident(&schema.fields[f].name))),
                _ => None,
            })
            .collect();
        if sets.is_empty() {
            return ControlFlow::Continue(());
        }
        let sql = format!("UPDATE {table} SET {} WHERE id = {};\n", sets.join(", "), row.id());
        match out.write(sql.as_bytes()) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}
