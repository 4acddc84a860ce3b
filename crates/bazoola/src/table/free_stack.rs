//! `{t}__free.dat`: a stack of free slot numbers, one width-wide entry each. Push appends;
//! pop takes the last entry and truncates it away.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{get_int, put_int};
use crate::storage::pager::Io;

impl Table {
    pub fn pop_free(&self, io: &mut Io) -> Result<Option<u64>> {
        let width = self.width() as u64;
        let len = io.len(self.free)?;
        if len < width {
            return Ok(None);
        }
        let offset = len - width;
        let mut entry = [0u8; 32];
        let entry = &mut entry[..width as usize];
        io.read_at(self.free, entry, offset)?;
        match get_int(entry) {
            Ok(Some(slot)) if slot >= 0 => {
                io.set_len(self.free, offset)?;
                Ok(Some(slot as u64))
            }
            _ => Err(self.corrupt(io, self.free, Location::Offset(offset), "bad free-slot entry")),
        }
    }

    pub fn push_free(&self, io: &mut Io, slot: u64) -> Result<()> {
        let len = io.len(self.free)?;
        let mut entry = [0u8; 32];
        let entry = &mut entry[..self.width()];
        put_int(entry, slot as i64);
        io.write_at(self.free, entry, len)
    }

    /// The whole stack, bottom first, for `check`.
    pub fn free_slots(&self, io: &mut Io) -> Result<Vec<u64>> {
        let len = io.len(self.free)?;
        let mut bytes = vec![0u8; len as usize];
        let n = io.read_at(self.free, &mut bytes, 0)?;
        let width = self.width();
        bytes[..n]
            .chunks(width)
            .enumerate()
            .map(|(i, entry)| match get_int(entry) {
                Ok(Some(slot)) if slot >= 0 && entry.len() == width => Ok(slot as u64),
                _ => Err(self.corrupt(
                    io,
                    self.free,
                    Location::Offset((i * width) as u64),
                    "bad free-slot entry",
                )),
            })
            .collect()
    }
}
