//! A row's bytes ⇄ its values. Numbers and CHARs live in the row; a TEXT slot holds the
//! offset of its record in the text heap, so decoding and encoding TEXT touch the heap.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{get_char, get_int, put_char, put_int, put_null_char, put_null_number};
use crate::format::constants::{DELETED, ROW_END};
use crate::format::schema::FieldType;
use crate::storage::txn::Io;
use crate::value::Value;

impl Table {
    /// Whether the row bytes are a deleted row.
    pub fn is_deleted(row: &[u8]) -> bool {
        row.first() == Some(&DELETED)
    }

    /// Checks the bytes of a row that must be live: not deleted, newline at the end.
    pub fn check_row_shape(&self, io: &Io, slot: u64, row: &[u8]) -> Result<()> {
        if row.last() != Some(&ROW_END) {
            return Err(self.corrupt(
                io,
                self.dat,
                Location::Slot(slot),
                "the row does not end with a newline",
            ));
        }
        Ok(())
    }

    /// Decodes field `i` of a live row. Null where the field may not be null is corruption.
    pub fn decode_field(&self, io: &mut Io, slot: u64, row: &[u8], i: usize) -> Result<Value> {
        let field = &self.schema.fields[i];
        let bytes = self.layout.slot(row, i);
        let value = match &field.ty {
            FieldType::Char { .. } => match get_char(bytes) {
                None => Value::Null,
                Some(text) => match std::str::from_utf8(text) {
                    Ok(text) => Value::Text(text.to_string()),
                    Err(_) => {
                        let detail = format!("field '{}' is not valid UTF-8", field.name);
                        return Err(self.corrupt(io, self.dat, Location::Slot(slot), detail));
                    }
                },
            },
            ty => match get_int(bytes) {
                Ok(None) => Value::Null,
                Ok(Some(v)) if *ty == FieldType::Text => match u64::try_from(v) {
                    Ok(offset) => Value::Text(self.read_text(io, offset)?),
                    Err(_) => {
                        let detail = format!("field '{}' holds a negative text offset", field.name);
                        return Err(self.corrupt(io, self.dat, Location::Slot(slot), detail));
                    }
                },
                Ok(Some(v)) => Value::Int(v),
                Err(_) => {
                    let detail = format!("field '{}' is not a number", field.name);
                    return Err(self.corrupt(io, self.dat, Location::Slot(slot), detail));
                }
            },
        };
        if value.is_null() && !field.nullable {
            let detail = format!("field '{}' is null but may not be", field.name);
            return Err(self.corrupt(io, self.dat, Location::Slot(slot), detail));
        }
        Ok(value)
    }

    /// Decodes a live row's values.
    pub fn decode_row(&self, io: &mut Io, slot: u64, row: &[u8]) -> Result<Vec<Value>> {
        self.check_row_shape(io, slot, row)?;
        (0..self.schema.fields.len()).map(|i| self.decode_field(io, slot, row, i)).collect()
    }

    /// The text-heap offset in a TEXT slot, if not null.
    pub fn text_offset(&self, row: &[u8], i: usize) -> Option<u64> {
        get_int(self.layout.slot(row, i)).ok().flatten().and_then(|v| u64::try_from(v).ok())
    }

    /// Encodes validated values into row bytes, writing TEXT records to the heap. With
    /// `old` (the row being updated), a TEXT value that did not change keeps its record;
    /// one that changed frees the old record and appends a new one.
    pub fn encode_row(
        &self,
        io: &mut Io,
        values: &[Value],
        old: Option<(&[u8], &[Value])>,
    ) -> Result<Vec<u8>> {
        let mut row = vec![0u8; self.layout.row_size];
        row[self.layout.row_size - 1] = ROW_END;
        for (i, field) in self.schema.fields.iter().enumerate() {
            let value = &values[i];
            if field.ty == FieldType::Text {
                if let Some((old_row, old_values)) = old {
                    if old_values[i] == *value {
                        self.layout.slot_mut(&mut row, i).copy_from_slice(self.layout.slot(old_row, i));
                        continue;
                    }
                    if let Some(offset) = self.text_offset(old_row, i) {
                        self.free_text(io, offset)?;
                    }
                }
            }
            let slot = self.layout.slot_mut(&mut row, i);
            match (&field.ty, value) {
                (FieldType::Char { .. }, Value::Text(text)) => put_char(slot, text.as_bytes()),
                (FieldType::Char { .. }, _) => put_null_char(slot),
                (FieldType::Text, Value::Text(text)) => {
                    let offset = self.append_text(io, text)?;
                    put_int(self.layout.slot_mut(&mut row, i), offset as i64)
                        .map_err(|_| self.full(io, self.dat, format!("text offset {offset}")))?;
                }
                // Validation has checked the width; a value that slipped past it is
                // refused here rather than written into the neighbouring field.
                (_, Value::Int(v)) => {
                    put_int(slot, *v).map_err(|_| self.full(io, self.dat, format!("value {v}")))?
                }
                _ => put_null_number(slot),
            }
        }
        Ok(row)
    }

    /// Frees the TEXT records of a row being deleted.
    pub fn free_row_texts(&self, io: &mut Io, row: &[u8]) -> Result<()> {
        for (i, field) in self.schema.fields.iter().enumerate() {
            if field.ty == FieldType::Text {
                if let Some(offset) = self.text_offset(row, i) {
                    self.free_text(io, offset)?;
                }
            }
        }
        Ok(())
    }
}
