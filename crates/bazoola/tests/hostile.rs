//! Hostile input and hostile files: values the format cannot hold are refused before
//! anything is written, corrupt metadata is never trusted to overwrite a row, and
//! nothing a user or a file controls can crash, abort or hang the process.

mod common;

use bazoola::{Cond, Database, Error, Field, OpenOptions, SchemaError, TableSchema, ValidationError, Value};
use common::child::in_child;
use common::{snapshot, table_a, table_f};
use rstest::rstest;

/// `a` with rows 1 "foo" (slot 0), 2 "bar" (slot 1), 3 "baz" (slot 2), and row 2 deleted
/// and re-inserted elsewhere so the free stack is empty; then closed.
fn three_rows(dir: &std::path::Path) {
    let db = Database::open(dir, [table_a()]).unwrap();
    for text in ["foo", "bar", "baz"] {
        common::text(&db, "a", text);
    }
    db.close();
}

#[rstest]
#[case::leading_nul("\0abc")]
#[case::only_nul("\0")]
fn a_char_value_the_format_reads_as_null_is_refused(#[case] value: &str) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let before = snapshot(dir.path());
    for result in [db.insert("a", [("text", value)]), db.update_by_id("a", 1, [("text", value)])] {
        match result {
            Err(Error::Validation(ValidationError::LeadingNul { field, value: v, .. })) => {
                assert_eq!(field, "text");
                assert_eq!(v, Value::from(value));
            }
            other => panic!("expected LeadingNul, got {other:?}"),
        }
    }
    assert_eq!(snapshot(dir.path()), before, "a refused write changes no file");
    assert_eq!(db.find_all("a", &[]).unwrap().len(), 3, "the table stays readable");
    // A NUL later in the value reads back as written.
    let row = db.insert("a", [("text", "a\0b")]).unwrap();
    assert_eq!(db.find_by_id("a", row.id(), &[]).unwrap().unwrap()["text"], Value::from("a\0b"));
    assert!(db.check().unwrap().is_empty());
}

/// What a write does when a metadata file lies about where a row is.
#[rstest]
#[case::free_entry_names_a_live_slot(
    "a__free.dat",
    "1        ",
    "free-slot entry names slot 1, which holds a live row"
)]
#[case::partial_free_entry("a__free.dat", "1        2", "the free stack ends inside an entry")]
#[case::free_slot_far_past_the_end("a__free.dat", "999999999", "past the end of the data file")]
#[case::negative_free_slot("a__free.dat", "-1       ", "bad free-slot entry")]
fn inserts_refuse_a_lying_free_stack(#[case] file: &str, #[case] content: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    std::fs::write(dir.path().join(file), content).unwrap();
    let before = snapshot(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let err = db.insert("a", [("text", "new")]).unwrap_err();
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(err.path(), Some(dir.path().join(file).as_path()));
    assert_eq!(snapshot(dir.path()), before, "nothing was overwritten or grown");
}

#[rstest]
#[case::delete(|db: &Database| db.delete_by_id("a", 1).map(|_| ()))]
#[case::update(|db: &Database| db.update_by_id("a", 1, [("text", "new")]).map(|_| ()))]
#[case::insert_with_that_id(|db: &Database| db.insert("a", [("id", Value::from(1)), ("text", "x".into())]).map(|_| ()))]
fn writes_refuse_an_index_entry_pointing_at_another_row(#[case] write: fn(&Database) -> bazoola::Result<()>) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    // Id 1's entry points at slot 2, which holds row 3.
    std::fs::write(dir.path().join("a__id.idx.dat"), "2        1        2        ").unwrap();
    let before = snapshot(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let err = write(&db).unwrap_err();
    assert!(err.to_string().contains("the index entry of id 1 points at a row with id 3"), "{err}");
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert_eq!(snapshot(dir.path()), before, "row 3 is untouched");
    assert!(db.find_by_id("a", 1, &[]).is_err(), "reads refuse it too");
}

#[rstest]
#[case(0)]
#[case(-1)]
#[case(1 << 60)]
#[case(i64::MAX)]
#[case(i64::MIN)]
#[case(1_000_000_000)]
fn ids_no_row_can_have_are_simply_not_found(#[case] id: i64) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    assert_eq!(db.find_by_id("a", id, &[]).unwrap(), None);
    assert!(matches!(db.delete_by_id("a", id), Err(Error::NotFound { .. })));
    assert!(matches!(db.update_by_id("a", id, [("text", "x")]), Err(Error::NotFound { .. })));
}

#[rstest]
#[case(0)]
#[case(1)]
#[case(7)]
#[case(33)]
#[case(usize::MAX)]
fn only_the_two_format_widths_are_accepted(#[case] width: usize) {
    let dir = tempfile::tempdir().unwrap();
    let err = OpenOptions::new().width(width).open(dir.path(), [table_a()]).err().expect("refused");
    assert!(matches!(err, Error::Schema(SchemaError::BadWidth { width: w }) if w == width), "{err:?}");
    assert!(!dir.path().join("a.dat").exists(), "nothing was created");
    let err = TableSchema::new("a").with_width(width).validate().unwrap_err();
    assert!(matches!(err, SchemaError::BadWidth { .. }), "{err:?}");
}

#[test]
fn a_schema_file_with_a_bad_width_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a__schema.dat"), "id PK(40)\ntext CHAR(5)\n").unwrap();
    let err = Database::open_existing(dir.path()).err().expect("refused");
    assert!(matches!(err, Error::Schema(SchemaError::BadWidth { width: 40 })), "{err:?}");
}

#[test]
fn a_full_text_heap_is_an_error_not_a_panic() {
    in_child("a_full_text_heap_is_an_error_not_a_panic", || {
        let dir = tempfile::tempdir().unwrap();
        let db = OpenOptions::new().width(6).open(dir.path(), [table_f()]).unwrap();
        let half = "x".repeat(500_000);
        db.insert("f", [("body", half.as_str())]).unwrap();
        let second = db.insert("f", [("body", half.as_str())]).unwrap();
        let before = snapshot(dir.path());
        // The heap is 1,000,012 bytes long: the next offset needs 7 digits.
        for result in
            [db.insert("f", [("body", "more")]), db.update_by_id("f", second.id(), [("body", "more")])]
        {
            match result {
                Err(err @ Error::Full { .. }) => {
                    assert_eq!(err.table(), Some("f"));
                    assert_eq!(err.path(), Some(dir.path().join("f.text.dat").as_path()));
                }
                other => panic!("expected Full, got {other:?}"),
            }
        }
        assert_eq!(snapshot(dir.path()), before);
        // A single text too long for the length header.
        let dir = tempfile::tempdir().unwrap();
        let db = OpenOptions::new().width(6).open(dir.path(), [table_f()]).unwrap();
        let huge = "y".repeat(1_000_000);
        assert!(matches!(db.insert("f", [("body", huge.as_str())]), Err(Error::Full { .. })));
        assert!(db.check().unwrap().is_empty());
    });
}

#[test]
fn a_long_chain_of_or_is_flattened() {
    in_child("a_long_chain_of_or_is_flattened", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = Database::open(dir.path(), [table_a()]).unwrap();
        // Built one operand at a time, as a loop in user code does.
        let mut cond = Cond::eq("id", 0);
        for i in 1..100_000 {
            cond = cond.or(Cond::eq("id", i));
        }
        assert_eq!(db.find_by_cond("a", &cond, &[]).unwrap().len(), 3);
        // Nested by hand, one level per operand: still one flat OR once compiled.
        let mut nested = Cond::eq("id", 0);
        for i in 1..2_000 {
            nested = Cond::Or(vec![nested, Cond::eq("id", i)]);
        }
        assert_eq!(db.count("a", Some(&nested)).unwrap(), 3);
    });
}

#[test]
fn deeply_nested_conditions_are_refused() {
    in_child("deeply_nested_conditions_are_refused", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = Database::open(dir.path(), [table_a()]).unwrap();
        let mut cond = Cond::eq("id", 1);
        for _ in 0..5_000 {
            cond = !cond;
        }
        match db.find_by_cond("a", &cond, &[]) {
            Err(Error::Validation(ValidationError::CondTooDeep { table, limit })) => {
                assert_eq!((table.as_str(), limit), ("a", bazoola::MAX_COND_DEPTH));
            }
            other => panic!("expected CondTooDeep, got {other:?}"),
        }
        let mut shallow = Cond::eq("id", 1);
        for _ in 0..bazoola::MAX_COND_DEPTH {
            shallow = !shallow;
        }
        assert_eq!(db.count("a", Some(&shallow)).unwrap(), 1, "an even number of NOTs");
        // Dropping a deep tree recurses too; leak it rather than test the allocator.
        std::mem::forget(cond);
    });
}

#[test]
fn error_values_are_readable_without_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let schema =
        TableSchema::new("t").field(Field::char("name", 3)).field(Field::int_sized("n", 2).nullable());
    let db = Database::open(dir.path(), [schema]).unwrap();
    let err = db.insert("t", [("name", "toolong")]).unwrap_err();
    assert_eq!(
        (err.table(), err.field(), err.value()),
        (Some("t"), Some("name"), Some(&Value::from("toolong")))
    );
    let err = db.insert("t", [("name", Value::from("ok")), ("n", 100.into())]).unwrap_err();
    assert_eq!((err.field(), err.value()), (Some("n"), Some(&Value::Int(100))));
    let err = db.delete_by_id("t", 9).unwrap_err();
    assert_eq!((err.table(), err.id(), err.field()), (Some("t"), Some(9), None));
    let Error::Validation(v) = db.insert("t", [("name", "toolong")]).unwrap_err() else { panic!() };
    assert_eq!(v.reason(), "The value is too long");
}
