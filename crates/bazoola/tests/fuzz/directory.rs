//! The directory every case starts from: its schemas, the files mutations target, and the
//! bytes of the directory built by real operations.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use bazoola::{Database, Field, TableSchema, Value};

pub(crate) fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("authors").field(Field::char("name", 8)),
        TableSchema::new("books")
            .field(Field::char("title", 6))
            .field(Field::fk("author_id", "authors").nullable())
            .field(Field::int_sized("year", 4).nullable())
            .field(Field::text("blurb").nullable()),
    ]
}

/// The files mutations target (the ones the built directory has, plus the journal).
pub(crate) const FILES: &[&str] = &[
    "authors.dat",
    "authors__id.idx.dat",
    "authors__free.dat",
    "authors__seqnum.dat",
    "authors__schema.dat",
    "books.dat",
    "books__id.idx.dat",
    "books__free.dat",
    "books__seqnum.dat",
    "books.text.dat",
    "books__schema.dat",
    ".journal",
];

pub(crate) const JOURNAL: &str = ".journal";

/// The directory every case starts from: built by real operations, so every file has
/// content (live and deleted rows, a free slot, freed and live text records, a retired
/// journal).
pub(crate) fn base() -> &'static BTreeMap<String, Vec<u8>> {
    static BASE: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(dir.path(), schemas()).expect("open");
        for name in ["Le Guin", "Borges", "Lem"] {
            db.insert("authors", [("name", name)]).expect("author");
        }
        let books: [(&str, Value, Value, Value); 4] = [
            ("Dispo", 1.into(), 1974.into(), "an anarchist moon".into()),
            ("Ficcio", 2.into(), 1944.into(), Value::Null),
            ("Solar", 3.into(), Value::Null, "ocean".into()),
            ("Lathe", Value::Null, 1971.into(), "dreams\nand #*".into()),
        ];
        for (title, author, year, blurb) in books {
            db.insert(
                "books",
                [("title", title.into()), ("author_id", author), ("year", year), ("blurb", blurb)],
            )
            .expect("book");
        }
        db.delete_by_id("books", 2).expect("delete");
        db.update_by_id("books", 3, [("blurb", "the ocean thinks")]).expect("update");
        db.close();
        read_dir_files(dir.path())
    })
}

pub(crate) fn read_dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
        .collect()
}
