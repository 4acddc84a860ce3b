//! Transactions of the calling thread on a database, ended on every path out (an
//! error, a panic): [`Txn`] for an import's writes, rolled back unless committed;
//! [`Snapshot`] for a dump's or migration's reads, so that every table is read in one
//! state (other writers, and readers of other processes, wait until it ends).

use bazoola::Database;

use super::error::Result;

pub struct Txn<'db> {
    db: &'db Database,
    open: bool,
    /// The table each transaction inserts into on the bulk path (an import).
    bulk: Option<String>,
}

impl<'db> Txn<'db> {
    pub fn begin(db: &'db Database) -> Result<Txn<'db>> {
        db.begin()?;
        Ok(Txn { db, open: true, bulk: None })
    }

    /// A transaction for inserting many rows into `table` on the engine's bulk path
    /// ([`Database::bulk_load`]: secondary indexes kept up to date in sorted batches, FK
    /// targets read in one pass), in this transaction and those after checkpoints.
    pub fn begin_bulk(db: &'db Database, table: &str) -> Result<Txn<'db>> {
        let mut txn = Txn::begin(db)?;
        db.bulk_load(table)?;
        txn.bulk = Some(table.to_string());
        Ok(txn)
    }

    pub fn commit(&mut self) -> Result<()> {
        self.open = false;
        self.db.commit()?;
        Ok(())
    }

    /// Commits what is done and goes on in a new transaction.
    pub fn checkpoint(&mut self) -> Result<()> {
        self.commit()?;
        self.db.begin()?;
        self.open = true;
        if let Some(table) = &self.bulk {
            self.db.bulk_load(table)?;
        }
        Ok(())
    }
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.rollback();
        }
    }
}

/// A transaction that only reads. It ends by committing nothing — never by rolling
/// back, which inside a transaction the caller opened would doom that one.
pub struct Snapshot<'db> {
    db: &'db Database,
}

impl<'db> Snapshot<'db> {
    pub fn begin(db: &'db Database) -> Result<Snapshot<'db>> {
        db.begin()?;
        Ok(Snapshot { db })
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        let _ = self.db.commit();
    }
}
