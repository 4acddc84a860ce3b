//! Values between Python and the core.
//!
//! In: a value is checked against its field's type before the core sees it, because the
//! core's `Value` has only integers, strings and null: a `bool` or `float` for an INT,
//! or an `int` for a CHAR, must be refused here (with the core's own `ValidationError`
//! variants, whose messages the core renders), not coerced. CHAR and TEXT accept `str`
//! or UTF-8 `bytes`, as the original's CHAR did.
//!
//! Out: rows become `bazoola.Row` (a `dict` subclass); field names are interned once per
//! result rather than once per row.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bazoola::{Columns, FieldType, Row, TableSchema, ValidationError, Value};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyType};

/// What Python values a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// PK, INT, FK.
    Int,
    /// CHAR, TEXT.
    Str,
}

impl Kind {
    pub fn of(ty: &FieldType) -> Kind {
        match ty {
            FieldType::Char { .. } | FieldType::Text => Kind::Str,
            FieldType::Pk | FieldType::Int { .. } | FieldType::Fk { .. } => Kind::Int,
        }
    }

    /// `obj` as a value of field `field` of `table`, a field of this kind.
    pub fn value(self, table: &str, field: &str, obj: &Bound<'_, PyAny>) -> Result<Value, bazoola::Error> {
        match self {
            Kind::Int => int_value(table, field, obj),
            Kind::Str => str_value(table, field, obj),
        }
    }
}

/// A table's field kinds, by name.
pub struct TableInfo {
    pub name: String,
    kinds: HashMap<String, Kind>,
}

impl TableInfo {
    pub fn new(schema: &TableSchema) -> TableInfo {
        let kinds = schema.fields.iter().map(|f| (f.name.clone(), Kind::of(&f.ty))).collect();
        TableInfo { name: schema.name.clone(), kinds }
    }

    /// No fields at all: every value passes through unchecked.
    pub fn empty() -> TableInfo {
        TableInfo { name: String::new(), kinds: HashMap::new() }
    }

    /// `obj` as a value of field `field`. An unknown field passes through (as far as
    /// possible) so that the core refuses it by name.
    pub fn value(&self, field: &str, obj: &Bound<'_, PyAny>) -> Result<Value, bazoola::Error> {
        match self.kinds.get(field) {
            Some(kind) => kind.value(&self.name, field, obj),
            None => Ok(plain_value(obj).unwrap_or_default()),
        }
    }

    /// The `(name, value)` pairs of a `dict` of values.
    pub fn pairs(&self, values: &Bound<'_, PyDict>) -> Result<Vec<(String, Value)>, PyErr> {
        let mut pairs = Vec::with_capacity(values.len());
        for (key, obj) in values.iter() {
            let name: String = match key.cast::<PyString>() {
                Ok(s) => s.to_str()?.to_owned(),
                Err(_) => key.str()?.to_str()?.to_owned(),
            };
            let value = self.value(&name, &obj).map_err(|e| crate::error::about_object(e, &obj))?;
            pairs.push((name, value));
        }
        Ok(pairs)
    }
}

fn repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "<unprintable>".into())
}

fn int_value(table: &str, field: &str, obj: &Bound<'_, PyAny>) -> Result<Value, bazoola::Error> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    int_arg(table, field, obj).map(Value::Int)
}

/// An integer for field `field`: an `int` or anything with `__index__` (a NumPy
/// integer), but not a `bool`, a `float` or a string.
pub fn int_arg(table: &str, field: &str, obj: &Bound<'_, PyAny>) -> Result<i64, bazoola::Error> {
    if !obj.is_instance_of::<PyBool>() {
        if let Ok(v) = obj.extract::<i64>() {
            return Ok(v);
        }
        if obj.is_instance_of::<PyInt>() {
            // Past i64, it is past any field's size too. The core's `Value` cannot hold
            // it; the Python exception's `value` is the object itself (see `error`).
            let value = Value::Text(repr(obj));
            return Err(ValidationError::TooBig { table: table.into(), field: field.into(), value }.into());
        }
    }
    Err(ValidationError::NotAnInt { table: table.into(), field: field.into(), repr: repr(obj) }.into())
}

fn str_value(table: &str, field: &str, obj: &Bound<'_, PyAny>) -> Result<Value, bazoola::Error> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    let text = if let Ok(s) = obj.cast::<PyString>() {
        s.to_str().ok().map(str::to_owned)
    } else if let Ok(b) = obj.cast::<PyBytes>() {
        std::str::from_utf8(b.as_bytes()).ok().map(str::to_owned)
    } else {
        None
    };
    text.map(Value::Text)
        .ok_or_else(|| ValidationError::NotAString { table: table.into(), field: field.into() }.into())
}

/// A value with an exact core equivalent: `None`, an `int` (not `bool`) within i64, a
/// `str`. Anything else has none (conditions on it fall back to Python's own `eval`).
pub fn plain_value(obj: &Bound<'_, PyAny>) -> Option<Value> {
    if obj.is_none() {
        Some(Value::Null)
    } else if let Ok(s) = obj.cast::<PyString>() {
        s.to_str().ok().map(|s| Value::Text(s.to_owned()))
    } else if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        obj.extract::<i64>().ok().map(Value::Int)
    } else {
        None
    }
}

/// Results at least this long are built with the cyclic GC paused.
const GC_PAUSE_ROWS: usize = 1000;

/// Pauses Python's cyclic garbage collector while a large result is built: the new
/// dicts are all reachable from the result, so a collection could free none of them,
/// yet allocating tens of thousands of them would trigger many (measured: 70% of the
/// time of a 20,000-row `find_all` with a join went to the collector). The GIL is held
/// throughout, so no other Python code runs while the collector is off.
struct GcPause {
    was_enabled: bool,
}

impl GcPause {
    fn new(_attached: Python<'_>) -> GcPause {
        // SAFETY: called with the interpreter attached (the `Python` token proves it).
        let was_enabled = unsafe { pyo3::ffi::PyGC_Disable() } == 1;
        GcPause { was_enabled }
    }
}

impl Drop for GcPause {
    fn drop(&mut self) {
        if self.was_enabled {
            // SAFETY: dropped in the same attached scope as it was made.
            unsafe { pyo3::ffi::PyGC_Enable() };
        }
    }
}

static ROW_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Interned keys of the column lists seen so far in this process, so that a call
/// returning one row (a `find_by_id`) does not intern its names again each time. The
/// engine hands out the same column list for every row of a table (and of a join), so
/// the lookup is mostly a pointer comparison.
static SHARED_KEYS: Mutex<Vec<(Columns, Vec<Py<PyString>>)>> = Mutex::new(Vec::new());

/// How many column lists [`SHARED_KEYS`] keeps: tables times the joins used on them.
const SHARED_KEY_CACHE: usize = 256;

fn shared_keys<'py>(py: Python<'py>, columns: &Columns) -> Vec<Bound<'py, PyString>> {
    let lock = || SHARED_KEYS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let same = |c: &Columns| Arc::ptr_eq(c, columns) || c == columns;
    if let Some((_, names)) = lock().iter().find(|(c, _)| same(c)) {
        return names.iter().map(|name| name.bind(py).clone()).collect();
    }
    let interned: Vec<Bound<'py, PyString>> = columns.iter().map(|name| PyString::intern(py, name)).collect();
    let mut shared = lock();
    if shared.len() == SHARED_KEY_CACHE {
        shared.remove(0);
    }
    shared.push((columns.clone(), interned.iter().map(|name| name.clone().unbind()).collect()));
    interned
}

/// Builds `bazoola.Row` objects, reusing interned keys across the rows of a result.
pub struct RowMaker<'py> {
    py: Python<'py>,
    class: Bound<'py, PyType>,
    keys: Vec<(Columns, Vec<Bound<'py, PyString>>)>,
    /// While a batch of rows is built: the `int` objects made last, by value, for the
    /// next equal value to share (see [`IntCache`]).
    ints: Option<IntCache<'py>>,
}

/// The `int` objects a batch of rows made last, one per slot of the low bits of their
/// value. Values repeat across the rows of a result — an FK and its target's id, a year
/// on many rows — and sharing one object (immutable, as CPython shares small ints)
/// saves its 32 bytes on each repeat and the allocation: a million joined rows take
/// about 64 MB less. One compare per value, so a miss costs little.
struct IntCache<'py> {
    slots: Vec<Option<(i64, Bound<'py, PyAny>)>>,
}

/// Slots of an [`IntCache`]: more than the distinct years of a table of books, few
/// enough to be made once per batch.
const INT_CACHE_SLOTS: usize = 512;

/// Batches shorter than this build their `int`s one by one (the cache costs more to
/// make than it saves on a few rows).
const INT_CACHE_ROWS: usize = 64;

impl<'py> IntCache<'py> {
    fn new() -> IntCache<'py> {
        IntCache { slots: vec![None; INT_CACHE_SLOTS] }
    }

    fn get(&mut self, py: Python<'py>, value: i64) -> PyResult<Bound<'py, PyAny>> {
        let slot = &mut self.slots[value as usize % INT_CACHE_SLOTS];
        if let Some((cached, obj)) = slot {
            if *cached == value {
                return Ok(obj.clone());
            }
        }
        let obj = value.into_pyobject(py)?.into_any();
        *slot = Some((value, obj.clone()));
        Ok(obj)
    }
}

/// Distinct column lists a result can have: its table's, plus one per join level.
const KEY_CACHE: usize = 16;

impl<'py> RowMaker<'py> {
    pub fn new(py: Python<'py>) -> PyResult<RowMaker<'py>> {
        let class = ROW_CLASS.import(py, "bazoola.row", "Row")?.clone();
        Ok(RowMaker { py, class, keys: Vec::new(), ints: None })
    }

    fn keys(&mut self, columns: &Columns) -> usize {
        if let Some(i) = self.keys.iter().position(|(c, _)| Arc::ptr_eq(c, columns) || c == columns) {
            return i;
        }
        let interned = shared_keys(self.py, columns);
        if self.keys.len() == KEY_CACHE {
            self.keys.remove(0);
        }
        self.keys.push((columns.clone(), interned));
        self.keys.len() - 1
    }

    pub fn row(&mut self, row: &Row) -> PyResult<Bound<'py, PyAny>> {
        // Nested rows (joins) first: they may change the key cache.
        let values = row.values().iter().map(|v| self.value(v)).collect::<PyResult<Vec<_>>>()?;
        let obj = self.class.call0()?;
        let dict = obj.cast::<PyDict>()?;
        let k = self.keys(row.columns());
        for (key, value) in self.keys[k].1.iter().zip(values) {
            dict.set_item(key, value)?;
        }
        Ok(obj)
    }

    pub fn rows(&mut self, rows: &[Row]) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(self.py);
        self.extend(&list, rows)?;
        Ok(list)
    }

    /// Appends `rows`, built, to `list`.
    pub fn extend(&mut self, list: &Bound<'py, PyList>, rows: &[Row]) -> PyResult<()> {
        let _paused = (rows.len() >= GC_PAUSE_ROWS).then(|| GcPause::new(self.py));
        if rows.len() >= INT_CACHE_ROWS && self.ints.is_none() {
            self.ints = Some(IntCache::new());
        }
        for row in rows {
            list.append(self.row(row)?)?;
        }
        Ok(())
    }

    pub fn value(&mut self, value: &Value) -> PyResult<Bound<'py, PyAny>> {
        Ok(match value {
            Value::Null => self.py.None().into_bound(self.py),
            Value::Int(v) => match &mut self.ints {
                Some(ints) => ints.get(self.py, *v)?,
                None => v.into_pyobject(self.py)?.into_any(),
            },
            Value::Float(v) => v.into_pyobject(self.py)?.into_any(),
            Value::Text(s) => PyString::new(self.py, s).into_any(),
            Value::Row(row) => self.row(row)?,
            Value::Rows(rows) => self.rows(rows)?.into_any(),
        })
    }
}
