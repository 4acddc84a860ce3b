//! Running a plan: the access path yields candidate rows in file (slot) order — index
//! paths collect the rows' slots first and read them sorted, so results keep the order
//! the original package returned and reads move forward through the file — the filter
//! keeps those that satisfy the whole condition, testing raw bytes, and the joins are
//! applied to batches of decoded rows. Every step counts what it does in its counters.
//!
//! Before the first row is produced, [`Engine::prepare`] checks every index the plan will
//! use: a read that meets a stale one gives up here, when retrying it under the write
//! lock cannot deliver a row twice.

use std::collections::{BTreeSet, HashMap};
use std::ops::{Bound, ControlFlow};
use std::time::Instant;

use super::node::{Access, JoinPlan, Plan, Via};
use crate::db::engine::Engine;
use crate::db::join::JoinKind;
use crate::db::query::RawVisitor;
use crate::error::{Location, Result};
use crate::index::{key, From};
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::{Columns, Row, Value};

/// Called with each result row, until it says to stop.
pub type RowSink<'s> = dyn FnMut(Row) -> Result<ControlFlow<()>> + 's;

impl Engine {
    /// Makes sure every index `plan` uses is fresh (see `db::indexes`).
    pub fn prepare(&self, io: &mut Io, plan: &Plan) -> Result<()> {
        if let Access::IndexLookup { index, .. } | Access::IndexRange { index, .. } = plan.access {
            self.fresh_index(io, plan.table, &self.tables[plan.table].indexes[index])?;
        }
        self.prepare_joins(io, &plan.joins)
    }

    fn prepare_joins(&self, io: &mut Io, joins: &[JoinPlan]) -> Result<()> {
        for join in joins {
            if let Via::FkIndex { index } = join.via {
                self.fresh_index(io, join.table, &self.tables[join.table].indexes[index])?;
            }
            self.prepare_joins(io, &join.joins)?;
        }
        Ok(())
    }

    /// Calls `visit` with the slot and bytes of every row the access path and filter
    /// let through, in slot order.
    pub fn produce(&self, io: &mut Io, plan: &Plan, visit: &mut RawVisitor) -> Result<()> {
        let started = Instant::now();
        let table = &self.tables[plan.table];
        let (access, filter) = (&plan.access_counters, &plan.filter_counters);
        let mut pass = |io: &mut Io, slot: u64, row: &[u8]| -> Result<ControlFlow<()>> {
            access.pass(1);
            if let Some((predicate, _)) = &plan.filter {
                table.check_row_shape(io, slot, row)?;
                if !predicate.eval(table, io, slot, row)? {
                    return Ok(ControlFlow::Continue(()));
                }
            }
            filter.pass(1);
            visit(io, slot, row)
        };
        let outcome = match &plan.access {
            Access::FullScan => self.scan_raw(io, plan.table, &mut |io, slot, row| {
                access.examine(1);
                pass(io, slot, row)
            }),
            _ => {
                let slots = self.candidate_slots(io, plan)?;
                let mut row = vec![0u8; table.layout.row_size];
                for slot in slots {
                    access.examine(1);
                    if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
                        continue;
                    }
                    if pass(io, slot, &row)?.is_break() {
                        break;
                    }
                }
                Ok(())
            }
        };
        let elapsed = started.elapsed();
        access.spend(elapsed);
        if plan.filter.is_some() {
            filter.spend(std::time::Duration::ZERO);
        }
        outcome
    }

    /// The slots of the rows an index path names, sorted.
    fn candidate_slots(&self, io: &mut Io, plan: &Plan) -> Result<Vec<u64>> {
        let table = &self.tables[plan.table];
        let mut ids: Vec<i64> = Vec::new();
        match &plan.access {
            Access::PkLookup { ids: wanted } => ids.extend(wanted),
            Access::IndexLookup { index, keys } => {
                let index = &table.indexes[*index];
                for value in keys {
                    let Some(key) = index.tree.kind.encode(value) else { continue };
                    self.index_lookup(io, plan.table, index, &key, &mut |id| {
                        ids.push(id);
                        ControlFlow::Continue(())
                    })?;
                }
            }
            Access::IndexRange { .. } => self.walk_range(io, plan, &mut |id| {
                ids.push(id);
                ControlFlow::Continue(())
            })?,
            Access::FullScan => {}
        }
        let mut slots = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(slot) = table.slot_of(io, id)? {
                slots.push(slot);
            }
        }
        slots.sort_unstable();
        slots.dedup();
        Ok(slots)
    }

    /// Calls `visit` with the id of each entry an index-range path covers, in key order,
    /// until it says to stop.
    pub fn walk_range(
        &self,
        io: &mut Io,
        plan: &Plan,
        visit: &mut dyn FnMut(i64) -> ControlFlow<()>,
    ) -> Result<()> {
        let Access::IndexRange { index, lower, upper } = &plan.access else { return Ok(()) };
        let index = &self.tables[plan.table].indexes[*index];
        let header = self.fresh_index(io, plan.table, index)?;
        let kind = index.tree.kind;
        let k = kind.key_len();
        // Nulls sort first and satisfy no range: start at the smallest value.
        let smallest = match kind {
            crate::index::KeyKind::Int => Value::Int(i64::MIN),
            crate::index::KeyKind::Char { .. } => Value::Text(String::new()),
        };
        let low = match lower {
            Bound::Included(v) | Bound::Excluded(v) => v,
            Bound::Unbounded => &smallest,
        };
        let start = key::entry(&kind.encode(low).unwrap_or_default(), 0);
        let high = match upper {
            Bound::Included(v) | Bound::Excluded(v) => kind.encode(v),
            Bound::Unbounded => None,
        };
        let counters = &plan.access_counters;
        index.tree.scan(io, &header, From::Entry(&start), false, &mut |_, entry| {
            counters.examine(1);
            if high.as_ref().is_some_and(|high| &entry[..k] > high.as_slice()) {
                return Ok(ControlFlow::Break(()));
            }
            Ok(visit(key::entry_id(entry)))
        })
    }

    /// How many entries an index-range path covers, counted up to `cap`.
    pub fn range_len(&self, io: &mut Io, plan: &Plan, cap: u64) -> Result<u64> {
        let mut n = 0;
        self.walk_range(io, plan, &mut |_| {
            n += 1;
            if n >= cap {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(n)
    }

    /// Runs `plan`: every result row, joins applied, to `sink`, in slot order. Joins run
    /// on batches of `batch` rows (one batch for a whole result collected at once).
    pub fn execute(&self, io: &mut Io, plan: &Plan, batch: usize, sink: &mut RowSink) -> Result<()> {
        self.prepare(io, plan)?;
        let table = &self.tables[plan.table];
        let mut pending: Vec<Row> = Vec::new();
        let mut stopped = false;
        let mut flush = |io: &mut Io, pending: &mut Vec<Row>| -> Result<bool> {
            self.apply_joins(io, pending, &plan.joins)?;
            for row in pending.drain(..) {
                if sink(row)?.is_break() {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        self.produce(io, plan, &mut |io, slot, row| {
            let values = table.decode_row(io, slot, row)?;
            pending.push(Row::new(table.columns.clone(), values));
            if pending.len() >= batch {
                stopped = flush(io, &mut pending)?;
                if stopped {
                    return Ok(ControlFlow::Break(()));
                }
            }
            Ok(ControlFlow::Continue(()))
        })?;
        if !stopped && !pending.is_empty() {
            flush(io, &mut pending)?;
        }
        Ok(())
    }

    /// Applies planned joins, in order, to rows of table `t`.
    pub fn apply_joins(&self, io: &mut Io, rows: &mut [Row], joins: &[JoinPlan]) -> Result<()> {
        for join in joins {
            let Some(first) = rows.first() else { return Ok(()) };
            let started = Instant::now();
            let (columns, position) = with_key(first.columns(), &join.key);
            match join.kind {
                JoinKind::Forward => {
                    let mut found: Vec<Row> = self.referenced_rows(io, join, rows)?;
                    self.apply_joins(io, &mut found, &join.joins)?;
                    let targets: HashMap<i64, Row> = found.into_iter().map(|row| (row.id(), row)).collect();
                    for row in rows.iter_mut() {
                        let joined = match row.values()[join.field] {
                            Value::Int(id) => {
                                targets.get(&id).map_or(Value::Null, |t| Value::Row(Box::new(t.clone())))
                            }
                            _ => Value::Null,
                        };
                        row.set_joined(&columns, position, joined);
                    }
                }
                JoinKind::Inverse => {
                    let mut groups = self.referring_rows(io, join, rows)?;
                    for group in groups.values_mut() {
                        self.apply_joins(io, group, &join.joins)?;
                    }
                    for row in rows.iter_mut() {
                        let group = groups.remove(&row.id()).unwrap_or_default();
                        row.set_joined(&columns, position, Value::Rows(group));
                    }
                }
            }
            join.counters.spend(started.elapsed());
        }
        Ok(())
    }

    /// The rows a forward join's FK values point at. A few are looked up through the
    /// PK index; for many, one scan of the table is cheaper than a read per row.
    fn referenced_rows(&self, io: &mut Io, join: &JoinPlan, rows: &[Row]) -> Result<Vec<Row>> {
        let ids: BTreeSet<i64> = rows.iter().filter_map(|r| r.values()[join.field].as_int()).collect();
        let other = &self.tables[join.table];
        let mut found = Vec::with_capacity(ids.len());
        if ids.len() < 64 || (ids.len() as u64) * 8 < other.slot_count(io)? {
            for id in ids {
                join.counters.examine(1);
                if let Some(row) = self.find_by_id(io, join.table, id)? {
                    found.push(row);
                }
            }
        } else {
            self.scan_raw(io, join.table, &mut |io, slot, row| {
                join.counters.examine(1);
                if let Value::Int(id) = other.decode_field(io, slot, row, 0)? {
                    if ids.contains(&id) {
                        let values = other.decode_row(io, slot, row)?;
                        found.push(Row::new(other.columns.clone(), values));
                    }
                }
                Ok(ControlFlow::Continue(()))
            })?;
        }
        join.counters.pass(found.len() as u64);
        Ok(found)
    }

    /// The rows of an inverse join's table whose FK holds the id of one of `rows`,
    /// grouped by that id, in slot order within a group.
    fn referring_rows(&self, io: &mut Io, join: &JoinPlan, rows: &[Row]) -> Result<HashMap<i64, Vec<Row>>> {
        let ids: BTreeSet<i64> = rows.iter().map(Row::id).collect();
        let other = &self.tables[join.table];
        let mut groups: HashMap<i64, Vec<(u64, Row)>> = HashMap::new();
        self.rows_holding(io, join.table, join.field, &ids, &mut |io, slot, row| {
            join.counters.examine(1);
            let values = other.decode_row(io, slot, row)?;
            let Value::Int(target) = values[join.field] else {
                return Err(other.corrupt(
                    io,
                    other.data_file(),
                    Location::Slot(slot),
                    "an FK lost its value",
                ));
            };
            groups.entry(target).or_default().push((slot, Row::new(other.columns.clone(), values)));
            Ok(ControlFlow::Continue(()))
        })?;
        let mut out = HashMap::with_capacity(groups.len());
        for (id, mut group) in groups {
            group.sort_unstable_by_key(|(slot, _)| *slot);
            join.counters.pass(group.len() as u64);
            out.insert(id, group.into_iter().map(|(_, row)| row).collect());
        }
        Ok(out)
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
