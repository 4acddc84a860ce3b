//! Creates a database in `./data`, writes and queries it, and prints what it did.
//!
//! `cargo run --release --example quickstart`

use bazoola::{row, to_values, Cond, Database, Field, Join, OnDelete, TableSchema, Value};
use serde::Serialize;

/// A row of `books`, written with [`to_values`] (`Row::deserialize` reads one back).
/// `id: None` lets the insert assign the next id.
#[derive(Serialize)]
struct Book {
    id: Option<i64>,
    title: String,
    author_id: i64,
    year: Option<i64>,
    notes: Option<String>,
}

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

    let le_guin = db.insert("authors", row! { "name" => "Ursula K. Le Guin" })?;
    let lem = db.insert("authors", row! { "name" => "Stanislaw Lem" })?;
    println!("inserted authors {} and {}", le_guin, lem);

    let book = |title: &str, author_id: i64, year: Option<i64>, notes: Option<&str>| Book {
        id: None,
        title: title.into(),
        author_id,
        year,
        notes: notes.map(Into::into),
    };
    let books = [
        book("The Dispossessed", le_guin.id(), Some(1974), Some("An ambiguous utopia.")),
        book("The Lathe of Heaven", le_guin.id(), Some(1971), None),
        book("Solaris", lem.id(), Some(1961), Some("The ocean thinks.")),
    ];
    db.transaction(|db| {
        for book in &books {
            db.insert("books", to_values(book)?)?;
        }
        // A literal row of mixed types; `None` is null.
        db.insert(
            "books",
            row! { "title" => "The Cyberiad", "author_id" => lem.id(), "year" => None::<i64> },
        )?;
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
    db.update_by_id("books", 4, row! { "year" => 1965 })?;
    println!("updated book 4: {:?}", db.find_by_id("books", 4, &[])?.map(|b| b["year"].clone()));
    db.delete_by_id("authors", lem.id())?;
    println!("deleted Lem; his books went too (CASCADE): {} books left", db.count("books", None)?);
    println!("check: {} problems", db.check()?.len());
    println!("\nbooks.dat now reads:\n{}", std::fs::read_to_string("data/books.dat").unwrap_or_default());
    db.close();
    Ok(())
}
