//! `{t}.dat`: fixed-size rows addressed by slot (byte offset / row size). A deleted row
//! is `*` over every byte but the final newline.

use super::Table;
use crate::error::{Location, Result};
use crate::format::constants::{DELETED, ROW_END};
use crate::storage::txn::Io;

/// How much of the data file a scan reads at once: past the page cache's largest read
/// (so a scan does not push out what point operations come back to), and small enough
/// that its fresh buffer costs little to fault in. At 1 MiB that buffer took two thirds
/// of an unfiltered count of 20,000 rows; at a million rows the size does not show.
const SCAN_CHUNK: usize = 128 << 10;

impl Table {
    /// Number of slots, live or deleted. A trailing partial row is corruption.
    pub fn slot_count(&self, io: &mut Io) -> Result<u64> {
        let len = io.len(self.dat)?;
        let size = self.row_size();
        if len % size != 0 {
            let at = Location::Slot(len / size);
            return Err(self.corrupt(
                io,
                self.dat,
                at,
                format!("the file ends inside a row ({len} bytes, rows of {size})"),
            ));
        }
        Ok(len / size)
    }

    /// Reads slot `slot` into `row`; false when the slot is past the end of the file.
    pub fn read_row(&self, io: &Io, slot: u64, row: &mut [u8]) -> Result<bool> {
        let n = io.read_at(self.dat, row, slot * self.row_size())?;
        if n == 0 {
            return Ok(false);
        }
        if n < row.len() {
            return Err(self.corrupt(io, self.dat, Location::Slot(slot), "the row is cut short"));
        }
        Ok(true)
    }

    pub fn write_row(&self, io: &mut Io, slot: u64, row: &[u8]) -> Result<()> {
        io.write_at(self.dat, row, slot * self.row_size())
    }

    pub fn mark_deleted(&self, io: &mut Io, slot: u64) -> Result<()> {
        let mut row = vec![DELETED; self.layout.row_size];
        row[self.layout.row_size - 1] = ROW_END;
        self.write_row(io, slot, &row)
    }

    /// How many live rows the file holds: a scan that looks at each row's first byte
    /// and decodes nothing (an unfiltered count is bound by this loop and the reads).
    pub fn count_live(&self, io: &mut Io) -> Result<u64> {
        let size = self.layout.row_size;
        let mut chunks = self.chunks(io)?;
        let mut live = 0u64;
        while let Some((_, bytes)) = chunks.next(self, io)? {
            live += bytes.chunks_exact(size).filter(|row| !Table::is_deleted(row)).count() as u64;
        }
        Ok(live)
    }

    /// Starts a scan over every slot, a large chunk at a time.
    pub fn chunks(&self, io: &mut Io) -> Result<RowChunks> {
        let slots = self.slot_count(io)?;
        Ok(self.chunks_of(slots))
    }

    /// Starts a scan over the first `slots` slots (for `check`, which reads the whole
    /// rows of a file that ends inside one).
    pub fn chunks_of(&self, slots: u64) -> RowChunks {
        let size = self.layout.row_size;
        // No bigger than the table: the buffer is zeroed, and most tables are small.
        let rows_per_chunk =
            (SCAN_CHUNK / size).clamp(1, usize::try_from(slots).unwrap_or(usize::MAX).max(1));
        RowChunks { next_slot: 0, slots, row_size: size, buf: vec![0; rows_per_chunk * size] }
    }
}

/// Reads a table's rows in chunks; memory stays at one chunk however big the table.
pub struct RowChunks {
    next_slot: u64,
    slots: u64,
    row_size: usize,
    buf: Vec<u8>,
}

impl RowChunks {
    /// The next chunk: its first slot and its rows' bytes (whole rows only).
    pub fn next(&mut self, table: &Table, io: &Io) -> Result<Option<(u64, &[u8])>> {
        if self.next_slot >= self.slots {
            return Ok(None);
        }
        let rows = ((self.slots - self.next_slot) as usize).min(self.buf.len() / self.row_size);
        let want = rows * self.row_size;
        let n = io.read_at(table.dat, &mut self.buf[..want], self.next_slot * self.row_size as u64)?;
        if n < want {
            let at = Location::Slot(self.next_slot + (n / self.row_size) as u64);
            return Err(table.corrupt(io, table.dat, at, "the file shrank during a scan"));
        }
        let first = self.next_slot;
        self.next_slot += rows as u64;
        Ok(Some((first, &self.buf[..want])))
    }
}
