//! FK targets known live during a bulk import: one read of a referenced table instead of
//! a lookup per row.
//!
//! Each insert checks that its FK values name live rows ([`Engine::check_references`]):
//! two small reads (the PK index entry, the row) at a random place of the referenced
//! table per row, a system call each once the table outgrows the transaction's page
//! cache — most of a large import's time once its indexes are deferred. A table in bulk
//! mode ([`Database::bulk_load`](super::database::Database::bulk_load)) counts those
//! lookups per referenced table; once they amount to a good part of that table (one per
//! [`ROWS_PER_LOOKUP`] rows), the whole table is read once, in order, and the ids found
//! live — by the same test a lookup makes: a row that is not deleted, holding the id its
//! PK index entry points it at — are kept as a bitset for the rest of the transaction.
//!
//! The set only ever answers "live": an id it lacks (a row inserted since, or none) is
//! looked up as before, so the errors are the same ones. A delete in the transaction
//! clears the row's id ([`Engine::forget_target`]), a truncate drops the table's set.

use std::collections::HashMap;

use super::engine::Engine;
use crate::error::Result;
use crate::format::codec::get_int;
use crate::storage::txn::Io;

/// A referenced table is read whole once the lookups into it reach one per this many of
/// its rows: reading a row in order costs a small fraction of looking one up.
pub const ROWS_PER_LOOKUP: u64 = 64;
/// Lookups before a table is considered at all (a small import looks its targets up).
const MIN_LOOKUPS: u64 = 1024;
/// The largest id range a set covers: 8 MiB of bits. A table with higher ids is looked
/// up row by row.
pub const MAX_KNOWN_IDS: u64 = 64 << 20;

/// What the transaction knows of FK targets (attached to it, see [`Io::attached`]).
#[derive(Default)]
pub struct Targets {
    /// Tables in bulk mode: their inserts count lookups and use the sets.
    bulk: Vec<usize>,
    /// By referenced table.
    tables: HashMap<usize, Known>,
}

#[derive(Default)]
struct Known {
    lookups: u64,
    /// The lookup count at which reading the table is considered next.
    next_look: u64,
    /// Bit `id` set: the row is live.
    live: Option<Vec<u64>>,
}

enum Probe {
    Live,
    Unknown,
    /// Enough lookups to consider reading the whole table.
    Consider,
}

impl Targets {
    fn probe(&mut self, t: usize, target: usize, id: i64) -> Probe {
        if !self.bulk.contains(&t) {
            return Probe::Unknown;
        }
        let known = self.tables.entry(target).or_default();
        if let Some(live) = &known.live {
            return match bit(live, id) {
                true => Probe::Live,
                false => Probe::Unknown,
            };
        }
        known.lookups += 1;
        if known.lookups >= known.next_look.max(MIN_LOOKUPS) {
            known.next_look = known.lookups * 2;
            return Probe::Consider;
        }
        Probe::Unknown
    }
}

fn bit(live: &[u64], id: i64) -> bool {
    id > 0 && live.get(id as usize / 64).is_some_and(|w| w >> (id as usize % 64) & 1 == 1)
}

impl Engine {
    /// Puts table `t` in bulk mode for the rest of the transaction `io` writes in.
    pub fn bulk_targets(&self, io: &mut Io, t: usize) -> Result<()> {
        let marked = io.attached(|targets: &mut Targets| {
            if !targets.bulk.contains(&t) {
                targets.bulk.push(t);
            }
        });
        marked.ok_or(crate::error::Error::TransactionAborted)
    }

    /// Whether row `id` of table `target`, named by an FK of table `t`, is live.
    pub fn target_live(&self, io: &mut Io, t: usize, target: usize, id: i64) -> Result<bool> {
        match io.attached(|targets: &mut Targets| targets.probe(t, target, id)) {
            Some(Probe::Live) => return Ok(true),
            Some(Probe::Consider) => {
                let table = &self.tables[target];
                let lookups =
                    io.attached(|targets: &mut Targets| targets.tables.get(&target).map_or(0, |k| k.lookups));
                let slots = io.len(table.data_file())? / table.row_size();
                let ids = io.len(table.index_file())? / table.width() as u64;
                if slots <= lookups.unwrap_or_default() * ROWS_PER_LOOKUP && ids <= MAX_KNOWN_IDS {
                    let live = self.live_ids(io, target, ids)?;
                    let found = bit(&live, id);
                    io.attached(|targets: &mut Targets| {
                        targets.tables.entry(target).or_default().live = Some(live);
                    });
                    if found {
                        return Ok(true);
                    }
                }
            }
            _ => {}
        }
        Ok(self.lookup(io, target, id)?.is_some())
    }

    /// Row `id` of table `t` is deleted: no set may call it live.
    pub fn forget_target(&self, io: &mut Io, t: usize, id: i64) {
        io.attached(|targets: &mut Targets| {
            let live = targets.tables.get_mut(&t).and_then(|k| k.live.as_mut());
            if let Some(word) = live.and_then(|l| l.get_mut(id.max(0) as usize / 64)) {
                *word &= !(1 << (id.max(0) as usize % 64));
            }
        });
    }

    /// Table `t` was emptied: what is known of its rows goes.
    pub fn forget_targets(&self, io: &mut Io, t: usize) {
        io.attached(|targets: &mut Targets| targets.tables.remove(&t));
    }

    /// The ids of table `t`'s live rows (below `ids`), as a bitset: the rows read in
    /// order, and their PK index entries a batch of ascending ids at a time.
    fn live_ids(&self, io: &mut Io, t: usize, ids: u64) -> Result<Vec<u64>> {
        const BATCH: usize = 8192;
        let table = &self.tables[t];
        let mut live = vec![0u64; ids as usize / 64 + 1];
        let mut batch: Vec<(i64, u64)> = Vec::with_capacity(BATCH);
        let mut confirm = |io: &mut Io, batch: &mut Vec<(i64, u64)>| -> Result<()> {
            batch.sort_unstable();
            let wanted: Vec<i64> = batch.iter().map(|&(id, _)| id).collect();
            let slots = table.slots_of(io, &wanted)?;
            for (&(id, slot), indexed) in batch.iter().zip(slots) {
                if indexed == Some(slot) && (id as u64) <= ids {
                    live[id as usize / 64] |= 1 << (id as usize % 64);
                }
            }
            batch.clear();
            Ok(())
        };
        self.scan_raw(io, t, &mut |io, slot, row| {
            // A row whose id does not read is left out: a lookup reports it.
            if let Ok(Some(id)) = get_int(table.layout.slot(row, 0)) {
                if id > 0 {
                    batch.push((id, slot));
                }
            }
            if batch.len() == BATCH {
                confirm(io, &mut batch)?;
            }
            Ok(std::ops::ControlFlow::Continue(()))
        })?;
        confirm(io, &mut batch)?;
        Ok(live)
    }
}
