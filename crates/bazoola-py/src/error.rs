//! The core's error kinds mapped one-to-one onto the Python exception tree (SPEC §4).
//!
//! The classes themselves live in `bazoola/errors.py`, because they must be exactly the
//! original's (`DBError(message)` with a `.message` attribute) plus two that subclass
//! both `DBError` and `ValueError`, which a class made here could not. The message is
//! always the core error's own rendering.

use std::any::Any;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python exception classes, by kind.
#[derive(Clone, Copy)]
pub enum Kind {
    Db,
    Validation,
    NotFound,
    Integrity,
    CorruptData,
    Schema,
}

static CLASSES: [PyOnceLock<Py<PyType>>; 6] = [const { PyOnceLock::new() }; 6];

impl Kind {
    fn of(error: &bazoola::Error) -> Kind {
        use bazoola::Error;
        match error {
            Error::Validation(_) => Kind::Validation,
            Error::NotFound { .. } => Kind::NotFound,
            Error::Integrity(_) => Kind::Integrity,
            Error::CorruptData(_) => Kind::CorruptData,
            Error::Schema(_) => Kind::Schema,
            Error::Io(_) | Error::Closed { .. } | Error::NoTransaction | Error::TransactionAborted => {
                Kind::Db
            }
            // The core's `Error` may grow variants; they are still database errors.
            #[allow(unreachable_patterns)]
            _ => Kind::Db,
        }
    }

    fn class_name(self) -> &'static str {
        match self {
            Kind::Db => "DBError",
            Kind::Validation => "ValidationError",
            Kind::NotFound => "NotFoundError",
            Kind::Integrity => "IntegrityError",
            Kind::CorruptData => "CorruptDataError",
            Kind::Schema => "SchemaError",
        }
    }

    pub fn error(self, py: Python<'_>, message: String) -> PyErr {
        match CLASSES[self as usize].import(py, "bazoola.errors", self.class_name()) {
            Ok(class) => PyErr::from_type(class.clone(), (message,)),
            Err(import_failed) => import_failed,
        }
    }
}

/// The Python exception for a core error, with the core's message.
pub fn to_py(py: Python<'_>, error: bazoola::Error) -> PyErr {
    Kind::of(&error).error(py, error.to_string())
}

/// A panic caught at the boundary, as a `DBError` (a panic is a bug in the core or here;
/// the interpreter must survive it).
pub fn from_panic(py: Python<'_>, payload: Box<dyn Any + Send>) -> PyErr {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Kind::Db.error(py, format!("internal error in bazoola: {detail}"))
}
