//! Failures below the database, through its I/O trait: every write, sync and truncate of
//! a transaction is made to fail in turn (once, or from then on, as a dead disk does),
//! and power is cut at every mutation of a run of `full`-mode commits.

mod common;

use std::path::Path;
use std::sync::Arc;

use bazoola::{Database, OpenOptions, SyncMode};
use common::faulty::{Disk, FaultVfs, PowerCutVfs, Trigger};
use common::workload::{run_txn, schemas, small_index_pages, state};
use rstest::rstest;

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

/// A directory holding the state after transactions `0..n`, its indexes in small pages.
fn base(n: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let db = small_index_pages().open(dir.path(), schemas()).unwrap();
    for i in 0..n {
        run_txn(&db, i).unwrap();
    }
    db.close();
    dir
}

type Txn = fn(&Database) -> bazoola::Result<()>;

/// Two workload transactions as one (the inner ones join the outer).
fn mixed(db: &Database) -> bazoola::Result<()> {
    db.transaction(|db| {
        run_txn(db, 1000)?;
        run_txn(db, 1001)
    })
}

fn truncate_all(db: &Database) -> bazoola::Result<()> {
    db.truncate("items", true)
}

fn vacuum(db: &Database) -> bazoola::Result<()> {
    assert!(db.vacuum(None)? > 0, "the workload frees text records");
    Ok(())
}

/// How many mutations `txn` makes in `mode` on a copy of `base`, and the state after it.
fn dry_run(base: &Path, options: OpenOptions, txn: Txn) -> (usize, Vec<Vec<bazoola::Row>>) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(base, dir.path());
    let trigger = Arc::new(Trigger::default());
    let vfs = Arc::new(FaultVfs { trigger: trigger.clone() });
    let db = options.vfs(vfs).open(dir.path(), schemas()).unwrap();
    trigger.arm(0, false);
    txn(&db).unwrap();
    (trigger.count(), state(&db))
}

/// How much a transaction holds in memory: the default (nothing spills here), or so
/// little that it spills its pages every few writes (a journal of many segments).
const TXN_MEMORY: [usize; 2] = [bazoola::DEFAULT_TXN_MEMORY, 1024];

/// Every mutation of a transaction fails in turn; the transaction is then rolled back,
/// files byte for byte. The one exception is the retirement of the journal (its write,
/// and its sync in `full`): it is the commit point, every data byte is written by then,
/// and when the disk refuses everything after it (`sticky`) nothing can be undone — the
/// files then hold the committed transaction, just as consistent.
#[rstest]
fn every_failed_write_sync_or_truncate_rolls_back(
    #[values(SyncMode::Normal, SyncMode::Full)] mode: SyncMode,
    #[values(false, true)] sticky: bool,
    #[values(mixed as Txn, truncate_all as Txn, vacuum as Txn)] txn: Txn,
    #[values(0, 1)] memory: usize,
) {
    let options = small_index_pages().sync(mode).txn_memory(TXN_MEMORY[memory]);
    let base = base(25);
    let expected = state(&Database::open(base.path(), schemas()).unwrap());
    let before = common::snapshot(base.path());
    let (mutations, committed) = dry_run(base.path(), options.clone(), txn);
    let retirement = mutations - if mode == SyncMode::Full { 1 } else { 0 };
    let mut failures = 0;
    for k in 1.. {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let trigger = Arc::new(Trigger::default());
        let vfs = Arc::new(FaultVfs { trigger: trigger.clone() });
        let db = options.clone().vfs(vfs).open(dir.path(), schemas()).unwrap();
        trigger.arm(k, sticky);
        let result = txn(&db);
        trigger.disarm();
        db.close();
        if result.is_ok() {
            assert!(k > trigger.count(), "k={k}: the failed write went unnoticed");
            break;
        }
        failures += 1;
        let db = Database::open(dir.path(), schemas()).unwrap();
        assert_eq!(db.check().unwrap(), vec![], "k={k}");
        if sticky && k >= retirement && state(&db) == committed {
            continue;
        }
        assert!(state(&db) == expected, "k={k}: not the pre-transaction state");
        db.close();
        let mut after = common::snapshot(dir.path());
        let mut before = before.clone();
        // The journal file exists now (zeroed); every table file is byte-identical.
        after.retain(|(name, _)| name != ".journal");
        before.retain(|(name, _)| name != ".journal");
        if after != before {
            let differing: Vec<String> = after
                .iter()
                .zip(&before)
                .filter(|(a, b)| a != b)
                .map(|(a, b)| {
                    let at = a.1.iter().zip(&b.1).position(|(x, y)| x != y);
                    format!("{} ({} vs {} bytes, first difference at {at:?})", a.0, a.1.len(), b.1.len())
                })
                .collect();
            panic!("k={k}: files differ: {differing:?}");
        }
    }
    assert!(failures >= 4, "only {failures} mutations were tried");
}

#[rstest]
fn power_cut_at_every_mutation_leaves_a_committed_state(#[values(0, 1)] memory: usize) {
    let base = base(10);
    for k in 1.. {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let trigger = Arc::new(Trigger::default());
        let disk = Arc::new(Disk::default());
        let vfs = Arc::new(PowerCutVfs { trigger: trigger.clone(), disk });
        let db = small_index_pages()
            .sync(SyncMode::Full)
            .txn_memory(TXN_MEMORY[memory])
            .vfs(vfs)
            .open(dir.path(), schemas())
            .unwrap();
        trigger.arm(k, false);
        let mut committed = 10;
        let mut cut = false;
        for n in 10..16 {
            if run_txn(&db, n).is_err() {
                cut = true;
                break;
            }
            committed = n + 1;
        }
        db.close();
        if !cut {
            break;
        }
        let reference_dir = base_copy(&base);
        let reference = Database::open(reference_dir.path(), schemas()).unwrap();
        for n in 10..committed {
            run_txn(&reference, n).unwrap();
        }
        let db = OpenOptions::new().sync(SyncMode::Full).open(dir.path(), schemas()).unwrap();
        assert_eq!(db.check().unwrap(), vec![], "cut at mutation {k}");
        let actual = state(&db);
        if actual != state(&reference) {
            run_txn(&reference, committed).unwrap();
            assert!(actual == state(&reference), "cut at mutation {k}: not a committed state");
        }
    }
}

fn base_copy(base: &tempfile::TempDir) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(base.path(), dir.path());
    dir
}

#[test]
fn a_hot_journal_is_rolled_back_by_the_next_reader() {
    let base = base(5);
    let expected = state(&Database::open(base.path(), schemas()).unwrap());
    // Fail the retirement of the journal once, and the undo after it: the data is
    // written, the journal hot.
    let (mutations, _) = dry_run(base.path(), OpenOptions::new(), truncate_all);
    let trigger = Arc::new(Trigger::default());
    let db = OpenOptions::new()
        .vfs(Arc::new(FaultVfs { trigger: trigger.clone() }))
        .open(base.path(), schemas())
        .unwrap();
    trigger.arm(mutations, true);
    assert!(db.truncate("items", true).is_err());
    trigger.disarm();
    let journal = std::fs::read(base.path().join(".journal")).unwrap();
    assert_eq!(&journal[..8], b"BZJRNL01", "the journal was left hot");
    let reader = Database::open(base.path(), schemas()).unwrap();
    assert_eq!(state(&reader), expected);
    assert_eq!(reader.check().unwrap(), vec![]);
}
