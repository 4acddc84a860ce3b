//! The reading primitives plans are built from: a row by id through the PK index (two
//! small reads), every row by scanning the data file in large chunks, and the rows whose
//! FK holds given ids (through the FK's index, or a scan).

use std::ops::ControlFlow;

use super::engine::Engine;
use crate::error::{Location, Result, ValidationError};
use crate::format::codec::get_int;
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::{Row, Value};

/// Called by a raw scan with the slot and bytes of each live row.
pub type RawVisitor<'v> = dyn FnMut(&mut Io, u64, &[u8]) -> Result<ControlFlow<()>> + 'v;

impl Engine {
    /// The row with id `id` and its slot, if there is one. The row the PK index points
    /// at must hold that id: every write goes through here, and trusting a bad entry
    /// would update or delete some other row.
    pub fn lookup(&self, io: &mut Io, t: usize, id: i64) -> Result<Option<(u64, Vec<u8>)>> {
        let table = &self.tables[t];
        let Some(slot) = table.slot_of(io, id)? else { return Ok(None) };
        let mut row = vec![0u8; table.layout.row_size];
        if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
            return Ok(None);
        }
        let held = table.decode_field(io, slot, &row, 0)?;
        if held != Value::Int(id) {
            return Err(self.misdirected(io, t, id, slot, &held));
        }
        Ok(Some((slot, row)))
    }

    /// The error of a PK-index entry for `id` pointing at slot `slot`, whose row holds
    /// id `held` instead.
    pub(crate) fn misdirected(
        &self,
        io: &Io,
        t: usize,
        id: i64,
        slot: u64,
        held: &Value,
    ) -> crate::error::Error {
        let table = &self.tables[t];
        let detail = format!("the index entry of id {id} points at a row with id {}", held.repr());
        table.corrupt(io, table.index_file(), Location::Slot(slot), detail)
    }

    pub fn find_by_id(&self, io: &mut Io, t: usize, id: i64) -> Result<Option<Row>> {
        let Some((slot, bytes)) = self.lookup(io, t, id)? else { return Ok(None) };
        let table = &self.tables[t];
        let values = table.decode_row(io, slot, &bytes)?;
        Ok(Some(Row::new(table.columns.clone(), values)))
    }

    /// Calls `visit` with the slot and bytes of every live row, in slot order, until it
    /// says to stop. Memory stays at one read chunk however large the table.
    pub fn scan_raw(&self, io: &mut Io, t: usize, visit: &mut RawVisitor) -> Result<()> {
        let table = &self.tables[t];
        let size = table.layout.row_size;
        let mut chunks = table.chunks(io)?;
        while let Some((first, bytes)) = chunks.next(table, io)? {
            for (i, row) in bytes.chunks_exact(size).enumerate() {
                if Table::is_deleted(row) {
                    continue;
                }
                if visit(io, first + i as u64, row)?.is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Calls `visit` with the slot and bytes of every live row of table `t` whose field
    /// `field` holds one of `ids` (sorted, distinct) — through the field's index when it
    /// has one (a lookup per id), else in one scan. Rows come in slot order for a scan,
    /// and grouped by id in `ids`' order through the index.
    pub fn rows_holding(
        &self,
        io: &mut Io,
        t: usize,
        field: usize,
        ids: &[i64],
        visit: &mut RawVisitor,
    ) -> Result<()> {
        let table = &self.tables[t];
        let Some(index) = self.index_on(t, field) else {
            return self.scan_raw(io, t, &mut |io, slot, row| match get_int(table.layout.slot(row, field)) {
                Ok(Some(v)) if ids.binary_search(&v).is_ok() => visit(io, slot, row),
                Ok(_) => Ok(ControlFlow::Continue(())),
                Err(_) => {
                    table.decode_field(io, slot, row, field)?;
                    Ok(ControlFlow::Continue(()))
                }
            });
        };
        let mut found = Vec::new();
        for &id in ids {
            let Some(key) = index.tree.kind.encode(&Value::Int(id)) else { continue };
            self.index_lookup(io, t, index, &key, &mut |slot| {
                found.push(slot);
                ControlFlow::Continue(())
            })?;
            for slot in found.drain(..) {
                let row = self.indexed_row(io, t, index, slot)?;
                if get_int(table.layout.slot(&row, field)).ok().flatten() != Some(id) {
                    let detail =
                        format!("an entry for {id} names slot {slot}, whose row holds another value");
                    return Err(table.corrupt(io, index.tree.file, Location::Whole, detail));
                }
                if visit(io, slot, &row)?.is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    pub fn field(&self, t: usize, name: &str) -> Result<usize, ValidationError> {
        let table = &self.tables[t];
        table
            .schema
            .field_index(name)
            .ok_or_else(|| ValidationError::UnknownField { table: table.name().into(), field: name.into() })
    }
}
