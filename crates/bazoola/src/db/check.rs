//! `check`: every invariant the files must keep, verified from the bytes up.
//!
//! Per table: every row parses; the PK index and the rows agree both ways; the free
//! stack holds exactly the deleted slots, once each; every TEXT slot points at a live
//! heap record that no other slot shares, and every live record is referenced; every FK
//! points at a live row. For the directory: no hot journal is left behind.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use super::engine::Engine;
use crate::error::Result;
use crate::format::codec::get_int;
use crate::format::constants::NULL_NUMBER;
use crate::format::schema::FieldType;
use crate::storage::txn::Io;
use crate::value::Value;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("a hot journal was left behind")]
    HotJournal,
    #[error("table '{table}': {message}")]
    Unreadable { table: String, message: String },
    #[error("table '{table}': row id {id} at slot {slot} is not in the index (index says {indexed:?})")]
    RowNotIndexed { table: String, id: i64, slot: u64, indexed: Option<u64> },
    #[error("table '{table}': the index points id {id} at slot {slot}, which does not hold it")]
    DanglingIndex { table: String, id: i64, slot: u64 },
    #[error("table '{table}': id {id} appears in more than one row")]
    DuplicateId { table: String, id: i64 },
    #[error("table '{table}': free slot {slot} {reason}")]
    BadFreeSlot { table: String, slot: u64, reason: &'static str },
    #[error("table '{table}': deleted slot {slot} is not on the free stack")]
    LostSlot { table: String, slot: u64 },
    #[error("table '{table}': row id {id} field '{field}' points at text offset {offset}, {reason}")]
    BadTextRef { table: String, id: i64, field: String, offset: u64, reason: &'static str },
    #[error("table '{table}': the text record at offset {offset} is live but no row uses it")]
    LeakedText { table: String, offset: u64 },
    #[error("table '{table}': row id {id} field '{field}' refers to missing row {target_id} of '{target}'")]
    DanglingReference { table: String, id: i64, field: String, target: String, target_id: i64 },
}

impl Engine {
    pub fn check(&self, io: &mut Io) -> Result<Vec<Problem>> {
        let mut problems = Vec::new();
        if self.pager.journal_is_hot()? {
            problems.push(Problem::HotJournal);
        }
        for t in 0..self.tables.len() {
            if let Err(e) = self.check_table(io, t, &mut problems) {
                let table = self.tables[t].name().to_string();
                problems.push(Problem::Unreadable { table, message: e.to_string() });
            }
        }
        Ok(problems)
    }

    fn check_table(&self, io: &mut Io, t: usize, problems: &mut Vec<Problem>) -> Result<()> {
        let table = &self.tables[t];
        let name = || table.name().to_string();
        let slots = table.slot_count(io)?;
        let mut live: BTreeMap<u64, i64> = BTreeMap::new();
        let mut ids = BTreeSet::new();
        let mut text_refs: BTreeMap<u64, (i64, usize)> = BTreeMap::new();
        let mut references: Vec<(i64, usize, i64)> = Vec::new();
        self.scan_raw(io, t, &mut |io, slot, row| {
            let values = match table.decode_row(io, slot, row) {
                Ok(values) => values,
                Err(e) => {
                    problems.push(Problem::Unreadable { table: name(), message: e.to_string() });
                    // Keep the slot accounted for, so one bad field is one problem.
                    if let Ok(Value::Int(id)) = table.decode_field(io, slot, row, 0) {
                        ids.insert(id);
                        live.insert(slot, id);
                    }
                    return Ok(ControlFlow::Continue(()));
                }
            };
            let id = values[0].as_int().unwrap_or_default();
            if !ids.insert(id) {
                problems.push(Problem::DuplicateId { table: name(), id });
            }
            live.insert(slot, id);
            for (i, field) in table.schema.fields.iter().enumerate() {
                match (&field.ty, &values[i]) {
                    (FieldType::Text, Value::Text(_)) => {
                        if let Some(offset) = table.text_offset(row, i) {
                            if text_refs.insert(offset, (id, i)).is_some() {
                                problems.push(Problem::BadTextRef {
                                    table: name(),
                                    id,
                                    field: field.name.clone(),
                                    offset,
                                    reason: "which another row also uses",
                                });
                            }
                        }
                    }
                    (FieldType::Fk { .. }, Value::Int(target)) => references.push((id, i, *target)),
                    _ => {}
                }
            }
            Ok(ControlFlow::Continue(()))
        })?;

        for (&slot, &id) in &live {
            let indexed = table.slot_of(io, id)?;
            if indexed != Some(slot) {
                problems.push(Problem::RowNotIndexed { table: name(), id, slot, indexed });
            }
        }
        for (id, slot) in table.index_entries(io)? {
            if live.get(&slot) != Some(&id) {
                problems.push(Problem::DanglingIndex { table: name(), id, slot });
            }
        }

        let mut free = BTreeSet::new();
        for slot in table.free_slots(io)? {
            let reason = if slot >= slots {
                Some("is past the end of the data file")
            } else if live.contains_key(&slot) {
                Some("holds a live row")
            } else if !free.insert(slot) {
                Some("is on the stack twice")
            } else {
                None
            };
            if let Some(reason) = reason {
                problems.push(Problem::BadFreeSlot { table: name(), slot, reason });
            }
        }
        for slot in (0..slots).filter(|s| !live.contains_key(s) && !free.contains(s)) {
            problems.push(Problem::LostSlot { table: name(), slot });
        }

        if table.schema.has_text() {
            self.check_text_heap(io, t, &text_refs, problems)?;
        }
        for (id, field, target_id) in references {
            let (target, _) = table.schema.fields[field].reference().unwrap_or_default();
            let target_table = self.table(target)?;
            if self.lookup(io, target_table, target_id)?.is_none() {
                problems.push(Problem::DanglingReference {
                    table: name(),
                    id,
                    field: table.schema.fields[field].name.clone(),
                    target: target.to_string(),
                    target_id,
                });
            }
        }
        Ok(())
    }

    /// Walks the heap record by record (freed records are runs of `#`) and matches the
    /// live ones against the rows' references.
    fn check_text_heap(
        &self,
        io: &mut Io,
        t: usize,
        refs: &BTreeMap<u64, (i64, usize)>,
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let table = &self.tables[t];
        let width = table.width();
        let heap = table.read_heap(io)?;
        let mut records = BTreeSet::new();
        let mut pos = 0usize;
        while pos < heap.len() {
            if heap[pos] == NULL_NUMBER {
                pos += 1;
                continue;
            }
            let header = &heap[pos..(pos + width).min(heap.len())];
            match get_int(header) {
                Ok(Some(len)) if len >= 0 && pos + width + len as usize <= heap.len() => {
                    records.insert(pos as u64);
                    pos += width + len as usize;
                }
                _ => {
                    problems.push(Problem::Unreadable {
                        table: table.name().into(),
                        message: format!("the text heap does not parse at byte {pos}"),
                    });
                    break;
                }
            }
        }
        for (&offset, &(id, field)) in refs {
            if !records.contains(&offset) {
                problems.push(Problem::BadTextRef {
                    table: table.name().into(),
                    id,
                    field: table.schema.fields[field].name.clone(),
                    offset,
                    reason: "which is not the start of a live record",
                });
            }
        }
        for offset in records.into_iter().filter(|o| !refs.contains_key(o)) {
            problems.push(Problem::LeakedText { table: table.name().into(), offset });
        }
        Ok(())
    }
}
