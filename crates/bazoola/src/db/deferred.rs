//! Deferred index upkeep: a bulk import's inserts leave their entries in a table's
//! secondary indexes to be merged in sorted batches.
//!
//! Kept in step row by row ([`Engine::apply_change`]), an index on a field with random
//! values (an FK of a large import) costs a descent to a different leaf, and a rewrite
//! of it, for every row: most of an import's time. Inside a transaction that called
//! [`Database::bulk_load`](super::database::Database::bulk_load), an insert into the table holds the entry back instead
//! (in the transaction, [`Io::hold`]), and the held entries are sorted and merged into
//! the tree a leaf at a time ([`Tree::insert_sorted`](crate::index::Tree::insert_sorted)):
//!
//! - when they reach [`MAX_HELD`] bytes, so memory stays flat however long the import;
//! - before anything else uses the index — [`Engine::fresh_index`], through which every
//!   lookup, scan, plan and row change reaches an index, merges first — so nothing ever
//!   reads an index that is behind its rows;
//! - before the transaction commits ([`Engine::settle_deferred`], called by `end`).
//!
//! Only inserts are held back, and only for non-unique indexes: a unique index is
//! checked against on every insert, so it is kept in step as before. Everything else
//! about an insert — validation, foreign keys, ids, the row, the PK index — is
//! unchanged, so a deferred import accepts and refuses exactly the rows a plain one
//! does. A rollback drops the held entries with the transaction; a rebuild of the index
//! from its rows (stale, `reindex`, truncate) makes them redundant and drops them too.

use super::engine::Engine;
use crate::error::Result;
use crate::index::{merge, Header};
use crate::storage::txn::Io;
use crate::storage::vfs::Stamp;
use crate::table::Index;

/// The most bytes of entries held back for one index before they are merged (240,000
/// INT entries). Each merge visits up to every leaf once, so a larger batch means fewer
/// passes over a large index and more memory.
pub const MAX_HELD: usize = 4 << 20;

impl Engine {
    /// Defers the upkeep of table `t`'s non-unique secondary indexes for the rest of the
    /// transaction `io` writes in. Each is brought up to date with the rows first, and
    /// its header written, so the transaction stamps it as describing the rows it writes.
    pub fn defer_indexes(&self, io: &mut Io, t: usize) -> Result<()> {
        let table = &self.tables[t];
        for index in table.indexes.iter().filter(|i| !i.tree.unique) {
            let header = self.fresh_index(io, t, index)?;
            self.write_index_header(io, table, index, &header)?;
            io.defer(index.tree.file)?;
        }
        Ok(())
    }

    /// Whether inserts into table `t` hold their entries of `index` back.
    pub fn deferring(&self, io: &Io, index: &Index) -> bool {
        !index.tree.unique && io.is_deferred(index.tree.file)
    }

    /// Holds back `entry` of `index` of table `t`, merging what is held once it reaches
    /// [`MAX_HELD`].
    pub fn hold_entry(&self, io: &mut Io, t: usize, index: &Index, entry: &[u8]) -> Result<()> {
        if io.hold(index.tree.file, entry)? >= MAX_HELD {
            self.fresh_index(io, t, index)?;
        }
        Ok(())
    }

    /// Merges what is held back for `index` (of table `t`, described by `header`) into
    /// it; returns the header as it is then.
    pub fn merge_held(&self, io: &mut Io, t: usize, index: &Index, mut header: Header) -> Result<Header> {
        let held = io.take_held(index.tree.file);
        if held.is_empty() {
            return Ok(header);
        }
        let entries = merge::sorted(&held, index.tree.kind.entry_len());
        drop(held);
        index.tree.insert_sorted(io, &mut header, &entries)?;
        // A merge of many leaves spills the transaction, writing the data file: the stamp
        // the header was checked with is out of date now, and a stale stamp would make
        // the next use rebuild the index. Taken afresh when the header is written.
        header.stamp = Stamp::default();
        self.write_index_header(io, &self.tables[t], index, &header)?;
        Ok(header)
    }

    /// Merges everything held back in the transaction `io` writes in: before it
    /// commits, and before an operation (`check`) that reads index files directly.
    pub fn settle_deferred(&self, io: &mut Io) -> Result<()> {
        let holding = io.holding();
        if holding.is_empty() {
            return Ok(());
        }
        for (t, table) in self.tables.iter().enumerate() {
            for index in table.indexes.iter().filter(|i| holding.contains(&i.tree.file)) {
                self.fresh_index(io, t, index)?;
            }
        }
        Ok(())
    }
}
