//! The core's error kinds mapped one-to-one onto the Python exception tree (SPEC §4).
//!
//! The classes themselves live in `bazoola/errors.py`, because they must be exactly the
//! original's (`DBError(message)` with a `.message` attribute) plus two that subclass
//! both `DBError` and `ValueError`, which a class made here could not. The message is
//! always the core error's own rendering.

use std::any::Any;

use bazoola::Value;
use pyo3::intern;
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
            Error::Alter(alter) => Kind::of_alter(alter),
            Error::Io(_) | Error::Closed { .. } | Error::NoTransaction | Error::TransactionAborted => {
                Kind::Db
            }
            // The core's `Error` may grow variants; they are still database errors.
            #[allow(unreachable_patterns)]
            _ => Kind::Db,
        }
    }

    /// A schema change the rows do not allow is a `ValidationError` (a value that does
    /// not fit its field, as for an insert); one the schemas do not allow, or migrate
    /// does not make, a `SchemaError`; one that cannot run where it was asked (inside
    /// a transaction), a plain `DBError`.
    fn of_alter(error: &bazoola::AlterError) -> Kind {
        use bazoola::AlterError;
        match error {
            AlterError::DoesNotFit { .. }
            | AlterError::HoldsNull { .. }
            | AlterError::Duplicate { .. }
            | AlterError::NeedsDefault { .. } => Kind::Validation,
            AlterError::InTransaction => Kind::Db,
            _ => Kind::Schema,
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
        self.error_about(py, message, &About::default())
    }

    /// The exception, with the values it is about as attributes.
    fn error_about(self, py: Python<'_>, message: String, about: &About) -> PyErr {
        let made = CLASSES[self as usize]
            .import(py, "bazoola.errors", self.class_name())
            .and_then(|class| class.call1((message,)))
            .and_then(|exception| {
                about.set_on(&exception)?;
                Ok(exception)
            });
        match made {
            Ok(exception) => PyErr::from_value(exception),
            Err(failed) => failed,
        }
    }
}

/// The values an error is about, as the exception's attributes (SPEC §4): `table`,
/// `field`, `id`, `value`, `path`; `None` where they do not apply.
#[derive(Default)]
struct About {
    table: Option<String>,
    field: Option<String>,
    id: Option<i64>,
    value: Option<Value>,
    path: Option<String>,
}

impl About {
    fn of(error: &bazoola::Error) -> About {
        About {
            table: error.table().map(str::to_owned),
            field: error.field().map(str::to_owned),
            id: error.id(),
            value: error.value().cloned(),
            path: error.path().map(|p| p.to_string_lossy().into_owned()),
        }
    }

    fn set_on(&self, exception: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = exception.py();
        exception.setattr(intern!(py, "table"), &self.table)?;
        exception.setattr(intern!(py, "field"), &self.field)?;
        exception.setattr(intern!(py, "id"), self.id)?;
        let value = match &self.value {
            None | Some(Value::Null) => py.None().into_bound(py),
            Some(Value::Int(v)) => v.into_pyobject(py)?.into_any(),
            Some(Value::Text(s)) => s.into_pyobject(py)?.into_any(),
            Some(other) => other.repr().into_pyobject(py)?.into_any(),
        };
        exception.setattr(intern!(py, "value"), value)?;
        exception.setattr(intern!(py, "path"), &self.path)?;
        Ok(())
    }
}

/// The Python exception for a core error, with the core's message and the values it
/// is about as attributes.
pub fn to_py(py: Python<'_>, error: bazoola::Error) -> PyErr {
    Kind::of(&error).error_about(py, error.to_string(), &About::of(&error))
}

/// The same for an error about a Python object this binding refused before the core
/// saw it (a `float` for an INT): its `value` is that object itself.
pub fn about_object(error: bazoola::Error, obj: &Bound<'_, PyAny>) -> PyErr {
    let py = obj.py();
    let exception = to_py(py, error);
    let _ = exception.value(py).setattr(intern!(py, "value"), obj);
    exception
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
