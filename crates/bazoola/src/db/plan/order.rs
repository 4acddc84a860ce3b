//! Putting rows in order (SPEC §8): ascending or descending on one or more fields,
//! nulls first ascending and last descending (as SQLite), ties in slot order.
//!
//! A row's *sort key* is one byte string that compares (`memcmp`) as the ordering does:
//! each field's key (the index key encoding for INT and CHAR; for TEXT, its bytes with
//! 0x00 escaped as 0x00 0xFF and ended by 0x00 0x00, so no key is a prefix of another),
//! every byte inverted for a descending field, then the slot. Two ways to order:
//!
//! - **Index order**: walk the index on the first field, in either direction, within the
//!   access path's range. Each run of entries with one value is read, filtered and sorted
//!   by the other fields and the slot; the walk stops as soon as enough rows are out —
//!   `ORDER BY year DESC LIMIT 10` reads about ten rows.
//! - **Sort**: keep the sort keys of the rows the filter lets through (only the best
//!   `offset + limit` of them, in a heap, when there is a limit), sort them, and read the
//!   rows in that order: memory holds keys and slots, not rows.

use std::collections::BinaryHeap;
use std::ops::{Bound, ControlFlow};
use std::time::Instant;

use super::node::{Access, OrderKey, Plan};
use crate::db::engine::Engine;
use crate::db::query::RawVisitor;
use crate::error::{Location, Result};
use crate::format::codec::get_int;
use crate::format::schema::FieldType;
use crate::index::{key, From, KeyKind};
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::Value;

/// Appends field `k`'s part of a sort key for the row at `slot`.
fn put_key(table: &Table, io: &mut Io, slot: u64, row: &[u8], k: &OrderKey, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    let ty = &table.schema.fields[k.field].ty;
    match KeyKind::of(ty).filter(|_| *ty != FieldType::Text) {
        Some(kind) => {
            out.resize(start + kind.key_len(), 0);
            if kind.encode_slot(table.layout.slot(row, k.field), &mut out[start..]).is_err() {
                let detail = format!("field '{}' is not a number", k.name);
                return Err(table.corrupt(io, table.data_file(), Location::Slot(slot), detail));
            }
        }
        None => match table.decode_field(io, slot, row, k.field)? {
            Value::Text(text) => {
                out.push(1);
                for &b in text.as_bytes() {
                    out.push(b);
                    if b == 0 {
                        out.push(0xFF);
                    }
                }
                out.extend_from_slice(&[0, 0]);
            }
            _ => out.push(0),
        },
    }
    if k.descending {
        for b in &mut out[start..] {
            *b = !*b;
        }
    }
    Ok(())
}

/// The sort key of a row: `keys`' parts, then the slot.
pub fn sort_key(table: &Table, io: &mut Io, slot: u64, row: &[u8], keys: &[OrderKey]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(32);
    for k in keys {
        put_key(table, io, slot, row, k, &mut out)?;
    }
    out.extend_from_slice(&slot.to_be_bytes());
    Ok(out)
}

fn slot_of_key(key: &[u8]) -> u64 {
    let at = key.len() - 8;
    u64::from_be_bytes(key[at..].try_into().unwrap_or_default())
}

impl Engine {
    /// Calls `visit` with the rows the access path and filter let through, sorted.
    pub fn produce_sorted(&self, io: &mut Io, plan: &Plan, visit: &mut RawVisitor) -> Result<()> {
        let table = &self.tables[plan.table];
        let started = Instant::now();
        let keep = plan.limit.map(|limit| (plan.offset + limit) as usize);
        let mut best: BinaryHeap<Vec<u8>> = BinaryHeap::new();
        let mut all: Vec<Vec<u8>> = Vec::new();
        self.produce(io, plan, &mut |io, slot, row| {
            let key = sort_key(table, io, slot, row, &plan.order)?;
            match keep {
                Some(k) => {
                    if best.len() < k {
                        best.push(key);
                    } else if best.peek().is_some_and(|worst| key < *worst) {
                        best.pop();
                        best.push(key);
                    }
                }
                None => all.push(key),
            }
            Ok(ControlFlow::Continue(()))
        })?;
        let sorted = match keep {
            Some(_) => best.into_sorted_vec(),
            None => {
                all.sort_unstable();
                all
            }
        };
        plan.order_counters.pass(sorted.len() as u64);
        plan.order_counters.spend(started.elapsed());
        let mut row = vec![0u8; table.layout.row_size];
        for key in sorted {
            let slot = slot_of_key(&key);
            plan.order_counters.examine(1);
            if table.read_row(io, slot, &mut row)? && visit(io, slot, &row)?.is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Calls `visit` with the rows in id order (the plan's first key is `id`), walking
    /// the PK index, until it stops. A row whose id is not its entry's is corrupt, as for
    /// a lookup by id.
    pub fn produce_id_ordered(&self, io: &mut Io, plan: &Plan, visit: &mut RawVisitor) -> Result<()> {
        let table = &self.tables[plan.table];
        let started = Instant::now();
        let mut row = vec![0u8; table.layout.row_size];
        table.walk_ids(io, plan.order[0].descending, |io, id, slot| {
            plan.access_counters.examine(1);
            if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
                return Ok(ControlFlow::Continue(()));
            }
            if get_int(table.layout.slot(&row, 0)).ok().flatten() != Some(id) {
                let detail = format!("the index entry of id {id} points at a row with another id");
                return Err(table.corrupt(io, table.index_file(), Location::Slot(slot), detail));
            }
            plan.access_counters.pass(1);
            if let Some((predicate, _)) = &plan.filter {
                table.check_row_shape(io, slot, &row)?;
                if !predicate.eval(table, io, slot, &row)? {
                    return Ok(ControlFlow::Continue(()));
                }
            }
            plan.filter_counters.pass(1);
            plan.order_counters.pass(1);
            visit(io, slot, &row)
        })?;
        plan.access_counters.spend(started.elapsed());
        plan.order_counters.spend(std::time::Duration::ZERO);
        Ok(())
    }

    /// Calls `visit` with the rows in the order of index `index` (of the plan's table),
    /// each run of equal values sorted by the other keys and the slot, until it stops.
    pub fn produce_index_ordered(
        &self,
        io: &mut Io,
        plan: &Plan,
        index: usize,
        visit: &mut RawVisitor,
    ) -> Result<()> {
        let table = &self.tables[plan.table];
        let index = &table.indexes[index];
        let header = self.fresh_index(io, plan.table, index)?;
        let kind = index.tree.kind;
        let k = kind.key_len();
        let descending = plan.order[0].descending;
        let started = Instant::now();
        // The range the walk covers: the access path's, or the whole index.
        let (lower, upper) = match &plan.access {
            Access::IndexRange { lower, upper, .. } => (bound_key(kind, lower), bound_key(kind, upper)),
            _ => (None, None),
        };
        let within_nulls = matches!(plan.access, Access::IndexRange { .. });
        let smallest_value = key::entry(&kind.encode(&smallest(kind)).unwrap_or_default(), 0);
        let start = if descending {
            upper.as_ref().map(|u| key::entry(u, i64::MAX))
        } else {
            match &lower {
                Some(l) => Some(key::entry(l, 0)),
                None if within_nulls => Some(smallest_value.clone()),
                None => None,
            }
        };
        let mut group: Vec<i64> = Vec::new();
        let mut group_key: Vec<u8> = Vec::new();
        let mut stopped = false;
        let rest = &plan.order[1..];
        let mut flush = |io: &mut Io, group: &mut Vec<i64>| -> Result<ControlFlow<()>> {
            let mut rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(group.len());
            let mut row = vec![0u8; table.layout.row_size];
            // Sorted ids (a descending walk gives them reversed) take a few reads of the PK index.
            group.sort_unstable();
            let mut slots: Vec<u64> = table.slots_of(io, group)?.into_iter().flatten().collect();
            group.clear();
            // Without further keys, ties go in slot order and only the rows wanted are read.
            let by_slot = rest.is_empty();
            if by_slot {
                slots.sort_unstable();
            }
            for slot in slots {
                plan.access_counters.examine(1);
                if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
                    continue;
                }
                plan.access_counters.pass(1);
                if let Some((predicate, _)) = &plan.filter {
                    table.check_row_shape(io, slot, &row)?;
                    if !predicate.eval(table, io, slot, &row)? {
                        continue;
                    }
                }
                plan.filter_counters.pass(1);
                if by_slot {
                    plan.order_counters.pass(1);
                    if visit(io, slot, &row)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                    continue;
                }
                rows.push((sort_key(table, io, slot, &row, rest)?, row.clone()));
            }
            rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (key, row) in rows {
                plan.order_counters.pass(1);
                if visit(io, slot_of_key(&key), &row)?.is_break() {
                    return Ok(ControlFlow::Break(()));
                }
            }
            Ok(ControlFlow::Continue(()))
        };
        let from = start.as_deref().map_or(From::End, From::Entry);
        index.tree.scan(io, &header, from, descending, &mut |io, entry| {
            plan.access_counters.examine(1);
            let entry_key = &entry[..k];
            let past = if descending {
                lower.as_ref().is_some_and(|l| entry_key < l.as_slice())
                    || (within_nulls && entry < smallest_value.as_slice())
            } else {
                upper.as_ref().is_some_and(|u| entry_key > u.as_slice())
            };
            if past {
                return Ok(ControlFlow::Break(()));
            }
            if entry_key != group_key.as_slice() && !group.is_empty() && flush(io, &mut group)?.is_break() {
                stopped = true;
                return Ok(ControlFlow::Break(()));
            }
            if entry_key != group_key.as_slice() {
                group_key.clear();
                group_key.extend_from_slice(entry_key);
            }
            group.push(key::entry_id(entry));
            Ok(ControlFlow::Continue(()))
        })?;
        if !stopped && !group.is_empty() {
            let _stopped = flush(io, &mut group)?;
        }
        plan.access_counters.spend(started.elapsed());
        plan.order_counters.spend(std::time::Duration::ZERO);
        Ok(())
    }
}

/// The smallest non-null value of a kind of key.
fn smallest(kind: KeyKind) -> Value {
    match kind {
        KeyKind::Int => Value::Int(i64::MIN),
        KeyKind::Char { .. } => Value::Text(String::new()),
    }
}

/// A range bound's key (inclusive and exclusive alike: the filter decides at the edge).
fn bound_key(kind: KeyKind, bound: &Bound<Value>) -> Option<Vec<u8>> {
    match bound {
        Bound::Included(v) | Bound::Excluded(v) => kind.encode(v),
        Bound::Unbounded => None,
    }
}
