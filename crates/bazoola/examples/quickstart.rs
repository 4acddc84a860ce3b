//! Creates a database in `./data`, writes and queries it, and prints what it did.
//!
//! `cargo run --release --example quickstart`

use bazoola::{Cond, Database, Field, Join, OnDelete, TableSchema, Value};

fn main() -> bazoola::Result<()> {
    let db = Database::open(
        "data",
        [
            TableSchema::new("authors").field(Field::char("name", 20)),
            TableSchema::new("books")
                .field(Field::char("title", 20))
                .field(Field::fk("author_id", "authors").on_delete(OnDelete::Cascade))
                .field(Field::int("year").nullable())
                .field(Field::text("notes").nullable()),
        ],
    )?;
    db.truncate("authors", true)?;
    println!("opened ./data and emptied it");

    let le_guin = db.insert("authors", [("name", "Ursula K. Le Guin")])?;
    let lem = db.insert("authors", [("name", "Stanislaw Lem")])?;
    println!("inserted authors {} and {}", le_guin, lem);

    let books: [(&str, i64, Option<i64>, Option<&str>); 4] = [
        ("The Dispossessed", le_guin.id(), Some(1974), Some("An ambiguous utopia.")),
        ("The Lathe of Heaven", le_guin.id(), Some(1971), None),
        ("Solaris", lem.id(), Some(1961), Some("The ocean thinks.")),
        ("The Cyberiad", lem.id(), None, None),
    ];
    db.transaction(|db| {
        for (title, author, year, notes) in books {
            let row: [(&str, Value); 4] = [
                ("title", title.into()),
                ("author_id", author.into()),
                ("year", year.into()),
                ("notes", notes.into()),
            ];
            db.insert("books", row)?;
        }
        Ok(())
    })?;
    println!("inserted {} books in one transaction", db.count("books", None)?);

    let by_author = Join::forward("author_id", "author", "authors");
    for book in db.find_by_cond("books", &Cond::lt("year", 1972), &[by_author])? {
        println!(
            "before 1972: {} by {}",
            book["title"],
            book["author"].as_row().map_or(Value::Null, |a| a["name"].clone())
        );
    }
    let with_books = db.find_by_id("authors", lem.id(), &[Join::inverse("author_id", "books", "books")])?;
    if let Some(author) = with_books {
        println!("{} wrote {} books", author["name"], author["books"].as_rows().map_or(0, <[_]>::len));
    }
    db.update_by_id("books", 4, [("year", 1965)])?;
    println!("updated book 4: {:?}", db.find_by_id("books", 4, &[])?.map(|b| b["year"].clone()));
    db.delete_by_id("authors", lem.id())?;
    println!("deleted Lem; his books went too (CASCADE): {} books left", db.count("books", None)?);
    println!("check: {} problems", db.check()?.len());
    println!("\nbooks.dat now reads:\n{}", std::fs::read_to_string("data/books.dat").unwrap_or_default());
    db.close();
    Ok(())
}
