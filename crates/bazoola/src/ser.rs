//! Writing a user's struct as a row with serde: the mirror of [`Row::deserialize`](crate::Row::deserialize).
//!
//! A struct (or a map from field names) becomes [`Values`], the `(name, value)` pairs
//! that [`Database::insert`](crate::Database::insert) and
//! [`Database::update_by_id`](crate::Database::update_by_id) take. A field holds an
//! integer, a string or null, so only those shapes are accepted; anything else is a
//! [`SerError`] naming the field.

use serde::ser::{self, Impossible, Serialize};

use crate::error::SerError;
use crate::value::Value;

/// The `(field name, value)` pairs of one row, in order: what [`to_values`] and
/// [`row!`](crate::row!) build, and what [`Database::insert`](crate::Database::insert)
/// and [`Database::update_by_id`](crate::Database::update_by_id) take.
///
/// ```
/// use bazoola::{Value, Values};
///
/// let mut values = Values::new().with("title", "Solaris");
/// values.push("year", 1961);
/// assert_eq!(values.get("year"), Some(&Value::Int(1961)));
/// assert_eq!(values.len(), 2);
/// let pairs: Vec<(String, Value)> = values.into_iter().collect();
/// assert_eq!(pairs[0], ("title".to_string(), Value::from("Solaris")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(Vec<(String, Value)>);

impl Values {
    /// No values: an insert of it gives every field its default (null, a new id).
    pub fn new() -> Values {
        Values(Vec::new())
    }

    /// Appends `name = value`.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Values {
        self.0.push((name.into(), value.into()));
        self
    }

    /// `self` with `name = value` appended, for chaining.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Values {
        self.push(name, value);
        self
    }

    /// The value given for `name` (the first, if it was given twice).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// How many values were given.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no value was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `(name, value)` pairs, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The `(name, value)` pairs, in the order given.
    pub fn into_vec(self) -> Vec<(String, Value)> {
        self.0
    }
}

impl From<Vec<(String, Value)>> for Values {
    fn from(pairs: Vec<(String, Value)>) -> Values {
        Values(pairs)
    }
}

impl From<Values> for Vec<(String, Value)> {
    fn from(values: Values) -> Vec<(String, Value)> {
        values.0
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Values {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Values {
        Values(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> Extend<(K, V)> for Values {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        self.0.extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
    }
}

impl IntoIterator for Values {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Turns a struct (or a map from field names) into the values of a row, by field name.
///
/// Integers become [`Value::Int`] (a `u64` or `i128` past `i64`'s range is
/// [`SerError::OutOfRange`]), strings and chars [`Value::Text`], `None` (and `()`)
/// [`Value::Null`], `Some(x)` whatever `x` becomes, and a newtype struct what it wraps.
/// A field named `id` that is `None` is left out, so that an insert assigns the next id
/// and an update keeps the row's. Floats, booleans, bytes, enums and nested structs,
/// sequences or maps are [`SerError::Unsupported`], naming the field.
///
/// ```
/// use bazoola::{Database, Field, TableSchema};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Book { id: Option<i64>, title: String, year: Option<i64> }
///
/// # fn main() -> bazoola::Result<()> {
/// let dir = tempfile::tempdir().unwrap();
/// let db = Database::open(dir.path(), [
///     TableSchema::new("books").field(Field::char("title", 20)).field(Field::int("year").nullable()),
/// ])?;
/// let mut book = Book { id: None, title: "Solaris".into(), year: None };
/// let row = db.insert("books", bazoola::to_values(&book)?)?;
/// assert_eq!((row.id(), row["year"].is_null()), (1, true));
///
/// book.year = Some(1961);
/// db.update_by_id("books", row.id(), bazoola::to_values(&book)?)?;
/// let read: Book = db.find_by_id("books", 1, &[])?.unwrap().deserialize().unwrap();
/// assert_eq!((read.id, read.year), (Some(1), Some(1961)));
/// # Ok(()) }
/// ```
pub fn to_values<T: Serialize + ?Sized>(value: &T) -> Result<Values, SerError> {
    value.serialize(RowSerializer)
}

/// Serializes the whole row: a struct or a map.
struct RowSerializer;

fn not_a_row<T>(kind: &'static str) -> Result<T, SerError> {
    Err(SerError::NotARow { kind })
}

impl ser::Serializer for RowSerializer {
    type Ok = Values;
    type Error = SerError;
    type SerializeSeq = Impossible<Values, SerError>;
    type SerializeTuple = Impossible<Values, SerError>;
    type SerializeTupleStruct = Impossible<Values, SerError>;
    type SerializeTupleVariant = Impossible<Values, SerError>;
    type SerializeMap = MapCollector;
    type SerializeStruct = StructCollector;
    type SerializeStructVariant = Impossible<Values, SerError>;

    fn serialize_bool(self, _: bool) -> Result<Values, SerError> {
        not_a_row("a boolean")
    }
    fn serialize_i8(self, _: i8) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_i16(self, _: i16) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_i32(self, _: i32) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_i64(self, _: i64) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_u8(self, _: u8) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_u16(self, _: u16) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_u32(self, _: u32) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_u64(self, _: u64) -> Result<Values, SerError> {
        not_a_row("an integer")
    }
    fn serialize_f32(self, _: f32) -> Result<Values, SerError> {
        not_a_row("a float")
    }
    fn serialize_f64(self, _: f64) -> Result<Values, SerError> {
        not_a_row("a float")
    }
    fn serialize_char(self, _: char) -> Result<Values, SerError> {
        not_a_row("a char")
    }
    fn serialize_str(self, _: &str) -> Result<Values, SerError> {
        not_a_row("a string")
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Values, SerError> {
        not_a_row("bytes")
    }
    fn serialize_none(self) -> Result<Values, SerError> {
        not_a_row("None")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Values, SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Values, SerError> {
        not_a_row("()")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Values, SerError> {
        not_a_row("a unit struct")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Values, SerError> {
        not_a_row("an enum variant")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Values, SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Values, SerError> {
        not_a_row("an enum variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        not_a_row("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SerError> {
        not_a_row("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        not_a_row("a tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        not_a_row("an enum variant")
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapCollector, SerError> {
        Ok(MapCollector { values: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<StructCollector, SerError> {
        Ok(StructCollector { values: Vec::with_capacity(len) })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        not_a_row("an enum variant")
    }
}

/// Adds `name = value` unless it is an `id` of `None` (meaning: assign one).
fn push(values: &mut Vec<(String, Value)>, name: &str, value: Value) {
    if !(name == "id" && value.is_null()) {
        values.push((name.to_string(), value));
    }
}

fn field_value<T: Serialize + ?Sized>(name: &str, value: &T) -> Result<Value, SerError> {
    value.serialize(ValueSerializer { field: name }).map_err(|e| match e {
        // A `Serialize` impl's own error knows no field name; this one is it.
        SerError::Custom { field, message } if field.is_empty() => {
            SerError::Custom { field: name.into(), message }
        }
        e => e,
    })
}

struct StructCollector {
    values: Vec<(String, Value)>,
}

impl ser::SerializeStruct for StructCollector {
    type Ok = Values;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        let value = field_value(name, value)?;
        push(&mut self.values, name, value);
        Ok(())
    }

    fn end(self) -> Result<Values, SerError> {
        Ok(Values(self.values))
    }
}

struct MapCollector {
    values: Vec<(String, Value)>,
    key: Option<String>,
}

impl ser::SerializeMap for MapCollector {
    type Ok = Values;
    type Error = SerError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        // A key is the field's name: whatever serializes as a string.
        match key.serialize(ValueSerializer { field: "" }) {
            Ok(Value::Text(name)) => {
                self.key = Some(name);
                Ok(())
            }
            _ => bad_key(),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        // serde calls `serialize_key` first; a value without one is the caller's bug.
        let Some(name) = self.key.take() else {
            return Err(SerError::Custom {
                field: String::new(),
                message: "a map value came without its key".into(),
            });
        };
        let value = field_value(&name, value)?;
        push(&mut self.values, &name, value);
        Ok(())
    }

    fn end(self) -> Result<Values, SerError> {
        Ok(Values(self.values))
    }
}

fn bad_key<T>() -> Result<T, SerError> {
    not_a_row("a map whose keys are not strings")
}

/// One field's value: an integer, a string or null.
struct ValueSerializer<'a> {
    field: &'a str,
}

impl ValueSerializer<'_> {
    fn unsupported<T>(&self, kind: &'static str) -> Result<T, SerError> {
        Err(SerError::Unsupported { field: self.field.to_string(), kind })
    }

    fn int(&self, v: impl TryInto<i64> + std::fmt::Display + Copy) -> Result<Value, SerError> {
        match v.try_into() {
            Ok(v) => Ok(Value::Int(v)),
            Err(_) => Err(SerError::OutOfRange { field: self.field.to_string(), value: v.to_string() }),
        }
    }
}

impl ser::Serializer for ValueSerializer<'_> {
    type Ok = Value;
    type Error = SerError;
    type SerializeSeq = Impossible<Value, SerError>;
    type SerializeTuple = Impossible<Value, SerError>;
    type SerializeTupleStruct = Impossible<Value, SerError>;
    type SerializeTupleVariant = Impossible<Value, SerError>;
    type SerializeMap = Impossible<Value, SerError>;
    type SerializeStruct = Impossible<Value, SerError>;
    type SerializeStructVariant = Impossible<Value, SerError>;

    fn serialize_bool(self, _: bool) -> Result<Value, SerError> {
        self.unsupported("a boolean")
    }
    fn serialize_i8(self, v: i8) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, SerError> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, SerError> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, SerError> {
        self.int(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, SerError> {
        self.int(v)
    }
    fn serialize_f32(self, _: f32) -> Result<Value, SerError> {
        self.unsupported("a float")
    }
    fn serialize_f64(self, _: f64) -> Result<Value, SerError> {
        self.unsupported("a float")
    }
    fn serialize_char(self, v: char) -> Result<Value, SerError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, SerError> {
        Ok(Value::Text(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Value, SerError> {
        self.unsupported("bytes")
    }
    fn serialize_none(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, SerError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, SerError> {
        self.unsupported("a unit struct")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<Value, SerError> {
        self.unsupported("an enum variant")
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Value, SerError> {
        self.unsupported("an enum variant")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        self.unsupported("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SerError> {
        self.unsupported("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        self.unsupported("a tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        self.unsupported("an enum variant")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        self.unsupported("a map")
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, SerError> {
        self.unsupported("a struct")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        self.unsupported("an enum variant")
    }
}
