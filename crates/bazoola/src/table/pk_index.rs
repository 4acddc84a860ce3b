//! `{t}__id.idx.dat`: the entry for id k sits at byte (k − 1) × width and holds the row's
//! slot, or `#` × width for none. Past the end means none; writing past the end fills
//! the gap with `#`.

use std::ops::ControlFlow;

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

    /// The slots of rows `ids`, reading the index in spans: ascending ids close together
    /// (within 8 KiB of entries) cost one read, not one each; any other order is still
    /// answered, a read per break in the ascent.
    pub fn slots_of(&self, io: &mut Io, ids: &[i64]) -> Result<Vec<Option<u64>>> {
        const SPAN: u64 = 8192;
        let width = self.width() as u64;
        let mut out = Vec::with_capacity(ids.len());
        let mut buf = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            let Some(first) = self.entry_offset(ids[i]) else {
                out.push(None);
                i += 1;
                continue;
            };
            // The ids this span covers.
            let mut j = i + 1;
            while j < ids.len()
                && self.entry_offset(ids[j]).is_some_and(|o| o >= first && o + width - first <= SPAN)
            {
                j += 1;
            }
            let last = self.entry_offset(ids[j - 1]).unwrap_or(first);
            buf.resize((last + width - first) as usize, 0);
            let n = io.read_at(self.idx, &mut buf, first)?;
            for &id in &ids[i..j] {
                let at = (self.entry_offset(id).unwrap_or(first) - first) as usize;
                let entry = buf.get(at..(at + width as usize).min(n)).unwrap_or_default();
                out.push(match get_int(entry) {
                    _ if entry.is_empty() => None,
                    Ok(None) => None,
                    Ok(Some(slot)) if slot >= 0 && entry.len() == width as usize => Some(slot as u64),
                    _ => {
                        let offset = Location::Offset(first + at as u64);
                        return Err(self.corrupt(
                            io,
                            self.idx,
                            offset,
                            format!("bad index entry for id {id}"),
                        ));
                    }
                });
            }
            i = j;
        }
        Ok(out)
    }

    /// Calls `visit` with each id the index holds and its slot, in id order (descending
    /// when asked), until it says to stop; the index is read 8 KiB at a time.
    pub fn walk_ids(
        &self,
        io: &mut Io,
        descending: bool,
        mut visit: impl FnMut(&mut Io, i64, u64) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let width = self.width() as u64;
        let entries = io.len(self.idx)? / width;
        let per_read = (8192 / width).max(1);
        let mut buf = vec![0u8; (per_read * width) as usize];
        let mut done = 0;
        while done < entries {
            let n = per_read.min(entries - done);
            // The entries of this read: ids first..first + n (1-based).
            let first = if descending { entries - done - n } else { done };
            let bytes = &mut buf[..(n * width) as usize];
            let got = io.read_at(self.idx, bytes, first * width)?;
            for k in 0..n {
                let i = if descending { n - 1 - k } else { k };
                let at = (i * width) as usize;
                let Some(entry) = bytes.get(at..at + width as usize).filter(|_| at + (width as usize) <= got)
                else {
                    continue;
                };
                let id = (first + i + 1) as i64;
                match get_int(entry) {
                    Ok(None) => {}
                    Ok(Some(slot)) if slot >= 0 => {
                        if visit(io, id, slot as u64)?.is_break() {
                            return Ok(());
                        }
                    }
                    _ => {
                        let offset = Location::Offset((first + i) * width);
                        return Err(self.corrupt(
                            io,
                            self.idx,
                            offset,
                            format!("bad index entry for id {id}"),
                        ));
                    }
                }
            }
            done += n;
        }
        Ok(())
    }

    /// Points id `id` at `slot` (or at nothing). An entry past the end first fills the
    /// gap with `#`, a chunk at a time.
    pub fn set_slot(&self, io: &mut Io, id: i64, slot: Option<u64>) -> Result<()> {
        let offset = self.entry_offset(id).ok_or_else(|| self.full(io, self.idx, format!("id {id}")))?;
        let mut len = io.len(self.idx)?;
        // A static, not a local: filling 64 KiB on every call was two thirds of an
        // insert's instructions, though a gap to fill is rare.
        static FILL: [u8; 64 * 1024] = [NULL_NUMBER; 64 * 1024];
        while len < offset {
            let n = (offset - len).min(FILL.len() as u64) as usize;
            io.write_at(self.idx, &FILL[..n], len)?;
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
