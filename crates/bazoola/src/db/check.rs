//! `check`: every invariant the files must keep, verified from the bytes up.
//!
//! Per table: every row parses and has a positive id, once; the PK index and the rows
//! agree both ways; the free stack holds exactly the deleted slots, once each; the
//! sequence is a number the next insert can build on; every TEXT slot points at a live
//! heap record that no other slot shares, and every live record is referenced; every FK
//! points at a live row. For the directory: no hot journal is left behind.
//!
//! Every file is read front to back a large chunk at a time, so memory does not grow
//! with the size of a file — only a few bytes per row (its id, and its TEXT offsets and
//! FK values until they are matched). One finding never hides another: a part that
//! cannot be read is reported, and the rest is still checked.

use std::ops::ControlFlow;
use std::path::PathBuf;

use super::engine::Engine;
use crate::error::{Error, Result};
use crate::format::codec::{get_int, int_fits};
use crate::format::schema::FieldType;
use crate::index::{key, From};
use crate::storage::txn::Io;
use crate::storage::vfs::Stamp;
use crate::table::{HeapItem, Table};
use crate::value::Value;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The directory holds a hot journal: a write was cut short and not yet rolled back.
    #[error("a hot journal was left behind")]
    HotJournal,
    /// A part of a table's files could not be read or parsed; the rest was still checked.
    #[error("table '{table}': {message}")]
    Unreadable {
        /// The table.
        table: String,
        /// What could not be read, and why.
        message: String,
    },
    /// A live row whose id is 0 or less.
    #[error("table '{table}': the row at slot {slot} has id {id}, but ids are greater than 0")]
    BadId {
        /// The table.
        table: String,
        /// The row slot, from 0.
        slot: u64,
        /// The row's id.
        id: i64,
    },
    /// A live row that the PK index does not point at.
    #[error("table '{table}': row id {id} at slot {slot} is not in the index (index says {indexed:?})")]
    RowNotIndexed {
        /// The table.
        table: String,
        /// The row's id.
        id: i64,
        /// The row slot, from 0.
        slot: u64,
        /// The slot the index gives for the id instead, if any.
        indexed: Option<u64>,
    },
    /// A PK index entry pointing at a slot that does not hold that id.
    #[error("table '{table}': the index points id {id} at slot {slot}, which does not hold it")]
    DanglingIndex {
        /// The table.
        table: String,
        /// The row's id.
        id: i64,
        /// The row slot, from 0.
        slot: u64,
    },
    /// Two live rows with the same id.
    #[error("table '{table}': id {id} appears in more than one row")]
    DuplicateId {
        /// The table.
        table: String,
        /// The id.
        id: i64,
    },
    /// An entry of the free stack that is not a deleted slot, or is there twice.
    #[error("table '{table}': free slot {slot} {reason}")]
    BadFreeSlot {
        /// The table.
        table: String,
        /// The slot the entry names.
        slot: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A deleted slot missing from the free stack, so no insert will reuse it.
    #[error("table '{table}': deleted slot {slot} is not on the free stack")]
    LostSlot {
        /// The table.
        table: String,
        /// The row slot, from 0.
        slot: u64,
    },
    /// The sequence file is not a number the next insert can build on.
    #[error("table '{table}': the sequence {detail}")]
    BadSequence {
        /// The table.
        table: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A TEXT slot pointing at no live heap record, or at one another slot shares.
    #[error("table '{table}': row id {id} field '{field}' points at text offset {offset}, {reason}")]
    BadTextRef {
        /// The table.
        table: String,
        /// The row's id.
        id: i64,
        /// The TEXT field.
        field: String,
        /// The heap offset the slot holds.
        offset: u64,
        /// What is wrong with that offset.
        reason: &'static str,
    },
    /// A live heap record that no row uses.
    #[error("table '{table}': the text record at offset {offset} is live but no row uses it")]
    LeakedText {
        /// The table.
        table: String,
        /// The record's offset in the heap.
        offset: u64,
    },
    /// A foreign key naming a row that does not exist.
    #[error("table '{table}': row id {id} field '{field}' refers to missing row {target_id} of '{target}'")]
    DanglingReference {
        /// The table.
        table: String,
        /// The row's id.
        id: i64,
        /// The foreign-key field.
        field: String,
        /// The table the field refers to.
        target: String,
        /// The id the field holds.
        target_id: i64,
    },
    /// A row missing from a secondary index.
    #[error("table '{table}': row id {id} is missing from the index on '{field}'")]
    MissingFromIndex {
        /// The table.
        table: String,
        /// The indexed field.
        field: String,
        /// The row's id.
        id: i64,
    },
    /// A secondary index entry the row at its slot does not match.
    #[error("table '{table}': the index on '{field}' lists slot {slot} with {value}, which the row there does not hold")]
    ExtraInIndex {
        /// The table.
        table: String,
        /// The indexed field.
        field: String,
        /// The slot the entry names.
        slot: u64,
        /// The value the entry holds, as written in a condition.
        value: String,
    },
    /// A secondary index whose header records another number of entries than it holds
    /// (a count of a table's rows reads it).
    #[error("table '{table}': the index on '{field}' records {recorded} entries but holds {found}")]
    WrongEntryCount {
        /// The table.
        table: String,
        /// The indexed field.
        field: String,
        /// The number its header records.
        recorded: u64,
        /// The entries it holds.
        found: u64,
    },
    /// A secondary index whose entries are not sorted.
    #[error("table '{table}': the index on '{field}' is out of order after its entry for slot {slot}")]
    IndexOutOfOrder {
        /// The table.
        table: String,
        /// The indexed field.
        field: String,
        /// The slot of the last entry in order.
        slot: u64,
    },
    /// Two rows holding the same value in a UNIQUE field.
    #[error("table '{table}': rows {first} and {second} both hold {value} in '{field}', which is UNIQUE")]
    NotUnique {
        /// The table.
        table: String,
        /// The UNIQUE field.
        field: String,
        /// The value both rows hold, as written in a condition.
        value: String,
        /// The id of one row.
        first: i64,
        /// The id of the other.
        second: i64,
    },
    /// More problems than are worth listing were found in one table.
    #[error("table '{table}': {count} more problems not listed")]
    More {
        /// The table.
        table: String,
        /// How many more problems were found.
        count: u64,
    },
}

/// How many problems one table lists before only counting the rest: a file full of
/// garbage has one problem per entry, and the list must not grow with the file.
pub const PROBLEMS_PER_TABLE: usize = 100;

/// The problems found so far, at most [`PROBLEMS_PER_TABLE`] per table.
#[derive(Default)]
struct Findings {
    list: Vec<Problem>,
    in_table: usize,
    unlisted: u64,
}

impl Findings {
    fn push(&mut self, problem: Problem) {
        if self.in_table < PROBLEMS_PER_TABLE {
            self.list.push(problem);
            self.in_table += 1;
        } else {
            self.unlisted += 1;
        }
    }

    fn last(&self) -> Option<&Problem> {
        self.list.last()
    }

    /// Closes a table's list, noting what was left out.
    fn end_table(&mut self, table: &str) {
        if self.unlisted > 0 {
            self.list.push(Problem::More { table: table.to_string(), count: self.unlisted });
        }
        self.in_table = 0;
        self.unlisted = 0;
    }
}

/// Space `vacuum` would give back: the freed records of a table's text heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclaimable {
    /// The table.
    pub table: String,
    /// Its text heap file.
    pub path: PathBuf,
    /// How many bytes of it the freed records take.
    pub bytes: u64,
}

/// An index that no longer describes its table's rows: they were changed by a writer
/// that does not know it (the original package, a hand edit, a copy of the directory).
/// Not a problem: it is rebuilt before its next use (or by `reindex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleIndex {
    /// The table.
    pub table: String,
    /// The indexed field.
    pub field: String,
}

/// What `check` found: the broken invariants (none when healthy), and what is not a
/// problem but worth knowing: space a `vacuum` would reclaim, indexes to be rebuilt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The broken invariants, in the order found; empty when the files are healthy.
    pub problems: Vec<Problem>,
    /// Text heaps with freed records, one per table that has any.
    pub reclaimable: Vec<Reclaimable>,
    /// Indexes to be rebuilt before their next use.
    pub stale_indexes: Vec<StaleIndex>,
}

/// Called by a check's scan with the slot and bytes of every row, deleted ones too.
type SlotVisitor<'v> = dyn FnMut(&mut Io, u64, &[u8]) -> Result<ControlFlow<()>> + 'v;

/// `slot_ids` entry of a slot that holds no live row.
const NOT_LIVE: i64 = i64::MIN;

/// What the scan of one table's rows found, a few bytes per row.
struct Rows {
    slots: u64,
    /// The id of the live row in each slot, `NOT_LIVE` for a deleted one.
    slot_ids: Vec<i64>,
    /// (text offset, row id, field) of every non-null TEXT value.
    text_refs: Vec<(u64, i64, usize)>,
    /// (row id, field, target id) of every non-null FK value.
    references: Vec<(i64, usize, i64)>,
    /// For each secondary index, the entries the rows call for, `entry_len` bytes each.
    index_entries: Vec<Vec<u8>>,
}

impl Engine {
    /// Visits the first `slots` rows of table `t`, deleted ones included, a large chunk
    /// at a time.
    fn scan_whole_rows(&self, io: &mut Io, t: usize, slots: u64, visit: &mut SlotVisitor) -> Result<()> {
        let table = &self.tables[t];
        let size = table.layout.row_size;
        let mut chunks = table.chunks_of(slots);
        while let Some((first, bytes)) = chunks.next(table, io)? {
            for (i, row) in bytes.chunks_exact(size).enumerate() {
                if visit(io, first + i as u64, row)?.is_break() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    pub fn check(&self, io: &mut Io, progress: &crate::progress::Progress) -> Result<CheckReport> {
        // Index files are read directly below: held-back entries must be in them.
        self.settle_deferred(io)?;
        let mut findings = Findings::default();
        let mut reclaimable = Vec::new();
        let mut stale = Vec::new();
        if self.pager.journal_is_hot()? {
            findings.push(Problem::HotJournal);
        }
        let mut all_ids: Vec<Vec<i64>> = Vec::with_capacity(self.tables.len());
        let mut all_refs = Vec::with_capacity(self.tables.len());
        for t in 0..self.tables.len() {
            findings.end_table("");
            let rows = self.check_table(io, t, &mut findings, &mut reclaimable, &mut stale, progress)?;
            findings.end_table(self.tables[t].name());
            let mut ids: Vec<i64> = rows.slot_ids.iter().copied().filter(|&id| id != NOT_LIVE).collect();
            ids.sort_unstable();
            all_refs.push(rows.references);
            all_ids.push(ids);
        }
        for (t, references) in all_refs.into_iter().enumerate() {
            let table = &self.tables[t];
            for (id, field, target_id) in references {
                let Some((target, _)) = table.schema.fields[field].reference() else { continue };
                let Ok(target_table) = self.table(target) else { continue };
                if all_ids[target_table].binary_search(&target_id).is_err() {
                    findings.push(Problem::DanglingReference {
                        table: table.name().into(),
                        id,
                        field: table.schema.fields[field].name.clone(),
                        target: target.to_string(),
                        target_id,
                    });
                }
            }
            findings.end_table(table.name());
        }
        Ok(CheckReport { problems: findings.list, reclaimable, stale_indexes: stale })
    }

    /// Checks one table; I/O errors end the check, corruption is reported and passed.
    fn check_table(
        &self,
        io: &mut Io,
        t: usize,
        problems: &mut Findings,
        reclaimable: &mut Vec<Reclaimable>,
        stale: &mut Vec<StaleIndex>,
        progress: &crate::progress::Progress,
    ) -> Result<Rows> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        let unreadable = |e: Error, problems: &mut Findings| -> Result<()> {
            match e {
                Error::CorruptData(_) => {
                    problems.push(Problem::Unreadable { table: name(), message: e.to_string() });
                    Ok(())
                }
                other => Err(other),
            }
        };
        let rows = match self.check_rows(io, t, problems, progress) {
            Ok(rows) => rows,
            Err(e) => {
                unreadable(e, problems)?;
                Rows {
                    slots: 0,
                    slot_ids: Vec::new(),
                    text_refs: Vec::new(),
                    references: Vec::new(),
                    index_entries: vec![Vec::new(); table.indexes.len()],
                }
            }
        };
        let mut sorted: Vec<i64> = rows.slot_ids.iter().copied().filter(|&id| id != NOT_LIVE).collect();
        sorted.sort_unstable();
        for pair in sorted.windows(2).filter(|p| p[0] == p[1]) {
            if problems.last() != Some(&Problem::DuplicateId { table: name(), id: pair[0] }) {
                problems.push(Problem::DuplicateId { table: name(), id: pair[0] });
            }
        }
        if let Err(e) = self.check_index(io, t, &rows, problems) {
            unreadable(e, problems)?;
        }
        if let Err(e) = self.check_free_stack(io, t, &rows, problems) {
            unreadable(e, problems)?;
        }
        for i in 0..rows.index_entries.len() {
            match self.check_index_file(io, t, i, &rows, problems) {
                Ok(true) => {}
                Ok(false) => {
                    let field = table.schema.fields[table.indexes[i].field].name.clone();
                    stale.push(StaleIndex { table: name(), field });
                }
                Err(e) => unreadable(e, problems)?,
            }
        }
        match table.seq(io) {
            Ok(seq) if !int_fits(seq.saturating_add(1), table.width()) => {
                problems.push(Problem::BadSequence {
                    table: name(),
                    detail: format!(
                        "{seq} leaves no id for the next insert: ids are at most {} digits",
                        table.width()
                    ),
                })
            }
            Ok(_) => {}
            Err(Error::CorruptData(e)) => {
                problems.push(Problem::BadSequence { table: name(), detail: format!("does not parse: {e}") })
            }
            Err(e) => return Err(e),
        }
        if table.schema.has_text() {
            match self.check_text_heap(io, t, rows.text_refs.clone(), problems) {
                Ok(Some(found)) => reclaimable.push(found),
                Ok(None) => {}
                Err(e) => unreadable(e, problems)?,
            }
        }
        Ok(rows)
    }

    /// Scans the rows: decodes each, notes its id, TEXT offsets and FK values.
    fn check_rows(
        &self,
        io: &mut Io,
        t: usize,
        problems: &mut Findings,
        progress: &crate::progress::Progress,
    ) -> Result<Rows> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        let size = table.row_size();
        let file_len = io.len(table.data_file())?;
        if file_len % size != 0 {
            problems.push(Problem::Unreadable {
                table: name(),
                message: format!(
                    "the data file ends inside a row ({file_len} bytes, rows of {size}); the whole rows are checked"
                ),
            });
        }
        let slots = file_len / size;
        let mut rows = Rows {
            slots,
            slot_ids: vec![NOT_LIVE; slots as usize],
            text_refs: Vec::new(),
            references: Vec::new(),
            index_entries: vec![Vec::new(); table.indexes.len()],
        };
        self.scan_whole_rows(io, t, slots, &mut |io, slot, row| {
            progress.advance(1);
            if Table::is_deleted(row) {
                return Ok(ControlFlow::Continue(()));
            }
            let values = match table.decode_row(io, slot, row) {
                Ok(values) => values,
                Err(Error::CorruptData(e)) => {
                    problems.push(Problem::Unreadable { table: name(), message: e.to_string() });
                    // Keep the slot accounted for, so one bad field is one problem.
                    if let Ok(Value::Int(id)) = table.decode_field(io, slot, row, 0) {
                        rows.slot_ids[slot as usize] = id;
                    }
                    return Ok(ControlFlow::Continue(()));
                }
                Err(e) => return Err(e),
            };
            let id = values[0].as_int().unwrap_or_default();
            rows.slot_ids[slot as usize] = id;
            if id <= 0 {
                problems.push(Problem::BadId { table: name(), slot, id });
            }
            for (index, entries) in table.indexes.iter().zip(&mut rows.index_entries) {
                if let Some(key) = index.tree.kind.encode(&values[index.field]) {
                    entries.extend_from_slice(&key::entry(&key, slot));
                }
            }
            for (i, field) in table.schema.fields.iter().enumerate() {
                match (&field.ty, &values[i]) {
                    (FieldType::Text, Value::Text(_)) => {
                        if let Some(offset) = table.text_offset(row, i) {
                            rows.text_refs.push((offset, id, i));
                        }
                    }
                    (FieldType::Fk { .. }, Value::Int(target)) => rows.references.push((id, i, *target)),
                    _ => {}
                }
            }
            Ok(ControlFlow::Continue(()))
        })?;
        Ok(rows)
    }

    /// Streams the PK index: every entry must point at the row holding its id, and
    /// every live row must be pointed at.
    fn check_index(&self, io: &mut Io, t: usize, rows: &Rows, problems: &mut Findings) -> Result<()> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        let width = table.width() as u64;
        let mut indexed = vec![false; rows.slots as usize];
        table.for_each_entry(io, table.index_file(), &mut |offset, entry| {
            let id = (offset / width + 1) as i64;
            match get_int(entry) {
                _ if entry.len() < width as usize => problems.push(Problem::Unreadable {
                    table: name(),
                    message: format!("the PK index ends inside an entry, at byte {offset}"),
                }),
                Ok(None) => {}
                Ok(Some(slot)) if slot >= 0 && (slot as u64) < rows.slots => {
                    if rows.slot_ids[slot as usize] == id {
                        indexed[slot as usize] = true;
                    } else {
                        problems.push(Problem::DanglingIndex { table: name(), id, slot: slot as u64 });
                    }
                }
                Ok(Some(slot)) if slot >= 0 => {
                    problems.push(Problem::DanglingIndex { table: name(), id, slot: slot as u64 })
                }
                _ => problems.push(Problem::Unreadable {
                    table: name(),
                    message: format!("the PK index entry for id {id} (byte {offset}) is not a slot number"),
                }),
            }
        })?;
        for (slot, &id) in rows.slot_ids.iter().enumerate() {
            if id != NOT_LIVE && id > 0 && !indexed[slot] {
                let said = table.slot_of(io, id).ok().flatten();
                problems.push(Problem::RowNotIndexed { table: name(), id, slot: slot as u64, indexed: said });
            }
        }
        Ok(())
    }

    /// Checks secondary index `i` of table `t` against the entries its rows call for:
    /// the same set both ways, in order, unique where declared. Returns false for a stale
    /// index, which is not compared (it is rebuilt before its next use).
    fn check_index_file(
        &self,
        io: &mut Io,
        t: usize,
        i: usize,
        rows: &Rows,
        problems: &mut Findings,
    ) -> Result<bool> {
        let expected = &rows.index_entries[i];
        // The id of the row an entry's slot holds.
        let id_at =
            |entry: &[u8]| rows.slot_ids.get(key::entry_slot(entry) as usize).copied().unwrap_or(NOT_LIVE);
        let table = &self.tables[t];
        let index = &table.indexes[i];
        let name = || table.name().to_string();
        let field = || table.schema.fields[index.field].name.clone();
        let kind = index.tree.kind;
        let (e, k) = (kind.entry_len(), kind.key_len());
        let mut wanted: Vec<&[u8]> = expected.chunks_exact(e).collect();
        wanted.sort_unstable();
        let show = |entry: &[u8]| kind.decode(&entry[..k]).repr();
        if index.tree.unique {
            for pair in wanted.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if a[..k] == b[..k] && kind.decode(&a[..k]) != Value::Null {
                    let (first, second) = (id_at(a), id_at(b));
                    problems.push(Problem::NotUnique {
                        table: name(),
                        field: field(),
                        value: show(a),
                        first,
                        second,
                    });
                }
            }
        }
        let stamp = Stamp::of(&io.disk_stat(table.data_file())?);
        let header = match index.tree.header(io)? {
            Some(h) if h.stamp == stamp && h.unique == index.tree.unique => h,
            _ => return Ok(false),
        };
        let mut next = 0;
        let mut scanned = 0u64;
        let mut previous: Option<Vec<u8>> = None;
        index.tree.scan(io, &header, From::End, false, &mut |_, entry| {
            scanned += 1;
            if previous.as_deref().is_some_and(|p| p >= entry) {
                let slot = previous.as_deref().map_or(0, key::entry_slot);
                problems.push(Problem::IndexOutOfOrder { table: name(), field: field(), slot });
            }
            while next < wanted.len() && wanted[next] < entry {
                problems.push(Problem::MissingFromIndex {
                    table: name(),
                    field: field(),
                    id: id_at(wanted[next]),
                });
                next += 1;
            }
            if next < wanted.len() && wanted[next] == entry {
                next += 1;
            } else {
                problems.push(Problem::ExtraInIndex {
                    table: name(),
                    field: field(),
                    slot: key::entry_slot(entry),
                    value: show(entry),
                });
            }
            previous = Some(entry.to_vec());
            Ok(ControlFlow::Continue(()))
        })?;
        for entry in &wanted[next..] {
            problems.push(Problem::MissingFromIndex { table: name(), field: field(), id: id_at(entry) });
        }
        if header.entries != scanned {
            problems.push(Problem::WrongEntryCount {
                table: name(),
                field: field(),
                recorded: header.entries,
                found: scanned,
            });
        }
        Ok(true)
    }

    /// Streams the free stack: each entry a deleted slot, once; no deleted slot missing.
    fn check_free_stack(&self, io: &mut Io, t: usize, rows: &Rows, problems: &mut Findings) -> Result<()> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        let width = table.width();
        let mut free = vec![false; rows.slots as usize];
        table.for_each_entry(io, table.free_file(), &mut |offset, entry| {
            let slot = match get_int(entry) {
                Ok(Some(slot)) if slot >= 0 && entry.len() == width => slot as u64,
                _ => {
                    problems.push(Problem::Unreadable {
                        table: name(),
                        message: format!("the free stack entry at byte {offset} is not a slot number"),
                    });
                    return;
                }
            };
            let reason = if slot >= rows.slots {
                Some("is past the end of the data file")
            } else if rows.slot_ids[slot as usize] != NOT_LIVE {
                Some("holds a live row")
            } else if free[slot as usize] {
                Some("is on the stack twice")
            } else {
                free[slot as usize] = true;
                None
            };
            if let Some(reason) = reason {
                problems.push(Problem::BadFreeSlot { table: name(), slot, reason });
            }
        })?;
        for (slot, &id) in rows.slot_ids.iter().enumerate() {
            if id == NOT_LIVE && !free[slot] {
                problems.push(Problem::LostSlot { table: name(), slot: slot as u64 });
            }
        }
        Ok(())
    }

    /// Walks the heap record by record (freed records are runs of `#`) and matches the
    /// live ones against the rows' references, both sorted by offset. Returns the
    /// space that freed records take.
    fn check_text_heap(
        &self,
        io: &mut Io,
        t: usize,
        mut refs: Vec<(u64, i64, usize)>,
        problems: &mut Findings,
    ) -> Result<Option<Reclaimable>> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        refs.sort_unstable();
        let bad_ref = |&(offset, id, field): &(u64, i64, usize), reason| Problem::BadTextRef {
            table: name(),
            id,
            field: table.schema.fields[field].name.clone(),
            offset,
            reason,
        };
        let mut next = 0;
        let mut freed = 0;
        table.walk_heap(io, &mut |item| match item {
            HeapItem::Record { offset, .. } => {
                while next < refs.len() && refs[next].0 < offset {
                    problems.push(bad_ref(&refs[next], "which is not the start of a live record"));
                    next += 1;
                }
                let users = refs[next..].iter().take_while(|r| r.0 == offset).count();
                if users == 0 {
                    problems.push(Problem::LeakedText { table: name(), offset });
                }
                for r in refs[next..next + users].iter().skip(1) {
                    problems.push(bad_ref(r, "which another row also uses"));
                }
                next += users;
            }
            HeapItem::Freed { len, .. } => freed += len,
            HeapItem::Garbage { offset } => problems.push(Problem::Unreadable {
                table: name(),
                message: format!("the text heap does not parse at byte {offset}"),
            }),
        })?;
        for r in &refs[next..] {
            problems.push(bad_ref(r, "which is not the start of a live record"));
        }
        let path = io.path(table.text_heap_file().unwrap_or(table.data_file())).to_path_buf();
        Ok((freed > 0).then(|| Reclaimable { table: name(), path, bytes: freed }))
    }
}
