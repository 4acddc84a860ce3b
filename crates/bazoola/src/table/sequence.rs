//! `{t}__seqnum.dat`: the last auto-assigned id as bare decimal text.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::parse_int;
use crate::storage::txn::Io;

impl Table {
    pub fn seq(&self, io: &mut Io) -> Result<i64> {
        let mut text = [0u8; 32];
        let n = io.read_at(self.seq, &mut text, 0)?;
        if text[..n].trim_ascii().is_empty() {
            return Ok(0);
        }
        match parse_int(&text[..n]) {
            Ok(seq) if seq >= 0 => Ok(seq),
            _ => Err(self.corrupt(io, self.seq, Location::Whole, "the sequence is not a number")),
        }
    }

    pub fn set_seq(&self, io: &mut Io, seq: i64) -> Result<()> {
        use std::io::Write;
        let mut text = [0u8; 24];
        let mut cursor = &mut text[..];
        // An i64 has at most 20 characters: the buffer cannot run out.
        let _ = write!(cursor, "{seq}");
        let len = 24 - cursor.len();
        io.write_at(self.seq, &text[..len], 0)?;
        io.set_len(self.seq, len as u64)
    }
}
