//! The original's condition and join objects, turned into the core's `Cond` and `Join`.
//!
//! A condition class says what it is by its `_kind` class attribute (set in
//! `bazoola/cond.py`; `None` for `BaseCond` and for any subclass that defines its own
//! `eval`). Known kinds become native conditions, evaluated on raw row bytes; a node
//! whose kind is unknown, or whose values have no exact core equivalent (a `float`, a
//! `bool`, `bytes`), becomes a `Cond::Custom` that calls its Python `eval(row)` with the
//! GIL held — so every condition behaves as it did in the original, only faster when it
//! can be.
//!
//! Joins say how the engine runs them by their `_native_kind` (`forward`, `inverse`,
//! `count`; `None` for a `BaseJoin` subclass with its own `join`, which `bazoola/db.py`
//! runs in Python instead).

use bazoola::{Cond, Join, JoinKind, Row, ValidationError, Value, MAX_COND_DEPTH};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::{plain_value, RowMaker};
use crate::guard::Callbacks;

/// The core condition for the Python condition `obj` on table `table`.
pub fn cond(table: &str, obj: &Bound<'_, PyAny>, callbacks: &Callbacks) -> PyResult<Cond> {
    cond_at(table, obj, callbacks, 0)
}

/// Converts one node `depth` levels down. Chains of one combinator are flattened
/// without recursion; other nesting is capped at the core's limit, so a condition
/// built in a loop can never exhaust the stack here.
fn cond_at(table: &str, obj: &Bound<'_, PyAny>, callbacks: &Callbacks, depth: usize) -> PyResult<Cond> {
    let py = obj.py();
    if depth > MAX_COND_DEPTH {
        let error = ValidationError::CondTooDeep { table: table.into(), limit: MAX_COND_DEPTH };
        return Err(crate::error::to_py(py, error.into()));
    }
    let kind = kind_of(obj)?.unwrap_or_default();
    let native = match kind.as_str() {
        "eq" | "ne" | "lt" | "gt" | "le" | "ge" => pairs(obj)?.map(|pairs| match kind.as_str() {
            "eq" => Cond::Eq(pairs),
            "ne" => Cond::Ne(pairs),
            "lt" => Cond::Lt(pairs),
            "gt" => Cond::Gt(pairs),
            "le" => Cond::Le(pairs),
            _ => Cond::Ge(pairs),
        }),
        "substr" | "isubstr" => pairs(obj)?.and_then(|pairs| {
            let needles = pairs
                .into_iter()
                .map(|(field, value)| match value {
                    Value::Text(needle) => Some((field, needle)),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some(if kind == "substr" { Cond::Substr(needles) } else { Cond::ISubstr(needles) })
        }),
        "in" => {
            let field: String = obj.getattr(intern!(py, "field"))?.extract()?;
            let values = obj
                .getattr(intern!(py, "values"))?
                .try_iter()?
                .map(|v| v.map(|v| plain_value(&v)))
                .collect::<PyResult<Option<Vec<Value>>>>()?;
            values.map(|values| Cond::In(field, values))
        }
        "is_null" => Some(Cond::IsNull(obj.getattr(intern!(py, "field"))?.extract()?)),
        "and" | "or" => {
            let mut conds = Vec::new();
            let mut stack: Vec<Bound<'_, PyAny>> = operands(obj)?;
            while let Some(operand) = stack.pop() {
                if kind_of(&operand)?.as_deref() == Some(kind.as_str()) {
                    stack.extend(operands(&operand)?);
                } else {
                    conds.push(cond_at(table, &operand, callbacks, depth + 1)?);
                }
            }
            Some(if kind == "and" { Cond::And(conds) } else { Cond::Or(conds) })
        }
        "not" => Some(Cond::Not(Box::new(cond_at(
            table,
            &obj.getattr(intern!(py, "cond"))?,
            callbacks,
            depth + 1,
        )?))),
        _ => None,
    };
    match native {
        Some(native) => Ok(native),
        None => Ok(custom(obj.getattr(intern!(py, "eval"))?.unbind(), callbacks.clone())),
    }
}

/// A condition's `_kind`, `None` for one that runs its own `eval`.
fn kind_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    obj.getattr(intern!(obj.py(), "_kind"))?.extract()
}

/// An `AND`/`OR`'s operands, last first (ready to pop in order).
fn operands<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut list = obj.getattr(intern!(obj.py(), "conds"))?.try_iter()?.collect::<PyResult<Vec<_>>>()?;
    list.reverse();
    Ok(list)
}

/// The `field=value` pairs of a condition, if every value has a core equivalent.
fn pairs(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<(String, Value)>>> {
    let params = obj.getattr(intern!(obj.py(), "params"))?;
    let params = params.cast::<PyDict>()?;
    let mut pairs = Vec::with_capacity(params.len());
    for (key, value) in params.iter() {
        let Some(value) = plain_value(&value) else { return Ok(None) };
        pairs.push((key.cast::<PyString>()?.to_str()?.to_owned(), value));
    }
    Ok(Some(pairs))
}

/// A condition that asks Python's `eval(row)`, row by row.
fn custom(eval: Py<PyAny>, callbacks: Callbacks) -> Cond {
    callbacks.add();
    Cond::custom(move |row: &Row| {
        let outcome = Python::attach(|py| -> PyResult<bool> {
            let row = RowMaker::new(py)?.row(row)?;
            eval.bind(py).call1((row,))?.is_truthy()
        });
        outcome.map_err(|err| callbacks.stop(err))
    })
}

/// The core joins for a list of `Join` / `InverseJoin` / `InverseCount` objects (nested
/// through their `joins` and `through` attributes). A count's condition may be written
/// in Python; it reports through `callbacks` as a read's own condition does.
pub fn joins(list: Option<&Bound<'_, PyAny>>, callbacks: &Callbacks) -> PyResult<Vec<Join>> {
    let Some(list) = list else { return Ok(Vec::new()) };
    if list.is_none() {
        return Ok(Vec::new());
    }
    // A list (what callers pass) is walked as one: a generic iterator's size hint asks
    // Python for `__length_hint__`, which cost a tenth of a `find_by_id` with a join.
    if let Ok(list) = list.cast::<PyList>() {
        return list.iter().map(|j| join(&j, callbacks)).collect();
    }
    list.try_iter()?.map(|j| join(&j?, callbacks)).collect()
}

fn join(obj: &Bound<'_, PyAny>, callbacks: &Callbacks) -> PyResult<Join> {
    let py = obj.py();
    let kind = obj.getattr(intern!(py, "_native_kind"))?;
    let fk: String = obj.getattr(intern!(py, "fk_attr"))?.extract()?;
    let key: String = obj.getattr(intern!(py, "key"))?.extract()?;
    let table: String = obj.getattr(intern!(py, "foreign_table_name"))?.extract()?;
    let mut join = match kind.extract::<Option<String>>()?.as_deref() {
        Some("forward") => Join::forward(fk, key, table),
        Some("inverse") => Join::inverse(fk, key, table),
        Some("count") => {
            let mut count = Join::count(fk, key, &table);
            let filter = obj.getattr(intern!(py, "cond"))?;
            if !filter.is_none() {
                count = count.filter(cond(&table, &filter, callbacks)?);
            }
            let inner = obj.getattr(intern!(py, "through"))?;
            if !inner.is_none() {
                count = count.through(join(&inner, callbacks)?);
            }
            count
        }
        _ => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{} is not a Join, InverseJoin or InverseCount",
                obj.repr()?
            )))
        }
    };
    // A count has no `joins` (its second hop is `through`): not looked up, since a
    // missing attribute raises and formats an AttributeError, a fifth of the call.
    if join.kind != JoinKind::Count {
        if let Ok(nested) = obj.getattr(intern!(py, "joins")) {
            join.joins = joins(Some(&nested), callbacks)?;
        }
    }
    Ok(join)
}
