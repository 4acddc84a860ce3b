//! Errors are values: every variant carries the table, field, id or path it is about, and
//! its message is rendered from them. Messages of the kinds the original Python package
//! had (validation, not found, integrity) are kept word for word, because programs and
//! tests written for it match on them.
//!
//! Each operation family has its own enum; [`Error`] is the catch-all every public
//! method returns, and maps one-to-one onto the Python exception classes of SPEC §4.

use std::fmt;
use std::path::PathBuf;

/// A value does not fit its field, or a request names something that is not there.
/// The message starts with the quoted field name, as the original's did.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("'{field}': The value can't be None")]
    NullNotAllowed { table: String, field: String },
    #[error("'{field}': The value is too long")]
    TooLong { table: String, field: String },
    #[error("'{field}': The value is too big")]
    TooBig { table: String, field: String },
    /// A non-integer given for an integer field; `repr` is how the caller wrote the value.
    #[error("'{field}': Type mismatch: `{repr}` is not `int`")]
    NotAnInt { table: String, field: String, repr: String },
    /// A non-string given for a CHAR or TEXT field (the original's message has no detail).
    #[error("'{field}': Type mismatch")]
    NotAString { table: String, field: String },
    #[error("'id': row with id {id} already exists")]
    DuplicateId { table: String, id: i64 },
    #[error("'id': The value must be greater than 0, got {id}")]
    NonPositiveId { table: String, id: i64 },
    #[error("'id': the id of row {id} cannot be changed to {new_id}")]
    IdChanged { table: String, id: i64, new_id: i64 },
    #[error("'{field}': No such field in table '{table}'")]
    UnknownField { table: String, field: String },
    #[error("No such table: '{table}'")]
    UnknownTable { table: String },
    #[error("'{field}': the condition value `{repr}` cannot be compared with this field")]
    BadCondition { table: String, field: String, repr: String },
}

/// A change would break a foreign key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    /// Same text as the original's `ValueError`.
    #[error("Item id={id} does not exist in '{target}'")]
    MissingTarget { table: String, field: String, target: String, id: i64 },
    #[error(
        "Cannot delete row id={id} from '{table}': table '{referrer}' has referring rows \
         (field '{field}' is ON DELETE RESTRICT)"
    )]
    DeleteRestricted { table: String, id: i64, referrer: String, field: String },
    /// Same text as the original's `ValueError`.
    #[error(
        "Cannot truncate table '{table}': table '{referrer}' has referring rows. \
         Use `cascade` option to truncate dependent tables."
    )]
    TruncateRestricted { table: String, referrer: String },
}

/// A file does not parse. The message always contains `Inconsistent data`, as the
/// original's did, and names the file and the slot (row number or byte offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Inconsistent data in {path} at {location}: {detail}")]
pub struct CorruptDataError {
    pub path: PathBuf,
    pub location: Location,
    pub detail: String,
}

/// Where in a file a corruption was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Slot(u64),
    Offset(u64),
    Whole,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Slot(slot) => write!(f, "slot {slot}"),
            Location::Offset(offset) => write!(f, "byte {offset}"),
            Location::Whole => f.write_str("the whole file"),
        }
    }
}

/// A declared schema is invalid, or differs from the one stored on disk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "table '{table}': the schema on disk differs from the declared one at field {position}: \
         stored `{stored}`, declared `{declared}`"
    )]
    Mismatch { table: String, position: usize, stored: String, declared: String },
    #[error("table '{table}': {problem}")]
    Invalid { table: String, problem: String },
    #[error("{path}: line {line}: cannot parse `{text}`")]
    Unparsable { path: PathBuf, line: usize, text: String },
    #[error("table '{table}' is declared twice")]
    DuplicateTable { table: String },
    #[error("table '{table}': field '{field}' refers to table '{target}', which is not declared")]
    UnknownTarget { table: String, field: String, target: String },
}

/// What the database was doing when the operating system refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoOp {
    Open,
    Read,
    Write,
    Truncate,
    Sync,
    Lock,
    CreateDir,
    ListDir,
}

impl fmt::Display for IoOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoOp::Open => "open",
            IoOp::Read => "read",
            IoOp::Write => "write",
            IoOp::Truncate => "truncate",
            IoOp::Sync => "sync",
            IoOp::Lock => "lock",
            IoOp::CreateDir => "create directory",
            IoOp::ListDir => "list directory",
        })
    }
}

/// The operating system refused an operation on a file.
#[derive(Debug, thiserror::Error)]
#[error("Failed to {op} {path}: {source}")]
pub struct IoError {
    pub path: PathBuf,
    pub op: IoOp,
    #[source]
    pub source: std::io::Error,
}

/// Every error a [`Database`](crate::Database) method can return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("Row with ID={id} does not exist")]
    NotFound { table: String, id: i64 },
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    #[error(transparent)]
    CorruptData(#[from] CorruptDataError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("the database in {dir} is closed")]
    Closed { dir: PathBuf },
    #[error("this thread has no open transaction")]
    NoTransaction,
    /// An earlier failure inside this transaction left it unusable; it will roll back.
    #[error("the transaction was aborted by an earlier error and will be rolled back")]
    TransactionAborted,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
