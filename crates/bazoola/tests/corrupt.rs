//! Corrupt and hand-edited files: a clear `CorruptData` naming file and slot, never a
//! panic, and hand edits that keep the format read back as written.

mod common;

use bazoola::{Database, Error, Value};
use common::{table_a, table_f};
use rstest::rstest;

fn with_rows(dir: &std::path::Path) {
    let db = Database::open(dir, [table_a()]).unwrap();
    common::text(&db, "a", "foo");
    common::text(&db, "a", "bar");
    db.close();
}

#[rstest]
#[case::truncated_row("a.dat", "1        foo  \n2        ba", "a.dat at slot 1: the file ends inside a row")]
#[case::bad_digits(
    "a.dat",
    "1        foo  \n2x       bar  \n",
    "a.dat at slot 1: field 'id' is not a number"
)]
#[case::null_in_non_null(
    "a.dat",
    "1        foo  \n2        \0\0\0\0\0\n",
    "a.dat at slot 1: field 'text' is null but may not be"
)]
#[case::null_id("a.dat", "1        foo  \n#########bar  \n", "a.dat at slot 1: field 'id' is null")]
#[case::missing_newline(
    "a.dat",
    "1        foo  \n2        bar  x",
    "a.dat at slot 1: the row does not end with a newline"
)]
#[case::bad_utf8("a.dat", "1        foo  \n2        \u{7f}\u{7f}\u{7f}\u{7f}\u{7f}\n", "")]
fn corrupt_rows_are_named(#[case] file: &str, #[case] content: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    std::fs::write(dir.path().join(file), content).unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    match db.find_all("a", &[]) {
        Err(err @ Error::CorruptData(_)) => {
            let text = err.to_string();
            assert!(text.contains("Inconsistent data"), "{text}");
            assert!(text.contains(message), "{text}");
        }
        // DEL bytes are valid UTF-8: that row simply reads back.
        Ok(rows) if message.is_empty() => assert_eq!(rows.len(), 2),
        other => panic!("expected CorruptData, got {other:?}"),
    }
    assert!(!db.check().unwrap().is_empty() || message.is_empty());
}

#[rstest]
#[case::bad_index_entry(
    "a__id.idx.dat",
    "0        zz       ",
    2,
    "a__id.idx.dat at byte 9: bad index entry for id 2"
)]
#[case::index_points_elsewhere(
    "a__id.idx.dat",
    "0        0        ",
    2,
    "index entry of id 2 points at a row with id 1"
)]
#[case::bad_sequence(
    "a__seqnum.dat",
    "two",
    0,
    "a__seqnum.dat at the whole file: the sequence is not a number"
)]
#[case::bad_free_entry("a__free.dat", "x        ", 0, "a__free.dat at byte 0: bad free-slot entry")]
fn corrupt_side_files_are_named(
    #[case] file: &str,
    #[case] content: &str,
    #[case] find: i64,
    #[case] message: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    std::fs::write(dir.path().join(file), content).unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let err = if find > 0 {
        db.find_by_id("a", find, &[]).unwrap_err()
    } else {
        db.insert("a", [("text", "new")]).unwrap_err()
    };
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert!(err.to_string().contains("Inconsistent data"), "{err}");
    assert!(err.to_string().contains(message), "{err}");
}

/// A join's targets are looked up by id through the PK index, one or several at a
/// time: an entry pointing at another row is corrupt data either way, never the wrong
/// row joined.
#[rstest]
#[case::one_target(&[2])]
#[case::several_targets(&[1, 2, 1])]
fn a_join_through_a_misdirected_index_entry_is_corrupt_data(#[case] targets: &[i64]) {
    let dir = tempfile::tempdir().unwrap();
    let schemas = || [table_a(), common::table_b(bazoola::OnDelete::Restrict)];
    let db = Database::open(dir.path(), schemas()).unwrap();
    common::text(&db, "a", "foo");
    common::text(&db, "a", "bar");
    for &target in targets {
        db.insert("b", [("a_id", target)]).unwrap();
    }
    db.close();
    // Id 2's entry points at slot 0, which holds row 1.
    std::fs::write(dir.path().join("a__id.idx.dat"), "0        0        ").unwrap();
    let db = Database::open(dir.path(), schemas()).unwrap();
    let err = db.find_all("b", &[bazoola::Join::forward("a_id", "a", "a")]).unwrap_err();
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert!(err.to_string().contains("index entry of id 2 points at a row with id 1"), "{err}");
}

#[test]
fn a_bad_text_reference_is_corrupt_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    db.insert("f", [("body", "hello")]).unwrap();
    db.close();
    std::fs::write(dir.path().join("f.dat"), "1        3        \n").unwrap();
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    let err = db.find_by_id("f", 1, &[]).unwrap_err();
    assert!(err.to_string().contains("f.text.dat at byte 3: no live text record here"), "{err}");
    assert_eq!(db.check().unwrap().len(), 2, "an unreadable row and a leaked record");
}

#[test]
fn hand_edits_in_the_format_read_back() {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    // Edit a value, delete a row by hand, and add a row with its index entry.
    std::fs::write(dir.path().join("a.dat"), "1        fox  \n**************\n7        new  \n").unwrap();
    let index = format!("0        {}2        ", "#".repeat(5 * 9));
    std::fs::write(dir.path().join("a__id.idx.dat"), index).unwrap();
    std::fs::write(dir.path().join("a__free.dat"), "1        ").unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let rows = db.find_all("a", &[]).unwrap();
    let texts: Vec<(i64, &str)> = rows.iter().map(|r| (r.id(), r["text"].as_str().unwrap())).collect();
    assert_eq!(texts, vec![(1, "fox"), (7, "new")]);
    assert_eq!(db.find_by_id("a", 7, &[]).unwrap().unwrap()["text"], Value::from("new"));
    assert!(db.check().unwrap().is_empty(), "{:?}", db.check());
    assert_eq!(db.insert("a", [("text", "z")]).unwrap().id(), 3, "sequence was 2");
}

#[test]
fn check_reports_broken_invariants() {
    let dir = tempfile::tempdir().unwrap();
    with_rows(dir.path());
    std::fs::write(dir.path().join("a__id.idx.dat"), "0        #########").unwrap();
    std::fs::write(dir.path().join("a__free.dat"), "0        5        ").unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let problems: Vec<String> = db.check().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        vec![
            "table 'a': row id 2 at slot 1 is not in the index (index says None)",
            "table 'a': free slot 0 holds a live row",
            "table 'a': free slot 5 is past the end of the data file",
        ]
    );
}
