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

/// The extension's own allocations (the engine's rows on their way to Python, its
/// buffers) come from mimalloc rather than glibc's malloc: a big read allocates and
/// frees them a batch at a time, and glibc spent a third of a million-row `find_all` with
/// a join sorting its free lists (`_int_malloc`, `unlink_chunk`, `malloc_consolidate`
/// under `perf`). Python's own objects are Python's: nothing allocated here is freed
/// there, or the other way round.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (its `mimalloc.h`, v3: the fifth option),
/// which the `-sys` crate does not name. Left on, as it is by default on Linux, it kept
/// about 18 MiB more resident in a 20,000-row `find_all` with a join (59 MiB against
/// glibc's 40); off, 5 MiB more, and the million-row read as fast.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

#[pymodule]
fn _bazoola(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: sets a process-wide option of the allocator, read when it next commits an
    // arena; no other thread allocates through it before the module is loaded.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
    m.add_class::<database::Database>()?;
    m.add_class::<stream::Stream>()?;
    m.add_function(wrap_pyfunction!(database::_panic_for_tests, m)?)?;
    Ok(())
}
