//! Reading rows: by id through the PK index (two small reads), by scanning the data file
//! in large chunks with the condition tested on raw bytes, and joins on the results.

use std::cell::Cell;
use std::collections::HashMap;
use std::ops::ControlFlow;

use super::cond::Predicate;
use super::engine::Engine;
use super::join::{Join, JoinKind};
use crate::error::{Location, Result, ValidationError};
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::{Columns, Row, Value};

/// Called by a raw scan with the slot and bytes of each live row.
pub type RawVisitor<'v> = dyn FnMut(&mut Io, u64, &[u8]) -> Result<ControlFlow<()>> + 'v;

thread_local! {
    static ROWS_EXAMINED: Cell<u64> = const { Cell::new(0) };
}

/// How many rows this thread's operations have looked at so far (for "how this page
/// was built" reports: take the difference around a call).
pub fn rows_examined() -> u64 {
    ROWS_EXAMINED.with(Cell::get)
}

fn examined(n: u64) {
    ROWS_EXAMINED.with(|c| c.set(c.get() + n));
}

impl Engine {
    /// The row with id `id` and its slot, if there is one. The row the PK index points
    /// at must hold that id: every write goes through here, and trusting a bad entry
    /// would update or delete some other row.
    pub fn lookup(&self, io: &mut Io, t: usize, id: i64) -> Result<Option<(u64, Vec<u8>)>> {
        let table = &self.tables[t];
        let Some(slot) = table.slot_of(io, id)? else { return Ok(None) };
        examined(1);
        let mut row = vec![0u8; table.layout.row_size];
        if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
            return Ok(None);
        }
        let held = table.decode_field(io, slot, &row, 0)?;
        if held != Value::Int(id) {
            let detail = format!("the index entry of id {id} points at a row with id {}", held.repr());
            return Err(table.corrupt(io, table.index_file(), Location::Slot(slot), detail));
        }
        Ok(Some((slot, row)))
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
            examined((bytes.len() / size) as u64);
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
    /// `field` holds one of `ids` — through the field's index when it has one (a lookup
    /// per id), else in one scan. Rows come in slot order for a scan, and grouped by id
    /// in `ids`' order through the index.
    pub fn rows_holding(
        &self,
        io: &mut Io,
        t: usize,
        field: usize,
        ids: &std::collections::BTreeSet<i64>,
        visit: &mut RawVisitor,
    ) -> Result<()> {
        let table = &self.tables[t];
        let Some(index) = self.index_on(t, field) else {
            return self.scan_raw(io, t, &mut |io, slot, row| match crate::format::codec::get_int(
                table.layout.slot(row, field),
            ) {
                Ok(Some(v)) if ids.contains(&v) => visit(io, slot, row),
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
            self.index_lookup(io, t, index, &key, &mut |row_id| {
                found.push(row_id);
                ControlFlow::Continue(())
            })?;
            for row_id in found.drain(..) {
                let Some((slot, row)) = self.lookup(io, t, row_id)? else {
                    let detail = format!("the index points at id {row_id}, which is not a row");
                    return Err(table.corrupt(io, index.tree.file, Location::Whole, detail));
                };
                if visit(io, slot, &row)?.is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Calls `visit` with every live row matching `pred`, decoded.
    pub fn scan(
        &self,
        io: &mut Io,
        t: usize,
        pred: &Predicate,
        visit: &mut dyn FnMut(Row) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let table = &self.tables[t];
        self.scan_raw(io, t, &mut |io, slot, row| {
            table.check_row_shape(io, slot, row)?;
            if !pred.eval(table, io, slot, row)? {
                return Ok(ControlFlow::Continue(()));
            }
            let values = table.decode_row(io, slot, row)?;
            visit(Row::new(table.columns.clone(), values))
        })
    }

    /// Number of live rows matching `pred`, without decoding them.
    pub fn count(&self, io: &mut Io, t: usize, pred: &Predicate) -> Result<u64> {
        let table = &self.tables[t];
        let mut n = 0;
        self.scan_raw(io, t, &mut |io, slot, row| {
            table.check_row_shape(io, slot, row)?;
            if pred.eval(table, io, slot, row)? {
                n += 1;
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(n)
    }

    pub fn collect(&self, io: &mut Io, t: usize, pred: &Predicate) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.scan(io, t, pred, &mut |row| {
            rows.push(row);
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(rows)
    }

    /// Applies `joins`, in order, to rows of table `t`.
    pub fn apply_joins(&self, io: &mut Io, t: usize, rows: &mut [Row], joins: &[Join]) -> Result<()> {
        for join in joins {
            let other = self.table(&join.table)?;
            let Some(first) = rows.first() else { return Ok(()) };
            let (columns, position) = with_key(first.columns(), &join.key);
            match join.kind {
                JoinKind::Forward => {
                    let field = self.field(t, &join.fk_field)?;
                    let mut targets = self.referenced_rows(io, other, field, rows)?;
                    let mut found: Vec<Row> = targets.drain().map(|(_, row)| row).collect();
                    self.apply_joins(io, other, &mut found, &join.joins)?;
                    let targets: HashMap<i64, Row> = found.into_iter().map(|row| (row.id(), row)).collect();
                    for row in rows.iter_mut() {
                        let joined = match row.values()[field] {
                            Value::Int(id) => {
                                targets.get(&id).map_or(Value::Null, |t| Value::Row(Box::new(t.clone())))
                            }
                            _ => Value::Null,
                        };
                        row.set_joined(&columns, position, joined);
                    }
                }
                JoinKind::Inverse => {
                    let field = self.field(other, &join.fk_field)?;
                    let mut groups = self.referring_rows(io, other, field, rows)?;
                    for group in groups.values_mut() {
                        self.apply_joins(io, other, group, &join.joins)?;
                    }
                    for row in rows.iter_mut() {
                        let group = groups.remove(&row.id()).unwrap_or_default();
                        row.set_joined(&columns, position, Value::Rows(group));
                    }
                }
            }
        }
        Ok(())
    }

    /// The rows of table `other` that `field` of `rows` point at, by id. A few are looked
    /// up through the index; for many, one scan of `other` is cheaper than a read per row.
    fn referenced_rows(
        &self,
        io: &mut Io,
        other: usize,
        field: usize,
        rows: &[Row],
    ) -> Result<HashMap<i64, Row>> {
        let ids: std::collections::HashSet<i64> =
            rows.iter().filter_map(|r| r.values()[field].as_int()).collect();
        let mut found = HashMap::with_capacity(ids.len());
        if ids.len() < 64 || (ids.len() as u64) * 8 < self.tables[other].slot_count(io)? {
            for id in ids {
                if let Some(row) = self.find_by_id(io, other, id)? {
                    found.insert(id, row);
                }
            }
            return Ok(found);
        }
        let table = &self.tables[other];
        self.scan_raw(io, other, &mut |io, slot, row| {
            if let Value::Int(id) = table.decode_field(io, slot, row, 0)? {
                if ids.contains(&id) {
                    let values = table.decode_row(io, slot, row)?;
                    found.insert(id, Row::new(table.columns.clone(), values));
                }
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(found)
    }

    /// Rows of table `other` whose `field` holds the id of one of `rows`, grouped by that
    /// id — one scan for the whole batch.
    fn referring_rows(
        &self,
        io: &mut Io,
        other: usize,
        field: usize,
        rows: &[Row],
    ) -> Result<HashMap<i64, Vec<Row>>> {
        let ids: std::collections::HashSet<i64> = rows.iter().map(Row::id).collect();
        let table = &self.tables[other];
        let mut groups: HashMap<i64, Vec<Row>> = HashMap::new();
        self.scan_raw(io, other, &mut |io, slot, row| {
            if let Value::Int(id) = table.decode_field(io, slot, row, field)? {
                if ids.contains(&id) {
                    let values = table.decode_row(io, slot, row)?;
                    groups.entry(id).or_default().push(Row::new(table.columns.clone(), values));
                }
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(groups)
    }

    pub fn field(&self, t: usize, name: &str) -> Result<usize, ValidationError> {
        let table = &self.tables[t];
        table
            .schema
            .field_index(name)
            .ok_or_else(|| ValidationError::UnknownField { table: table.name().into(), field: name.into() })
    }
}

/// The column list with `key` in it, and its position.
fn with_key(columns: &Columns, key: &str) -> (Columns, usize) {
    match columns.iter().position(|c| &**c == key) {
        Some(position) => (columns.clone(), position),
        None => {
            let mut extended: Vec<Box<str>> = columns.to_vec();
            extended.push(key.into());
            (extended.into(), columns.len())
        }
    }
}
