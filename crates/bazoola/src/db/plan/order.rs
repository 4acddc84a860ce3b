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
    /// each run of equal values in slot order — or, with more keys to order by, sorted by
    /// them and then the slot — until it stops.
    ///
    /// Entries of one value sit in slot order, so a run needs no sorting: ascending, the
    /// walk reads each row as its entry comes. Descending, runs come last value first but
    /// each must still give its rows in slot order: the walk steps back to the next
    /// value, then reads that run forwards from its start — `ORDER BY year DESC LIMIT 10`
    /// reads ten rows and two descents of the tree, however many rows share the year.
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
        let rest = &plan.order[1..];
        let started = Instant::now();
        // The range the walk covers: the access path's, or the whole index (nulls
        // included; a range excludes them).
        let (lower, upper) = match &plan.access {
            Access::IndexRange { lower, upper, .. } => (bound_key(kind, lower), bound_key(kind, upper)),
            _ => (None, None),
        };
        let lowest = match (&lower, &plan.access) {
            (Some(l), _) => Some(l.clone()),
            (None, Access::IndexRange { .. }) => kind.encode(&smallest(kind)),
            (None, _) => None,
        };
        let below = |key: &[u8]| lowest.as_ref().is_some_and(|l| key < l.as_slice());
        let above = |key: &[u8]| upper.as_ref().is_some_and(|u| key > u.as_slice());
        let mut row = vec![0u8; table.layout.row_size];
        // One row, by slot: read, filtered, passed on.
        let pass = |io: &mut Io, slot: u64, row: &mut Vec<u8>| -> Result<Option<bool>> {
            plan.access_counters.examine(1);
            if !table.read_row(io, slot, row)? || Table::is_deleted(row) {
                return Ok(None);
            }
            plan.access_counters.pass(1);
            if let Some((predicate, _)) = &plan.filter {
                table.check_row_shape(io, slot, row)?;
                if !predicate.eval(table, io, slot, row)? {
                    return Ok(None);
                }
            }
            plan.filter_counters.pass(1);
            Ok(Some(true))
        };
        // A run with more keys to order by: its rows sorted by them, then the slot.
        let flush = |io: &mut Io,
                     slots: &mut Vec<u64>,
                     row: &mut Vec<u8>,
                     visit: &mut RawVisitor|
         -> Result<ControlFlow<()>> {
            let mut rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(slots.len());
            for slot in slots.drain(..) {
                if pass(io, slot, row)?.is_some() {
                    rows.push((sort_key(table, io, slot, row, rest)?, row.clone()));
                }
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
        let mut run: Vec<u64> = Vec::new();
        let mut run_key: Vec<u8> = Vec::new();
        if !descending || !rest.is_empty() {
            // One walk in index order; runs buffered only when more keys order them.
            let (from, reverse) = match (descending, &lowest, &upper) {
                (false, Some(l), _) => (Some(key::entry(l, 0)), false),
                (true, _, Some(u)) => (Some(key::entry(u, u64::MAX)), true),
                (d, _, _) => (None, d),
            };
            let from = from.as_deref().map_or(From::End, From::Entry);
            let mut stopped = false;
            index.tree.scan(io, &header, from, reverse, &mut |io, entry| {
                plan.access_counters.examine(1);
                let entry_key = &entry[..k];
                if (reverse && below(entry_key)) || (!reverse && above(entry_key)) {
                    return Ok(ControlFlow::Break(()));
                }
                let slot = key::entry_slot(entry);
                if rest.is_empty() {
                    if pass(io, slot, &mut row)?.is_some() {
                        plan.order_counters.pass(1);
                        if visit(io, slot, &row)?.is_break() {
                            stopped = true;
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    return Ok(ControlFlow::Continue(()));
                }
                if entry_key != run_key.as_slice()
                    && !run.is_empty()
                    && flush(io, &mut run, &mut row, visit)?.is_break()
                {
                    stopped = true;
                    return Ok(ControlFlow::Break(()));
                }
                if entry_key != run_key.as_slice() {
                    run_key.clear();
                    run_key.extend_from_slice(entry_key);
                }
                run.push(slot);
                Ok(ControlFlow::Continue(()))
            })?;
            if !stopped && !run.is_empty() {
                let _stopped = flush(io, &mut run, &mut row, visit)?;
            }
        } else {
            // Descending on one key: step back to each value, read its run forwards.
            let mut before: Option<Vec<u8>> = upper.as_ref().map(|u| key::entry(u, u64::MAX));
            'runs: loop {
                let mut value: Option<Vec<u8>> = None;
                let from = before.as_deref().map_or(From::End, From::Entry);
                index.tree.scan(io, &header, from, true, &mut |_, entry| {
                    plan.access_counters.examine(1);
                    // The last walk's own value (its slot-0 entry) is not before it.
                    if before.as_deref().is_some_and(|b| entry[..k] == b[..k] && entry_slot_is_first(b)) {
                        return Ok(ControlFlow::Continue(()));
                    }
                    value = Some(entry[..k].to_vec());
                    Ok(ControlFlow::Break(()))
                })?;
                let Some(value) = value.filter(|v| !below(v)) else { break };
                let start = key::entry(&value, 0);
                let mut stopped = false;
                index.tree.scan(io, &header, From::Entry(&start), false, &mut |io, entry| {
                    if entry[..k] != *value {
                        return Ok(ControlFlow::Break(()));
                    }
                    plan.access_counters.examine(1);
                    let slot = key::entry_slot(entry);
                    if pass(io, slot, &mut row)?.is_some() {
                        plan.order_counters.pass(1);
                        if visit(io, slot, &row)?.is_break() {
                            stopped = true;
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
                if stopped {
                    break 'runs;
                }
                before = Some(start);
            }
        }
        plan.access_counters.spend(started.elapsed());
        plan.order_counters.spend(std::time::Duration::ZERO);
        Ok(())
    }
}

/// Whether an entry bound is the first entry a value can have (slot 0): a backward walk
/// from it must pass over that value.
fn entry_slot_is_first(bound: &[u8]) -> bool {
    key::entry_slot(bound) == 0
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
