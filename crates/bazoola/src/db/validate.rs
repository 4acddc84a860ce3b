//! Checking values against fields before anything is written.

use crate::error::ValidationError;
use crate::format::codec::int_fits;
use crate::format::schema::{Field, FieldType};
use crate::table::Table;
use crate::value::Value;

/// Checks that `value` fits field `i` of `table`.
pub fn check_value(table: &Table, i: usize, value: &Value) -> Result<(), ValidationError> {
    check_field_value(table.name(), &table.schema.fields[i], table.width(), value)
}

/// Checks that `value` fits `field` of table `table` (of format width `width`).
pub fn check_field_value(
    table: &str,
    field: &Field,
    width: usize,
    value: &Value,
) -> Result<(), ValidationError> {
    let table_name = || table.to_string();
    let field_name = || field.name.clone();
    match (&field.ty, value) {
        (_, Value::Null) if field.nullable => Ok(()),
        (_, Value::Null) => Err(ValidationError::NullNotAllowed { table: table_name(), field: field_name() }),
        (FieldType::Char { size }, Value::Text(text)) => {
            if text.len() > *size {
                Err(ValidationError::TooLong {
                    table: table_name(),
                    field: field_name(),
                    value: value.clone(),
                })
            } else if text.starts_with('\0') {
                Err(ValidationError::LeadingNul {
                    table: table_name(),
                    field: field_name(),
                    value: value.clone(),
                })
            } else {
                Ok(())
            }
        }
        (FieldType::Text, Value::Text(_)) => Ok(()),
        (FieldType::Char { .. } | FieldType::Text, _) => {
            Err(ValidationError::NotAString { table: table_name(), field: field_name() })
        }
        (_, Value::Int(v)) => {
            if int_fits(*v, field.width(width)) {
                Ok(())
            } else {
                Err(ValidationError::TooBig {
                    table: table_name(),
                    field: field_name(),
                    value: value.clone(),
                })
            }
        }
        (_, other) => {
            Err(ValidationError::NotAnInt { table: table_name(), field: field_name(), repr: other.repr() })
        }
    }
}

/// Puts caller-given pairs into field order over `base` (the old row of an update), and
/// says which fields were given. Unknown names are refused.
pub fn merge<K: AsRef<str>>(
    table: &Table,
    base: Vec<Value>,
    pairs: impl IntoIterator<Item = (K, Value)>,
) -> Result<(Vec<Value>, Vec<bool>), ValidationError> {
    let mut values = base;
    let mut given = vec![false; values.len()];
    for (name, value) in pairs {
        let i = field_of(table, name.as_ref())?;
        values[i] = value;
        given[i] = true;
    }
    Ok((values, given))
}

/// The values of a new row in field order: the given pairs, nulls elsewhere.
pub fn new_row<K: AsRef<str>>(
    table: &Table,
    pairs: impl IntoIterator<Item = (K, Value)>,
) -> Result<Vec<Value>, ValidationError> {
    let mut values = vec![Value::Null; table.schema.fields.len()];
    for (name, value) in pairs {
        values[field_of(table, name.as_ref())?] = value;
    }
    Ok(values)
}

fn field_of(table: &Table, name: &str) -> Result<usize, ValidationError> {
    table
        .schema
        .field_index(name)
        .ok_or_else(|| ValidationError::UnknownField { table: table.name().into(), field: name.into() })
}
