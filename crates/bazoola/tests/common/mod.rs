//! Shared schemas and helpers for the integration tests.
#![allow(dead_code)]

use std::path::Path;

use bazoola::{Database, Field, OnDelete, TableSchema, Value};

/// SPEC §2's example table: `a(id PK, text CHAR(5))`.
pub fn table_a() -> TableSchema {
    TableSchema::new("a").field(Field::char("text", 5))
}

/// A table with a TEXT field.
pub fn table_f() -> TableSchema {
    TableSchema::new("f").field(Field::text("body").nullable())
}

/// `b` refers to `a` with the given delete rule.
pub fn table_b(rule: OnDelete) -> TableSchema {
    TableSchema::new("b")
        .field(Field::fk("a_id", "a").nullable().on_delete(rule))
        .field(Field::int("n").nullable())
}

pub fn read(dir: &Path, file: &str) -> String {
    String::from_utf8(std::fs::read(dir.join(file)).unwrap_or_default()).expect("utf-8 file")
}

/// Every file of a directory with its bytes, for "nothing changed" assertions.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
        .collect();
    files.sort();
    files
}

pub fn text(db: &Database, table: &str, value: &str) -> i64 {
    db.insert(table, [("text", value)]).expect("insert").id()
}

pub fn pairs<const N: usize>(items: [(&str, Value); N]) -> Vec<(String, Value)> {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
pub mod child;
pub mod faulty;
pub mod workload;
