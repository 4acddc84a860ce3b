//! `vacuum`: giving back the space of freed TEXT records.
//!
//! The text heap only grows: an update of a TEXT value frees the old record (overwritten
//! with `#`) and appends the new one. Vacuum rewrites a table's heap so that it holds
//! only the live records, in the order of the rows that use them, and points each row at
//! its record's new place — in one transaction, so a crash leaves the old heap or the
//! new one.
//!
//! It works in bounded memory whatever the heap's size, in two passes:
//!
//! 1. Walk the rows in slot order; copy each live record to the end of the heap, past
//!    the old data, at `old_len + cursor`, and point the row at `cursor` — its final
//!    offset. The old records stay untouched, so nothing is read after being overwritten.
//! 2. Move the copied region down to offset 0 and cut the heap at `cursor`.
//!
//! The transaction spills to disk under the journal as it grows (see `storage::pager`),
//! so only a few MiB are held at a time; the journal, as large as the heap for a while,
//! is cut back when the transaction retires it.

use super::engine::Engine;
use super::indexes::Change;
use crate::error::{Location, Result};
use crate::format::codec::{get_int, put_int};
use crate::format::schema::FieldType;
use crate::progress::Progress;
use crate::storage::pager::FileId;
use crate::storage::txn::Io;
use crate::table::{HeapItem, Table};

/// How much of the heap is copied at once.
const COPY_CHUNK: u64 = 1 << 20;

impl Engine {
    /// Compacts table `t`'s text heap; returns the bytes given back. A heap with nothing
    /// freed is left as it is.
    pub fn vacuum(&self, io: &mut Io, t: usize, progress: &Progress) -> Result<u64> {
        let table = &self.tables[t];
        let Some(heap) = table.text_heap_file() else { return Ok(0) };
        let mut freed = 0;
        table.walk_heap(io, &mut |item| {
            if let HeapItem::Freed { len, .. } = item {
                freed += len;
            }
        })?;
        if freed == 0 {
            return Ok(0);
        }
        let old_len = io.len(heap)?;
        let cursor = self.copy_records_past_the_end(io, t, heap, old_len, progress)?;
        copy(io, heap, old_len, 0, cursor)?;
        io.set_len(heap, cursor)?;
        Ok(old_len.saturating_sub(cursor))
    }

    /// Pass 1 of the module doc; returns the length of the copied region.
    fn copy_records_past_the_end(
        &self,
        io: &mut Io,
        t: usize,
        heap: FileId,
        old_len: u64,
        progress: &Progress,
    ) -> Result<u64> {
        let table = &self.tables[t];
        let width = table.width() as u64;
        let text_fields: Vec<usize> = table
            .schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ty == FieldType::Text)
            .map(|(i, _)| i)
            .collect();
        let size = table.layout.row_size;
        let mut cursor = 0u64;
        let mut chunks = table.chunks(io)?;
        while let Some((first, bytes)) = chunks.next(table, io)? {
            for (i, row) in bytes.chunks_exact(size).enumerate() {
                progress.advance(1);
                if Table::is_deleted(row) {
                    continue;
                }
                let slot = first + i as u64;
                table.check_row_shape(io, slot, row)?;
                let mut moved = row.to_vec();
                for &field in &text_fields {
                    let offset = match get_int(table.layout.slot(row, field)) {
                        Ok(None) => continue,
                        Ok(Some(offset)) if offset >= 0 => offset as u64,
                        _ => {
                            let detail =
                                format!("field '{}' is not a text offset", table.schema.fields[field].name);
                            return Err(table.corrupt(io, table.data_file(), Location::Slot(slot), detail));
                        }
                    };
                    let len = table.text_len(io, offset)?;
                    copy(io, heap, offset, old_len + cursor, width + len)?;
                    put_int(table.layout.slot_mut(&mut moved, field), cursor as i64)
                        .map_err(|_| table.full(io, heap, format!("text offset {cursor}")))?;
                    cursor += width + len;
                }
                if moved != row {
                    self.apply_change(io, t, Change::Update { slot, old: row, new: &moved })?;
                }
            }
        }
        Ok(cursor)
    }

    /// The tables that have a text heap.
    pub fn heaps(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.tables.len()).filter(|&t| self.tables[t].text_heap_file().is_some())
    }
}

/// Copies `len` bytes of `file` from `from` to `to` (`to <= from`, or the ranges apart),
/// a chunk at a time, front to back.
fn copy(io: &mut Io, file: FileId, from: u64, to: u64, len: u64) -> Result<()> {
    let mut buf = vec![0u8; COPY_CHUNK.min(len) as usize];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(COPY_CHUNK) as usize;
        let got = io.read_at(file, &mut buf[..n], from + done)?;
        if got < n {
            return Err(crate::error::CorruptDataError {
                path: io.path(file).to_path_buf(),
                location: Location::Offset(from + done + got as u64),
                detail: "the text heap ended while a record was copied".into(),
            }
            .into());
        }
        io.write_at(file, &buf[..n], to + done)?;
        done += n as u64;
    }
    Ok(())
}
