//! [`Database::bulk_load`]: the bulk path of inserts, for an import of many rows into
//! one table in one transaction.
//!
//! Row by row, an insert's cost is dominated by two things that do not depend on the
//! row: keeping each secondary index in step (a descent to a random leaf and a rewrite of
//! it per row, [`super::deferred`]) and finding each FK target (two reads at a random
//! place of the referenced table, [`super::targets`]). The bulk path does both in
//! batches, in sorted order. Everything else an insert does is unchanged — the same code
//! validates every value, id, FK and unique field and writes the row — so a bulk import
//! accepts, refuses and reports exactly the rows a plain one does, and the files at
//! commit hold the same rows and index entries (the data, PK index, sequence and free
//! files byte for byte; a secondary index as the same entries, possibly on other pages).

use super::database::Database;
use crate::error::{Error, Result};

impl Database {
    /// For the rest of the calling thread's transaction, inserts into `table` take the
    /// bulk path: its non-unique secondary indexes are brought up to date in sorted
    /// batches (always before anything reads them, and before the commit), and once it
    /// has looked up enough FK targets, a referenced table is read once in order rather
    /// than row by row. What makes an import of a million rows with random FK values
    /// fast. Needs an open transaction ([`Error::NoTransaction`] without one); a
    /// rollback drops whatever is held back.
    pub fn bulk_load(&self, table: &str) -> Result<()> {
        self.run(|e| {
            let t = e.table(table)?;
            if !e.lock.held_by_me() {
                return Err(Error::NoTransaction);
            }
            e.write(|io| {
                e.defer_indexes(io, t)?;
                e.bulk_targets(io, t)
            })
        })
    }
}
