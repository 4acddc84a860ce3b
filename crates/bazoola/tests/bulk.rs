//! The bulk path of inserts (`Database::bulk_load`): the same rows accepted and refused,
//! the same files, as inserting row by row; a rollback leaves every file as it was.

mod common;

use std::path::Path;

use bazoola::{Cond, Database, Error, Field, IntegrityError, OpenOptions, TableSchema, Value};
use rstest::rstest;

fn authors() -> TableSchema {
    TableSchema::new("authors").field(Field::char("name", 12))
}

/// SPEC §7's books, with a unique code and a plain index besides the FK's.
fn books() -> TableSchema {
    TableSchema::new("books")
        .field(Field::char("title", 20))
        .field(Field::fk("author_id", "authors"))
        .field(Field::int("year").nullable().indexed())
        .field(Field::char("code", 8).nullable().unique())
}

/// A database with `n` authors, opened with a small transaction memory (so that a bulk
/// import spills and merges several times) and small index pages (so trees are deep).
fn open(dir: &Path, authors_n: i64) -> Database {
    let db = OpenOptions::new()
        .txn_memory(64 << 10)
        .index_page_size(256)
        .progress(false)
        .open(dir, [self::authors(), books()])
        .unwrap();
    db.transaction(|db| {
        for i in 0..authors_n {
            db.insert("authors", [("name", Value::from(format!("author {i}")))])?;
        }
        Ok(())
    })
    .unwrap();
    db
}

/// Row `i` of a deterministic import: random-looking authors (some missing), years
/// (some null), codes (some repeated, some null).
fn row(i: i64, authors_n: i64) -> Vec<(&'static str, Value)> {
    let mix = (i * 7919 + 13) % 104_729;
    let author = 1 + mix % (authors_n + authors_n / 50 + 1); // ~2% past the last author
    let year = if mix % 10 == 0 { Value::Null } else { Value::Int(1900 + mix % 120) };
    let code = match mix % 7 {
        0 => Value::Null,
        _ => Value::from(format!("c{}", mix % 5000)), // repeats refused as not unique
    };
    vec![
        ("title", Value::from(format!("Book {i}"))),
        ("author_id", Value::Int(author)),
        ("year", year),
        ("code", code),
    ]
}

/// Every file but the journal and the lock, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::snapshot(dir).into_iter().filter(|(name, _)| !name.starts_with('.')).collect()
}

/// [`files`], but for the stamps in the secondary index headers (bytes 40..64): they
/// hold the data file's modification time and inode, which differ between directories.
fn unstamped(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = files(dir);
    for (name, bytes) in &mut files {
        if name.ends_with(".idx.dat") && !name.ends_with("__id.idx.dat") && bytes.len() >= 64 {
            bytes[40..64].fill(0);
        }
    }
    files
}

/// Inserts rows `0..n` in one transaction, skipping the refused ones; returns what each
/// insert said (the id, or the error).
fn import(db: &Database, n: i64, authors_n: i64, bulk: bool) -> Vec<Result<i64, String>> {
    db.begin().unwrap();
    if bulk {
        db.bulk_load("books").unwrap();
    }
    let outcomes = (0..n)
        .map(|i| db.insert("books", row(i, authors_n)).map(|r| r.id()).map_err(|e| e.to_string()))
        .collect();
    db.commit().unwrap();
    outcomes
}

#[rstest]
#[case::few_rows(40, 10)]
#[case::targets_read_whole(3000, 40)]
#[case::more_targets_than_rows(1500, 2000)]
fn the_bulk_path_accepts_refuses_and_writes_what_row_by_row_does(#[case] n: i64, #[case] authors_n: i64) {
    let (plain_dir, bulk_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let plain = open(plain_dir.path(), authors_n);
    let bulk = open(bulk_dir.path(), authors_n);
    let plain_outcomes = import(&plain, n, authors_n, false);
    let bulk_outcomes = import(&bulk, n, authors_n, true);
    assert_eq!(bulk_outcomes, plain_outcomes);
    assert!(plain_outcomes.iter().any(Result::is_err) && plain_outcomes.iter().any(Result::is_ok));
    // The indexes hold every row's entry, and answer like the plain ones.
    assert_eq!(bulk.check().unwrap(), vec![]);
    for author in [1, 2, authors_n] {
        let cond = Cond::eq("author_id", author);
        assert_eq!(
            bulk.find_by_cond("books", &cond, &[]).unwrap(),
            plain.find_by_cond("books", &cond, &[]).unwrap()
        );
    }
    // Rows, PK index, sequence and free stack byte for byte; the secondary indexes the
    // same entries (the same bytes once both are built afresh from the rows).
    let differ = |a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]| -> Vec<String> {
        a.iter().zip(b).filter(|(x, y)| x != y).map(|(x, _)| x.0.clone()).collect()
    };
    let changed = differ(&unstamped(plain_dir.path()), &unstamped(bulk_dir.path()));
    assert!(
        changed
            .iter()
            .all(|f| f.starts_with("books__") && f.ends_with(".idx.dat") && f != "books__id.idx.dat"),
        "{changed:?}"
    );
    plain.reindex("books").unwrap();
    bulk.reindex("books").unwrap();
    assert_eq!(differ(&unstamped(plain_dir.path()), &unstamped(bulk_dir.path())), Vec::<String>::new());
}

#[test]
fn a_unique_value_repeated_inside_the_bulk_is_refused_naming_the_first_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 3);
    db.begin().unwrap();
    db.bulk_load("books").unwrap();
    let first = db
        .insert("books", [("title", Value::from("a")), ("author_id", 1.into()), ("code", "x".into())])
        .unwrap();
    let again =
        db.insert("books", [("title", Value::from("b")), ("author_id", 2.into()), ("code", "x".into())]);
    match again {
        Err(Error::Integrity(IntegrityError::Unique { field, id, .. })) => {
            assert_eq!((field.as_str(), id), ("code", first.id()));
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
    // A refused row writes nothing: the transaction goes on and commits the others.
    db.insert("books", [("title", Value::from("c")), ("author_id", 3.into()), ("code", "y".into())]).unwrap();
    db.commit().unwrap();
    assert_eq!(db.count("books", None).unwrap(), 2);
    assert_eq!(db.check().unwrap(), vec![]);
}

#[test]
fn fk_targets_read_whole_still_see_inserts_and_deletes_of_the_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 20);
    db.begin().unwrap();
    db.bulk_load("books").unwrap();
    // Enough lookups for the authors to be read whole.
    for i in 0..2000 {
        db.insert("books", [("title", Value::from(format!("b{i}"))), ("author_id", Value::Int(1 + i % 20))])
            .unwrap();
    }
    let missing = db.insert("books", [("title", Value::from("x")), ("author_id", Value::Int(21))]);
    assert!(
        matches!(missing, Err(Error::Integrity(IntegrityError::MissingTarget { id: 21, .. }))),
        "{missing:?}"
    );
    let new_author = db.insert("authors", [("name", "late")]).unwrap().id();
    assert_eq!(new_author, 21);
    db.insert("books", [("title", Value::from("y")), ("author_id", Value::Int(21))]).unwrap();
    let lonely = db.insert("authors", [("name", "gone")]).unwrap().id();
    db.delete_by_id("authors", lonely).unwrap();
    let gone = db.insert("books", [("title", Value::from("z")), ("author_id", Value::Int(lonely))]);
    assert!(matches!(gone, Err(Error::Integrity(IntegrityError::MissingTarget { .. }))), "{gone:?}");
    db.commit().unwrap();
    assert_eq!(db.count("books", None).unwrap(), 2001);
    assert_eq!(db.check().unwrap(), vec![]);
}

#[rstest]
#[case::small(30)]
#[case::spilled_and_merged(3000)]
fn a_rolled_back_bulk_leaves_every_file_as_it_was(#[case] n: i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 50);
    import(&db, 200, 50, false);
    let before = files(dir.path());
    db.begin().unwrap();
    db.bulk_load("books").unwrap();
    for i in 200..200 + n {
        let _ = db.insert("books", row(i, 50));
    }
    // A read through the index in the middle merges what is held back.
    assert!(!db.find_by_cond("books", &Cond::eq("author_id", 7), &[]).unwrap().is_empty());
    db.rollback().unwrap();
    assert_eq!(files(dir.path()), before);
    assert_eq!(db.check().unwrap(), vec![]);
}

#[test]
fn the_bulk_path_needs_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 1);
    assert!(matches!(db.bulk_load("books"), Err(Error::NoTransaction)));
    db.begin().unwrap();
    assert!(db.bulk_load("nope").is_err());
    db.rollback().unwrap();
}

#[test]
fn index_reads_inside_the_bulk_see_every_row_inserted_so_far() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 5);
    db.begin().unwrap();
    db.bulk_load("books").unwrap();
    for i in 0..300 {
        db.insert(
            "books",
            [
                ("title", Value::from(format!("b{i}"))),
                ("author_id", Value::Int(1 + i % 5)),
                ("year", Value::Int(2000 + i % 3)),
            ],
        )
        .unwrap();
        if i % 97 == 0 {
            let by_year = db.find_by_cond("books", &Cond::eq("year", 2000), &[]).unwrap();
            assert_eq!(by_year.len() as i64, i / 3 + 1);
        }
    }
    db.commit().unwrap();
    assert_eq!(db.find_by_cond("books", &Cond::eq("author_id", 2), &[]).unwrap().len(), 60);
    assert_eq!(db.check().unwrap(), vec![]);
}
