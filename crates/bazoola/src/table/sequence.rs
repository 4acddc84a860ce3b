//! `{t}__seqnum.dat`: the last auto-assigned id as bare decimal text.

use super::Table;
use crate::error::{Location, Result};
use crate::format::codec::{int_text, parse_int};
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
        let mut digits = [0u8; 20];
        io.replace(self.seq, int_text(seq, &mut digits))
    }
}
