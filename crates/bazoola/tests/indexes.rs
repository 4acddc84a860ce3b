//! Secondary indexes: the bytes of an index file (golden), unique constraints, staleness
//! after writers that do not know the index, and the planner's choices.
//!
//! `BAZOOLA_BLESS=1 cargo test --test indexes` rewrites the golden files.

mod common;

use std::path::Path;

use bazoola::{
    Cond, Database, Error, Field, IntegrityError, Join, OpenOptions, SchemaError, TableSchema, Value,
};
use common::snapshot;
use rstest::rstest;

fn numbers() -> TableSchema {
    TableSchema::new("t").field(Field::int_sized("n", 4).nullable().indexed())
}

/// The file as 16-byte hex lines, the header's stamp (bytes 40..64: data-file length,
/// mtime, inode — different on every run) masked.
fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let at = line * 16;
        if chunk.iter().all(|&b| b == 0) && at >= 64 {
            continue;
        }
        out.push_str(&format!("{at:05x}:"));
        for (i, b) in chunk.iter().enumerate() {
            if (40..64).contains(&(at + i)) {
                out.push_str(" ..");
            } else {
                out.push_str(&format!(" {b:02x}"));
            }
        }
        out.push('\n');
    }
    out
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var_os("BAZOOLA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(actual, expected, "{} differs (BAZOOLA_BLESS=1 regenerates it)", path.display());
}

#[test]
fn an_index_file_after_inserts_and_a_split() {
    let dir = tempfile::tempdir().unwrap();
    // 256-byte pages: a leaf holds 14 INT entries, so the 15th insert splits it.
    let db = OpenOptions::new().index_page_size(256).open(dir.path(), [numbers()]).unwrap();
    let before_split: Vec<i64> = vec![30, 10, 20, -5, 7, 7, 1000, 0, 42, 3, 9999, 12, 13, 14];
    for n in &before_split {
        db.insert("t", [("n", *n)]).unwrap();
    }
    golden("index-14-entries.hex", &hex_dump(&std::fs::read(dir.path().join("t__n.idx.dat")).unwrap()));
    db.insert("t", [("n", Value::Null)]).unwrap();
    golden("index-after-split.hex", &hex_dump(&std::fs::read(dir.path().join("t__n.idx.dat")).unwrap()));
    db.delete_by_id("t", 3).unwrap();
    golden("index-after-delete.hex", &hex_dump(&std::fs::read(dir.path().join("t__n.idx.dat")).unwrap()));
    let ordered: Vec<i64> = db
        .find_by_cond("t", &Cond::ge("n", 10), &[])
        .unwrap()
        .iter()
        .map(|r| r["n"].as_int().unwrap())
        .collect();
    assert_eq!(ordered, [30, 10, 1000, 42, 9999, 12, 13, 14], "file order, through the index");
    assert!(db.check().unwrap().is_empty());
}

fn people() -> TableSchema {
    TableSchema::new("people")
        .field(Field::char("email", 20).nullable().unique())
        .field(Field::int("age").nullable().indexed())
}

fn two_people(dir: &Path) -> Database {
    let db = Database::open(dir, [people()]).unwrap();
    db.insert("people", [("email", Value::from("ann@x")), ("age", 30.into())]).unwrap();
    db.insert("people", [("email", Value::from("bob@x")), ("age", 40.into())]).unwrap();
    db
}

fn expect_unique(result: bazoola::Result<impl std::fmt::Debug>, value: &str, holder: i64) {
    match result {
        Err(Error::Integrity(IntegrityError::Unique { table, field, value: v, id })) => {
            assert_eq!(
                (table.as_str(), field.as_str(), v, id),
                ("people", "email", Value::from(value), holder)
            );
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
}

#[test]
fn a_unique_value_is_refused_on_insert_and_update_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    let before = snapshot(dir.path());
    expect_unique(db.insert("people", [("email", "ann@x")]), "ann@x", 1);
    expect_unique(db.update_by_id("people", 2, [("email", "ann@x")]), "ann@x", 1);
    // Trailing spaces are not stored, so they do not make a value new.
    expect_unique(db.insert("people", [("email", "ann@x  ")]), "ann@x  ", 1);
    assert_eq!(snapshot(dir.path()), before);
    // A row may keep its own value, and take a freed one.
    db.update_by_id("people", 1, [("email", "ann@x")]).unwrap();
    db.update_by_id("people", 1, [("email", Value::from("ann@y"))]).unwrap();
    db.insert("people", [("email", "ann@x")]).unwrap();
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn a_unique_violation_inside_a_transaction_rolls_it_all_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    let before = snapshot(dir.path());
    let outcome = db.transaction(|db| {
        db.insert("people", [("email", "cid@x")])?;
        // The row inserted a moment ago holds it now.
        db.insert("people", [("email", "cid@x")])
    });
    expect_unique(outcome, "cid@x", 3);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn nulls_repeat_in_a_unique_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    for _ in 0..3 {
        db.insert("people", [("email", Value::Null)]).unwrap();
    }
    assert_eq!(db.count("people", Some(&Cond::is_null("email"))).unwrap(), 3);
    assert!(db.check().unwrap().is_empty());
}

#[rstest]
#[case::text(TableSchema::new("t").field(Field::text("body").indexed()), "TEXT fields cannot be indexed")]
#[case::text_unique(TableSchema::new("t").field(Field::text("body").unique()), "TEXT fields cannot be indexed")]
#[case::long_char(TableSchema::new("t").field(Field::char("c", 251).indexed()), "longer than 250 cannot be indexed")]
fn fields_that_cannot_be_indexed_are_refused(#[case] schema: TableSchema, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let err = Database::open(dir.path(), [schema]).err().expect("refused");
    assert!(matches!(&err, Error::Schema(SchemaError::Invalid { .. })), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(tables_only(dir.path()), vec![], "no table file was created");
}

#[rstest]
#[case::unique_text("id PK\nbody TEXT UNIQUE\n", "TEXT fields cannot be indexed")]
#[case::two_kinds("id PK\nn INT(9) UNIQUE INDEX\n", "cannot parse")]
#[case::misspelt("id PK\nn INT(9) INDEXED\n", "cannot parse")]
#[case::index_on_pk("id PK INDEX\n", "the primary key `id` is always indexed")]
fn bad_index_declarations_in_a_schema_file_are_refused(#[case] text: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t__schema.dat"), text).unwrap();
    let before = tables_only(dir.path());
    let err = Database::open_existing(dir.path()).err().expect("refused");
    assert!(matches!(&err, Error::Schema(_)), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(tables_only(dir.path()), before);
}

/// The directory's files but the lock and the journal, which opening creates first.
fn tables_only(dir: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot(dir).into_iter().filter(|(name, _)| name != ".lock" && name != ".journal").collect()
}

/// Rewrites a row's bytes in the data file, as a text editor with the database closed
/// would (same length, so the row stays in its slot).
fn hand_edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(from.len(), to.len());
    assert!(text.contains(from), "{text:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_hand_edit_makes_the_index_stale_and_the_next_read_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    db.close();
    hand_edit(dir.path(), "people.dat", "40       ", "41       ");
    let db = Database::open(dir.path(), [people()]).unwrap();
    let report = db.check_report().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.stale_indexes.len(), 2, "both indexes describe the old rows");
    let ids = |cond: Cond| -> Vec<i64> {
        db.find_by_cond("people", &cond, &[]).unwrap().iter().map(|r| r.id()).collect()
    };
    assert_eq!(ids(Cond::eq("age", 41)), [2], "found through the rebuilt index");
    assert_eq!(ids(Cond::eq("age", 40)), Vec::<i64>::new());
    assert_eq!(db.check_report().unwrap(), Default::default(), "fresh again, nothing to report");
}

/// A join of one row's referring rows (or their count) meets the FK index a hand edit
/// made stale: the read starts over on the rebuilt index and finds the edited rows.
#[rstest]
#[case::inverse_join(Join::inverse("a_id", "bs", "b"))]
#[case::inverse_count(Join::count("a_id", "bs", "b"))]
fn a_join_through_a_stale_fk_index_rebuilds_it_and_finds_the_rows(#[case] join: Join) {
    let dir = tempfile::tempdir().unwrap();
    let schemas = || [common::table_a(), common::table_b(bazoola::OnDelete::Restrict)];
    let db = Database::open(dir.path(), schemas()).unwrap();
    common::text(&db, "a", "foo");
    common::text(&db, "a", "bar");
    db.insert("b", [("a_id", 1), ("n", 7)]).unwrap();
    db.insert("b", [("a_id", 1), ("n", 8)]).unwrap();
    db.close();
    hand_edit(dir.path(), "b.dat", "2        1        8", "2        2        8");
    let db = Database::open(dir.path(), schemas()).unwrap();
    let referring = |id: i64| {
        let row = db.find_by_id("a", id, std::slice::from_ref(&join)).unwrap().expect("row");
        match &row["bs"] {
            Value::Int(n) => *n as usize,
            Value::Rows(rows) => rows.len(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!((referring(1), referring(2)), (1, 1));
    assert_eq!(db.check_report().unwrap(), Default::default(), "the index was rebuilt");
}

#[test]
fn a_count_of_a_table_is_its_fresh_index_entry_count_which_check_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    assert_eq!(db.count("people", None).unwrap(), 2);
    db.close();
    // The header's entry count (bytes 28..36) says 7; the rows, and the entries, are two.
    let path = dir.path().join("people__email.idx.dat");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[28..36].copy_from_slice(&7u64.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    let db = Database::open(dir.path(), [people()]).unwrap();
    let problems = db.check().unwrap();
    assert_eq!(
        problems,
        [bazoola::Problem::WrongEntryCount {
            table: "people".into(),
            field: "email".into(),
            recorded: 7,
            found: 2
        }]
    );
    assert_eq!(problems[0].to_string(), "table 'people': the index on 'email' records 7 entries but holds 2");
    db.reindex("people").unwrap();
    assert_eq!(db.count("people", None).unwrap(), 2);
    assert!(db.check().unwrap().is_empty());
}

#[rstest]
#[case::unique_index_first(people(), "age", false)]
#[case::unique_index_first_bulk(people(), "age", true)]
#[case::plain_index_bulk(numbers(), "n", true)]
fn a_count_inside_a_transaction_sees_its_own_inserts_and_deletes(
    #[case] schema: TableSchema,
    #[case] field: &str,
    #[case] bulk: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let table = schema.name.clone();
    let db = Database::open(dir.path(), [schema]).unwrap();
    for n in 0..2 {
        db.insert(&table, [(field, Value::from(n))]).unwrap();
    }
    db.begin().unwrap();
    if bulk {
        // Entries of non-unique indexes held back for a sorted merge: the count must
        // not miss them.
        db.bulk_load(&table).unwrap();
    }
    for n in 0..5 {
        db.insert(&table, [(field, Value::from(n))]).unwrap();
    }
    assert_eq!(db.count(&table, None).unwrap(), 7);
    if !bulk {
        db.delete_by_id(&table, 1).unwrap();
        assert_eq!(db.count(&table, None).unwrap(), 6);
    }
    db.rollback().unwrap();
    assert_eq!(db.count(&table, None).unwrap(), 2);
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn a_count_after_a_hand_edit_counts_the_rows_and_leaves_the_stale_index_for_later() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    db.close();
    // A third row appended by hand: both indexes (and the PK index) lack it.
    let path = dir.path().join("people.dat");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let second = text.lines().nth(1).unwrap().to_string();
    text.push_str(&format!("{}\n", second.replacen('2', "3", 1)));
    std::fs::write(&path, text).unwrap();
    let db = Database::open(dir.path(), [people()]).unwrap();
    assert_eq!(db.count("people", None).unwrap(), 3);
    assert_eq!(db.check_report().unwrap().stale_indexes.len(), 2, "a count rebuilds nothing");
}

#[test]
fn an_index_used_by_an_inverse_join_is_rebuilt_after_a_hand_edit() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = || {
        [
            TableSchema::new("authors").field(Field::char("name", 8)),
            TableSchema::new("books").field(Field::fk("author_id", "authors")).field(Field::char("title", 8)),
        ]
    };
    let db = Database::open(dir.path(), schemas()).unwrap();
    for name in ["le guin", "lem"] {
        db.insert("authors", [("name", name)]).unwrap();
    }
    for (author, title) in [(1, "a"), (2, "b"), (1, "c")] {
        db.insert("books", [("author_id", Value::from(author)), ("title", title.into())]).unwrap();
    }
    db.close();
    // Book 2 now belongs to author 1.
    hand_edit(dir.path(), "books.dat", "2        2        b", "2        1        b");
    let db = Database::open(dir.path(), schemas()).unwrap();
    let le_guin =
        db.find_by_id("authors", 1, &[Join::inverse("author_id", "books", "books")]).unwrap().unwrap();
    let titles: Vec<&str> =
        le_guin["books"].as_rows().unwrap().iter().map(|b| b["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["a", "b", "c"]);
    // The delete rule goes through the index too: author 2 has no books left to restrict it.
    db.delete_by_id("authors", 2).unwrap();
    assert!(db.check().unwrap().is_empty());
}

fn plan_of(db: &Database, cond: Cond) -> String {
    db.query("people").filter(cond).explain().unwrap().to_string()
}

#[rstest]
#[case::pk(Cond::eq("id", 2), "people by id via PK index: 2")]
#[case::pk_in(Cond::is_in("id", [2, 1, 2]), "people by id via PK index: 1, 2")]
#[case::unique_eq(Cond::eq("email", "bob@x"), "people via index on email: email IN ('bob@x')")]
#[case::is_null(Cond::is_null("age"), "people via index on age: age IN (None)")]
#[case::in_list(Cond::is_in("age", [30, 40]), "people via index on age: age IN (30, 40)")]
#[case::unique_first(Cond::eq("age", 30).and(Cond::eq("email", "ann@x")), "people via index on email")]
#[case::range(Cond::gt("age", 30), "people via index on age: range (30, +∞)")]
#[case::both_bounds(Cond::ge("age", 1).and(Cond::lt("age", 35)).and(Cond::gt("age", 5)), "people via index on age: range (5, 35)")]
#[case::trailing_space_is_not_a_key(Cond::eq("email", "ann@x "), "scan people")]
#[case::or_scans(Cond::eq("age", 30).or(Cond::eq("age", 40)), "scan people")]
#[case::substring_scans(Cond::substr("email", "ann"), "scan people")]
#[case::wrong_type_scans(Cond::eq("age", "thirty"), "scan people")]
fn the_planner_picks_the_path_of_spec_8(#[case] cond: Cond, #[case] access: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    let plan = plan_of(&db, cond.clone());
    assert!(plan.starts_with(access), "{plan}");
    // Whatever the path, the answer is the full scan's (an OR keeps every index out).
    let scanned: Vec<i64> = db
        .find_by_cond("people", &Cond::Or(vec![cond.clone(), Cond::custom(|_| Ok(false))]), &[])
        .unwrap()
        .iter()
        .map(|r| r.id())
        .collect();
    let planned: Vec<i64> = db.find_by_cond("people", &cond, &[]).unwrap().iter().map(|r| r.id()).collect();
    assert_eq!(planned, scanned);
}

#[test]
fn explain_analyze_counts_what_each_step_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = two_people(dir.path());
    for age in 0..50 {
        db.insert("people", [("age", age)]).unwrap();
    }
    let (rows, plan) = db.query("people").filter(Cond::gt("age", 45)).analyze().unwrap();
    assert_eq!(rows.len(), 4);
    let text = plan.to_string();
    assert!(text.starts_with("people via index on age: range (45, +∞)  (est. 4 rows)"), "{text}");
    assert!(
        text.contains("[actual: 4 rows, 8 examined"),
        "4 index entries (the walk starts past every 45), then 4 rows: {text}"
    );
    assert!(text.contains("└─ filter: age > 45  (est. 4 rows)  [actual: 4 rows"), "{text}");
    assert_eq!(plan.rows_examined(), 8);
    // A count of the same needs no row at all: the index answers the condition exactly.
    let (n, plan) = db.query("people").filter(Cond::gt("age", 45)).analyze_count().unwrap();
    assert_eq!((n, plan.rows_examined()), (4, 4));
}
