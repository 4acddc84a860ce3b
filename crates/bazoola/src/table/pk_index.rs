//! `{t}__id.idx.dat`: the entry for id k sits at byte (k − 1) × width and holds the row's
//! slot, or `#` × width for none. Past the end means none; writing past the end fills
//! the gap with `#`.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{get_int, int_fits, put_int, put_null_number};
use crate::format::constants::NULL_NUMBER;
use crate::storage::txn::Io;

impl Table {
    /// Where id `id`'s entry sits; `None` for an id no row of this table can have (not
    /// positive, or wider than the table's id slots), which no entry describes.
    fn entry_offset(&self, id: i64) -> Option<u64> {
        (id > 0 && int_fits(id, self.width())).then(|| (id as u64 - 1) * self.width() as u64)
    }

    /// The slot of row `id`, if the index has one.
    pub fn slot_of(&self, io: &mut Io, id: i64) -> Result<Option<u64>> {
        let Some(offset) = self.entry_offset(id) else { return Ok(None) };
        let mut entry = [0u8; 32];
        let entry = &mut entry[..self.width()];
        let n = io.read_at(self.idx, entry, offset)?;
        match get_int(&entry[..n]) {
            _ if n == 0 => Ok(None),
            Ok(None) => Ok(None),
            Ok(Some(slot)) if slot >= 0 => Ok(Some(slot as u64)),
            _ => Err(self.corrupt(
                io,
                self.idx,
                Location::Offset(offset),
                format!("bad index entry for id {id}"),
            )),
        }
    }

    /// How many bytes of `#` the index must grow by before it can hold id `id`'s entry.
    pub fn index_gap(&self, io: &mut Io, id: i64) -> Result<u64> {
        let Some(offset) = self.entry_offset(id) else { return Ok(0) };
        Ok(offset.saturating_sub(io.len(self.idx)?))
    }

    /// Points id `id` at `slot` (or at nothing). An entry past the end first fills the
    /// gap with `#`, a chunk at a time.
    pub fn set_slot(&self, io: &mut Io, id: i64, slot: Option<u64>) -> Result<()> {
        let offset = self.entry_offset(id).ok_or_else(|| self.full(io, self.idx, format!("id {id}")))?;
        let mut len = io.len(self.idx)?;
        let fill = [NULL_NUMBER; 64 * 1024];
        while len < offset {
            let n = (offset - len).min(fill.len() as u64) as usize;
            io.write_at(self.idx, &fill[..n], len)?;
            len += n as u64;
        }
        let mut entry = [0u8; 32];
        let entry = &mut entry[..self.width()];
        match slot {
            Some(slot) => {
                put_int(entry, slot as i64).map_err(|_| self.full(io, self.idx, format!("slot {slot}")))?
            }
            None => put_null_number(entry),
        }
        io.write_at(self.idx, entry, offset)
    }
}
