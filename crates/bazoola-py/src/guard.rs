//! How every call into the core runs: without the GIL (other Python threads go on while
//! this one waits for a lock or the disk), and with panics caught, so that none reaches
//! the interpreter as anything but a `DBError`.
//!
//! A condition written in Python runs inside the core's scan; when its `eval` raises, the
//! exception is parked in a [`Callbacks`] slot and the scan is stopped with a stand-in
//! core error, which [`run`] then replaces by the parked Python exception.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

use crate::error;

/// The Python callbacks of one call: whether there are any, and where they leave the
/// exception they raised.
#[derive(Clone, Default)]
pub struct Callbacks {
    parked: Arc<Mutex<Option<PyErr>>>,
    present: Arc<AtomicBool>,
}

impl Callbacks {
    pub fn park(&self, err: PyErr) {
        let mut slot = self.parked.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(err);
    }

    /// Parks `err` and gives the core error that stops the core's work: [`run`]
    /// raises the parked exception instead of it.
    pub fn stop(&self, err: PyErr) -> bazoola::Error {
        self.park(err);
        bazoola::ValidationError::BadCondition {
            table: String::new(),
            field: String::new(),
            repr: "Python code raised".into(),
        }
        .into()
    }

    fn take(&self) -> Option<PyErr> {
        self.parked.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Notes that the call runs Python code of the user's.
    pub fn add(&self) {
        self.present.store(true, Ordering::Relaxed);
    }

    /// Whether the call runs Python code of the user's, which may write to the
    /// database: then the call runs in a transaction (see [`in_transaction`]).
    pub fn present(&self) -> bool {
        self.present.load(Ordering::Relaxed)
    }
}

/// Runs a read whose conditions call Python code as a transaction when there is such
/// code: an `eval` that writes then joins it (as the original's one global lock let
/// it), commits with the read, and rolls back if the read fails.
pub fn in_transaction<T>(
    db: &bazoola::Database,
    callbacks: &Callbacks,
    read: impl FnOnce(&bazoola::Database) -> bazoola::Result<T>,
) -> bazoola::Result<T> {
    if callbacks.present() {
        db.transaction(read)
    } else {
        read(db)
    }
}

/// Runs `f` (a core call) with the GIL released and panics caught.
pub fn run<T: Send>(
    py: Python<'_>,
    callbacks: Option<&Callbacks>,
    f: impl FnOnce() -> bazoola::Result<T> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    if let Some(parked) = callbacks.and_then(Callbacks::take) {
        return Err(parked);
    }
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(error::to_py(py, e)),
        Err(panic) => Err(error::from_panic(py, panic)),
    }
}

/// Runs binding code that holds the GIL (conversions) with panics caught.
pub fn attached<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(error::from_panic(py, panic)))
}
