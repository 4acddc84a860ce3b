//! Values and rows as the API hands them out.
//!
//! A [`Row`] is an ordered map from field name to [`Value`]; rows of one query share their
//! column names, so reading a million rows does not copy a million name lists. Joins add
//! keys holding a nested row (`Join`) or a list of rows (`InverseJoin`).

use std::fmt;
use std::ops::Index;
use std::sync::Arc;

/// One field's value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// A null field (and a `Join` key when the FK is null).
    #[default]
    Null,
    /// PK, INT and FK fields.
    Int(i64),
    /// An average (`AVG`): the one value no field stores.
    Float(f64),
    /// CHAR and TEXT fields.
    Text(String),
    /// The referenced row of a `Join` (or `Null` when the FK is null). Shared: the rows
    /// referring to one target share it rather than each holding a copy (a million
    /// books joined to their authors made a copy for every book sharing its author).
    Row(Arc<Row>),
    /// The referring rows of an `InverseJoin`.
    Rows(Vec<Row>),
}

/// Floats compare by their bits, so that `Value` (and `Row`) can be keys: two NaNs of
/// the same bits are equal, and 0.0 differs from -0.0.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Row(a), Value::Row(b)) => a == b,
            (Value::Rows(a), Value::Rows(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Int(v) => v.hash(state),
            Value::Float(v) => v.to_bits().hash(state),
            Value::Text(v) => v.hash(state),
            Value::Row(v) => v.hash(state),
            Value::Rows(v) => v.hash(state),
        }
    }
}

impl Value {
    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }
    /// The number, if this is one: a float, or an integer converted.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }
    /// The joined row, if this is one.
    pub fn as_row(&self) -> Option<&Row> {
        match self {
            Value::Row(row) => Some(row),
            _ => None,
        }
    }
    /// The joined rows, if this is a list of them.
    pub fn as_rows(&self) -> Option<&[Row]> {
        match self {
            Value::Rows(rows) => Some(rows),
            _ => None,
        }
    }

    /// The value as Python's `repr` would print it, for messages about it.
    pub fn repr(&self) -> String {
        match self {
            Value::Null => "None".into(),
            Value::Int(v) => v.to_string(),
            Value::Float(v) => format!("{v:?}"),
            Value::Text(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Value::Row(row) => format!("{row}"),
            Value::Rows(rows) => format!("[{} rows]", rows.len()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            other => f.write_str(&other.repr()),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::Int(i64::from(v)) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Field names shared by the rows of one result.
pub type Columns = Arc<[Box<str>]>;

/// One row: values in field order, then any joined keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    columns: Columns,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Columns, values: Vec<Value>) -> Row {
        debug_assert_eq!(columns.len(), values.len());
        Row { columns, values }
    }

    /// Builds a row from name/value pairs (for tests and for building expected rows).
    pub fn from_pairs<K: Into<Box<str>>, V: Into<Value>>(pairs: impl IntoIterator<Item = (K, V)>) -> Row {
        let (names, values): (Vec<Box<str>>, Vec<Value>) =
            pairs.into_iter().map(|(k, v)| (k.into(), v.into())).unzip();
        Row { columns: names.into(), values }
    }

    /// The value of field or join key `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.columns.iter().position(|c| &**c == name).map(|i| &self.values[i])
    }

    /// The row's primary key.
    pub fn id(&self) -> i64 {
        self.values.first().and_then(Value::as_int).unwrap_or_default()
    }

    /// How many values the row has.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The names of its values, shared with the other rows of its result.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Its values, in the order of [`columns`](Self::columns).
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Its values, to change or to move out in place (the columns stay).
    pub fn values_mut(&mut self) -> &mut [Value] {
        &mut self.values
    }

    /// Its values, in the order of [`columns`](Self::columns).
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The `(name, value)` pairs, in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.columns.iter().map(|c| &**c).zip(&self.values)
    }

    /// Sets `key` (replacing an existing value of that name) — how joins attach results.
    /// `columns` is the shared name list with `key` already in place.
    pub(crate) fn set_joined(&mut self, columns: &Columns, position: usize, value: Value) {
        if position < self.values.len() {
            self.values[position] = value;
        } else {
            self.values.push(value);
        }
        self.columns = columns.clone();
    }

    /// Reads the row into a user type, by field name.
    ///
    /// ```
    /// # use bazoola::Row;
    /// #[derive(serde::Deserialize)]
    /// struct Book { id: i64, title: String, year: Option<i64> }
    /// let row = Row::from_pairs([("id", 1.into()), ("title", "Dune".into()), ("year", bazoola::Value::Null)]);
    /// let book: Book = row.deserialize().unwrap();
    /// assert_eq!((book.id, book.title.as_str(), book.year), (1, "Dune", None));
    /// ```
    pub fn deserialize<'de, T: serde::Deserialize<'de>>(&'de self) -> Result<T, crate::de::DeError> {
        T::deserialize(crate::de::RowDeserializer::new(self))
    }
}

impl Index<&str> for Row {
    type Output = Value;
    /// The value of `name`; [`Value::Null`] when the row has no such key.
    fn index(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(name).unwrap_or(&NULL)
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "'{name}': {}", value.repr())?;
        }
        f.write_str("}")
    }
}
