//! What can go wrong moving data in or out. Every variant carries what it is about —
//! the file and the place in it ([`Place`]), the table and field, the PostgreSQL
//! target — readable through accessors, and its message is built from them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Where a record is in an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A CSV record (the line it starts on) or an NDJSON line; 1-based, counting every
    /// line of the file (skipped lines and the header too).
    Line(u64),
    /// An element of a JSON array, counting from 0.
    Element(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(f, "line {line}"),
            Place::Element(index) => write!(f, "element {index} of the array"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The operating system refused a file operation.
    #[error("cannot {op} {path}: {source}")]
    Io { path: PathBuf, op: &'static str, source: std::io::Error },
    /// Writing the output (a dump to standard output, a pipe) failed.
    #[error("cannot write the {what}: {source}")]
    Write { what: &'static str, source: std::io::Error },
    /// The file's name does not say its format and none was given.
    #[error("{path}: cannot tell the format from the name: use .csv, .json, .ndjson or .jsonl, or give the format")]
    UnknownFormat { path: PathBuf },
    /// The input is not well-formed CSV, JSON or NDJSON (or not UTF-8) at `place`;
    /// `field` names the column when the problem is in one.
    #[error("{}: {place}{}: {problem}", path.display(), column(field))]
    Malformed { path: PathBuf, place: Place, field: Option<String>, problem: String },
    /// The CSV header (or the columns of a JSON input) does not fit the table.
    #[error("{}: {problem}", path.display())]
    Header { path: PathBuf, column: Option<String>, problem: String },
    /// A value cannot become its field's type (`abc` for an INT field).
    #[error("{}: {place}: '{field}': {problem}", path.display())]
    Value { path: PathBuf, place: Place, table: String, field: String, problem: String },
    /// The engine refused a record (a value too long or too big, a missing FK target, a
    /// duplicate id or unique value); the engine error names the field.
    #[error("{}: {place}: {source}", path.display())]
    Row { path: PathBuf, place: Place, source: Box<bazoola::Error> },
    /// `create` was asked for a table that exists.
    #[error("table '{table}' already exists: import into it without create, or name a new table")]
    TableExists { table: String },
    /// A dump in this dialect cannot express the database (an FK cycle between tables in
    /// the bazoola dialect, a NUL character for PostgreSQL).
    #[error("cannot dump {} for {dialect}: {problem}", about(table, field, id))]
    Unsupported {
        dialect: &'static str,
        table: String,
        field: Option<String>,
        id: Option<i64>,
        problem: String,
    },
    #[error(transparent)]
    Engine(Box<bazoola::Error>),
    /// PostgreSQL refused, or could not be reached. `target` is the connection without
    /// its password; `doing` says what was being done.
    #[error("PostgreSQL at {target}: {doing}: {}", pg_message(source))]
    Postgres { target: String, doing: String, source: postgres::Error },
    /// The target database already has tables of these names, and `replace` was not asked.
    #[error(
        "PostgreSQL at {target} already has table(s) {}: nothing was copied (migrate with replace to drop them first)",
        tables.join(", ")
    )]
    TargetExists { target: String, tables: Vec<String> },
    /// A command's arguments do not parse.
    #[error("{0}")]
    Usage(String),
}

fn column(field: &Option<String>) -> String {
    field.as_ref().map_or(String::new(), |f| format!(", column '{f}'"))
}

fn about(table: &str, field: &Option<String>, id: &Option<i64>) -> String {
    let mut out = format!("table '{table}'");
    if let Some(field) = field {
        out.push_str(&format!(", field '{field}'"));
    }
    if let Some(id) = id {
        out.push_str(&format!(", row id={id}"));
    }
    out
}

/// The server's own message (with its detail and hint) when it sent one; the client's
/// otherwise.
fn pg_message(error: &postgres::Error) -> String {
    let Some(db) = error.as_db_error() else {
        return match std::error::Error::source(error) {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        };
    };
    let mut out = db.message().to_string();
    if let Some(detail) = db.detail() {
        out.push_str(&format!(" ({detail})"));
    }
    if let Some(hint) = db.hint() {
        out.push_str(&format!(" Hint: {hint}"));
    }
    out
}

impl TransferError {
    /// The table the error is about.
    pub fn table(&self) -> Option<&str> {
        match self {
            TransferError::Value { table, .. } | TransferError::TableExists { table } => Some(table),
            TransferError::Unsupported { table, .. } => Some(table),
            TransferError::Row { source, .. } | TransferError::Engine(source) => source.table(),
            _ => None,
        }
    }

    /// The field (or CSV column) the error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            TransferError::Malformed { field, .. } | TransferError::Unsupported { field, .. } => {
                field.as_deref()
            }
            TransferError::Header { column, .. } => column.as_deref(),
            TransferError::Value { field, .. } => Some(field),
            TransferError::Row { source, .. } | TransferError::Engine(source) => source.field(),
            _ => None,
        }
    }

    /// Where in the input file the error is.
    pub fn place(&self) -> Option<Place> {
        match self {
            TransferError::Malformed { place, .. }
            | TransferError::Value { place, .. }
            | TransferError::Row { place, .. } => Some(*place),
            _ => None,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> Option<&Path> {
        match self {
            TransferError::Io { path, .. }
            | TransferError::UnknownFormat { path }
            | TransferError::Malformed { path, .. }
            | TransferError::Header { path, .. }
            | TransferError::Value { path, .. }
            | TransferError::Row { path, .. } => Some(path),
            TransferError::Engine(source) => source.path(),
            _ => None,
        }
    }

    /// The engine's error, when the engine refused.
    pub fn engine(&self) -> Option<&bazoola::Error> {
        match self {
            TransferError::Row { source, .. } | TransferError::Engine(source) => Some(&**source),
            _ => None,
        }
    }

    /// Whether this is about one record of the input (which `keep_going` skips), not
    /// about the whole import.
    pub fn is_bad_record(&self) -> bool {
        match self {
            TransferError::Value { .. } => true,
            TransferError::Row { source, .. } => {
                matches!(**source, bazoola::Error::Validation(_) | bazoola::Error::Integrity(_))
            }
            _ => false,
        }
    }

    pub(crate) fn io(path: &Path, op: &'static str) -> impl FnOnce(std::io::Error) -> TransferError {
        let path = path.to_path_buf();
        move |source| TransferError::Io { path, op, source }
    }
}

impl From<bazoola::Error> for TransferError {
    fn from(error: bazoola::Error) -> TransferError {
        TransferError::Engine(Box::new(error))
    }
}

/// The shell reports engine errors as its own kind (with their accessors), the rest as
/// [`CliError::Transfer`].
impl From<TransferError> for CliError {
    fn from(error: TransferError) -> CliError {
        match error {
            TransferError::Engine(source) => CliError::Engine(*source),
            other => CliError::Transfer(other),
        }
    }
}

pub type Result<T, E = TransferError> = std::result::Result<T, E>;
