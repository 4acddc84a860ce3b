//! The database every transfer test moves around: every field type (the PK, INTs of
//! three sizes, CHAR, TEXT, FKs nullable and not), each `ON DELETE` rule, unique and
//! plain indexes, a table referring to itself, nulls, empty strings, and text with
//! newlines, quotes, commas, tabs, backslashes, carriage returns and non-ASCII. Ids
//! have gaps, explicit ids jump ahead, and deletes free slots that later inserts take,
//! so file order and id order differ. `authors` and `shelves` are never changed after
//! their inserts (their files can be compared byte for byte after a round trip).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use bazoola::{Database, Field, OnDelete, Row, TableSchema, Value};

/// Declared out of FK order on purpose.
pub fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("reviews")
            .field(Field::fk("book_id", "books").on_delete(OnDelete::Cascade))
            .field(Field::text("body"))
            .field(Field::int_sized("stars", 2)),
        TableSchema::new("books")
            .field(Field::char("title", 60))
            .field(Field::fk("author_id", "authors"))
            .field(Field::fk("shelf_id", "shelves").nullable().on_delete(OnDelete::SetNull))
            .field(Field::fk("editor_id", "authors").nullable().on_delete(OnDelete::NoAction).no_index())
            .field(Field::int("year").nullable().indexed())
            .field(Field::int_sized("isbn", 13).nullable().unique())
            .field(Field::text("blurb").nullable()),
        TableSchema::new("authors")
            .field(Field::char("name", 40).unique())
            .field(Field::text("bio").nullable())
            .field(Field::int_sized("born", 5).nullable()),
        TableSchema::new("shelves")
            .field(Field::char("label", 10).nullable())
            .field(Field::int_sized("code", 12).nullable().indexed()),
        TableSchema::new("topics")
            .field(Field::char("name", 30))
            .field(Field::fk("parent_id", "topics").nullable().on_delete(OnDelete::Cascade)),
    ]
}

pub const TRICKY: &str =
    "Wrote \"The Dispossessed\", and more;\nsecond line\twith a tab — ünïcödé ✓ 'quoted'";

/// Creates the database in `dir` and fills it.
pub fn build(dir: &Path) -> Database {
    let db = Database::open(dir, schemas()).expect("open fixture");
    fill(&db);
    db
}

fn insert(db: &Database, table: &str, values: Vec<(&str, Value)>) -> i64 {
    db.insert(table, values).unwrap_or_else(|e| panic!("fixture insert into {table}: {e}")).id()
}

fn fill(db: &Database) {
    let le_guin = insert(
        db,
        "authors",
        vec![("name", "Ursula K. Le Guin".into()), ("bio", TRICKY.into()), ("born", 1929.into())],
    );
    let lem = insert(db, "authors", vec![("name", "Stanisław Lem".into()), ("born", (-5).into())]);
    let obrien = insert(db, "authors", vec![("name", "O'Brien, Flann".into()), ("bio", "".into())]);
    let back = insert(
        db,
        "authors",
        vec![
            ("name", "Back\\slash \"Q\"".into()),
            ("bio", "crlf\r\nand \\n literal\\".into()),
            ("born", 12345.into()),
        ],
    );
    insert(
        db,
        "authors",
        vec![("id", 10.into()), ("name", "Ten, explicit".into()), ("bio", "  padded  ".into())],
    );

    let top = insert(db, "shelves", vec![("code", 123_456_789_012i64.into())]);
    let empty = insert(db, "shelves", vec![("label", "".into())]);
    let comma = insert(db, "shelves", vec![("label", "A,1".into()), ("code", (-1).into())]);

    // title, author, shelf, editor, year, isbn, blurb
    type Book<'a> = (&'a str, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<&'a str>);
    let books: Vec<Book> = vec![
        (
            "The Dispossessed",
            le_guin,
            Some(top),
            Some(lem),
            Some(1974),
            Some(9_780_060_512_750),
            Some(TRICKY),
        ),
        ("Solaris", lem, Some(comma), None, Some(1961), Some(9_780_156_027_601), None),
        ("The Third Policeman", obrien, None, Some(le_guin), None, None, Some("")),
        ("\"Quoted\", title", back, Some(empty), None, Some(-44), Some(1), Some("x\ty\nz")),
        ("Fiasco", lem, Some(top), Some(obrien), Some(1986), None, Some("tab\tend")),
        ("The Cyberiad", lem, None, None, Some(1965), Some(2), None),
    ];
    let mut ids = Vec::new();
    for (title, author, shelf, editor, year, isbn, blurb) in books {
        ids.push(insert(
            db,
            "books",
            vec![
                ("title", title.into()),
                ("author_id", author.into()),
                ("shelf_id", shelf.into()),
                ("editor_id", editor.into()),
                ("year", year.into()),
                ("isbn", isbn.into()),
                ("blurb", blurb.into()),
            ],
        ));
    }
    for (k, &book) in ids.iter().enumerate() {
        for stars in 0..(k % 3 + 1) {
            let body = format!("review {stars} of book {book}: ¡bueno!, \"sí\"\nok");
            insert(
                db,
                "reviews",
                vec![("book_id", book.into()), ("body", body.into()), ("stars", (stars as i64 * 3).into())],
            );
        }
    }
    // A delete frees slots (the book's reviews cascade); the next insert takes the book's.
    db.delete_by_id("books", ids[2]).expect("delete a book");
    let late = insert(
        db,
        "books",
        vec![
            ("id", 40.into()),
            ("title", "Late, with id 40".into()),
            ("author_id", back.into()),
            ("blurb", "\\".into()),
        ],
    );
    insert(
        db,
        "reviews",
        vec![("book_id", late.into()), ("body", "late review".into()), ("stars", 10.into())],
    );

    // Topics: a tree, an explicit id above the others, and a child whose slot (freed by a
    // delete) comes before its parent's.
    let root = insert(db, "topics", vec![("name", "Fiction".into())]);
    let sf = insert(db, "topics", vec![("name", "SF".into()), ("parent_id", root.into())]);
    let gone = insert(db, "topics", vec![("name", "Gone".into()), ("parent_id", sf.into())]);
    let late_root = insert(db, "topics", vec![("id", 50.into()), ("name", "Late root".into())]);
    let child = insert(
        db,
        "topics",
        vec![("id", 20.into()), ("name", "Child of 50".into()), ("parent_id", late_root.into())],
    );
    db.delete_by_id("topics", gone).expect("delete a topic");
    insert(db, "topics", vec![("name", "Grandchild in an early slot".into()), ("parent_id", child.into())]);
}

/// Every table's rows, in file (slot) order.
pub fn contents(db: &Database) -> BTreeMap<String, Vec<Row>> {
    let mut out = BTreeMap::new();
    for schema in db.tables().expect("tables") {
        out.insert(schema.name.clone(), db.find_all(&schema.name, &[]).expect("find_all"));
    }
    out
}

/// Every table's rows as plain values, in id order.
pub fn by_id(db: &Database) -> BTreeMap<String, Vec<Vec<Value>>> {
    contents(db)
        .into_iter()
        .map(|(table, rows)| {
            let mut rows: Vec<Vec<Value>> = rows.into_iter().map(Row::into_values).collect();
            rows.sort_by_key(|values| values[0].as_int());
            (table, rows)
        })
        .collect()
}

/// The names of the files that differ between two listings of [`files`].
pub fn changed(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names.into_iter().filter(|n| before.get(n) != after.get(n)).collect()
}

/// Every file of a database directory and its bytes — its tables' files, not the
/// rollback journal (which a transaction leaves behind, retired) or the lock file.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().expect("type").is_file() && name != ".journal" && name != ".lock" {
            out.insert(
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("read"),
            );
        }
    }
    out
}
