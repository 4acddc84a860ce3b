//! `{t}.text.dat`: TEXT values as records of a width-wide length header and that many
//! bytes. A row holds its record's byte offset. Freeing a record overwrites header and
//! body with `#`, which keeps the heap readable and lets `check` see what is live.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{get_int, int_fits, put_int};
use crate::format::constants::NULL_NUMBER;
use crate::storage::pager::FileId;
use crate::storage::txn::Io;

impl Table {
    fn text_file(&self, io: &Io) -> Result<FileId> {
        self.text.ok_or_else(|| self.corrupt(io, self.dat, Location::Whole, "the table has no text heap"))
    }

    /// The length of the record at `offset`, checked to lie inside the heap.
    pub fn text_len(&self, io: &mut Io, offset: u64) -> Result<u64> {
        let file = self.text_file(io)?;
        let width = self.width();
        let mut header = [0u8; 32];
        let header = &mut header[..width];
        let heap_len = io.len(file)?;
        let n = io.read_at(file, header, offset)?;
        match get_int(&header[..n]) {
            Ok(Some(len)) if n == width && len >= 0 && offset + (width as u64) + len as u64 <= heap_len => {
                Ok(len as u64)
            }
            _ => Err(self.corrupt(io, file, Location::Offset(offset), "no live text record here")),
        }
    }

    pub fn read_text(&self, io: &mut Io, offset: u64) -> Result<String> {
        let len = self.text_len(io, offset)?;
        let file = self.text_file(io)?;
        let mut body = vec![0u8; len as usize];
        io.read_at(file, &mut body, offset + self.width() as u64)?;
        String::from_utf8(body)
            .map_err(|_| self.corrupt(io, file, Location::Offset(offset), "the text is not valid UTF-8"))
    }

    /// Appends a record; returns its offset. Both the record's length and its offset
    /// (which the row holds) must fit the table's width-wide slots.
    pub fn append_text(&self, io: &mut Io, text: &str) -> Result<u64> {
        let file = self.text_file(io)?;
        let offset = io.len(file)?;
        let width = self.width();
        if !int_fits(i64::try_from(offset).unwrap_or(i64::MAX), width) {
            return Err(self.full(io, file, format!("text offset {offset}")));
        }
        let mut record = vec![0u8; width + text.len()];
        put_int(&mut record[..width], text.len() as i64)
            .map_err(|_| self.full(io, file, format!("a text of {} bytes", text.len())))?;
        record[width..].copy_from_slice(text.as_bytes());
        io.write_at(file, &record, offset)?;
        Ok(offset)
    }

    pub fn free_text(&self, io: &mut Io, offset: u64) -> Result<()> {
        let len = self.text_len(io, offset)?;
        let file = self.text_file(io)?;
        io.write_at(file, &vec![NULL_NUMBER; self.width() + len as usize], offset)
    }
}

impl Table {
    /// The whole heap, for `check`.
    pub fn read_heap(&self, io: &mut Io) -> Result<Vec<u8>> {
        let file = self.text_file(io)?;
        let len = io.len(file)?;
        let mut heap = vec![0u8; len as usize];
        let n = io.read_at(file, &mut heap, 0)?;
        heap.truncate(n);
        Ok(heap)
    }
}
