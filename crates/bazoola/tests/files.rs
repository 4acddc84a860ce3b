//! Exact file bytes after each operation (SPEC §2–§3), table-driven.

mod common;

use bazoola::{Database, Value};
use common::{read, snapshot, table_a, table_f};
use rstest::rstest;

/// An operation on table `a` of SPEC §2's example.
#[derive(Debug, Clone)]
enum Op {
    Insert(&'static str),
    InsertId(i64, &'static str),
    Update(i64, &'static str),
    Delete(i64),
    Truncate,
    Reopen,
}

fn run(dir: &std::path::Path, ops: &[Op]) {
    let mut db = Database::open(dir, [table_a()]).unwrap();
    for op in ops {
        match op {
            Op::Insert(text) => {
                db.insert("a", [("text", *text)]).unwrap();
            }
            Op::InsertId(id, text) => {
                db.insert("a", [("id", Value::Int(*id)), ("text", (*text).into())]).unwrap();
            }
            Op::Update(id, text) => {
                db.update_by_id("a", *id, [("text", *text)]).unwrap();
            }
            Op::Delete(id) => db.delete_by_id("a", *id).unwrap(),
            Op::Truncate => db.truncate("a", false).unwrap(),
            Op::Reopen => {
                db.close();
                db = Database::open(dir, [table_a()]).unwrap();
            }
        }
    }
    db.close();
}

#[rstest]
#[case::empty(vec![], "", "", "", "0")]
#[case::one(vec![Op::Insert("foo")], "1        foo  \n", "0        ", "", "1")]
#[case::spec_example(
    vec![Op::Insert("foo"), Op::Insert("bar"), Op::Delete(1)],
    "**************\n2        bar  \n", "#########1        ", "0        ", "2"
)]
#[case::slot_reuse(
    vec![Op::Insert("foo"), Op::Insert("bar"), Op::Delete(1), Op::Insert("baz")],
    "3        baz  \n2        bar  \n", "#########1        0        ", "", "3"
)]
#[case::lifo_slots(
    vec![Op::Insert("a"), Op::Insert("b"), Op::Insert("c"), Op::Delete(1), Op::Delete(3)],
    "**************\n2        b    \n**************\n", "#########1        #########", "0        2        ", "3"
)]
#[case::explicit_id_leaves_seq(vec![Op::InsertId(3, "x")], "3        x    \n", "##################0        ", "", "0")]
#[case::auto_id_skips_taken(
    vec![Op::InsertId(2, "x"), Op::Insert("y"), Op::Insert("z")],
    "2        x    \n1        y    \n3        z    \n", "1        0        2        ", "", "3"
)]
#[case::update_keeps_slot(
    vec![Op::Insert("foo"), Op::Insert("bar"), Op::Update(1, "qux")],
    "1        qux  \n2        bar  \n", "0        1        ", "", "2"
)]
#[case::truncate(vec![Op::Insert("foo"), Op::Insert("bar"), Op::Delete(1), Op::Truncate], "", "", "", "0")]
#[case::truncate_then_insert(vec![Op::Insert("foo"), Op::Truncate, Op::Insert("new")], "1        new  \n", "0        ", "", "1")]
#[case::reopen_keeps_everything(
    vec![Op::Insert("foo"), Op::Insert("bar"), Op::Reopen, Op::Delete(2), Op::Reopen, Op::Insert("baz")],
    "1        foo  \n3        baz  \n", "0        #########1        ", "", "3"
)]
fn files_hold_exactly(
    #[case] ops: Vec<Op>,
    #[case] data: &str,
    #[case] index: &str,
    #[case] free: &str,
    #[case] seq: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &ops);
    assert_eq!(read(dir.path(), "a.dat"), data);
    assert_eq!(read(dir.path(), "a__id.idx.dat"), index);
    assert_eq!(read(dir.path(), "a__free.dat"), free);
    assert_eq!(read(dir.path(), "a__seqnum.dat"), seq);
    assert_eq!(
        read(dir.path(), "a__schema.dat"),
        "# bazoola table a: one field per line\nid PK\ntext CHAR(5)\n"
    );
}

#[rstest]
#[case::spec_example(&[Some("foo"), Some("eggs")], &[], "3        foo4        eggs", &["0        ", "12       "])]
#[case::empty_text(&[Some("")], &[], "0        ", &["0        "])]
#[case::null_text(&[None], &[], "", &["#########"])]
#[case::freed_record(&[Some("foo"), Some("eggs")], &[1], "############4        eggs", &["*********", "12       "])]
#[case::unicode(&[Some("héllo")], &[], "6        héllo", &["0        "])]
fn text_heap_holds_exactly(
    #[case] values: &[Option<&str>],
    #[case] deletes: &[i64],
    #[case] heap: &str,
    #[case] offsets: &[&str],
) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    for value in values {
        db.insert("f", [("body", Value::from(*value))]).unwrap();
    }
    for id in deletes {
        db.delete_by_id("f", *id).unwrap();
    }
    assert_eq!(read(dir.path(), "f.text.dat"), heap);
    let rows: Vec<String> = read(dir.path(), "f.dat").lines().map(|l| l[9..18].to_string()).collect();
    assert_eq!(rows, offsets);
    for (i, value) in values.iter().enumerate() {
        let id = i as i64 + 1;
        if deletes.contains(&id) {
            continue;
        }
        let row = db.find_by_id("f", id, &[]).unwrap().unwrap();
        assert_eq!(row["body"], Value::from(*value));
    }
}

#[rstest]
#[case::unchanged_text_keeps_its_record("foo", "3        foo")]
#[case::changed_text_frees_and_appends("barbaz", "############6        barbaz")]
fn updating_text(#[case] new: &str, #[case] heap: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_f()]).unwrap();
    db.insert("f", [("body", "foo")]).unwrap();
    let row = db.update_by_id("f", 1, [("body", new)]).unwrap();
    assert_eq!(row["body"].as_str(), Some(new));
    assert_eq!(read(dir.path(), "f.text.dat"), heap);
    assert_eq!(db.find_by_id("f", 1, &[]).unwrap().unwrap()["body"].as_str(), Some(new));
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn nulls_are_written_with_their_markers() {
    let dir = tempfile::tempdir().unwrap();
    let schema = bazoola::TableSchema::new("n")
        .field(bazoola::Field::char("c", 3).nullable())
        .field(bazoola::Field::int_sized("i", 4).nullable())
        .field(bazoola::Field::fk("r", "n").nullable());
    let db = Database::open(dir.path(), [schema]).unwrap();
    db.insert("n", [("c", Value::Null)]).unwrap();
    assert_eq!(read(dir.path(), "n.dat"), "1        \0\0\0#############\n");
    let row = db.find_by_id("n", 1, &[]).unwrap().unwrap();
    assert_eq!(row.values(), &[Value::Int(1), Value::Null, Value::Null, Value::Null]);
}

#[test]
fn a_failed_operation_changes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_a(), table_f()]).unwrap();
    db.insert("a", [("text", "foo")]).unwrap();
    db.insert("f", [("body", "foo")]).unwrap();
    let before = snapshot(dir.path());
    let failures = [
        db.insert("a", [("text", "toolong")]).map(drop),
        db.insert("a", [("id", Value::Int(1)), ("text", "x".into())]).map(drop),
        db.insert("a", [("nope", "x")]).map(drop),
        db.update_by_id("a", 1, [("text", "toolong")]).map(drop),
        db.update_by_id("a", 9, [("text", "x")]).map(drop),
        db.delete_by_id("a", 9),
    ];
    assert!(failures.iter().all(Result::is_err));
    assert_eq!(snapshot(dir.path()), before);
}
