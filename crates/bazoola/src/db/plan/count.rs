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

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::time::Instant;

use super::node::{JoinPlan, Via};
use crate::db::engine::Engine;
use crate::error::Result;
use crate::format::codec::get_int;
use crate::storage::txn::Io;
use crate::value::Value;

impl Engine {
    /// For each of `parents` (ids of the rows the count hangs off), how many rows
    /// `join` counts; parents with none are missing from the map.
    pub fn count_referring(
        &self,
        io: &mut Io,
        join: &JoinPlan,
        parents: &BTreeSet<i64>,
    ) -> Result<HashMap<i64, u64>> {
        let table = &self.tables[join.table];
        if let (Via::FkIndex { index }, None, None) = (join.via, &join.filter, &join.through) {
            // A plain count: the index entries of each parent, counted where they lie.
            let index = &table.indexes[index];
            let mut counts = HashMap::with_capacity(parents.len());
            for &parent in parents {
                let Some(key) = index.tree.kind.encode(&Value::Int(parent)) else { continue };
                let n = self.index_count(io, join.table, index, &key)?;
                join.counters.examine(n);
                counts.insert(parent, n);
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
        let counts: HashMap<i64, u64> = match &join.through {
            None => referring.into_iter().map(|(parent, ids)| (parent, ids.len() as u64)).collect(),
            Some(inner) => {
                let middle: BTreeSet<i64> = referring.values().flatten().copied().collect();
                let started = Instant::now();
                let inner_counts = self.count_referring(io, inner, &middle)?;
                // The outer count's time is taken by whoever applies it; the inner one's here.
                inner.counters.spend(started.elapsed());
                referring
                    .into_iter()
                    .map(|(parent, ids)| {
                        (parent, ids.iter().map(|id| inner_counts.get(id).copied().unwrap_or(0)).sum())
                    })
                    .collect()
            }
        };
        join.counters.pass(counts.values().sum());
        Ok(counts)
    }
}
