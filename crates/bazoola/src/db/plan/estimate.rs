//! Estimated rows for EXPLAIN, read off the files: a table's live rows from its data
//! file and free stack lengths, an index path's rows by counting its entries (up to a
//! cap), an inverse join's fan-out from the FK index's size. Only EXPLAIN computes them;
//! the planner's choices are rule-based (SPEC §8) and need none.

use std::ops::ControlFlow;

use super::node::{Access, JoinPlan, Plan, Via};
use crate::db::engine::Engine;
use crate::db::join::JoinKind;
use crate::error::Result;
use crate::storage::txn::Io;

/// Entries an estimate counts before it stops and guesses.
const COUNT_CAP: u64 = 10_000;

impl Engine {
    /// Live rows of table `t`: slots minus free ones.
    pub fn live_rows(&self, io: &mut Io, t: usize) -> Result<u64> {
        let table = &self.tables[t];
        let slots = io.len(table.data_file())? / table.row_size();
        let free = io.len(table.free_file())? / table.width() as u64;
        Ok(slots.saturating_sub(free))
    }

    /// Fills in the plan's estimates.
    pub fn estimate(&self, io: &mut Io, plan: &Plan) -> Result<()> {
        let rows = self.live_rows(io, plan.table)? as f64;
        let access = match &plan.access {
            Access::FullScan => rows,
            Access::PkLookup { ids } => (ids.len() as f64).min(rows),
            Access::IndexLookup { .. } | Access::IndexRange { .. } => {
                let counted = self.count_candidates(io, plan)?;
                if counted >= COUNT_CAP {
                    (rows / 3.0).max(counted as f64)
                } else {
                    counted as f64
                }
            }
        };
        let filtered = match (&plan.access, &plan.filter) {
            (_, None) => access,
            (Access::FullScan, Some(_)) => access / 3.0,
            (_, Some(_)) => access,
        };
        plan.estimate.set(Some((access, filtered)));
        self.estimate_joins(io, &plan.joins)
    }

    fn estimate_joins(&self, io: &mut Io, joins: &[JoinPlan]) -> Result<()> {
        for join in joins {
            let each = match (join.kind, join.via) {
                (JoinKind::Forward, _) => 1.0,
                (_, Via::FkIndex { index }) => {
                    let index = &self.tables[join.table].indexes[index];
                    let entries = self.fresh_index(io, join.table, index)?.entries as f64;
                    let targets = self.live_rows(io, self.target_of(join))? as f64;
                    if targets > 0.0 {
                        entries / targets
                    } else {
                        0.0
                    }
                }
                (_, _) => {
                    let rows = self.live_rows(io, join.table)? as f64;
                    let targets = self.live_rows(io, self.target_of(join))? as f64;
                    if targets > 0.0 {
                        rows / targets
                    } else {
                        0.0
                    }
                }
            };
            join.estimate.set(Some(each));
            self.estimate_joins(io, &join.joins)?;
            if let Some(through) = &join.through {
                self.estimate_joins(io, std::slice::from_ref(through))?;
            }
        }
        Ok(())
    }

    /// The table an inverse join's FK points at.
    fn target_of(&self, join: &JoinPlan) -> usize {
        self.tables[join.table].schema.fields[join.field]
            .reference()
            .and_then(|(target, _)| self.table(target).ok())
            .unwrap_or(join.table)
    }

    /// Index entries an index path yields, counted up to [`COUNT_CAP`].
    fn count_candidates(&self, io: &mut Io, plan: &Plan) -> Result<u64> {
        let table = &self.tables[plan.table];
        let mut n = 0u64;
        match &plan.access {
            Access::IndexLookup { index, keys } => {
                let index = &table.indexes[*index];
                for value in keys {
                    let Some(key) = index.tree.kind.encode(value) else { continue };
                    self.index_lookup(io, plan.table, index, &key, &mut |_| {
                        n += 1;
                        if n >= COUNT_CAP {
                            ControlFlow::Break(())
                        } else {
                            ControlFlow::Continue(())
                        }
                    })?;
                }
            }
            Access::IndexRange { .. } => n = self.range_len(io, plan.table, &plan.access, COUNT_CAP)?,
            _ => {}
        }
        Ok(n)
    }
}
