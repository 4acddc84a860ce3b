//! Relation counts (`InverseCount`): how many rows refer to each row of a result,
//! counted relation by relation, so that several counts on one parent cost the sum of
//! their sizes, never the product a join of them would build (the "cartesian trap": two
//! stores, ten departments each, 500 employees a department, 2,500 products a store —
//! 25,000,000 joined rows for four numbers; counted here, 15,020 index entries).
//!
//! Without a condition, a count reads only the FK's index: one entry per referring row,
//! no row at all. With `through`, the intermediate rows are found through the first
//! FK's index and read for their ids (what the second FK holds), and the inner count
//! runs once for all of them. A condition, or an FK declared
//! `NOINDEX`, makes the count read the rows it counts.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::time::Instant;

use super::node::{JoinPlan, Via};
use crate::db::engine::Engine;
use crate::error::Result;
use crate::format::codec::get_int;
use crate::storage::txn::Io;
use crate::value::Value;

impl Engine {
    /// How many rows `join` counts for each of `parents` (ids of the rows the count
    /// hangs off, sorted and distinct): the counts, in `parents`' order.
    pub fn count_referring(&self, io: &mut Io, join: &JoinPlan, parents: &[i64]) -> Result<Vec<u64>> {
        let table = &self.tables[join.table];
        if let (Via::FkIndex { index }, None, None) = (join.via, &join.filter, &join.through) {
            // A plain count: the index entries of each parent, counted where they lie,
            // from one entry buffer (the parent's key, then slot 0: before its entries).
            let index = &table.indexes[index];
            let header = self.fresh_index(io, join.table, index)?;
            let kind = index.tree.kind;
            let key_len = kind.key_len();
            let mut start = vec![0u8; kind.entry_len()];
            let mut counts = Vec::with_capacity(parents.len());
            for &parent in parents {
                let n = if kind.encode_into(&Value::Int(parent), &mut start[..key_len]) {
                    index.tree.count_key(io, &header, &start)?
                } else {
                    0
                };
                join.counters.examine(n);
                counts.push(n);
            }
            return Ok(counts);
        }
        // The rows of the join's table referring to each parent: their ids, by parent.
        let mut referring: HashMap<i64, Vec<i64>> = HashMap::new();
        match (join.via, &join.filter) {
            (Via::FkIndex { index }, None) => {
                let index = &table.indexes[index];
                let mut slots = Vec::new();
                for &parent in parents {
                    let Some(key) = index.tree.kind.encode(&Value::Int(parent)) else { continue };
                    slots.clear();
                    self.index_lookup(io, join.table, index, &key, &mut |slot| {
                        slots.push(slot);
                        ControlFlow::Continue(())
                    })?;
                    join.counters.examine(slots.len() as u64);
                    // Entries name slots; a count across another hop needs the rows' ids
                    // (what the next FK holds), a plain count only how many there are.
                    let ids = referring.entry(parent).or_default();
                    if join.through.is_some() {
                        slots.sort_unstable();
                        for &slot in &slots {
                            let row = self.indexed_row(io, join.table, index, slot)?;
                            ids.extend(get_int(table.layout.slot(&row, 0)).ok().flatten());
                        }
                    } else {
                        ids.resize(slots.len(), 0);
                    }
                }
            }
            _ => {
                self.rows_holding(io, join.table, join.field, parents, &mut |io, slot, row| {
                    join.counters.examine(1);
                    if let Some((predicate, _)) = &join.filter {
                        table.check_row_shape(io, slot, row)?;
                        if !predicate.eval(table, io, slot, row)? {
                            return Ok(ControlFlow::Continue(()));
                        }
                    }
                    let id = get_int(table.layout.slot(row, 0)).ok().flatten();
                    let parent = get_int(table.layout.slot(row, join.field)).ok().flatten();
                    if let (Some(id), Some(parent)) = (id, parent) {
                        referring.entry(parent).or_default().push(id);
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
            }
        }
        let counts: Vec<u64> = match &join.through {
            None => parents.iter().map(|p| referring.get(p).map_or(0, |ids| ids.len() as u64)).collect(),
            Some(inner) => {
                let mut middle: Vec<i64> = referring.values().flatten().copied().collect();
                middle.sort_unstable();
                middle.dedup();
                let started = Instant::now();
                let inner_counts = self.count_referring(io, inner, &middle)?;
                // The outer count's time is taken by whoever applies it; the inner one's here.
                inner.counters.spend(started.elapsed());
                let inner_count = |id: &i64| middle.binary_search(id).map_or(0, |at| inner_counts[at]);
                parents
                    .iter()
                    .map(|p| referring.get(p).map_or(0, |ids| ids.iter().map(inner_count).sum()))
                    .collect()
            }
        };
        join.counters.pass(counts.iter().sum());
        Ok(counts)
    }
}
