//! `{t}__free.dat`: a stack of free slot numbers, one width-wide entry each. Push appends;
//! pop takes the last entry and truncates it away.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{get_int, put_int};
use crate::storage::txn::Io;

impl Table {
    /// Takes the most recently freed slot, after checking that it really is a deleted
    /// row of the data file: the stack is a plain file anyone can edit, and trusting a
    /// bad entry would overwrite a live row or grow the data file without bound.
    pub fn pop_free(&self, io: &mut Io) -> Result<Option<u64>> {
        let width = self.width() as u64;
        let len = io.len(self.free)?;
        if len == 0 {
            return Ok(None);
        }
        if len % width != 0 {
            let at = Location::Offset(len - len % width);
            return Err(self.corrupt(io, self.free, at, "the free stack ends inside an entry"));
        }
        let offset = len - width;
        let mut entry = [0u8; 32];
        let entry = &mut entry[..width as usize];
        io.read_at(self.free, entry, offset)?;
        let bad =
            |io: &Io, detail: String| Err(self.corrupt(io, self.free, Location::Offset(offset), detail));
        let slot = match get_int(entry) {
            Ok(Some(slot)) if slot >= 0 => slot as u64,
            _ => return bad(io, "bad free-slot entry".into()),
        };
        if slot >= self.slot_count(io)? {
            return bad(io, format!("free-slot entry names slot {slot}, past the end of the data file"));
        }
        let mut row = vec![0u8; self.layout.row_size];
        self.read_row(io, slot, &mut row)?;
        if !Table::is_deleted(&row) {
            return bad(io, format!("free-slot entry names slot {slot}, which holds a live row"));
        }
        io.set_len(self.free, offset)?;
        Ok(Some(slot))
    }

    pub fn push_free(&self, io: &mut Io, slot: u64) -> Result<()> {
        let len = io.len(self.free)?;
        let mut entry = [0u8; 32];
        let entry = &mut entry[..self.width()];
        put_int(entry, slot as i64).map_err(|_| self.full(io, self.free, format!("slot {slot}")))?;
        io.write_at(self.free, entry, len)
    }
}
