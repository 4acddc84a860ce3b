//! Bazoola: a small embedded relational database whose data files you can read with
//! `cat`.
//!
//! ```
//! use bazoola::{Cond, Database, Field, Join, TableSchema};
//!
//! # fn main() -> bazoola::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let db = Database::open(dir.path(), [
//!     TableSchema::new("authors").field(Field::char("name", 20)),
//!     TableSchema::new("books")
//!         .field(Field::char("title", 20))
//!         .field(Field::fk("author_id", "authors"))
//!         .field(Field::int("year").nullable()),
//! ])?;
//! let le_guin = db.insert("authors", bazoola::row! { "name" => "Ursula K. Le Guin" })?;
//! db.insert("books", bazoola::row! {
//!     "title" => "The Dispossessed",
//!     "author_id" => le_guin.id(),
//!     "year" => 1974,
//! })?;
//!
//! let old = db.find_by_cond("books", &Cond::lt("year", 1980), &[Join::forward("author_id", "author", "authors")])?;
//! assert_eq!(old[0]["author"].as_row().unwrap()["name"].as_str(), Some("Ursula K. Le Guin"));
//! assert_eq!(std::fs::read_to_string(dir.path().join("authors.dat")).unwrap(), "1        Ursula K. Le Guin   \n");
//! # Ok(()) }
//! ```
//!
//! The layers, bottom up: `format` (bytes of every file), `storage` (the I/O trait,
//! journal, pager and locks), `table` (one table's files), `index` (secondary indexes:
//! B+tree files), `db` (the database: planner, constraints, queries).
//!
//! Rows go in as `(name, value)` pairs: a literal [`row!`], a struct through
//! [`to_values`] (serde), or any iterator of pairs; they come out as [`Row`]s, which
//! [`Row::deserialize`] reads into a struct.

#![warn(missing_docs)]

mod db;
mod de;
mod error;
mod format;
mod index;
pub mod progress;
mod ser;
mod storage;
mod table;
mod value;

pub use db::alter::SchemaChange;
pub use db::check::{CheckReport, Problem, Reclaimable, StaleIndex};
pub use db::cond::{Cond, MAX_COND_DEPTH};
pub use db::database::Database;
pub use db::join::{Join, JoinKind};
pub use db::open::OpenOptions;
pub use db::plan::{Access, Agg, Plan};
pub use db::query_builder::{Cursor, Query, QueryIter};
pub use de::DeError;
pub use error::{
    AlterError, CorruptDataError, Error, IntegrityError, IoError, IoOp, Location, Result, SchemaError,
    SerError, ValidationError,
};
pub use format::schema::{Field, FieldType, IndexSpec, Indexing, OnDelete, TableSchema, MAX_INDEXED_CHAR};
pub use ser::{to_values, Values};
pub use storage::pager::{SyncMode, DEFAULT_TXN_MEMORY};
pub use storage::vfs::{DirChange, DirStamp, DirWatch, FileIdentity, FileIo, FileStat, OsVfs, Vfs};
pub use value::{Columns, Row, Value};

/// The values of one row, written as `"name" => value` pairs of mixed types, as
/// rusqlite's `named_params!`: builds the [`Values`] that
/// [`Database::insert`] and [`Database::update_by_id`] take. A value is anything with
/// `Into<Value>`: integers, `&str`/`String`, an `Option` of those (`None` is null; write
/// `None::<i64>` where the type cannot be inferred), or a [`Value`].
///
/// ```
/// use bazoola::{Database, Field, TableSchema, Value};
///
/// # fn main() -> bazoola::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = Database::open(dir.path(), [
///     TableSchema::new("books")
///         .field(Field::char("title", 20))
///         .field(Field::int("year").nullable())
///         .field(Field::text("notes").nullable()),
/// ])?;
/// let notes: Option<&str> = None;
/// let row = db.insert("books", bazoola::row! { "title" => "Solaris", "year" => 1961, "notes" => notes })?;
/// assert_eq!(row["notes"], Value::Null);
/// db.update_by_id("books", row.id(), bazoola::row! { "year" => None::<i64>, "notes" => "The ocean thinks." })?;
/// let row = db.find_by_id("books", row.id(), &[])?.unwrap();
/// assert_eq!((row["year"].is_null(), row["notes"].as_str()), (true, Some("The ocean thinks.")));
/// assert!(bazoola::row! {}.is_empty());
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! row {
    () => {
        $crate::Values::new()
    };
    ($($name:expr => $value:expr),+ $(,)?) => {
        $crate::Values::from(::std::vec![
            $((::std::convert::Into::<::std::string::String>::into($name), $crate::Value::from($value))),+
        ])
    };
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn a_database_can_be_shared_between_threads() {
        assert_send_sync::<crate::Database>();
    }
}
