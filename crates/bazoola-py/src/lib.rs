//! The compiled half of the `bazoola` Python package, imported as `bazoola._bazoola`.
//!
//! The pure-Python half (`python/bazoola/`) keeps the original package's classes and
//! signatures; everything it does to a database goes through the one class here,
//! [`database::Database`], which wraps the Rust core. The split:
//!
//! - `database`: the `Database` class: one method per core operation (schema changes
//!   included), each releasing the GIL and catching panics ([`guard::run`]).
//! - `convert`: Python values in (checked against the field's type, so a `float` for an
//!   INT is a `ValidationError`, not a corrupted row) and rows out (`bazoola.Row` dicts).
//! - `query`: the original's condition and join objects turned into the core's `Cond` and
//!   `Join`; a condition class the core does not know runs its Python `eval` row by row.
//! - `read`: the keyword arguments of reads beyond the original's (`order_by`, `limit`,
//!   `offset`, `fields`) and the aggregates of `db.aggregate`.
//! - `stream`: the rows of a read a batch at a time, holding no lock in between
//!   (`db.iter`).
//! - `schema`: table declarations from the Python side, and the tables as the engine has
//!   them back to it after a schema change (`db.tables` follows them).
//! - `error`: the core's error kinds onto the Python exception tree of `bazoola.errors`.

mod convert;
mod database;
mod error;
mod guard;
mod query;
mod read;
mod schema;
mod stream;

use pyo3::prelude::*;

#[pymodule]
fn _bazoola(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<database::Database>()?;
    m.add_class::<stream::Stream>()?;
    m.add_function(wrap_pyfunction!(database::_panic_for_tests, m)?)?;
    Ok(())
}
