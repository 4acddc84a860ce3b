//! How every call into the core runs: without the GIL (other Python threads go on while
//! this one waits for a lock or the disk), and with panics caught, so that none reaches
//! the interpreter as anything but a `DBError`.
//!
//! A condition written in Python runs inside the core's scan; when its `eval` raises, the
//! exception is parked in a [`Callbacks`] slot and the scan is stopped with a stand-in
//! core error, which [`run`] then replaces by the parked Python exception.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

use crate::error;

/// Where Python callbacks of one call leave the exception they raised.
#[derive(Clone, Default)]
pub struct Callbacks(Arc<Mutex<Option<PyErr>>>);

impl Callbacks {
    pub fn park(&self, err: PyErr) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(err);
    }

    fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
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
