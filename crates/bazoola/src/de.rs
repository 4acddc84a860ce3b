//! Reading a [`Row`] into a user's struct with serde: a row is a map from field name to
//! value; a joined row is a nested map and an inverse join a sequence of them.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use crate::value::{Row, Value};

/// Why a row did not fit the requested type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read the row into the requested type: {0}")]
pub struct DeError(String);

impl de::Error for DeError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

pub struct RowDeserializer<'a> {
    row: &'a Row,
    next: usize,
}

impl<'a> RowDeserializer<'a> {
    pub fn new(row: &'a Row) -> Self {
        RowDeserializer { row, next: 0 }
    }
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for RowDeserializer<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.row.columns().get(self.next) {
            Some(name) => seed.deserialize((&**name).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let value = &self.row.values()[self.next];
        self.next += 1;
        seed.deserialize(ValueDeserializer(value))
    }
}

struct ValueDeserializer<'a>(&'a Value);

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            Value::Int(v) => visitor.visit_i64(*v),
            Value::Float(v) => visitor.visit_f64(*v),
            Value::Text(s) => visitor.visit_borrowed_str(s),
            Value::Row(row) => visitor.visit_map(RowDeserializer::new(row)),
            Value::Rows(rows) => visitor.visit_seq(RowsAccess(rows.iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct RowsAccess<'a>(std::slice::Iter<'a, Row>);

impl<'de> SeqAccess<'de> for RowsAccess<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        self.0.next().map(|row| seed.deserialize(RowDeserializer::new(row))).transpose()
    }
}
