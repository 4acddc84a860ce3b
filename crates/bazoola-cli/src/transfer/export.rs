//! [`export()`]: a table's rows to CSV, JSON or NDJSON, streamed from the engine's walk
//! over the table (one shared lock, so the file holds one state of the table) through
//! a buffer — never all rows at once.
//!
//! - CSV: a header row of the field names, then one record a row, in file (slot) order;
//!   null is an empty field, the empty string `""` (see `transfer::csv`).
//! - JSON: an array of objects, one a line; integers as numbers, nulls as `null`.
//! - NDJSON: one object a line.
//!
//! A file is written under a temporary name beside it and renamed into place once
//! whole: a failed export leaves no partial file (and an older file of that name as
//! it was).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use bazoola::{Database, Value};

use super::csv::write_field;
use super::error::{Result, TransferError};
use super::format::Format;

const WRITE_BUFFER: usize = 256 << 10;

/// Writes the rows of `table` to the file at `path`, in `format` or the one its
/// extension names; returns the number of rows.
pub fn export(db: &Database, table: &str, path: &Path, format: Option<Format>) -> Result<u64> {
    let format = Format::resolve(format, path)?;
    let staged = staged_path(path);
    let outcome = (|| {
        let file = File::create(&staged).map_err(TransferError::io(&staged, "create"))?;
        let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
        let rows = export_to(db, table, format, &mut out).map_err(|e| match e {
            TransferError::Write { source, .. } => {
                TransferError::Io { path: path.to_path_buf(), op: "write", source }
            }
            other => other,
        })?;
        let file = out.into_inner().map_err(|e| TransferError::Io {
            path: path.to_path_buf(),
            op: "write",
            source: e.into_error(),
        })?;
        file.sync_all().map_err(TransferError::io(path, "write"))?;
        std::fs::rename(&staged, path).map_err(TransferError::io(path, "write"))?;
        Ok(rows)
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(&staged);
    }
    outcome
}

/// `path` with its name prefixed, in the same directory (so the rename stays in one
/// file system).
fn staged_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// Writes the rows of `table` to `out` in `format`; returns the number of rows.
pub fn export_to(db: &Database, table: &str, format: Format, out: &mut dyn Write) -> Result<u64> {
    let schema = db.schema(table)?;
    let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    let keys: Vec<String> = names.iter().map(|n| json_string(n)).collect();
    let mut rows = 0u64;
    let mut failed = None;
    let header = match format {
        Format::Csv => write_csv_header(out, &names),
        _ => Ok(()),
    };
    header.map_err(|source| TransferError::Write { what: "export", source })?;
    db.for_each(table, None, |row| match write_row(out, format, &keys, row.values(), rows == 0) {
        Ok(()) => {
            rows += 1;
            ControlFlow::Continue(())
        }
        Err(e) => {
            failed = Some(e);
            ControlFlow::Break(())
        }
    })?;
    if let Some(source) = failed {
        return Err(TransferError::Write { what: "export", source });
    }
    let end: &[u8] = match format {
        Format::Json if rows == 0 => b"[]\n",
        Format::Json => b"\n]\n",
        _ => b"",
    };
    out.write_all(end)
        .and_then(|()| out.flush())
        .map_err(|source| TransferError::Write { what: "export", source })?;
    Ok(rows)
}

fn write_row(
    out: &mut dyn Write,
    format: Format,
    keys: &[String],
    values: &[Value],
    first: bool,
) -> io::Result<()> {
    match format {
        Format::Csv => write_csv_row(out, values),
        Format::Json => {
            out.write_all(if first { b"[\n" } else { b",\n" })?;
            write_object(out, keys, values)
        }
        Format::Ndjson => {
            write_object(out, keys, values)?;
            out.write_all(b"\n")
        }
    }
}

fn write_csv_header(out: &mut dyn Write, names: &[&str]) -> io::Result<()> {
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_field(out, name)?;
    }
    out.write_all(b"\n")
}

fn write_csv_row(out: &mut dyn Write, values: &[Value]) -> io::Result<()> {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        match value {
            Value::Null => {}
            Value::Int(n) => write!(out, "{n}")?,
            Value::Text(s) => write_field(out, s)?,
            other => write_field(out, &other.to_string())?,
        }
    }
    out.write_all(b"\n")
}

fn write_object(out: &mut dyn Write, keys: &[String], values: &[Value]) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(key.as_bytes())?;
        out.write_all(b":")?;
        match value {
            Value::Null => out.write_all(b"null")?,
            Value::Int(n) => write!(out, "{n}")?,
            Value::Float(x) if x.is_finite() => write!(out, "{x}")?,
            Value::Text(s) => serde_json::to_writer(&mut *out, s.as_str())?,
            other => serde_json::to_writer(&mut *out, &other.to_string())?,
        }
    }
    out.write_all(b"}")
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}
