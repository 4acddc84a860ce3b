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

/// What a walk of the heap finds, front to back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeapItem {
    /// A record: its offset and body length.
    Record { offset: u64, len: u64 },
    /// A run of freed bytes (`#`).
    Freed { offset: u64, len: u64 },
    /// Bytes that are neither: the walk stops here.
    Garbage { offset: u64 },
}

/// How much of the heap a walk reads at once.
const WALK_CHUNK: usize = 1 << 20;

impl Table {
    /// Walks the heap record by record, reading a chunk at a time and skipping over
    /// record bodies, so memory stays small however large the heap or its records.
    pub fn walk_heap(&self, io: &mut Io, visit: &mut dyn FnMut(HeapItem)) -> Result<()> {
        let file = self.text_file(io)?;
        let width = self.width();
        let len = io.len(file)?;
        let mut buf = vec![0u8; WALK_CHUNK];
        // `buf[..filled]` holds the heap from `base`.
        let (mut base, mut filled) = (0u64, 0usize);
        let mut pos = 0u64;
        while pos < len {
            if pos < base || pos + width as u64 > base + filled as u64 && base + (filled as u64) < len {
                base = pos;
                filled = io.read_at(file, &mut buf, base)?;
                if filled == 0 {
                    break;
                }
            }
            let at = (pos - base) as usize;
            if buf[at] == NULL_NUMBER {
                let run = buf[at..filled].iter().take_while(|&&b| b == NULL_NUMBER).count();
                let mut end = pos + run as u64;
                // A freed run may go on past the chunk: look further.
                while end == base + filled as u64 && end < len {
                    base = end;
                    filled = io.read_at(file, &mut buf, base)?;
                    let more = buf[..filled].iter().take_while(|&&b| b == NULL_NUMBER).count();
                    end += more as u64;
                    if more < filled || filled == 0 {
                        break;
                    }
                }
                visit(HeapItem::Freed { offset: pos, len: end - pos });
                pos = end;
                continue;
            }
            let header = &buf[at..(at + width).min(filled)];
            match get_int(header) {
                Ok(Some(body))
                    if header.len() == width && body >= 0 && pos + (width as u64) + body as u64 <= len =>
                {
                    visit(HeapItem::Record { offset: pos, len: body as u64 });
                    pos += width as u64 + body as u64;
                }
                _ => {
                    visit(HeapItem::Garbage { offset: pos });
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
