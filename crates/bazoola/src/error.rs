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
    /// A null given for a field that is not nullable.
    #[error("'{field}': The value can't be None")]
    NullNotAllowed {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
    },
    /// A string longer than its CHAR field's size.
    #[error("'{field}': The value is too long")]
    TooLong {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
        /// The value given.
        value: Value,
    },
    /// An integer that does not fit its field's width (the `id` included).
    #[error("'{field}': The value is too big")]
    TooBig {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
        /// The value given.
        value: Value,
    },
    /// A CHAR slot whose first byte is NUL reads back as null, so such a value could
    /// never be read back as written.
    #[error("'{field}': The value cannot start with a NUL character (the file format reads that as null)")]
    LeadingNul {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
        /// The value given.
        value: Value,
    },
    /// A non-integer given for an integer field; `repr` is how the caller wrote the value.
    #[error("'{field}': Type mismatch: `{repr}` is not `int`")]
    NotAnInt {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
        /// The value as the caller wrote it.
        repr: String,
    },
    /// A non-string given for a CHAR or TEXT field (the original's message has no detail).
    #[error("'{field}': Type mismatch")]
    NotAString {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the value was given for.
        field: String,
    },
    /// An insert names an id a row already has.
    #[error("'id': row with id {id} already exists")]
    DuplicateId {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The id already taken.
        id: i64,
    },
    /// An id of 0 or less: ids start at 1.
    #[error("'id': The value must be greater than 0, got {id}")]
    NonPositiveId {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The id given.
        id: i64,
    },
    /// The PK index holds an entry for every id up to the largest, so an id far past
    /// the others would make one insert write gigabytes of `#`.
    #[error(
        "'id': id {id} is too far past the table's last one: its PK index would grow by {gap} bytes \
         (at most {limit} at once)"
    )]
    IdTooFar {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The id given.
        id: i64,
        /// How many bytes the PK index would grow by.
        gap: u64,
        /// The most it may grow by in one write.
        limit: u64,
    },
    /// An update gives a row another id.
    #[error("'id': the id of row {id} cannot be changed to {new_id}")]
    IdChanged {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The row updated.
        id: i64,
        /// The id the update gave it.
        new_id: i64,
    },
    /// A field name the table does not have.
    #[error("'{field}': No such field in table '{table}'")]
    UnknownField {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The name given.
        field: String,
    },
    /// A table name the database does not have.
    #[error("No such table: '{table}'")]
    UnknownTable {
        /// The name given.
        table: String,
    },
    /// A condition or an aggregate that does not suit the field's type: an ordering
    /// condition (`<`, `>=`, …) with a value of another type, a SUM or AVG of a non-number.
    #[error("'{field}': the condition value `{repr}` cannot be compared with this field")]
    BadCondition {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The field the condition is on.
        field: String,
        /// The condition's value as the caller wrote it (for an aggregate, what it needs).
        repr: String,
    },
    /// A limit or offset that cannot be: a limit of 0 or less, an offset below 0.
    #[error("'{what}': must be {}, got {value}", if *what == "limit" { "at least 1" } else { "at least 0" })]
    BadLimit {
        /// The table written to or queried; empty where not known.
        table: String,
        /// `limit` or `offset`.
        what: &'static str,
        /// The value given.
        value: i64,
    },
    /// Conditions nest at most [`MAX_COND_DEPTH`](crate::MAX_COND_DEPTH) levels; chains
    /// of one combinator (`a | b | c …`) are flattened and do not count.
    #[error("table '{table}': the condition is nested more than {limit} levels deep")]
    CondTooDeep {
        /// The table written to or queried; empty where not known.
        table: String,
        /// The deepest nesting allowed.
        limit: usize,
    },
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
    NotARow {
        /// What was given instead (`a sequence`, `an integer`, …).
        kind: &'static str,
    },
    /// A field holds an integer, a string or null; `kind` is what was given instead
    /// (`a struct`, `a sequence`, `a map`, `a float`, …).
    #[error("'{field}': {kind} cannot be written to a field (fields hold integers, strings and None)")]
    Unsupported {
        /// The field the value was for.
        field: String,
        /// What was given instead.
        kind: &'static str,
    },
    /// An integer past `i64`'s range (a large `u64`, an `i128`).
    #[error("'{field}': {value} does not fit a 64-bit signed integer")]
    OutOfRange {
        /// The field the value was for.
        field: String,
        /// The integer, written in decimal.
        value: String,
    },
    /// The type's own `Serialize` implementation failed.
    #[error("'{field}': {message}")]
    Custom {
        /// The field being written; empty if the failure came outside one.
        field: String,
        /// The implementation's message.
        message: String,
    },
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
    MissingTarget {
        /// The table written to.
        table: String,
        /// The foreign-key field.
        field: String,
        /// The table the field refers to.
        target: String,
        /// The id the field was given.
        id: i64,
    },
    /// A delete would leave rows referring to the deleted one, and their field is ON DELETE RESTRICT.
    #[error(
        "Cannot delete row id={id} from '{table}': table '{referrer}' has referring rows \
         (field '{field}' is ON DELETE RESTRICT)"
    )]
    DeleteRestricted {
        /// The table deleted from.
        table: String,
        /// The row to delete.
        id: i64,
        /// The table whose rows refer to it.
        referrer: String,
        /// The field of `referrer` that refers to `table`.
        field: String,
    },
    /// Same text as the original's `ValueError`.
    #[error(
        "Cannot truncate table '{table}': table '{referrer}' has referring rows. \
         Use `cascade` option to truncate dependent tables."
    )]
    TruncateRestricted {
        /// The table to truncate.
        table: String,
        /// A table with rows that refer to it.
        referrer: String,
    },
    /// A unique field already holds the value, in row `id`.
    #[error("'{field}': the value {} is already used by row id={id} of '{table}' (the field is UNIQUE)", value.repr())]
    Unique {
        /// The table written to.
        table: String,
        /// The UNIQUE field.
        field: String,
        /// The value written.
        value: Value,
        /// The row that already holds it.
        id: i64,
    },
}

/// A file does not parse. The message always contains `Inconsistent data`, as the
/// original's did, and names the file and the slot (row number or byte offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Inconsistent data in {path} at {location}: {detail}")]
pub struct CorruptDataError {
    /// The file.
    pub path: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// What is wrong there.
    pub detail: String,
}

/// Where in a file a corruption was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A row slot, by number (from 0).
    Slot(u64),
    /// A byte offset into the file.
    Offset(u64),
    /// The file as a whole (its length, its only value).
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
    Mismatch {
        /// The table the declaration is for.
        table: String,
        /// The position of the first field that differs, from 1.
        position: usize,
        /// That field as stored on disk.
        stored: String,
        /// That field as declared.
        declared: String,
        /// What the difference amounts to; empty if nothing more is known.
        change: String,
    },
    /// A declared table that is not valid in itself.
    #[error("table '{table}': {problem}")]
    Invalid {
        /// The table the declaration is for.
        table: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A line of a stored schema file does not parse.
    #[error("{path}: line {line}: cannot parse `{text}`")]
    Unparsable {
        /// The schema file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// The line's text.
        text: String,
    },
    /// Two declared tables have the same name.
    #[error("table '{table}' is declared twice")]
    DuplicateTable {
        /// The table the declaration is for.
        table: String,
    },
    /// A foreign key refers to a table that is not declared.
    #[error("table '{table}': field '{field}' refers to table '{target}', which is not declared")]
    UnknownTarget {
        /// The table the declaration is for.
        table: String,
        /// The foreign-key field.
        field: String,
        /// The table it refers to.
        target: String,
    },
    /// A format width that is neither 9 nor 6.
    #[error("format width {width} is not one of 9 (the spec's) or 6 (bazoola 0.0.7's)")]
    BadWidth {
        /// The width found.
        width: usize,
    },
    /// A handle opening the directory again (after a schema change elsewhere) finds a
    /// table it had and declares gone: not created afresh, which would hide its rows.
    #[error("table '{table}' was dropped or renamed since this handle opened the database")]
    Gone {
        /// The table the handle had.
        table: String,
    },
}

/// A schema change (SPEC §9) that the schema or the rows do not allow. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlterError {
    /// A table of that name already exists.
    #[error("table '{table}' already exists")]
    TableExists {
        /// The name asked for.
        table: String,
    },
    /// A new table's (or a renamed table's) file name is taken by a file already there.
    #[error("table '{table}': the file {path} is in the way (a table of that name existed before?)")]
    FileInTheWay {
        /// The table the change is to.
        table: String,
        /// The file in the way.
        path: PathBuf,
    },
    /// The table already has a field of that name.
    #[error("table '{table}': field '{field}' already exists")]
    FieldExists {
        /// The table the change is to.
        table: String,
        /// The name asked for.
        field: String,
    },
    /// A table to drop is referred to by another table's foreign key.
    #[error(
        "cannot drop table '{table}': field '{field}' of table '{referrer}' refers to it \
         (drop it with cascade to make that field a plain INT)"
    )]
    Referenced {
        /// The table to drop.
        table: String,
        /// The table that refers to it.
        referrer: String,
        /// The field of `referrer` that refers to it.
        field: String,
    },
    /// A change to the primary key `id`, which no schema change may touch.
    #[error("table '{table}': the primary key `id` cannot be {what}")]
    PrimaryKey {
        /// The table the change is to.
        table: String,
        /// What the change would do to it (`dropped`, `renamed`, …).
        what: &'static str,
    },
    /// A field change that would change its type or its foreign-key target.
    #[error(
        "table '{table}': field '{field}' cannot change from `{from}` to `{to}` \
         (sizes, NULL, indexes and ON DELETE rules can change; types and FK targets cannot)"
    )]
    TypeChange {
        /// The table the change is to.
        table: String,
        /// The field the change is to.
        field: String,
        /// The field's declaration now.
        from: String,
        /// The declaration asked for.
        to: String,
    },
    /// A row holds a value that does not fit the field's new declaration.
    #[error("table '{table}': field '{field}' cannot become `{to}`: row id={id} holds {}, which does not fit", value.repr())]
    DoesNotFit {
        /// The table the change is to.
        table: String,
        /// The field the change is to.
        field: String,
        /// The declaration asked for.
        to: String,
        /// The first row whose value does not fit.
        id: i64,
        /// That row's value.
        value: Value,
    },
    /// A field to make NOT NULL holds null in some row.
    #[error("table '{table}': field '{field}' cannot become NOT NULL: row id={id} holds null")]
    HoldsNull {
        /// The table the change is to.
        table: String,
        /// The field the change is to.
        field: String,
        /// The first row that holds null.
        id: i64,
    },
    /// A field to make UNIQUE holds the same value in two rows.
    #[error("table '{table}': field '{field}' cannot become UNIQUE: rows id={first} and id={id} both hold {}", value.repr())]
    Duplicate {
        /// The table the change is to.
        table: String,
        /// The field the change is to.
        field: String,
        /// The value both rows hold.
        value: Value,
        /// The first row that holds it.
        first: i64,
        /// The next row that holds it.
        id: i64,
    },
    /// A non-nullable field added without a default to a table that has rows.
    #[error(
        "table '{table}': the new field '{field}' is not nullable, so the rows already there \
         (row id={id} first) need a default"
    )]
    NeedsDefault {
        /// The table the change is to.
        table: String,
        /// The field the change is to.
        field: String,
        /// The first row already there.
        id: i64,
    },
    /// Schema changes swap whole files, which a transaction's other changes could not
    /// be part of.
    #[error("schema changes cannot run inside a transaction")]
    InTransaction,
    /// Opening without `migrate` found a declared schema that differs from the stored
    /// one in a way migrate would apply.
    #[error("table '{table}': the declared schema {change}; open with migrate to apply that")]
    NeedsMigration {
        /// The table the change is to.
        table: String,
        /// What the declared schema changes, in words.
        change: String,
    },
    /// A difference migrate does not apply: it could lose data or needs a choice.
    #[error("table '{table}': the declared schema {change}, which migrate does not do; {how}")]
    NotMigratable {
        /// The table the change is to.
        table: String,
        /// What the declared schema changes, in words.
        change: String,
        /// How to make the change instead.
        how: String,
    },
}

impl AlterError {
    /// The table the change was to; `None` for [`InTransaction`](AlterError::InTransaction).
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

    /// The field the change was to; `id` for a change to the primary key.
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

    /// The row value that does not allow the change.
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
    /// Opening a file.
    Open,
    /// Reading a file.
    Read,
    /// Writing a file.
    Write,
    /// Truncating (or extending) a file to a length.
    Truncate,
    /// Flushing a file to disk.
    Sync,
    /// Taking or releasing a file lock.
    Lock,
    /// Creating a directory.
    CreateDir,
    /// Listing a directory.
    ListDir,
    /// Renaming a file.
    Rename,
    /// Removing a file.
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
    /// The file or directory.
    pub path: PathBuf,
    /// What was being done.
    pub op: IoOp,
    /// The operating system's own error.
    #[source]
    pub source: std::io::Error,
}

/// Every error a [`Database`](crate::Database) method can return.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value does not fit its field, or a request names something that is not there.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// No row of the table has the id (same text as the original's).
    #[error("Row with ID={id} does not exist")]
    NotFound {
        /// The table read.
        table: String,
        /// The id asked for.
        id: i64,
    },
    /// A change would break a foreign key or a UNIQUE field.
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    /// A file does not parse.
    #[error(transparent)]
    CorruptData(#[from] CorruptDataError),
    /// A declared schema is invalid, or differs from the one on disk.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A schema change that the schema or the rows do not allow.
    #[error(transparent)]
    Alter(#[from] AlterError),
    /// Another process (or another handle) changed a table's schema since this handle
    /// opened it. The handle reopens the directory and retries on its own; this reaches
    /// a caller only from a walk that was under way (an iterator over a table).
    #[error(
        "the schema of the database in {dir} changed while this read was under way ({file} was replaced)"
    )]
    SchemaChanged {
        /// The database directory.
        dir: PathBuf,
        /// The schema file that was replaced.
        file: String,
    },
    /// The operating system refused an operation on a file.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A struct given to [`to_values`](crate::to_values) does not make a row.
    #[error(transparent)]
    Serialize(#[from] SerError),
    /// The handle was closed with [`Database::close`](crate::Database::close).
    #[error("the database in {dir} is closed")]
    Closed {
        /// The database directory.
        dir: PathBuf,
    },
    /// Ending a transaction on a thread that has none open.
    #[error("this thread has no open transaction")]
    NoTransaction,
    /// An earlier failure inside this transaction left it unusable; it will roll back.
    #[error("the transaction was aborted by an earlier error and will be rolled back")]
    TransactionAborted,
    /// An index a read needs is stale and must be rebuilt first. The engine rebuilds it
    /// and retries the read; this never reaches a caller.
    #[doc(hidden)]
    #[error("the index on '{table}'.'{field}' must be rebuilt before it is read")]
    StaleIndex {
        /// The table the index is on.
        table: String,
        /// The indexed field.
        field: String,
    },
    /// A read callback (a custom condition, a `for_each` visitor) tried to write: the
    /// thread holds a shared lock that a write would wait on forever.
    #[error(
        "cannot write to the database in {dir} from inside a read of it on the same thread \
         (a condition or visitor callback); run both inside a transaction"
    )]
    WriteInsideRead {
        /// The database directory.
        dir: PathBuf,
    },
    /// A number the table must write (a text-heap offset, a slot) no longer fits the
    /// format's fixed-width slots. `vacuum` reclaims freed text.
    #[error("table '{table}' is full: {what} does not fit the {width}-digit slots of {path}")]
    Full {
        /// The full table.
        table: String,
        /// The file whose slots are too narrow.
        path: PathBuf,
        /// The number that does not fit.
        what: String,
        /// The digits a slot holds.
        width: usize,
    },
}

/// The result of every fallible operation; the error is [`Error`] unless named.
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
    /// The table, where known.
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

    /// The id: the duplicate, the non-positive, the changed or the too-far one.
    pub fn id(&self) -> Option<i64> {
        match self {
            ValidationError::DuplicateId { id, .. }
            | ValidationError::NonPositiveId { id, .. }
            | ValidationError::IdChanged { id, .. }
            | ValidationError::IdTooFar { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// The value that does not fit its field.
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

    /// The foreign-key or UNIQUE field.
    pub fn field(&self) -> Option<&str> {
        match self {
            IntegrityError::MissingTarget { field, .. }
            | IntegrityError::DeleteRestricted { field, .. }
            | IntegrityError::Unique { field, .. } => Some(field),
            IntegrityError::TruncateRestricted { .. } => None,
        }
    }

    /// The row id: the id a foreign key names, the row whose delete was restricted, the row
    /// that already holds a unique value.
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
    /// The table the declaration is for, where the error is about one.
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
