//! One insert and one find_by_id on a warm database, for counting syscalls:
//! `strace -f -c cargo run --release --example syscalls` (see BENCHMARKS.md).

use bazoola::{Database, Field, TableSchema};

fn main() -> bazoola::Result<()> {
    let dir = std::env::temp_dir().join(format!("bazoola-syscalls-{}", std::process::id()));
    let db = Database::open(&dir, [TableSchema::new("authors").field(Field::char("name", 20))])?;
    for _ in 0..100 {
        db.insert("authors", [("name", "warm up")])?;
    }
    let what = std::env::args().nth(1).unwrap_or_default();
    eprintln!("--- start {what}");
    match what.as_str() {
        "insert" => drop(db.insert("authors", [("name", "counted")])?),
        _ => drop(db.find_by_id("authors", 50, &[])?),
    }
    eprintln!("--- end");
    db.close();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
