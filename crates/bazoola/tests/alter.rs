//! Schema changes (SPEC §9): every operation, every refusal (the files byte-identical
//! after it), migrations at open, and other handles picking a change up.

mod common;

use bazoola::{
    AlterError, Cond, Database, Error, Field, IntegrityError, Join, OnDelete, OpenOptions, SchemaChange,
    SchemaError, TableSchema, Value,
};
use common::snapshot;
use rstest::rstest;

fn authors() -> TableSchema {
    TableSchema::new("authors").field(Field::char("name", 20).unique())
}

fn books() -> TableSchema {
    TableSchema::new("books")
        .field(Field::char("title", 20))
        .field(Field::fk("author_id", "authors").nullable())
        .field(Field::int("year").nullable().indexed())
        .field(Field::text("blurb").nullable())
}

fn reviews() -> TableSchema {
    TableSchema::new("reviews")
        .field(Field::fk("book_id", "books").on_delete(OnDelete::Cascade))
        .field(Field::int("stars"))
}

/// A book as inserted: title, author, year, blurb.
type Book = (&'static str, Option<i64>, Option<i64>, Option<&'static str>);

/// Two authors; five books (one deleted and its slot reused, so slots and ids differ),
/// with nulls, a tie in year and TEXT; two reviews.
fn library(dir: &std::path::Path) -> Database {
    let db = Database::open(dir, [authors(), books(), reviews()]).unwrap();
    db.insert("authors", [("name", "Lem")]).unwrap();
    db.insert("authors", [("name", "Le Guin")]).unwrap();
    let rows: [Book; 5] = [
        ("Solaris", Some(1), Some(1961), Some("ocean")),
        ("Fiasco", Some(1), Some(1986), None),
        ("gone", None, None, None),
        ("Earthsea", Some(2), Some(1968), Some("wizard")),
        ("Lathe", Some(2), Some(1971), Some("dreams")),
    ];
    for (title, author, year, blurb) in rows {
        let row: [(&str, Value); 4] = [
            ("title", title.into()),
            ("author_id", author.into()),
            ("year", year.into()),
            ("blurb", blurb.into()),
        ];
        db.insert("books", row).unwrap();
    }
    db.delete_by_id("books", 3).unwrap();
    let row: [(&str, Value); 2] = [("title", "Dispossessed".into()), ("year", 1974.into())];
    db.insert("books", row).unwrap(); // id 6, in slot 2, no author
    db.insert("reviews", [("book_id", 1), ("stars", 5)]).unwrap();
    db.insert("reviews", [("book_id", 6), ("stars", 4)]).unwrap();
    db
}

/// Each row as (id, [field values]) in file order, for comparing before and after.
fn rows(db: &Database, table: &str) -> Vec<(i64, Vec<Value>)> {
    db.find_all(table, &[])
        .unwrap()
        .iter()
        .map(|r| (r.id(), r.columns().iter().skip(1).map(|c| r[&**c].clone()).collect()))
        .collect()
}

fn field_names(db: &Database, table: &str) -> Vec<String> {
    db.schema(table).unwrap().fields.iter().map(|f| f.name.clone()).collect()
}

/// What a change does, and how to tell it worked.
type Check = fn(&Database, &std::path::Path);

fn added_nullable(db: &Database, dir: &std::path::Path) {
    assert_eq!(field_names(db, "books"), ["id", "title", "author_id", "year", "blurb", "pages"]);
    for book in db.find_all("books", &[]).unwrap() {
        assert_eq!(book["pages"], Value::Null);
    }
    db.update_by_id("books", 1, [("pages", 204)]).unwrap();
    assert_eq!(db.find_by_cond("books", &Cond::eq("pages", 204), &[]).unwrap()[0].id(), 1);
    // The rows are the spec's format: 9 + 20 + 9 + 9 + 9 + 9 + newline.
    assert_eq!(std::fs::metadata(dir.join("books.dat")).unwrap().len(), 5 * 66);
}

fn added_with_default(db: &Database, _: &std::path::Path) {
    let stars: Vec<Value> = db.find_all("books", &[]).unwrap().iter().map(|b| b["copies"].clone()).collect();
    assert_eq!(stars, vec![Value::Int(3); 5]);
}

fn added_text_default(db: &Database, _: &std::path::Path) {
    for book in db.find_all("books", &[]).unwrap() {
        assert_eq!(book["note"].as_str(), Some("to read"));
    }
    // Each row has its own record: deleting one frees only its own.
    db.delete_by_id("books", 1).unwrap();
    assert_eq!(db.find_by_id("books", 2, &[]).unwrap().unwrap()["note"].as_str(), Some("to read"));
}

fn added_fk(db: &Database, _: &std::path::Path) {
    db.update_by_id("books", 2, [("editor_id", 1)]).unwrap();
    let authors = db.find_all("authors", &[Join::inverse("editor_id", "edited", "books")]).unwrap();
    assert_eq!(authors[0]["edited"].as_rows().map(<[_]>::len), Some(1));
    let plan = db.query("books").filter(Cond::eq("editor_id", 1)).explain().unwrap();
    assert!(plan.to_string().contains("via index on editor_id"), "{plan}");
}

fn dropped_indexed(db: &Database, dir: &std::path::Path) {
    assert_eq!(field_names(db, "books"), ["id", "title", "author_id", "blurb"]);
    assert!(!dir.join("books__year.idx.dat").exists());
    assert_eq!(db.find_by_id("books", 4, &[]).unwrap().unwrap()["blurb"].as_str(), Some("wizard"));
}

fn dropped_text(db: &Database, _: &std::path::Path) {
    assert_eq!(field_names(db, "books"), ["id", "title", "author_id", "year"]);
    assert_eq!(db.find_by_cond("books", &Cond::gt("year", 1970), &[]).unwrap().len(), 3);
}

fn renamed_field(db: &Database, dir: &std::path::Path) {
    assert!(dir.join("books__published.idx.dat").exists() && !dir.join("books__year.idx.dat").exists());
    let plan = db.query("books").filter(Cond::gt("published", 1970)).explain().unwrap();
    assert!(plan.to_string().contains("via index on published"), "{plan}");
    assert_eq!(db.query("books").filter(Cond::gt("published", 1970)).count().unwrap(), 3);
}

fn renamed_table(db: &Database, dir: &std::path::Path) {
    assert!(dir.join("volumes.dat").exists() && !dir.join("books.dat").exists());
    assert!(dir.join("volumes__year.idx.dat").exists() && dir.join("volumes__schema.dat").exists());
    let review =
        db.find_by_id("reviews", 1, &[Join::forward("book_id", "book", "volumes")]).unwrap().unwrap();
    assert_eq!(review["book"].as_row().unwrap()["title"].as_str(), Some("Solaris"));
    // The FK follows: deleting a volume cascades to its reviews.
    db.delete_by_id("volumes", 1).unwrap();
    assert_eq!(db.count("reviews", None).unwrap(), 1);
}

fn widened(db: &Database, _: &std::path::Path) {
    let long = "A Wizard of Earthsea, illustrated";
    db.update_by_id("books", 4, [("title", long)]).unwrap();
    assert_eq!(db.find_by_id("books", 4, &[]).unwrap().unwrap()["title"].as_str(), Some(long));
}

fn narrowed(db: &Database, _: &std::path::Path) {
    assert_eq!(db.find_by_id("books", 6, &[]).unwrap().unwrap()["title"].as_str(), Some("Dispossessed"));
    let err = db.update_by_id("books", 1, [("title", "Solaris, again")]).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
}

fn made_unique(db: &Database, _: &std::path::Path) {
    let err = db.insert("books", [("title", "Solaris")]).unwrap_err();
    assert!(matches!(err, Error::Integrity(IntegrityError::Unique { .. })), "{err}");
}

fn unindexed(db: &Database, dir: &std::path::Path) {
    assert!(!dir.join("books__year.idx.dat").exists());
    assert!(db
        .query("books")
        .filter(Cond::eq("year", 1961))
        .explain()
        .unwrap()
        .to_string()
        .starts_with("scan books"));
}

fn cascading_now(db: &Database, _: &std::path::Path) {
    db.delete_by_id("authors", 1).unwrap();
    assert_eq!(db.count("books", None).unwrap(), 3);
}

fn created(db: &Database, dir: &std::path::Path) {
    assert!(dir.join("shelves.dat").exists() && dir.join("shelves__schema.dat").exists());
    db.insert("shelves", [("label", "sci-fi")]).unwrap();
    assert_eq!(db.find_all("shelves", &[]).unwrap()[0]["label"].as_str(), Some("sci-fi"));
}

fn dropped_reviews(db: &Database, dir: &std::path::Path) {
    assert!(db.schema("reviews").is_err());
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().starts_with("reviews")), "{left:?}");
}

fn dropped_with_cascade(db: &Database, _: &std::path::Path) {
    let field = &db.schema("reviews").unwrap().fields[1];
    assert_eq!(field.ty, bazoola::FieldType::Int { size: None });
    assert_eq!(rows(db, "reviews"), vec![(1, vec![1.into(), 5.into()]), (2, vec![6.into(), 4.into()])]);
    // Its index stays: lookups by the old FK value still use it.
    let plan = db.query("reviews").filter(Cond::eq("book_id", 6)).explain().unwrap();
    assert!(plan.to_string().contains("via index on book_id"), "{plan}");
}

#[rstest]
#[case::add_nullable(SchemaChange::AddField { table: "books".into(), field: Field::int("pages").nullable(), default: Value::Null }, added_nullable as Check)]
#[case::add_with_default(SchemaChange::AddField { table: "books".into(), field: Field::int_sized("copies", 3), default: 3.into() }, added_with_default)]
#[case::add_text_with_default(SchemaChange::AddField { table: "books".into(), field: Field::text("note"), default: "to read".into() }, added_text_default)]
#[case::add_fk(SchemaChange::AddField { table: "books".into(), field: Field::fk("editor_id", "authors").nullable(), default: Value::Null }, added_fk)]
#[case::drop_indexed(SchemaChange::DropField { table: "books".into(), field: "year".into() }, dropped_indexed)]
#[case::drop_text(SchemaChange::DropField { table: "books".into(), field: "blurb".into() }, dropped_text)]
#[case::rename_field(SchemaChange::RenameField { table: "books".into(), from: "year".into(), to: "published".into() }, renamed_field)]
#[case::rename_table(SchemaChange::RenameTable { from: "books".into(), to: "volumes".into() }, renamed_table)]
#[case::widen_char(SchemaChange::AlterField { table: "books".into(), field: Field::char("title", 40) }, widened)]
#[case::narrow_char(SchemaChange::AlterField { table: "books".into(), field: Field::char("title", 12) }, narrowed)]
#[case::make_unique(SchemaChange::AlterField { table: "books".into(), field: Field::char("title", 20).unique() }, made_unique)]
#[case::drop_index(SchemaChange::AlterField { table: "books".into(), field: Field::int("year").nullable() }, unindexed)]
#[case::on_delete(SchemaChange::AlterField { table: "books".into(), field: Field::fk("author_id", "authors").nullable().on_delete(OnDelete::Cascade) }, cascading_now)]
#[case::create_table(SchemaChange::CreateTable(TableSchema::new("shelves").field(Field::char("label", 10))), created)]
#[case::drop_table(SchemaChange::DropTable { table: "reviews".into(), cascade: false }, dropped_reviews)]
#[case::drop_table_cascade(SchemaChange::DropTable { table: "books".into(), cascade: true }, dropped_with_cascade)]
fn each_change_keeps_the_rows_and_the_files_healthy(#[case] change: SchemaChange, #[case] check: Check) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let other = Database::open_existing(dir.path()).unwrap();
    let before: Vec<_> = ["authors", "books", "reviews"].iter().map(|t| rows(&db, t)).collect();
    db.change_schema(change.clone()).unwrap();
    // Fields that were there keep their values, row by row, id by id.
    for (t, table) in ["authors", "books", "reviews"].iter().enumerate() {
        let Ok(schema) = db.schema(table) else { continue };
        let now = rows(&db, table);
        assert_eq!(now.len(), before[t].len(), "{table}");
        for ((id, values), (old_id, old_values)) in now.iter().zip(&before[t]) {
            assert_eq!(id, old_id);
            for (i, field) in schema.fields.iter().enumerate().skip(1) {
                let old_schema = match *table {
                    "authors" => authors(),
                    "books" => books(),
                    _ => reviews(),
                };
                if let Some(j) = old_schema.field_index(&field.name) {
                    assert_eq!(values[i - 1], old_values[j - 1], "{table}.{} of id {id}", field.name);
                }
            }
        }
    }
    assert_eq!(db.check().unwrap(), vec![], "{change:?}");
    // Another handle, opened before, picks the change up on its next operation.
    let fresh = Database::open_existing(dir.path()).unwrap();
    assert_eq!(other.tables().unwrap(), fresh.tables().unwrap());
    fresh.close();
    check(&db, dir.path());
    assert_eq!(db.check().unwrap(), vec![]);
    // The directory opens again with the tables as they are now.
    let tables = db.tables().unwrap();
    db.close();
    other.close();
    let db = Database::open(dir.path(), tables).unwrap();
    assert_eq!(db.check().unwrap(), vec![]);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".new.") || n.starts_with(".old."))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

fn is_alter(expected: fn(&AlterError) -> bool) -> impl Fn(&Error) -> bool {
    move |e| matches!(e, Error::Alter(a) if expected(a))
}

#[rstest]
#[case::narrow_below_a_value(
    SchemaChange::AlterField { table: "books".into(), field: Field::char("title", 8) },
    "field 'title' cannot become `title CHAR(8)`: row id=6 holds 'Dispossessed', which does not fit",
    Some(6)
)]
#[case::not_null_over_null(
    SchemaChange::AlterField { table: "books".into(), field: Field::fk("author_id", "authors") },
    "field 'author_id' cannot become NOT NULL: row id=6 holds null", None
)]
#[case::unique_over_duplicates(
    SchemaChange::AlterField { table: "books".into(), field: Field::fk("author_id", "authors").nullable().unique() },
    "field 'author_id' cannot become UNIQUE: rows id=1 and id=2 both hold 1", Some(2)
)]
#[case::not_null_without_default(
    SchemaChange::AddField { table: "books".into(), field: Field::int("pages"), default: Value::Null },
    "the new field 'pages' is not nullable, so the rows already there (row id=1 first) need a default", Some(1)
)]
#[case::unique_with_one_default(
    SchemaChange::AddField { table: "books".into(), field: Field::int("isbn").unique(), default: 7.into() },
    "field 'isbn' cannot become UNIQUE: rows id=1 and id=2 both hold 7", Some(2)
)]
#[case::default_too_long(
    SchemaChange::AddField { table: "books".into(), field: Field::char("code", 2), default: "abc".into() },
    "'code': The value is too long", None
)]
#[case::default_names_no_row(
    SchemaChange::AddField { table: "books".into(), field: Field::fk("editor_id", "authors").nullable(), default: 9.into() },
    "Item id=9 does not exist in 'authors'", Some(9)
)]
#[case::drop_referenced(
    SchemaChange::DropTable { table: "books".into(), cascade: false },
    "cannot drop table 'books': field 'book_id' of table 'reviews' refers to it", None
)]
#[case::drop_id(SchemaChange::DropField { table: "books".into(), field: "id".into() }, "the primary key `id` cannot be dropped", None)]
#[case::rename_id(SchemaChange::RenameField { table: "books".into(), from: "id".into(), to: "key".into() }, "the primary key `id` cannot be renamed", None)]
#[case::type_change(
    SchemaChange::AlterField { table: "books".into(), field: Field::char("year", 4) },
    "field 'year' cannot change from `year INT(9) NULL INDEX` to `year CHAR(4)`", None
)]
#[case::fk_target_change(
    SchemaChange::AlterField { table: "books".into(), field: Field::fk("author_id", "books").nullable() },
    "field 'author_id' cannot change from", None
)]
#[case::rename_onto_a_table(SchemaChange::RenameTable { from: "books".into(), to: "authors".into() }, "table 'authors' already exists", None)]
#[case::rename_onto_a_field(SchemaChange::RenameField { table: "books".into(), from: "year".into(), to: "title".into() }, "field 'title' already exists", None)]
#[case::add_existing(SchemaChange::AddField { table: "books".into(), field: Field::int("year"), default: Value::Null }, "field 'year' already exists", None)]
#[case::create_existing(
    SchemaChange::CreateTable(TableSchema::new("books")),
    "table 'books' already exists",
    None
)]
#[case::create_with_unknown_target(
    SchemaChange::CreateTable(TableSchema::new("x").field(Field::fk("y_id", "y"))),
    "refers to table 'y', which is not declared", None
)]
#[case::unknown_table(SchemaChange::DropField { table: "nope".into(), field: "x".into() }, "No such table: 'nope'", None)]
#[case::unknown_field(SchemaChange::DropField { table: "books".into(), field: "nope".into() }, "'nope': No such field in table 'books'", None)]
fn a_refused_change_names_why_and_changes_no_file(
    #[case] change: SchemaChange,
    #[case] expected: &str,
    #[case] id: Option<i64>,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let before = snapshot(dir.path());
    let err = db.change_schema(change).unwrap_err();
    assert!(err.to_string().contains(expected), "{err}");
    if id.is_some() {
        assert_eq!(err.id(), id, "{err}");
    }
    assert!(snapshot(dir.path()) == before, "a refused change touched the files");
    // The handle still works, with the old schema.
    assert_eq!(db.tables().unwrap(), [authors(), books(), reviews()]);
    assert_eq!(db.count("books", None).unwrap(), 5);
}

#[test]
fn the_errors_carry_table_field_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let err = db.alter_field("books", Field::char("title", 8)).unwrap_err();
    assert!(is_alter(|a| matches!(a, AlterError::DoesNotFit { .. }))(&err));
    assert_eq!((err.table(), err.field(), err.id()), (Some("books"), Some("title"), Some(6)));
    assert_eq!(err.value(), Some(&Value::from("Dispossessed")));
}

#[test]
fn a_file_in_the_way_of_a_new_table_is_named_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    std::fs::write(dir.path().join("shelves.dat"), "mine\n").unwrap();
    let before = snapshot(dir.path());
    let err = db.create_table(TableSchema::new("shelves")).unwrap_err();
    assert!(matches!(err, Error::Alter(AlterError::FileInTheWay { .. })), "{err}");
    assert!(err.path().is_some_and(|p| p.ends_with("shelves.dat")), "{err}");
    assert!(snapshot(dir.path()) == before);
}

#[test]
fn schema_changes_do_not_run_inside_a_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let err = db.transaction(|db| db.drop_field("books", "blurb")).unwrap_err();
    assert!(matches!(err, Error::Alter(AlterError::InTransaction)), "{err}");
    assert_eq!(field_names(&db, "books").len(), 5);
}

#[test]
fn a_handle_that_declared_the_old_schema_is_told_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let old = Database::open(dir.path(), [authors(), books(), reviews()]).unwrap();
    db.add_field("books", Field::int("pages").nullable(), Value::Null).unwrap();
    let err = old.find_all("books", &[]).unwrap_err();
    assert!(matches!(err, Error::Schema(SchemaError::Mismatch { .. })), "{err}");
    assert!(err.to_string().contains("has no field 'pages'"), "{err}");
}

/// A handle that declared a table another handle dropped or renamed is told so; it does
/// not create the table afresh (its writes would go to an empty table while the rows
/// sit elsewhere), and writes no schema file while it is refused.
#[rstest]
#[case::dropped(SchemaChange::DropTable { table: "reviews".into(), cascade: false })]
#[case::renamed(SchemaChange::RenameTable { from: "reviews".into(), to: "critiques".into() })]
fn a_handle_whose_table_went_is_told_and_creates_nothing(#[case] change: SchemaChange) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let old = Database::open(dir.path(), [authors(), books(), reviews()]).unwrap();
    db.change_schema(change).unwrap();
    let files = snapshot(dir.path());
    for _ in 0..2 {
        let err = old.find_all("reviews", &[]).unwrap_err();
        assert!(matches!(err, Error::Schema(SchemaError::Gone { .. })), "{err}");
        assert_eq!(err.table(), Some("reviews"));
    }
    assert!(snapshot(dir.path()) == files, "the refused handle wrote files");
}

#[test]
fn an_iterator_under_way_goes_on_with_the_new_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path());
    let mut walk = db.query("books").iter(1).unwrap();
    assert_eq!(walk.next().unwrap().unwrap().id(), 1);
    db.add_field("books", Field::int("pages").nullable(), Value::Null).unwrap();
    let rest: Vec<i64> = walk.map(|r| r.unwrap().id()).collect();
    assert_eq!(rest, [2, 6, 4, 5]);
}

fn books_v2() -> TableSchema {
    TableSchema::new("books")
        .field(Field::char("title", 30))
        .field(Field::int("pages").nullable())
        .field(Field::fk("author_id", "authors").nullable())
        .field(Field::int("year").nullable().unique())
        .field(Field::text("blurb").nullable())
}

#[test]
fn migrate_applies_the_safe_differences_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let before = rows(&library(dir.path()), "books");
    // Without migrate: refused, naming what migrate would do.
    let err = Database::open(dir.path(), [authors(), books_v2(), reviews()]).err().unwrap();
    let message = err.to_string();
    assert!(message.contains("widens field 'title' from 20 to 30"), "{message}");
    assert!(message.contains("open with migrate to apply that"), "{message}");
    let db = OpenOptions::new().migrate(true).open(dir.path(), [authors(), books_v2(), reviews()]).unwrap();
    assert_eq!(db.tables().unwrap()[1], books_v2());
    let after = rows(&db, "books");
    for ((id, new), (old_id, old)) in after.iter().zip(&before) {
        assert_eq!(id, old_id);
        assert_eq!(
            (&new[0], &new[1], &new[2], &new[3], &new[4]),
            (&old[0], &Value::Null, &old[1], &old[2], &old[3])
        );
    }
    assert_eq!(db.check().unwrap(), vec![]);
    let row: [(&str, Value); 2] = [("title", "x".into()), ("year", 1961.into())];
    let err = db.insert("books", row).unwrap_err();
    assert!(matches!(err, Error::Integrity(IntegrityError::Unique { .. })), "{err}");
    // Opening again with the same declaration changes nothing.
    let files = snapshot(dir.path());
    db.close();
    OpenOptions::new().migrate(true).open(dir.path(), [authors(), books_v2(), reviews()]).unwrap().close();
    assert!(snapshot(dir.path()) == files);
}

#[rstest]
#[case::dropped_field(TableSchema::new("books").field(Field::char("title", 20)).field(Field::fk("author_id", "authors").nullable()).field(Field::int("year").nullable().indexed()), "has no field 'blurb'")]
#[case::narrowed(books().fields.into_iter().skip(1).fold(TableSchema::new("books"), |t, f| t.field(if f.name == "title" { Field::char("title", 5) } else { f })), "narrows field 'title' from 20 to 5")]
#[case::not_null_field(books().field(Field::int("pages")), "adds field 'pages', which is not nullable")]
#[case::index_dropped(books().fields.into_iter().skip(1).fold(TableSchema::new("books"), |t, f| t.field(if f.name == "year" { Field::int("year").nullable() } else { f })), "drops the index of field 'year'")]
fn migrate_refuses_what_could_lose_data(#[case] declared: TableSchema, #[case] expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path()).close();
    let before = snapshot(dir.path());
    let err =
        OpenOptions::new().migrate(true).open(dir.path(), [authors(), declared, reviews()]).err().unwrap();
    assert!(matches!(err, Error::Alter(AlterError::NotMigratable { .. })), "{err}");
    assert!(err.to_string().contains(expected), "{err}");
    assert!(snapshot(dir.path()) == before);
}
