//! Errors are values: every variant carries the table, field, id or path it is about, and
//! its message is rendered from them. Messages of the kinds the original Python package
//! had (validation, not found, integrity) are kept word for word, because programs and
//! tests written for it match on them.
//!
//! Each operation family has its own enum; [`Error`] is the catch-all every public
//! method returns, and maps one-to-one onto the Python exception classes of SPEC §4.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::value::Value;

/// A value does not fit its field, or a request names something that is not there.
/// The message starts with the quoted field name, as the original's did.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("'{field}': The value can't be None")]
    NullNotAllowed { table: String, field: String },
    #[error("'{field}': The value is too long")]
    TooLong { table: String, field: String, value: Value },
    #[error("'{field}': The value is too big")]
    TooBig { table: String, field: String, value: Value },
    /// A CHAR slot whose first byte is NUL reads back as null, so such a value could
    /// never be read back as written.
    #[error("'{field}': The value cannot start with a NUL character (the file format reads that as null)")]
    LeadingNul { table: String, field: String, value: Value },
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
    /// The PK index holds an entry for every id up to the largest, so an id far past
    /// the others would make one insert write gigabytes of `#`.
    #[error(
        "'id': id {id} is too far past the table's last one: its PK index would grow by {gap} bytes \
         (at most {limit} at once)"
    )]
    IdTooFar { table: String, id: i64, gap: u64, limit: u64 },
    #[error("'id': the id of row {id} cannot be changed to {new_id}")]
    IdChanged { table: String, id: i64, new_id: i64 },
    #[error("'{field}': No such field in table '{table}'")]
    UnknownField { table: String, field: String },
    #[error("No such table: '{table}'")]
    UnknownTable { table: String },
    #[error("'{field}': the condition value `{repr}` cannot be compared with this field")]
    BadCondition { table: String, field: String, repr: String },
    /// A limit or offset that cannot be: a limit of 0 or less, an offset below 0.
    #[error("'{what}': must be {}, got {value}", if *what == "limit" { "at least 1" } else { "at least 0" })]
    BadLimit { table: String, what: &'static str, value: i64 },
    /// Conditions nest at most [`MAX_COND_DEPTH`](crate::MAX_COND_DEPTH) levels; chains
    /// of one combinator (`a | b | c …`) are flattened and do not count.
    #[error("table '{table}': the condition is nested more than {limit} levels deep")]
    CondTooDeep { table: String, limit: usize },
}

/// A value given to [`to_values`](crate::to_values) does not make a row. The message
/// starts with the quoted field name, as a [`ValidationError`]'s does.
///
/// ```
/// use bazoola::SerError;
///
/// #[derive(serde::Serialize)]
/// struct Book { title: String, tags: Vec<String>, copies: u64 }
///
/// let err = bazoola::to_values(&Book { title: "Dune".into(), tags: vec![], copies: 1 }).unwrap_err();
/// assert_eq!(err, SerError::Unsupported { field: "tags".into(), kind: "a sequence" });
/// assert_eq!(err.field(), Some("tags"));
/// assert_eq!(err.to_string(), "'tags': a sequence cannot be written to a field (fields hold integers, strings and None)");
///
/// #[derive(serde::Serialize)]
/// struct Count { copies: u64 }
/// let err = bazoola::to_values(&Count { copies: u64::MAX }).unwrap_err();
/// assert_eq!(err.to_string(), "'copies': 18446744073709551615 does not fit a 64-bit signed integer");
/// // `?` turns it into the crate's `Error`, whose `field()` still names the field.
/// assert_eq!(bazoola::Error::from(err).field(), Some("copies"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SerError {
    /// Only a struct, or a map from field names to values, is a row.
    #[error("only a struct or a map from field names to values can be written as a row, not {kind}")]
    NotARow { kind: &'static str },
    /// A field holds an integer, a string or null; `kind` is what was given instead
    /// (`a struct`, `a sequence`, `a map`, `a float`, …).
    #[error("'{field}': {kind} cannot be written to a field (fields hold integers, strings and None)")]
    Unsupported { field: String, kind: &'static str },
    /// An integer past `i64`'s range (a large `u64`, an `i128`).
    #[error("'{field}': {value} does not fit a 64-bit signed integer")]
    OutOfRange { field: String, value: String },
    /// The type's own `Serialize` implementation failed.
    #[error("'{field}': {message}")]
    Custom { field: String, message: String },
}

impl serde::ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError::Custom { field: String::new(), message: msg.to_string() }
    }
}

impl SerError {
    /// The field whose value was refused.
    pub fn field(&self) -> Option<&str> {
        match self {
            SerError::Unsupported { field, .. }
            | SerError::OutOfRange { field, .. }
            | SerError::Custom { field, .. } => (!field.is_empty()).then_some(field.as_str()),
            SerError::NotARow { .. } => None,
        }
    }
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
    /// A unique field already holds the value, in row `id`.
    #[error("'{field}': the value {} is already used by row id={id} of '{table}' (the field is UNIQUE)", value.repr())]
    Unique { table: String, field: String, value: Value, id: i64 },
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
    /// `change` says what the declared schema changes, and whether opening with
    /// `migrate` would apply it or which operation does.
    #[error(
        "table '{table}': the schema on disk differs from the declared one at field {position}: \
         stored `{stored}`, declared `{declared}`{}", if change.is_empty() { String::new() } else { format!(" ({change})") }
    )]
    Mismatch { table: String, position: usize, stored: String, declared: String, change: String },
    #[error("table '{table}': {problem}")]
    Invalid { table: String, problem: String },
    #[error("{path}: line {line}: cannot parse `{text}`")]
    Unparsable { path: PathBuf, line: usize, text: String },
    #[error("table '{table}' is declared twice")]
    DuplicateTable { table: String },
    #[error("table '{table}': field '{field}' refers to table '{target}', which is not declared")]
    UnknownTarget { table: String, field: String, target: String },
    #[error("format width {width} is not one of 9 (the spec's) or 6 (bazoola 0.0.7's)")]
    BadWidth { width: usize },
    /// A handle opening the directory again (after a schema change elsewhere) finds a
    /// table it had and declares gone: not created afresh, which would hide its rows.
    #[error("table '{table}' was dropped or renamed since this handle opened the database")]
    Gone { table: String },
}

/// A schema change (SPEC §9) that the schema or the rows do not allow. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlterError {
    #[error("table '{table}' already exists")]
    TableExists { table: String },
    /// A new table's (or a renamed table's) file name is taken by a file already there.
    #[error("table '{table}': the file {path} is in the way (a table of that name existed before?)")]
    FileInTheWay { table: String, path: PathBuf },
    #[error("table '{table}': field '{field}' already exists")]
    FieldExists { table: String, field: String },
    #[error(
        "cannot drop table '{table}': field '{field}' of table '{referrer}' refers to it \
         (drop it with cascade to make that field a plain INT)"
    )]
    Referenced { table: String, referrer: String, field: String },
    #[error("table '{table}': the primary key `id` cannot be {what}")]
    PrimaryKey { table: String, what: &'static str },
    #[error(
        "table '{table}': field '{field}' cannot change from `{from}` to `{to}` \
         (sizes, NULL, indexes and ON DELETE rules can change; types and FK targets cannot)"
    )]
    TypeChange { table: String, field: String, from: String, to: String },
    #[error("table '{table}': field '{field}' cannot become `{to}`: row id={id} holds {}, which does not fit", value.repr())]
    DoesNotFit { table: String, field: String, to: String, id: i64, value: Value },
    #[error("table '{table}': field '{field}' cannot become NOT NULL: row id={id} holds null")]
    HoldsNull { table: String, field: String, id: i64 },
    #[error("table '{table}': field '{field}' cannot become UNIQUE: rows id={first} and id={id} both hold {}", value.repr())]
    Duplicate { table: String, field: String, value: Value, first: i64, id: i64 },
    #[error(
        "table '{table}': the new field '{field}' is not nullable, so the rows already there \
         (row id={id} first) need a default"
    )]
    NeedsDefault { table: String, field: String, id: i64 },
    /// Schema changes swap whole files, which a transaction's other changes could not
    /// be part of.
    #[error("schema changes cannot run inside a transaction")]
    InTransaction,
    /// Opening without `migrate` found a declared schema that differs from the stored
    /// one in a way migrate would apply.
    #[error("table '{table}': the declared schema {change}; open with migrate to apply that")]
    NeedsMigration { table: String, change: String },
    /// A difference migrate does not apply: it could lose data or needs a choice.
    #[error("table '{table}': the declared schema {change}, which migrate does not do; {how}")]
    NotMigratable { table: String, change: String, how: String },
}

impl AlterError {
    pub fn table(&self) -> Option<&str> {
        use AlterError::*;
        match self {
            TableExists { table }
            | FileInTheWay { table, .. }
            | FieldExists { table, .. }
            | Referenced { table, .. }
            | PrimaryKey { table, .. }
            | TypeChange { table, .. }
            | DoesNotFit { table, .. }
            | HoldsNull { table, .. }
            | Duplicate { table, .. }
            | NeedsDefault { table, .. }
            | NeedsMigration { table, .. }
            | NotMigratable { table, .. } => Some(table),
            InTransaction => None,
        }
    }

    pub fn field(&self) -> Option<&str> {
        use AlterError::*;
        match self {
            FieldExists { field, .. }
            | Referenced { field, .. }
            | TypeChange { field, .. }
            | DoesNotFit { field, .. }
            | HoldsNull { field, .. }
            | Duplicate { field, .. }
            | NeedsDefault { field, .. } => Some(field),
            PrimaryKey { .. } => Some("id"),
            _ => None,
        }
    }

    /// The first row that does not allow the change.
    pub fn id(&self) -> Option<i64> {
        match self {
            AlterError::DoesNotFit { id, .. }
            | AlterError::HoldsNull { id, .. }
            | AlterError::Duplicate { id, .. }
            | AlterError::NeedsDefault { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            AlterError::DoesNotFit { value, .. } | AlterError::Duplicate { value, .. } => Some(value),
            _ => None,
        }
    }
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
    Rename,
    Remove,
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
            IoOp::Rename => "rename",
            IoOp::Remove => "remove",
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
    Alter(#[from] AlterError),
    /// Another process (or another handle) changed a table's schema since this handle
    /// opened it. The handle reopens the directory and retries on its own; this reaches
    /// a caller only from a walk that was under way (an iterator over a table).
    #[error(
        "the schema of the database in {dir} changed while this read was under way ({file} was replaced)"
    )]
    SchemaChanged { dir: PathBuf, file: String },
    #[error(transparent)]
    Io(#[from] IoError),
    /// A struct given to [`to_values`](crate::to_values) does not make a row.
    #[error(transparent)]
    Serialize(#[from] SerError),
    #[error("the database in {dir} is closed")]
    Closed { dir: PathBuf },
    #[error("this thread has no open transaction")]
    NoTransaction,
    /// An earlier failure inside this transaction left it unusable; it will roll back.
    #[error("the transaction was aborted by an earlier error and will be rolled back")]
    TransactionAborted,
    /// An index a read needs is stale and must be rebuilt first. The engine rebuilds it
    /// and retries the read; this never reaches a caller.
    #[doc(hidden)]
    #[error("the index on '{table}'.'{field}' must be rebuilt before it is read")]
    StaleIndex { table: String, field: String },
    /// A read callback (a custom condition, a `for_each` visitor) tried to write: the
    /// thread holds a shared lock that a write would wait on forever.
    #[error(
        "cannot write to the database in {dir} from inside a read of it on the same thread \
         (a condition or visitor callback); run both inside a transaction"
    )]
    WriteInsideRead { dir: PathBuf },
    /// A number the table must write (a text-heap offset, a slot) no longer fits the
    /// format's fixed-width slots. `vacuum` reclaims freed text.
    #[error("table '{table}' is full: {what} does not fit the {width}-digit slots of {path}")]
    Full { table: String, path: PathBuf, what: String, width: usize },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The values an error is about, readable without parsing its message. Each accessor
/// answers `None` where the value does not apply to the error.
impl Error {
    /// The table the error is about.
    pub fn table(&self) -> Option<&str> {
        match self {
            Error::Validation(e) => e.table(),
            Error::NotFound { table, .. } | Error::Full { table, .. } | Error::StaleIndex { table, .. } => {
                Some(table)
            }
            Error::Integrity(e) => Some(e.table()),
            Error::Schema(e) => e.table(),
            Error::Alter(e) => e.table(),
            Error::SchemaChanged { .. }
            | Error::CorruptData(_)
            | Error::Io(_)
            | Error::Serialize(_)
            | Error::Closed { .. }
            | Error::NoTransaction
            | Error::TransactionAborted
            | Error::WriteInsideRead { .. } => None,
        }
    }

    /// The field the error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation(e) => e.field(),
            Error::Integrity(e) => e.field(),
            Error::Schema(SchemaError::UnknownTarget { field, .. }) => Some(field),
            Error::Alter(e) => e.field(),
            Error::Serialize(e) => e.field(),
            _ => None,
        }
    }

    /// The row id the error is about: the missing or duplicate row, the row whose delete
    /// was restricted, the id a foreign key names.
    pub fn id(&self) -> Option<i64> {
        match self {
            Error::Validation(e) => e.id(),
            Error::NotFound { id, .. } => Some(*id),
            Error::Integrity(e) => e.id(),
            Error::Alter(e) => e.id(),
            _ => None,
        }
    }

    /// The offending value, where the error is about one.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Error::Validation(e) => e.value(),
            Error::Integrity(IntegrityError::Unique { value, .. }) => Some(value),
            Error::Alter(e) => e.value(),
            _ => None,
        }
    }

    /// The file or directory the error is about.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::CorruptData(e) => Some(&e.path),
            Error::Io(e) => Some(&e.path),
            Error::Schema(SchemaError::Unparsable { path, .. }) => Some(path),
            Error::Full { path, .. } => Some(path),
            Error::Closed { dir } | Error::WriteInsideRead { dir } | Error::SchemaChanged { dir, .. } => {
                Some(dir)
            }
            Error::Alter(AlterError::FileInTheWay { path, .. }) => Some(path),
            _ => None,
        }
    }
}

impl ValidationError {
    pub fn table(&self) -> Option<&str> {
        use ValidationError::*;
        match self {
            NullNotAllowed { table, .. }
            | TooLong { table, .. }
            | TooBig { table, .. }
            | LeadingNul { table, .. }
            | NotAnInt { table, .. }
            | NotAString { table, .. }
            | DuplicateId { table, .. }
            | NonPositiveId { table, .. }
            | IdChanged { table, .. }
            | IdTooFar { table, .. }
            | UnknownField { table, .. }
            | UnknownTable { table }
            | BadCondition { table, .. }
            | BadLimit { table, .. }
            | CondTooDeep { table, .. } => (!table.is_empty()).then_some(table.as_str()),
        }
    }

    /// The field; `id` for the errors about a row's id.
    pub fn field(&self) -> Option<&str> {
        use ValidationError::*;
        match self {
            NullNotAllowed { field, .. }
            | TooLong { field, .. }
            | TooBig { field, .. }
            | LeadingNul { field, .. }
            | NotAnInt { field, .. }
            | NotAString { field, .. }
            | UnknownField { field, .. }
            | BadCondition { field, .. } => (!field.is_empty()).then_some(field.as_str()),
            DuplicateId { .. } | NonPositiveId { .. } | IdChanged { .. } | IdTooFar { .. } => Some("id"),
            BadLimit { what, .. } => Some(what),
            UnknownTable { .. } | CondTooDeep { .. } => None,
        }
    }

    pub fn id(&self) -> Option<i64> {
        match self {
            ValidationError::DuplicateId { id, .. }
            | ValidationError::NonPositiveId { id, .. }
            | ValidationError::IdChanged { id, .. }
            | ValidationError::IdTooFar { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn value(&self) -> Option<&Value> {
        match self {
            ValidationError::TooLong { value, .. }
            | ValidationError::TooBig { value, .. }
            | ValidationError::LeadingNul { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The message without the leading `'field': ` — for showing next to the field.
    pub fn reason(&self) -> String {
        let message = self.to_string();
        match self.field().and_then(|f| message.strip_prefix(&format!("'{f}': "))) {
            Some(rest) => rest.to_string(),
            None => message,
        }
    }
}

impl IntegrityError {
    /// The table the refused change was made to.
    pub fn table(&self) -> &str {
        match self {
            IntegrityError::MissingTarget { table, .. }
            | IntegrityError::DeleteRestricted { table, .. }
            | IntegrityError::TruncateRestricted { table, .. }
            | IntegrityError::Unique { table, .. } => table,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            IntegrityError::MissingTarget { field, .. }
            | IntegrityError::DeleteRestricted { field, .. }
            | IntegrityError::Unique { field, .. } => Some(field),
            IntegrityError::TruncateRestricted { .. } => None,
        }
    }

    pub fn id(&self) -> Option<i64> {
        match self {
            IntegrityError::MissingTarget { id, .. }
            | IntegrityError::DeleteRestricted { id, .. }
            | IntegrityError::Unique { id, .. } => Some(*id),
            IntegrityError::TruncateRestricted { .. } => None,
        }
    }
}

impl SchemaError {
    pub fn table(&self) -> Option<&str> {
        match self {
            SchemaError::Mismatch { table, .. }
            | SchemaError::Invalid { table, .. }
            | SchemaError::DuplicateTable { table }
            | SchemaError::UnknownTarget { table, .. }
            | SchemaError::Gone { table } => Some(table),
            SchemaError::Unparsable { .. } | SchemaError::BadWidth { .. } => None,
        }
    }
}
