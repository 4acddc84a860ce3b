//! `bazoola._bazoola.Stream`: the rows of a read a batch at a time, behind `db.iter`.
//!
//! It holds the core's [`Cursor`], which takes the order of the result (its rows'
//! slots and ids) at the first batch and then reads each batch under a read lock of its
//! own, holding none in between: a Python loop over it may write to the database, and
//! so may other threads and processes, however slowly the loop goes or if it stops
//! half way. Dropping the stream drops the cursor; nothing else is held. The cursor
//! borrows nothing: each batch is read from the stream's `Database`, which it keeps
//! alive with a strong reference.

use std::sync::Mutex;

use bazoola::{Cursor, Row};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::RowMaker;
use crate::database::Database;
use crate::guard::{in_transaction, run, Callbacks};

#[pyclass(frozen, module = "bazoola._bazoola")]
pub struct Stream {
    /// `None` once the rows are exhausted, an error ended them, or the stream closed.
    cursor: Mutex<Option<Cursor>>,
    /// The Python `Database` the rows are read from.
    owner: Py<Database>,
    callbacks: Callbacks,
}

/// The next batch of `cursor`'s rows from `db`; an empty list at the end, after which
/// (and after an error) the cursor is gone.
fn take(cursor: &mut Option<Cursor>, db: &bazoola::Database) -> bazoola::Result<Vec<Row>> {
    let Some(walk) = cursor.as_mut() else { return Ok(Vec::new()) };
    let batch = walk.next_batch(db);
    if batch.as_ref().map_or(true, Vec::is_empty) {
        *cursor = None;
    }
    batch
}

impl Stream {
    /// A stream over `query` (built on `owner`'s core database), read `batch` rows at a
    /// time; `callbacks` are those of the query's Python conditions.
    pub fn new(
        owner: &Bound<'_, Database>,
        callbacks: Callbacks,
        batch: usize,
        query: &bazoola::Query<'_>,
    ) -> Stream {
        Stream { cursor: Mutex::new(Some(query.cursor(batch))), owner: owner.clone().unbind(), callbacks }
    }
}

#[pymethods]
impl Stream {
    /// The next rows (up to the batch size), read under one lock; an empty list once
    /// there are no more.
    fn next_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let db = self.owner.get().core();
        let rows = run(py, Some(&self.callbacks), || {
            // Taken without the GIL: a Python condition of another thread's batch may
            // need the GIL while it holds this lock.
            let mut cursor = self.cursor.lock().unwrap_or_else(|p| p.into_inner());
            in_transaction(db, &self.callbacks, |db| take(&mut cursor, db))
        })?;
        RowMaker::new(py)?.rows(&rows)
    }

    /// Drops the cursor now (idempotent); later calls return no rows.
    fn close(&self, py: Python<'_>) {
        let cursor = py.detach(|| self.cursor.lock().unwrap_or_else(|p| p.into_inner()).take());
        // Dropped here, with the GIL: a Python condition it holds is released at once.
        drop(cursor);
    }
}
