//! The open state of a database, and how an operation gets to run: under which lock,
//! and inside which transaction.
//!
//! - A read takes the shared lock. If a crashed writer left a hot journal, it steps aside,
//!   takes the exclusive lock, rolls the journal back, and starts again.
//! - A write takes the exclusive lock, rolls back any hot journal, runs in a fresh
//!   transaction and commits it — unless the calling thread already has a transaction
//!   open (`begin`), in which case it joins that one.
//!
//! Each time this handle takes the lock afresh, its pager *looks* for changes other
//! processes (or a person) made since it last held it, and forgets what it kept of the
//! files they touched (see [`Pager::look`]); so changes are always seen, and the pages,
//! lengths and journal state of untouched files need no system call to be trusted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, Result, ValidationError};
use crate::format::schema::OnDelete;
use crate::storage::lock::DbLock;
use crate::storage::pager::Pager;
use crate::storage::txn::{Io, Txn};
use crate::table::Table;
use crate::value::Columns;

/// Which rows refer to a table: (referring table, its FK field, the FK's delete rule).
pub type Referrer = (usize, usize, OnDelete);

pub struct Engine {
    pub dir: PathBuf,
    pub pager: Pager,
    pub tables: Vec<Table>,
    pub by_name: HashMap<String, usize>,
    /// For each table, the FKs pointing at it.
    pub referrers: Vec<Vec<Referrer>>,
    pub lock: DbLock,
    /// The transaction opened by `begin`, owned by the thread holding the write lock.
    pub open_txn: Mutex<Option<Txn>>,
    /// Whether long operations draw a progress bar on a terminal.
    pub progress: bool,
    /// Set once a schema change made through this engine committed: its tables no
    /// longer describe the files, and every operation stops with
    /// [`Error::SchemaChanged`] until the handle has opened the directory again.
    pub retired: AtomicBool,
    /// Column lists of joined rows: (a list, a join key, the list with the key added).
    pub joined_columns: Mutex<Vec<(Columns, Box<str>, Columns)>>,
}

impl Engine {
    pub fn table(&self, name: &str) -> Result<usize, ValidationError> {
        // A few tables are found faster by comparing names than by hashing one.
        let found = if self.tables.len() <= 8 {
            self.tables.iter().position(|t| t.name() == name)
        } else {
            self.by_name.get(name).copied()
        };
        found.ok_or_else(|| ValidationError::UnknownTable { table: name.into() })
    }

    fn open_txn(&self) -> MutexGuard<'_, Option<Txn>> {
        self.open_txn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops an operation that took the lock of a retired engine, or of one whose schema
    /// files were replaced ([`Pager::revalidate`](crate::storage::pager::Pager::revalidate)).
    pub fn check_current(&self) -> Result<()> {
        if self.retired.load(Ordering::SeqCst) {
            return Err(Error::SchemaChanged {
                dir: self.dir.clone(),
                file: "(changed through this handle)".into(),
            });
        }
        Ok(())
    }

    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::SeqCst)
    }

    /// Marks the engine out of date: a schema change through it committed.
    pub fn retire(&self) {
        self.retired.store(true, Ordering::SeqCst);
    }

    /// What a writer does once it holds the exclusive lock, before anything else: stop
    /// if the engine is out of date, re-open replaced files, roll back a hot journal.
    pub fn prepare_exclusive(&self) -> Result<()> {
        self.check_current()?;
        self.look()?;
        self.pager.recover()?;
        Ok(())
    }

    /// Catches up with changes made since this handle last held the lock, re-opening
    /// replaced files; a replaced schema retires the engine.
    fn look(&self) -> Result<()> {
        let outcome = self.pager.look();
        if let Err(Error::SchemaChanged { .. }) = &outcome {
            self.retired.store(true, Ordering::SeqCst);
        }
        outcome
    }

    /// Runs a read-only operation. `f` may run again (after a crashed writer's journal
    /// is rolled back, or a stale index rebuilt); both are found before it produces
    /// anything: a plan checks every index it will use before it reads a row.
    pub fn read<R>(&self, mut f: impl FnMut(&mut Io) -> Result<R>) -> Result<R> {
        let mut rebuilt: Vec<String> = Vec::new();
        loop {
            let guard = self.lock.read(|| self.look())?;
            if self.lock.held_by_me() {
                // This thread is inside its own transaction: read through it (shared,
                // so that a callback of this read may write in the same transaction).
                let in_txn = self.open_txn().is_some();
                return if in_txn {
                    f(&mut Io::shared(&self.pager, &self.open_txn))
                } else {
                    f(&mut Io::reader(&self.pager))
                };
            }
            self.check_current()?;
            if self.pager.journal_is_hot()? {
                drop(guard);
                let _exclusive = self.lock.write()?;
                self.pager.recover()?;
                continue;
            }
            match f(&mut Io::reader(&self.pager)) {
                Err(Error::StaleIndex { table, .. }) if !rebuilt.contains(&table) => {
                    // Rebuild the table's stale indexes under the write lock, then read
                    // again from the start (once per table: a second miss is a bug).
                    drop(guard);
                    let t = self.table(&table)?;
                    self.write(|io| {
                        for index in &self.tables[t].indexes {
                            self.fresh_index(io, t, index)?;
                        }
                        Ok(())
                    })?;
                    rebuilt.push(table);
                    continue;
                }
                outcome => return outcome,
            }
        }
    }

    /// Runs a writing operation atomically.
    pub fn write<R>(&self, f: impl FnOnce(&mut Io) -> Result<R>) -> Result<R> {
        let guard = self.lock.write()?;
        if !guard.outermost {
            // Joins this thread's open transaction; the slot is not held while `f` runs,
            // since `f` may call back into code that writes too.
            let writes_before = match self.open_txn().as_ref() {
                None => return f(&mut Io::reader(&self.pager)),
                Some(txn) if txn.aborted => return Err(Error::TransactionAborted),
                Some(txn) => txn.writes,
            };
            let result = f(&mut Io::shared(&self.pager, &self.open_txn));
            if result.is_err() {
                if let Some(txn) = self.open_txn().as_mut() {
                    if txn.writes != writes_before {
                        // The operation failed half-way; the transaction cannot be trusted now.
                        txn.aborted = true;
                    }
                }
            }
            return result;
        }
        self.prepare_exclusive()?;
        let mut txn = Txn::default();
        match f(&mut Io::writer(&self.pager, &mut txn)) {
            Ok(value) => {
                self.pager.commit(txn)?;
                Ok(value)
            }
            Err(e) => {
                self.pager.discard(txn)?;
                Err(e)
            }
        }
    }

    /// Builds the indexes of tables `tables` that are missing or stale (after a schema
    /// change: new indexes, and indexes whose keys changed size), each with a progress
    /// bar on a terminal.
    pub fn build_indexes(&self, tables: &[usize]) -> Result<()> {
        self.write(|io| {
            for &t in tables {
                for index in &self.tables[t].indexes {
                    self.fresh_index(io, t, index)?;
                }
            }
            Ok(())
        })
    }

    /// Opens a transaction for the calling thread (nested calls join the outer one).
    pub fn begin(&self) -> Result<()> {
        let guard = self.lock.write()?;
        if guard.outermost {
            self.prepare_exclusive()?;
            *self.open_txn() = Some(Txn::default());
        }
        // The lock stays held until `end` releases it.
        std::mem::forget(guard);
        Ok(())
    }

    /// Closes the calling thread's transaction level: the outermost one commits (or, with
    /// `commit == false` or after a failed operation, rolls back).
    pub fn end(&self, commit: bool) -> Result<()> {
        if !self.lock.held_by_me() {
            return Err(Error::NoTransaction);
        }
        let outermost = self.lock.write_depth() == 1;
        let result = if outermost {
            let txn = self.open_txn().take();
            match txn {
                Some(mut txn) if commit => {
                    // Index entries a bulk import held back go in before anything commits.
                    let settled = if txn.aborted {
                        Ok(())
                    } else {
                        self.settle_deferred(&mut Io::writer(&self.pager, &mut txn))
                    };
                    match settled {
                        Ok(()) => self.pager.commit(txn),
                        Err(e) => self.pager.discard(txn).and(Err(e)),
                    }
                }
                Some(txn) => self.pager.discard(txn),
                None => Ok(()),
            }
        } else {
            if !commit {
                if let Some(txn) = self.open_txn().as_mut() {
                    txn.aborted = true;
                }
            }
            Ok(())
        };
        self.lock.release_write();
        result
    }
}
