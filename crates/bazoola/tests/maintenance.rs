//! `check` and `vacuum`: every broken invariant is reported (one never hiding another),
//! a sequence inserts cannot build on included; the space of freed text is measured and
//! given back in one transaction; both in bounded memory.

mod common;

use bazoola::{Database, Error, Field, OpenOptions, Problem, TableSchema, Value};
use common::child::in_child;
use common::{table_a, table_f};
use rstest::rstest;

fn with_rows(dir: &std::path::Path) {
    let db = Database::open(dir, [table_a()]).unwrap();
    for text in ["foo", "bar"] {
        common::text(&db, "a", text);
    }
    db.close();
}

#[rstest]
#[case::letters("abc", "does not parse")]
#[case::negative("-5", "does not parse")]
#[case::past_i64("100000000000000000000000", "does not parse")]
#[case::no_id_left("999999999", "999999999 leaves no id for the next insert")]
fn a_sequence_inserts_cannot_build_on_is_reported(#[case] content: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    std::fs::write(dir.path().join("a__seqnum.dat"), content).unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let problems = db.check().unwrap();
    assert!(
        matches!(problems.as_slice(), [Problem::BadSequence { table, detail }] if table == "a" && detail.contains(message)),
        "{problems:?}"
    );
    assert!(db.insert("a", [("text", "x")]).is_err(), "and inserts do fail");
}

#[rstest]
#[case::zero("0        ", 0)]
#[case::negative("-3       ", -3)]
fn a_row_with_an_impossible_id_is_reported_with_everything_else(#[case] id: &str, #[case] expected: i64) {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    std::fs::write(dir.path().join("a.dat"), format!("1        foo  \n{id}bar  \n")).unwrap();
    std::fs::write(dir.path().join("a__free.dat"), "7        ").unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let problems: Vec<String> = db.check().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            format!("table 'a': the row at slot 1 has id {expected}, but ids are greater than 0"),
            "table 'a': the index points id 2 at slot 1, which does not hold it".to_string(),
            "table 'a': free slot 7 is past the end of the data file".to_string(),
        ]
    );
}

#[test]
fn one_unreadable_file_does_not_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    // The data file ends inside a row; the free stack inside an entry; the index has
    // an entry that is not a number.
    std::fs::write(dir.path().join("a.dat"), "1        foo  \n2        bar  \n3   ").unwrap();
    std::fs::write(dir.path().join("a__free.dat"), "0        1").unwrap();
    std::fs::write(dir.path().join("a__id.idx.dat"), "0        zz       ").unwrap();
    std::fs::write(dir.path().join("a__seqnum.dat"), "x").unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let problems: Vec<String> = db.check().unwrap().iter().map(ToString::to_string).collect();
    let seq = dir.path().join("a__seqnum.dat").display().to_string();
    assert_eq!(
        problems,
        [
            "table 'a': the data file ends inside a row (34 bytes, rows of 15); the whole rows are checked".to_string(),
            "table 'a': the PK index entry for id 2 (byte 9) is not a slot number".to_string(),
            "table 'a': row id 2 at slot 1 is not in the index (index says None)".to_string(),
            "table 'a': free slot 0 holds a live row".to_string(),
            "table 'a': the free stack entry at byte 9 is not a slot number".to_string(),
            format!("table 'a': the sequence does not parse: Inconsistent data in {seq} at the whole file: the sequence is not a number"),
        ]
    );
}

/// A table whose TEXT values were rewritten many times.
fn churned(dir: &std::path::Path, options: OpenOptions) -> (Database, Vec<Vec<(String, Value)>>) {
    let schema =
        TableSchema::new("notes").field(Field::char("title", 8)).field(Field::text("body").nullable());
    let db = options.open(dir, [schema]).unwrap();
    for i in 0..50 {
        db.insert("notes", [("title", Value::from(format!("n{i}"))), ("body", format!("body {i}").into())])
            .unwrap();
    }
    for round in 0..40 {
        for id in (1..=50).filter(|id| id % 3 != 0) {
            let body: Value = if id % 7 == 0 {
                Value::Null
            } else {
                format!("{round}: {}", "x".repeat(id as usize)).into()
            };
            db.update_by_id("notes", id, [("body", body)]).unwrap();
        }
    }
    db.delete_by_id("notes", 5).unwrap();
    let rows = db
        .find_all("notes", &[])
        .unwrap()
        .into_iter()
        .map(|r| r.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
        .collect();
    (db, rows)
}

#[rstest]
#[case::in_memory(bazoola::DEFAULT_TXN_MEMORY)]
#[case::spilling(2048)]
fn vacuum_gives_back_freed_text_and_keeps_every_value(#[case] memory: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (db, rows) = churned(dir.path(), OpenOptions::new().txn_memory(memory));
    let heap = dir.path().join("notes.text.dat");
    let before = std::fs::metadata(&heap).unwrap().len();
    let report = db.check_report().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let [reclaimable] = report.reclaimable.as_slice() else { panic!("{:?}", report.reclaimable) };
    assert_eq!((reclaimable.table.as_str(), reclaimable.path.as_path()), ("notes", heap.as_path()));

    let reclaimed = db.vacuum(None).unwrap();
    assert_eq!(reclaimed, reclaimable.bytes, "vacuum gives back what check measured");
    assert_eq!(std::fs::metadata(&heap).unwrap().len(), before - reclaimed);
    let after: Vec<Vec<(String, Value)>> = db
        .find_all("notes", &[])
        .unwrap()
        .into_iter()
        .map(|r| r.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
        .collect();
    assert_eq!(after, rows);
    assert_eq!(db.check_report().unwrap(), Default::default(), "healthy, nothing left to reclaim");
    assert_eq!(db.vacuum(Some("notes")).unwrap(), 0, "a compact heap is left alone");
    // Records sit in row order, packed: the heap is readable front to back.
    let text = std::fs::read_to_string(&heap).unwrap();
    assert!(!text.contains('#'), "no freed record is left");
    assert!(text.starts_with("5        39: x6        39: xx6        body 2"), "{}", &text[..40]);
    assert!(std::fs::metadata(dir.path().join(".journal")).unwrap().len() <= 1 << 20);
    db.update_by_id("notes", 1, [("body", "after vacuum")]).unwrap();
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn vacuum_of_a_table_without_text_or_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    assert_eq!(db.vacuum(Some("a")).unwrap(), 0);
    assert_eq!(db.vacuum(None).unwrap(), 0);
    assert!(matches!(db.vacuum(Some("nope")), Err(Error::Validation(_))));
}

#[test]
fn vacuum_refuses_a_corrupt_text_reference_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    for body in ["one", "two", "three"] {
        db.insert("f", [("body", body)]).unwrap();
    }
    db.update_by_id("f", 1, [("body", "uno")]).unwrap();
    db.close();
    std::fs::write(dir.path().join("f.dat"), "1        36       \n2        12       \n3        5        \n")
        .unwrap();
    let before = common::snapshot(dir.path());
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    let err = db.vacuum(None).unwrap_err();
    assert!(err.to_string().contains("no live text record here"), "{err}");
    let mut after = common::snapshot(dir.path());
    after.retain(|(n, _)| n != ".journal");
    let mut before = before;
    before.retain(|(n, _)| n != ".journal");
    assert_eq!(after, before);
}

/// The peak resident memory of this process, in bytes.
fn peak_rss() -> u64 {
    // SAFETY: getrusage fills the struct we pass; all-zero is a valid initial value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn check_and_vacuum_of_a_big_heap_take_little_memory() {
    in_child("check_and_vacuum_of_a_big_heap_take_little_memory", || {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = Database::open(dir.path(), [table_f()]).unwrap();
            let chunk = "t".repeat(1 << 20);
            db.transaction(|db| {
                for _ in 0..96 {
                    db.insert("f", [("body", chunk.as_str())])?;
                }
                Ok(())
            })
            .unwrap();
            // Free half of it.
            db.transaction(|db| {
                (1..=48).try_for_each(|id| db.update_by_id("f", id, [("body", "short")]).map(|_| ()))
            })
            .unwrap();
        }
        let before = peak_rss();
        let db = Database::open(dir.path(), [table_f()]).unwrap();
        let report = db.check_report().unwrap();
        assert!(report.problems.is_empty());
        assert_eq!(report.reclaimable[0].bytes, 48 * ((1 << 20) + 9));
        let reclaimed = db.vacuum(None).unwrap();
        assert_eq!(reclaimed, 48 * ((1 << 20) + 9));
        let grew = peak_rss().saturating_sub(before);
        assert!(grew < 48 << 20, "check and vacuum of a 96 MiB heap grew the peak by {} MiB", grew >> 20);
        assert!(db.check().unwrap().is_empty());
        assert_eq!(std::fs::metadata(dir.path().join(".journal")).unwrap().len(), 32, "cut back");
    });
}
