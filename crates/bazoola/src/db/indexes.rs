//! Rows and their indexes, kept in step.
//!
//! Every change of a row — insert, update, delete, and the updates and deletes of the FK
//! rules — goes through [`Engine::apply_change`], which sees the old and the new bytes of
//! the row and writes the row, its PK-index entry and the entries of every secondary index
//! together. Nothing else writes rows, so the indexes cannot fall behind by construction.
//!
//! Writers that do not know about our indexes (the original package, a hand edit with the
//! database closed) can still change the rows. Each index records the state of its
//! table's data file it describes (a stamp: length, modification time, inode, written by
//! the pager as the data file is written); before an operation uses an index,
//! [`Engine::fresh_index`] compares that stamp with the data file. A stale, missing or
//! damaged index is rebuilt from the rows — inside the operation when it writes, and by
//! retrying under the write lock when it only reads (`Error::StaleIndex`, caught by
//! `Engine::read`). An index is never answered from when stale.

use std::ops::ControlFlow;

use super::engine::Engine;
use crate::error::{Error, IntegrityError, Result};
use crate::index::{key, From, Header};
use crate::progress::Progress;
use crate::storage::txn::Io;
use crate::storage::vfs::Stamp;
use crate::table::{Index, Table};
use crate::value::Value;

/// A change of one row, at its slot.
pub enum Change<'r> {
    Insert { slot: u64, new: &'r [u8] },
    Update { slot: u64, old: &'r [u8], new: &'r [u8] },
    Delete { slot: u64, old: &'r [u8] },
}

impl Engine {
    /// Writes a row change: the row, its PK-index entry, the free stack for a delete, and
    /// every secondary index of the table. The one place rows change.
    pub fn apply_change(&self, io: &mut Io, t: usize, change: Change) -> Result<()> {
        let table = &self.tables[t];
        let slot = match change {
            Change::Insert { slot, .. } | Change::Update { slot, .. } | Change::Delete { slot, .. } => slot,
        };
        let (old, new) = match change {
            Change::Insert { slot, new } => {
                table.write_row(io, slot, new)?;
                table.set_slot(io, row_id(table, io, slot, new)?, Some(slot))?;
                (None, Some(new))
            }
            Change::Update { slot, old, new } => {
                table.write_row(io, slot, new)?;
                (Some(old), Some(new))
            }
            Change::Delete { slot, old } => {
                table.mark_deleted(io, slot)?;
                let id = row_id(table, io, slot, old)?;
                table.set_slot(io, id, None)?;
                self.forget_target(io, t, id);
                table.push_free(io, slot)?;
                (Some(old), None)
            }
        };
        for index in &table.indexes {
            let deferred = new.is_some() && old.is_none() && self.deferring(io, index);
            let mut header = if deferred { None } else { Some(self.fresh_index(io, t, index)?) };
            let entry_of = |io: &Io, row: &[u8]| -> Result<Vec<u8>> {
                let mut key = vec![0u8; index.tree.kind.key_len()];
                if index.tree.kind.encode_slot(table.layout.slot(row, index.field), &mut key).is_err() {
                    let detail = format!("field '{}' is not a number", table.schema.fields[index.field].name);
                    return Err(table.corrupt(io, table.data_file(), crate::error::Location::Whole, detail));
                }
                Ok(key::entry(&key, slot))
            };
            let old_entry = old.map(|row| entry_of(io, row)).transpose()?;
            let new_entry = new.map(|row| entry_of(io, row)).transpose()?;
            let Some(header) = header.as_mut() else {
                // A deferred insert: merged later, header and stamp with it.
                if let Some(entry) = &new_entry {
                    self.hold_entry(io, t, index, entry)?;
                }
                continue;
            };
            if old_entry != new_entry {
                if let Some(entry) = &old_entry {
                    index.tree.remove(io, header, entry)?;
                }
                if let Some(entry) = &new_entry {
                    index.tree.insert(io, header, entry)?;
                }
            }
            // Written even when unchanged: the row changed, so the header must carry the
            // data file's new stamp when this transaction writes it.
            self.write_index_header(io, table, index, header)?;
        }
        Ok(())
    }

    /// Writes a header that describes the table as this transaction sees it. Its stamp
    /// is the data file's state on disk now, which is what later operations of the same
    /// transaction compare it with (a placeholder would make each of them rebuild the
    /// index again); when the transaction writes the data file, the pager stamps the
    /// header with the file's new state.
    pub(super) fn write_index_header(
        &self,
        io: &mut Io,
        table: &Table,
        index: &Index,
        header: &Header,
    ) -> Result<()> {
        let mut header = *header;
        // A header `fresh_index` checked carries the current stamp already; a new one
        // (built in this transaction) takes it now.
        if header.stamp == Stamp::default() {
            header.stamp = Stamp::of(&io.disk_stat(table.data_file())?);
        }
        index.tree.write_header(io, &header)?;
        io.stamp_on_write(table.data_file(), index.tree.file, crate::index::header::STAMP_AT)
    }

    /// The header of an index that describes its table as it is: checked once per
    /// operation, rebuilt first if it is stale (when the operation may write; a read gets
    /// [`Error::StaleIndex`] and is retried under the write lock), with any entries a
    /// bulk import held back merged in (see `db::deferred`).
    pub fn fresh_index(&self, io: &mut Io, t: usize, index: &Index) -> Result<Header> {
        let header = self.checked_index(io, t, index)?;
        self.merge_held(io, t, index, header)
    }

    /// The header of index `index` of table `t` when the index describes the table's
    /// rows as they are and holds every entry (none held back in this transaction):
    /// `None` when it would have to be rebuilt or merged first. Never writes.
    pub fn fresh_header(&self, io: &mut Io, t: usize, index: &Index) -> Result<Option<Header>> {
        if io.holding().contains(&index.tree.file) {
            return Ok(None);
        }
        self.unmerged_header(io, t, index)
    }

    /// The index's header if it describes the table's rows (held-back entries aside).
    fn unmerged_header(&self, io: &mut Io, t: usize, index: &Index) -> Result<Option<Header>> {
        let table = &self.tables[t];
        let header = index.tree.header(io)?;
        let key_len = index.tree.kind.key_len() as u32;
        let shaped = header.filter(|h| h.unique == index.tree.unique && h.key_len == key_len);
        if io.verified(index.tree.file) || io.known_fresh(index.tree.file, table.data_file()) {
            if let Some(header) = shaped {
                return Ok(Some(header));
            }
        }
        let stamp = Stamp::of(&io.disk_stat(table.data_file())?);
        if let Some(header) = shaped.filter(|h| h.stamp == stamp) {
            io.mark_fresh(index.tree.file, table.data_file());
            return Ok(Some(header));
        }
        Ok(None)
    }

    /// [`fresh_index`](Self::fresh_index) without merging the held-back entries.
    fn checked_index(&self, io: &mut Io, t: usize, index: &Index) -> Result<Header> {
        let table = &self.tables[t];
        if let Some(header) = self.unmerged_header(io, t, index)? {
            return Ok(header);
        }
        if !io.can_write() {
            let field = table.schema.fields[index.field].name.clone();
            return Err(Error::StaleIndex { table: table.name().into(), field });
        }
        let progress = Progress::start(
            self.progress,
            &format!("indexing {}.{}", table.name(), table.schema.fields[index.field].name),
            io.len(table.data_file())? / table.row_size(),
        );
        let header = self.build_index(io, t, index, &progress)?;
        io.mark_verified(index.tree.file);
        Ok(header)
    }

    /// Writes index `index` afresh from the rows of table `t`.
    pub fn build_index(&self, io: &mut Io, t: usize, index: &Index, progress: &Progress) -> Result<Header> {
        let table = &self.tables[t];
        // The rows are the truth: entries held back for them are in the new tree anyway.
        io.take_held(index.tree.file);
        let kind = index.tree.kind;
        let e = kind.entry_len();
        let mut entries: Vec<u8> = Vec::new();
        let mut key = vec![0u8; kind.key_len()];
        self.scan_raw(io, t, &mut |io, slot, row| {
            progress.advance(1);
            table.check_row_shape(io, slot, row)?;
            if kind.encode_slot(table.layout.slot(row, index.field), &mut key).is_err() {
                let detail = format!("field '{}' is not a number", table.schema.fields[index.field].name);
                return Err(table.corrupt(io, table.data_file(), crate::error::Location::Slot(slot), detail));
            }
            entries.extend_from_slice(&key);
            entries.extend_from_slice(&slot.to_be_bytes());
            Ok(ControlFlow::Continue(()))
        })?;
        let mut order: Vec<u32> = (0..(entries.len() / e) as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            entries[a as usize * e..(a as usize + 1) * e].cmp(&entries[b as usize * e..(b as usize + 1) * e])
        });
        order.dedup_by(|a, b| {
            entries[*a as usize * e..(*a as usize + 1) * e] == entries[*b as usize * e..(*b as usize + 1) * e]
        });
        let mut sorted = order.iter().map(|&i| &entries[i as usize * e..(i as usize + 1) * e]);
        let header = index.tree.build(io, table.index_page_size, &mut sorted)?;
        self.write_index_header(io, table, index, &header)?;
        Ok(header)
    }

    /// Empties every index of table `t` (a truncate).
    pub fn clear_indexes(&self, io: &mut Io, t: usize) -> Result<()> {
        let table = &self.tables[t];
        for index in &table.indexes {
            io.take_held(index.tree.file);
            let header = index.tree.build(io, table.index_page_size, &mut std::iter::empty())?;
            self.write_index_header(io, table, index, &header)?;
        }
        Ok(())
    }

    /// Refuses `values` (the row at `own` slot, or a new row) when a unique field holds a
    /// non-null value another row has. Only the `given` fields are checked, if set.
    pub fn check_unique(
        &self,
        io: &mut Io,
        t: usize,
        values: &[Value],
        own: Option<u64>,
        given: Option<&[bool]>,
    ) -> Result<()> {
        let table = &self.tables[t];
        for index in table.indexes.iter().filter(|i| i.tree.unique) {
            let value = &values[index.field];
            if value.is_null() || given.is_some_and(|g| !g[index.field]) {
                continue;
            }
            let Some(key) = index.tree.kind.encode(value) else { continue };
            let mut holder = None;
            self.index_lookup(io, t, index, &key, &mut |slot| {
                if Some(slot) != own {
                    holder = Some(slot);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            })?;
            if let Some(slot) = holder {
                let row = self.indexed_row(io, t, index, slot)?;
                return Err(IntegrityError::Unique {
                    table: table.name().into(),
                    field: table.schema.fields[index.field].name.clone(),
                    value: value.clone(),
                    id: row_id(table, io, slot, &row)?,
                }
                .into());
            }
        }
        Ok(())
    }

    /// Calls `visit` with the slot of every row whose indexed field has the key `key`, in
    /// slot order, until it says to stop.
    pub fn index_lookup(
        &self,
        io: &mut Io,
        t: usize,
        index: &Index,
        key: &[u8],
        visit: &mut dyn FnMut(u64) -> ControlFlow<()>,
    ) -> Result<()> {
        let header = self.fresh_index(io, t, index)?;
        let start = key::entry(key, 0);
        index.tree.scan(io, &header, From::Entry(&start), false, &mut |_, entry| {
            if &entry[..key.len()] != key {
                return Ok(ControlFlow::Break(()));
            }
            Ok(visit(key::entry_slot(entry)))
        })
    }

    /// How many entries of `index` hold `key`: [`index_lookup`](Self::index_lookup)'s
    /// entries counted a leaf at a time, without a call per entry.
    pub fn index_count(&self, io: &mut Io, t: usize, index: &Index, key: &[u8]) -> Result<u64> {
        let header = self.fresh_index(io, t, index)?;
        index.tree.count_key(io, &header, &key::entry(key, 0))
    }

    /// The bytes of the live row at `slot`, which an entry of `index` names. A fresh
    /// index names only live rows; anything else is a damaged index file.
    pub fn indexed_row(&self, io: &mut Io, t: usize, index: &Index, slot: u64) -> Result<Vec<u8>> {
        let table = &self.tables[t];
        let mut row = vec![0u8; table.layout.row_size];
        if !table.read_row(io, slot, &mut row)? || Table::is_deleted(&row) {
            let detail = format!("an entry names slot {slot}, which holds no row");
            return Err(table.corrupt(io, index.tree.file, crate::error::Location::Whole, detail));
        }
        table.check_row_shape(io, slot, &row)?;
        Ok(row)
    }

    /// The index on field `field` of table `t`, if there is one.
    pub fn index_on(&self, t: usize, field: usize) -> Option<&Index> {
        self.tables[t].indexes.iter().find(|i| i.field == field)
    }
}

/// The id a row's bytes hold.
fn row_id(table: &Table, io: &Io, slot: u64, row: &[u8]) -> Result<i64> {
    match crate::format::codec::get_int(table.layout.slot(row, 0)) {
        Ok(Some(id)) => Ok(id),
        _ => Err(table.corrupt(
            io,
            table.data_file(),
            crate::error::Location::Slot(slot),
            "field 'id' is not a number",
        )),
    }
}
