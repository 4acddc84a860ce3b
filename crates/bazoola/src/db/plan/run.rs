//! Running a plan. The access path yields candidate rows in file (slot) order — index
//! paths collect the rows' slots first and read them sorted, so results keep the order
//! the original package returned and reads move forward through the file — and the
//! filter keeps those that satisfy the whole condition, testing raw bytes. An ordering
//! puts them in order ([`super::order`]). Then the rows are cut (offset, limit), decoded
//! (only the fields asked for) and joined in batches. Every step counts what it does.
//!
//! Before the first row is produced, [`Engine::prepare`] checks every index the plan will
//! use: a read that meets a stale one gives up here, when retrying it under the write
//! lock cannot deliver a row twice.

use std::collections::HashMap;
use std::ops::{Bound, ControlFlow};
use std::sync::Arc;
use std::time::Instant;

use super::node::{Access, JoinPlan, Ordering, Plan, Via};
use crate::db::engine::Engine;
use crate::db::join::JoinKind;
use crate::db::query::RawVisitor;
use crate::error::{Location, Result};
use crate::format::codec::get_int;
use crate::index::{key, From, KeyKind};
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::{Columns, Row, Value};

/// Called with each result row, until it says to stop.
pub type RowSink<'s> = dyn FnMut(Row) -> Result<ControlFlow<()>> + 's;

impl Engine {
    /// Makes sure every index `plan` uses is fresh (see `db::indexes`).
    pub fn prepare(&self, io: &mut Io, plan: &Plan) -> Result<()> {
        let table = &self.tables[plan.table];
        if let Access::IndexLookup { index, .. } | Access::IndexRange { index, .. } = plan.access {
            self.fresh_index(io, plan.table, &table.indexes[index])?;
        }
        if let Ordering::Index { index } = plan.ordering {
            self.fresh_index(io, plan.table, &table.indexes[index])?;
        }
        self.prepare_joins(io, plan.joins.iter())
    }

    pub(crate) fn prepare_joins<'p>(
        &self,
        io: &mut Io,
        joins: impl Iterator<Item = &'p JoinPlan>,
    ) -> Result<()> {
        for join in joins {
            if let Via::FkIndex { index } = join.via {
                self.fresh_index(io, join.table, &self.tables[join.table].indexes[index])?;
            }
            self.prepare_joins(io, join.joins.iter().chain(join.through.as_deref()))?;
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
            if let Some((predicate, _)) = plan.filter.as_ref().filter(|_| !plan.covered) {
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
        access.spend(started.elapsed());
        if plan.filter.is_some() {
            filter.spend(std::time::Duration::ZERO);
        }
        outcome
    }

    /// Calls `visit` with the rows the access path and filter let through, in the plan's
    /// order, until it stops.
    pub fn produce_ordered(&self, io: &mut Io, plan: &Plan, visit: &mut RawVisitor) -> Result<()> {
        match plan.ordering {
            Ordering::Slots => self.produce(io, plan, visit),
            Ordering::Ids => self.produce_id_ordered(io, plan, visit),
            Ordering::Index { index } => self.produce_index_ordered(io, plan, index, visit),
            Ordering::Sort => self.produce_sorted(io, plan, visit),
        }
    }

    /// The slots of the rows an access path names, sorted: from the PK index for ids,
    /// straight from the entries of a secondary index.
    fn candidate_slots(&self, io: &mut Io, plan: &Plan) -> Result<Vec<u64>> {
        let table = &self.tables[plan.table];
        let mut slots: Vec<u64> = match &plan.access {
            Access::PkLookup { ids: wanted } => {
                let mut ids = wanted.clone();
                ids.sort_unstable();
                ids.dedup();
                table.slots_of(io, &ids)?.into_iter().flatten().collect()
            }
            _ => {
                let mut slots = Vec::new();
                self.walk_entries(io, plan, &mut |slot| {
                    slots.push(slot);
                    ControlFlow::Continue(())
                })?;
                slots
            }
        };
        slots.sort_unstable();
        slots.dedup();
        Ok(slots)
    }

    /// Calls `visit` with the slot of each entry an index-range path covers, in key order,
    /// until it says to stop.
    pub fn walk_range(
        &self,
        io: &mut Io,
        t: usize,
        access: &Access,
        counters: &super::node::Counters,
        visit: &mut dyn FnMut(u64) -> ControlFlow<()>,
    ) -> Result<()> {
        let Access::IndexRange { index, .. } = access else { return Ok(()) };
        let index = &self.tables[t].indexes[*index];
        let header = self.fresh_index(io, t, index)?;
        let Some(range) = EntryRange::of(access, index.tree.kind) else { return Ok(()) };
        index.tree.scan(io, &header, From::Entry(&range.start), false, &mut |_, entry| {
            counters.examine(1);
            if range.past(entry) {
                return Ok(ControlFlow::Break(()));
            }
            Ok(visit(key::entry_slot(entry)))
        })
    }

    /// How many entries an index-range path covers: the B+tree's count, a leaf at a
    /// time (see [`Tree::count`](crate::index::btree::Tree::count)).
    fn count_range(&self, io: &mut Io, t: usize, access: &Access) -> Result<u64> {
        let Access::IndexRange { index, .. } = access else { return Ok(0) };
        let index = &self.tables[t].indexes[*index];
        let header = self.fresh_index(io, t, index)?;
        let Some(range) = EntryRange::of(access, index.tree.kind) else { return Ok(0) };
        index.tree.count(io, &header, &range.start, &|entry| range.past(entry))
    }

    /// How many entries an index-range path covers, counted up to `cap`.
    pub fn range_len(&self, io: &mut Io, t: usize, access: &Access, cap: u64) -> Result<u64> {
        let mut n = 0;
        self.walk_range(io, t, access, &Default::default(), &mut |_| {
            n += 1;
            if n >= cap {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(n)
    }

    /// Runs `plan`: every result row, in the plan's order, cut, decoded and joined, to
    /// `sink`. Joins run on batches of `batch` rows (one batch for a whole result
    /// collected at once).
    pub fn execute(&self, io: &mut Io, plan: &Plan, batch: usize, sink: &mut RowSink) -> Result<()> {
        self.emit(io, plan, batch, Some(sink)).map(drop)
    }

    /// Runs `plan` and returns every result row: the joined rows are the result, not
    /// moved into another vector (at a million rows, 32 MB more, grown by doubling).
    pub fn collect(&self, io: &mut Io, plan: &Plan) -> Result<Vec<Row>> {
        self.emit(io, plan, usize::MAX, None)
    }

    /// [`execute`](Self::execute), or with no sink [`collect`](Self::collect): the rows
    /// not handed to a sink.
    fn emit(&self, io: &mut Io, plan: &Plan, batch: usize, sink: Option<&mut RowSink>) -> Result<Vec<Row>> {
        self.prepare(io, plan)?;
        // Room for the rows a limit lets through, at once: grown a row at a time, the
        // batch of the ten newest books was reallocated three times.
        let pending = Vec::with_capacity(plan.rows_bound().min(batch));
        let mut out = Emitter { engine: self, plan, batch, sink, skipped: 0, taken: 0, pending, joined: 0 };
        let mut push = |io: &mut Io, slot: u64, row: &[u8]| out.push(io, slot, row);
        self.produce_ordered(io, plan, &mut push)?;
        let _stopped = out.flush(io)?;
        Ok(out.pending)
    }

    /// How many rows the plan yields (offset and limit applied). When the access path
    /// answers the condition exactly, the index entries (or PK entries) are counted and
    /// no row is read.
    pub fn count_rows(&self, io: &mut Io, plan: &Plan) -> Result<u64> {
        self.prepare(io, plan)?;
        let cut = |n: u64| n.saturating_sub(plan.offset).min(plan.limit.unwrap_or(u64::MAX));
        if plan.covered {
            let started = Instant::now();
            if let Some(n) = self.count_entries(io, plan)? {
                plan.access_counters.pass(n);
                plan.access_counters.spend(started.elapsed());
                return Ok(cut(n));
            }
        }
        if matches!(plan.access, Access::FullScan) && plan.filter.is_none() && plan.limit.is_none() {
            // Nothing to evaluate and no early stop. Every live row has one entry in each
            // index of its table (`check` verifies it, and the count its header keeps), so
            // an index that describes the rows as they are knows their number; without
            // one, the live rows counted a chunk at a time (a closure call per row took
            // two thirds of a million-row count).
            let started = Instant::now();
            let table = &self.tables[plan.table];
            let indexed = match table.indexes.first() {
                Some(index) => self.fresh_header(io, plan.table, index)?,
                None => None,
            };
            let n = match indexed {
                Some(header) => header.entries,
                None => table.count_live(io)?,
            };
            plan.access_counters.examine(n);
            plan.access_counters.pass(n);
            plan.access_counters.spend(started.elapsed());
            return Ok(cut(n));
        }
        // Counted as they come: collecting their slots first cost 16 bytes a row (16 MiB
        // for the progress bar of a 1M-row dump).
        let mut n = 0u64;
        let mut tally = |_: &mut Io, _: u64, _: &[u8]| -> Result<ControlFlow<()>> {
            n += 1;
            Ok(if plan.limit.is_some_and(|l| n >= plan.offset.saturating_add(l)) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        };
        self.produce_ordered(io, plan, &mut tally)?;
        Ok(cut(n))
    }

    /// How many PK or index entries an index path yields (`None` for a full scan, which
    /// has none): entries, not rows, so only for a plan whose path answers its whole
    /// condition.
    fn count_entries(&self, io: &mut Io, plan: &Plan) -> Result<Option<u64>> {
        let n = match &plan.access {
            Access::PkLookup { ids } => {
                let table = &self.tables[plan.table];
                let mut n = 0;
                for &id in ids {
                    plan.access_counters.examine(1);
                    n += u64::from(table.slot_of(io, id)?.is_some());
                }
                n
            }
            Access::IndexLookup { index, keys } => {
                let index = &self.tables[plan.table].indexes[*index];
                let mut n = 0;
                for value in keys {
                    let Some(key) = index.tree.kind.encode(value) else { continue };
                    n += self.index_count(io, plan.table, index, &key)?;
                }
                plan.access_counters.examine(n);
                n
            }
            Access::IndexRange { .. } => {
                let n = self.count_range(io, plan.table, &plan.access)?;
                plan.access_counters.examine(n);
                n
            }
            Access::FullScan => return Ok(None),
        };
        Ok(Some(n))
    }

    /// Calls `visit` with the slots an index path (lookup or range) yields, in key order.
    fn walk_entries(
        &self,
        io: &mut Io,
        plan: &Plan,
        visit: &mut dyn FnMut(u64) -> ControlFlow<()>,
    ) -> Result<()> {
        match &plan.access {
            Access::IndexLookup { index, keys } => {
                let index = &self.tables[plan.table].indexes[*index];
                for value in keys {
                    let Some(key) = index.tree.kind.encode(value) else { continue };
                    let counters = &plan.access_counters;
                    self.index_lookup(io, plan.table, index, &key, &mut |slot| {
                        counters.examine(1);
                        visit(slot)
                    })?;
                }
                Ok(())
            }
            Access::IndexRange { .. } => {
                self.walk_range(io, plan.table, &plan.access, &plan.access_counters, visit)
            }
            _ => Ok(()),
        }
    }

    /// The slots of the plan's result rows, in order, offset and limit applied: what a
    /// reader that fetches the rows later, a batch at a time, walks through.
    pub fn result_slots(&self, io: &mut Io, plan: &Plan) -> Result<Vec<(u64, i64)>> {
        self.prepare(io, plan)?;
        let table = &self.tables[plan.table];
        let mut slots = Vec::new();
        let mut skipped = 0;
        let mut push = |_: &mut Io, slot: u64, row: &[u8]| -> Result<ControlFlow<()>> {
            if skipped < plan.offset {
                skipped += 1;
                return Ok(ControlFlow::Continue(()));
            }
            let id = get_int(table.layout.slot(row, 0)).ok().flatten().unwrap_or(0);
            slots.push((slot, id));
            Ok(if plan.limit.is_some_and(|l| slots.len() as u64 >= l) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        };
        self.produce_ordered(io, plan, &mut push)?;
        Ok(slots)
    }

    /// The rows at `slots` that still hold the ids they held and satisfy the plan's
    /// condition (a row deleted since, its slot perhaps reused by another, or changed
    /// so that it no longer satisfies it, is left out), decoded and joined.
    pub fn rows_at(&self, io: &mut Io, plan: &Plan, slots: &[(u64, i64)]) -> Result<Vec<Row>> {
        self.prepare(io, plan)?;
        let table = &self.tables[plan.table];
        let mut rows = Vec::with_capacity(slots.len());
        let mut bytes = vec![0u8; table.layout.row_size];
        for &(slot, id) in slots {
            if !table.read_row(io, slot, &mut bytes)? || Table::is_deleted(&bytes) {
                continue;
            }
            if get_int(table.layout.slot(&bytes, 0)).ok().flatten() != Some(id) {
                continue;
            }
            table.check_row_shape(io, slot, &bytes)?;
            if let Some((predicate, _)) = &plan.filter {
                if !predicate.eval(table, io, slot, &bytes)? {
                    continue;
                }
            }
            rows.push(self.decode_result(io, plan, slot, &bytes)?);
        }
        self.apply_joins(io, &mut rows, &plan.joins)?;
        Ok(rows)
    }

    /// A result row: the fields the plan returns, decoded.
    fn decode_result(&self, io: &mut Io, plan: &Plan, slot: u64, bytes: &[u8]) -> Result<Row> {
        let table = &self.tables[plan.table];
        table.check_row_shape(io, slot, bytes)?;
        let (columns, count) = match &plan.fields {
            None => (&table.columns, table.schema.fields.len()),
            Some((positions, columns)) => (columns, positions.len()),
        };
        // Room for the joined values too, which would otherwise grow the row's list.
        let mut values = Vec::with_capacity(count + plan.joins.len());
        for i in 0..count {
            let field = plan.fields.as_ref().map_or(i, |(positions, _)| positions[i]);
            values.push(table.decode_field(io, slot, bytes, field)?);
        }
        Ok(Row::new(columns.clone(), values))
    }

    /// Applies planned joins, in order, to rows.
    pub fn apply_joins(&self, io: &mut Io, rows: &mut [Row], joins: &[JoinPlan]) -> Result<()> {
        for join in joins {
            let Some(first) = rows.first() else { return Ok(()) };
            let started = Instant::now();
            let (columns, position) = self.with_key(first.columns(), &join.key);
            match join.kind {
                JoinKind::Forward => {
                    let fk = first.columns().iter().position(|c| **c == *join.field_name);
                    let mut found: Vec<Row> = self.referenced_rows(io, join, rows, fk)?;
                    self.apply_joins(io, &mut found, &join.joins)?;
                    // Each target shared by the rows referring to it, found by id
                    // (searched: a hash map of them cost a find_by_id + Join more than
                    // its own row's lookup).
                    let mut targets: Vec<(i64, Value)> =
                        found.into_iter().map(|row| (row.id(), Value::Row(Arc::new(row)))).collect();
                    targets.sort_unstable_by_key(|(id, _)| *id);
                    for row in rows.iter_mut() {
                        let joined = match fk.map(|i| &row.values()[i]) {
                            Some(Value::Int(id)) => targets
                                .binary_search_by_key(id, |(id, _)| *id)
                                .map_or(Value::Null, |i| targets[i].1.clone()),
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
                JoinKind::Count => {
                    let mut parents: Vec<i64> = rows.iter().map(Row::id).collect();
                    parents.sort_unstable();
                    parents.dedup();
                    let counts = self.count_referring(io, join, &parents)?;
                    for row in rows.iter_mut() {
                        let n = parents.binary_search(&row.id()).map_or(0, |at| counts[at]);
                        row.set_joined(&columns, position, Value::Int(n as i64));
                    }
                }
            }
            join.counters.spend(started.elapsed());
        }
        Ok(())
    }

    /// The rows a forward join's FK values point at (the FK is column `fk` of `rows`). A
    /// few are looked up through the PK index; for many, one scan of the table is
    /// cheaper than a read per row.
    fn referenced_rows(
        &self,
        io: &mut Io,
        join: &JoinPlan,
        rows: &[Row],
        fk: Option<usize>,
    ) -> Result<Vec<Row>> {
        let Some(fk) = fk else { return Ok(Vec::new()) };
        let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.values()[fk].as_int()).collect();
        ids.sort_unstable();
        ids.dedup();
        let other = &self.tables[join.table];
        let mut found = Vec::with_capacity(ids.len());
        if let [id] = ids[..] {
            // One target (a find_by_id + Join): a plain lookup.
            join.counters.examine(1);
            found.extend(self.find_by_id(io, join.table, id)?);
        } else if ids.len() < 64 || (ids.len() as u64) * 8 < other.slot_count(io)? {
            // Their PK entries read a span at a time, then the rows in slot order, each
            // checked to hold the id its entry is for (as `lookup` checks one).
            let slots = other.slots_of(io, &ids)?;
            let mut wanted: Vec<(u64, i64)> =
                slots.into_iter().zip(&ids).filter_map(|(slot, &id)| Some((slot?, id))).collect();
            wanted.sort_unstable();
            let mut bytes = vec![0u8; other.layout.row_size];
            for (slot, id) in wanted {
                join.counters.examine(1);
                if !other.read_row(io, slot, &mut bytes)? || Table::is_deleted(&bytes) {
                    continue;
                }
                let values = other.decode_row(io, slot, &bytes)?;
                if values[0] != Value::Int(id) {
                    return Err(self.misdirected(io, join.table, id, slot, &values[0]));
                }
                found.push(Row::new(other.columns.clone(), values));
            }
        } else {
            self.scan_raw(io, join.table, &mut |io, slot, row| {
                join.counters.examine(1);
                if let Value::Int(id) = other.decode_field(io, slot, row, 0)? {
                    if ids.binary_search(&id).is_ok() {
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
        let mut ids: Vec<i64> = rows.iter().map(Row::id).collect();
        ids.sort_unstable();
        ids.dedup();
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

/// The last steps of a plan, for rows arriving in final order: skip the offset, stop at
/// the limit, decode the fields asked for, join a batch at a time, hand rows on.
struct Emitter<'e, 's> {
    engine: &'e Engine,
    plan: &'e Plan,
    batch: usize,
    /// Where the rows go, a batch at a time; `None`: they stay in `pending`.
    sink: Option<&'e mut RowSink<'s>>,
    skipped: u64,
    taken: u64,
    pending: Vec<Row>,
    /// How many rows of `pending` have their joins applied.
    joined: usize,
}

impl Emitter<'_, '_> {
    fn push(&mut self, io: &mut Io, slot: u64, bytes: &[u8]) -> Result<ControlFlow<()>> {
        let plan = self.plan;
        if self.skipped < plan.offset {
            self.skipped += 1;
            return Ok(ControlFlow::Continue(()));
        }
        let row = self.engine.decode_result(io, plan, slot, bytes)?;
        self.pending.push(row);
        self.taken += 1;
        plan.limit_counters.pass(1);
        let full = plan.limit.is_some_and(|limit| self.taken >= limit);
        if (self.pending.len() >= self.batch || full) && self.flush(io)?.is_break() {
            return Ok(ControlFlow::Break(()));
        }
        Ok(if full { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    }

    fn flush(&mut self, io: &mut Io) -> Result<ControlFlow<()>> {
        if self.pending.len() == self.joined {
            return Ok(ControlFlow::Continue(()));
        }
        self.plan.limit_counters.spend(std::time::Duration::ZERO);
        self.engine.apply_joins(io, &mut self.pending[self.joined..], &self.plan.joins)?;
        self.joined = self.pending.len();
        let Some(sink) = self.sink.as_mut() else { return Ok(ControlFlow::Continue(())) };
        self.joined = 0;
        for row in self.pending.drain(..) {
            if sink(row)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// The column list with `key` in it, and its position.
/// How many column lists with a join's key added an engine keeps for reuse.
const JOINED_COLUMNS_KEPT: usize = 64;

impl Engine {
    /// `columns` with `key` added (unless there already), and the key's position. The
    /// lists made are kept, so that a join run again builds no new one: joined rows of
    /// every call share the same few lists, as rows of one table share theirs.
    fn with_key(&self, columns: &Columns, key: &str) -> (Columns, usize) {
        if let Some(position) = columns.iter().position(|c| &**c == key) {
            return (columns.clone(), position);
        }
        let mut kept = self.joined_columns.lock().unwrap_or_else(|p| p.into_inner());
        let found = kept.iter().find(|(base, k, _)| Arc::ptr_eq(base, columns) && **k == *key);
        if let Some((_, _, extended)) = found {
            return (extended.clone(), columns.len());
        }
        let mut extended: Vec<Box<str>> = columns.to_vec();
        extended.push(key.into());
        let extended: Columns = extended.into();
        if kept.len() < JOINED_COLUMNS_KEPT {
            kept.push((columns.clone(), key.into(), extended.clone()));
        }
        (extended, columns.len())
    }
}

/// The entries an index-range path covers, as the B+tree orders them: from `start`, up
/// to the first entry `past` the upper bound. Nulls sort first and satisfy no range, so
/// an unbounded start is the smallest value; an excluded lower bound starts after every
/// entry of its value (their slots are all below `u64::MAX`).
struct EntryRange {
    start: Vec<u8>,
    key_len: usize,
    /// The upper bound's key, and whether it is excluded.
    high: Option<(Vec<u8>, bool)>,
}

impl EntryRange {
    fn of(access: &Access, kind: KeyKind) -> Option<EntryRange> {
        let Access::IndexRange { lower, upper, .. } = access else { return None };
        let smallest = match kind {
            KeyKind::Int => Value::Int(i64::MIN),
            KeyKind::Char { .. } => Value::Text(String::new()),
        };
        let start = match lower {
            Bound::Included(v) => key::entry(&kind.encode(v).unwrap_or_default(), 0),
            Bound::Excluded(v) => key::entry(&kind.encode(v).unwrap_or_default(), u64::MAX),
            Bound::Unbounded => key::entry(&kind.encode(&smallest).unwrap_or_default(), 0),
        };
        let high = match upper {
            Bound::Included(v) => kind.encode(v).map(|k| (k, false)),
            Bound::Excluded(v) => kind.encode(v).map(|k| (k, true)),
            Bound::Unbounded => None,
        };
        Some(EntryRange { start, key_len: kind.key_len(), high })
    }

    /// Whether `entry` (and so every entry after it) is beyond the upper bound.
    fn past(&self, entry: &[u8]) -> bool {
        let entry_key = &entry[..self.key_len];
        match &self.high {
            Some((high, excluded)) => {
                entry_key > high.as_slice() || (*excluded && entry_key == high.as_slice())
            }
            None => false,
        }
    }
}
