//! Writing rows: a struct through serde (`to_values`), a literal `row!` and the explicit
//! `(name, value)` pairs all write the same bytes; what serde cannot store is an error
//! that names the field.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bazoola::{Database, Error, Field, OnDelete, SerError, TableSchema, ValidationError, Value, Values};
use rstest::rstest;
use serde::{Deserialize, Serialize};

fn schemas() -> [TableSchema; 2] {
    [
        TableSchema::new("authors").field(Field::char("name", 20)),
        TableSchema::new("books")
            .field(Field::char("title", 20))
            .field(Field::fk("author_id", "authors").on_delete(OnDelete::Cascade))
            .field(Field::int("year").nullable())
            .field(Field::text("notes").nullable()),
    ]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Author {
    id: Option<i64>,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Book {
    id: Option<i64>,
    title: String,
    author_id: i64,
    year: Option<i64>,
    notes: Option<String>,
}

/// The books every path writes: (title, author, year, notes).
const BOOKS: [(&str, i64, Option<i64>, Option<&str>); 4] = [
    ("The Dispossessed", 1, Some(1974), Some("An ambiguous utopia.")),
    ("The Lathe of Heaven", 1, Some(1971), None),
    ("Solaris", 2, Some(1961), Some("The ocean thinks.")),
    ("The Cyberiad", 2, None, None),
];

#[derive(Debug, Clone, Copy)]
enum Path3 {
    Explicit,
    Macro,
    Serde,
}

/// Writes the same rows (inserts, one with an explicit id, and updates) one way.
fn write(dir: &Path, how: Path3) -> bazoola::Result<()> {
    let db = Database::open(dir, schemas())?;
    for name in ["Ursula K. Le Guin", "Stanislaw Lem"] {
        match how {
            Path3::Explicit => db.insert("authors", [("name", name)])?,
            Path3::Macro => db.insert("authors", bazoola::row! { "name" => name })?,
            Path3::Serde => {
                db.insert("authors", bazoola::to_values(&Author { id: None, name: name.into() })?)?
            }
        };
    }
    for (i, (title, author, year, notes)) in BOOKS.into_iter().enumerate() {
        // The last book gets an explicit id, past the sequence.
        let id = (i == 3).then_some(10);
        match how {
            Path3::Explicit => {
                let mut row: Vec<(&str, Value)> = vec![
                    ("title", title.into()),
                    ("author_id", author.into()),
                    ("year", year.into()),
                    ("notes", notes.into()),
                ];
                if let Some(id) = id {
                    row.insert(0, ("id", id.into()));
                }
                db.insert("books", row)?
            }
            Path3::Macro => {
                let mut row = bazoola::row! { "title" => title, "author_id" => author, "year" => year, "notes" => notes };
                if let Some(id) = id {
                    row.push("id", id);
                }
                db.insert("books", row)?
            }
            Path3::Serde => {
                let book =
                    Book { id, title: title.into(), author_id: author, year, notes: notes.map(Into::into) };
                db.insert("books", bazoola::to_values(&book)?)?
            }
        };
    }
    match how {
        Path3::Explicit => {
            db.update_by_id(
                "books",
                10,
                [("year", Value::Int(1965)), ("notes", "Fables for the cybernetic age".into())],
            )?;
            db.update_by_id("books", 1, [("notes", Value::Null)])?;
        }
        Path3::Macro => {
            db.update_by_id(
                "books",
                10,
                bazoola::row! { "year" => 1965, "notes" => "Fables for the cybernetic age" },
            )?;
            db.update_by_id("books", 1, bazoola::row! { "notes" => None::<&str> })?;
        }
        Path3::Serde => {
            let mut book: Book = db.find_by_id("books", 10, &[])?.and_then(|r| r.deserialize().ok()).unwrap();
            book.year = Some(1965);
            book.notes = Some("Fables for the cybernetic age".into());
            db.update_by_id("books", 10, bazoola::to_values(&book)?)?;
            let mut book: Book = db.find_by_id("books", 1, &[])?.and_then(|r| r.deserialize().ok()).unwrap();
            book.notes = None;
            db.update_by_id("books", 1, bazoola::to_values(&book)?)?;
        }
    }
    db.close();
    Ok(())
}

/// The table files of the directory (rows, text heaps, indexes, schemas), by name:
/// not the journal or lock files, whose bytes hold a nonce. A secondary index file's
/// header holds the stamp (length, mtime, inode) of its table's data file at bytes 40..64,
/// which differs between directories; it is zeroed, after checking it was written.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), entry.path())
        })
        .filter(|(name, _)| !name.starts_with('.'))
        .map(|(name, path)| {
            let mut bytes = std::fs::read(path).unwrap();
            if bytes.starts_with(b"BZINDEX2") {
                assert!(bytes[40..64].iter().any(|&b| b != 0), "{name}: no stamp");
                bytes[40..64].fill(0);
            }
            (name, bytes)
        })
        .collect()
}

#[test]
fn serde_macro_and_explicit_pairs_write_byte_identical_files() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (dir, how) in dirs.iter().zip([Path3::Explicit, Path3::Macro, Path3::Serde]) {
        write(dir.path(), how).unwrap_or_else(|e| panic!("{how:?}: {e}"));
    }
    let explicit = files(dirs[0].path());
    let names: Vec<&str> = explicit.keys().map(String::as_str).collect();
    for name in ["authors.dat", "books.dat", "books.text.dat", "books__author_id.idx.dat"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let everything: String = explicit.values().map(|bytes| String::from_utf8_lossy(bytes)).collect();
    assert!(everything.contains("Fables for the cybernetic age"), "{:?}", explicit.keys());
    assert!(String::from_utf8_lossy(&explicit["books.dat"])
        .contains("10       The Cyberiad        2        1965"));
    for (dir, how) in dirs[1..].iter().zip(["row!", "to_values"]) {
        let other = files(dir.path());
        assert_eq!(other.keys().collect::<Vec<_>>(), explicit.keys().collect::<Vec<_>>(), "{how}");
        for (name, bytes) in &explicit {
            assert!(
                other[name] == *bytes,
                "{how}: {name} differs:\n{}\nvs explicit:\n{}",
                String::from_utf8_lossy(&other[name]),
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[test]
fn the_macro_and_to_values_build_the_same_values() {
    let book = Book { id: None, title: "Solaris".into(), author_id: 2, year: None, notes: Some("x".into()) };
    let by_macro = bazoola::row! {
        "title" => "Solaris",
        "author_id" => 2,
        "year" => None::<i64>,
        "notes" => String::from("x"),
    };
    assert_eq!(bazoola::to_values(&book).unwrap(), by_macro);
    // With an id, it is kept, first.
    let values = bazoola::to_values(&Book { id: Some(7), ..book }).unwrap();
    assert_eq!(values.iter().next(), Some(("id", &Value::Int(7))));
    assert_eq!(bazoola::row! {}, Values::new());
}

#[derive(Serialize)]
struct Inner {
    a: i64,
}

#[derive(Serialize)]
enum Kind {
    Novel,
}

#[derive(Serialize)]
struct Nested {
    title: &'static str,
    inner: Inner,
}
#[derive(Serialize)]
struct WithVec {
    title: &'static str,
    tags: Vec<String>,
}
#[derive(Serialize)]
struct WithMap {
    title: &'static str,
    extra: HashMap<String, i64>,
}
#[derive(Serialize)]
struct WithTuple {
    pair: (i64, i64),
}
#[derive(Serialize)]
struct WithFloat {
    price: f64,
}
#[derive(Serialize)]
struct WithBool {
    done: bool,
}
#[derive(Serialize)]
struct WithEnum {
    kind: Kind,
}
#[derive(Serialize)]
struct WithBytes {
    #[serde(serialize_with = "as_bytes")]
    blob: Vec<u8>,
}
fn as_bytes<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(v)
}
#[derive(Serialize)]
struct NestedOption {
    inner: Option<Inner>,
}

#[rstest]
#[case::nested_struct(bazoola::to_values(&Nested { title: "t", inner: Inner { a: 1 } }), "inner", "a struct")]
#[case::sequence(bazoola::to_values(&WithVec { title: "t", tags: vec!["x".into()] }), "tags", "a sequence")]
#[case::map(bazoola::to_values(&WithMap { title: "t", extra: HashMap::new() }), "extra", "a map")]
#[case::tuple(bazoola::to_values(&WithTuple { pair: (1, 2) }), "pair", "a tuple")]
#[case::float(bazoola::to_values(&WithFloat { price: 1.5 }), "price", "a float")]
#[case::boolean(bazoola::to_values(&WithBool { done: true }), "done", "a boolean")]
#[case::enum_variant(bazoola::to_values(&WithEnum { kind: Kind::Novel }), "kind", "an enum variant")]
#[case::bytes(bazoola::to_values(&WithBytes { blob: vec![1] }), "blob", "bytes")]
#[case::some_struct(bazoola::to_values(&NestedOption { inner: Some(Inner { a: 1 }) }), "inner", "a struct")]
fn unsupported_shapes_name_the_field(
    #[case] result: Result<Values, SerError>,
    #[case] field: &str,
    #[case] kind: &'static str,
) {
    let err = result.unwrap_err();
    assert_eq!(err, SerError::Unsupported { field: field.into(), kind });
    assert_eq!(err.field(), Some(field));
    assert!(err.to_string().starts_with(&format!("'{field}': {kind} cannot be written")), "{err}");
    // Through the crate's error, as `?` converts it.
    let err = Error::from(err);
    assert!(matches!(err, Error::Serialize(SerError::Unsupported { .. })));
    assert_eq!(err.field(), Some(field));
}

#[test]
fn a_none_nested_struct_is_null() {
    assert_eq!(
        bazoola::to_values(&NestedOption { inner: None }).unwrap(),
        bazoola::row! { "inner" => Value::Null }
    );
}

#[derive(Serialize)]
struct Big {
    n: u64,
}
#[derive(Serialize)]
struct Huge {
    n: i128,
}

#[rstest]
#[case::u64_max(bazoola::to_values(&Big { n: u64::MAX }), Err("18446744073709551615"))]
#[case::u64_past_i64(bazoola::to_values(&Big { n: i64::MAX as u64 + 1 }), Err("9223372036854775808"))]
#[case::u64_fits(bazoola::to_values(&Big { n: i64::MAX as u64 }), Ok(i64::MAX))]
#[case::i128_fits(bazoola::to_values(&Huge { n: -5 }), Ok(-5))]
#[case::i128_too_small(bazoola::to_values(&Huge { n: i128::from(i64::MIN) - 1 }), Err("-9223372036854775809"))]
fn integers_past_i64_are_a_clear_error(
    #[case] result: Result<Values, SerError>,
    #[case] expected: Result<i64, &str>,
) {
    match expected {
        Ok(n) => assert_eq!(result.unwrap(), bazoola::row! { "n" => n }),
        Err(value) => {
            let err = result.unwrap_err();
            assert_eq!(err, SerError::OutOfRange { field: "n".into(), value: value.into() });
            assert_eq!(err.to_string(), format!("'n': {value} does not fit a 64-bit signed integer"));
        }
    }
}

#[derive(Serialize)]
struct Small {
    a: i8,
    b: u8,
    c: i16,
    d: u16,
    e: i32,
    f: u32,
    g: char,
    h: (),
}

#[test]
fn every_integer_width_is_an_int_and_a_char_is_text() {
    let values =
        bazoola::to_values(&Small { a: -1, b: 2, c: -3, d: 4, e: -5, f: u32::MAX, g: 'x', h: () }).unwrap();
    let expected = bazoola::row! {
        "a" => -1, "b" => 2, "c" => -3, "d" => 4, "e" => -5, "f" => u32::MAX, "g" => "x", "h" => Value::Null,
    };
    assert_eq!(values, expected);
}

#[rstest]
#[case::integer(bazoola::to_values(&5), "an integer")]
#[case::string(bazoola::to_values("title"), "a string")]
#[case::sequence(bazoola::to_values(&vec![("title", "x")]), "a sequence")]
#[case::none(bazoola::to_values(&None::<Author>), "None")]
#[case::int_keys(bazoola::to_values(&BTreeMap::from([(1, 2)])), "a map whose keys are not strings")]
fn only_a_struct_or_a_map_is_a_row(#[case] result: Result<Values, SerError>, #[case] kind: &'static str) {
    let err = result.unwrap_err();
    assert_eq!(err, SerError::NotARow { kind });
    assert_eq!(err.field(), None);
}

#[test]
fn a_map_of_names_is_a_row_and_serde_attributes_apply() {
    let map = BTreeMap::from([("name", Some("Lem")), ("id", None)]);
    assert_eq!(bazoola::to_values(&map).unwrap(), bazoola::row! { "name" => "Lem" });

    #[derive(Serialize)]
    struct Renamed<'a> {
        #[serde(rename = "title")]
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        year: Option<i64>,
        #[serde(skip)]
        _cache: Vec<u8>,
    }
    let values = bazoola::to_values(&Renamed { name: "Solaris", year: None, _cache: vec![1] }).unwrap();
    assert_eq!(values, bazoola::row! { "title" => "Solaris" });

    #[derive(Serialize)]
    struct AuthorId(i64);
    #[derive(Serialize)]
    struct WithNewtype {
        author_id: AuthorId,
    }
    assert_eq!(
        bazoola::to_values(&WithNewtype { author_id: AuthorId(3) }).unwrap(),
        bazoola::row! { "author_id" => 3 }
    );
}

#[test]
fn a_failing_serialize_impl_names_the_field() {
    struct Refuses;
    impl Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("not today"))
        }
    }
    #[derive(Serialize)]
    struct Holder {
        cell: Refuses,
    }
    let err = bazoola::to_values(&Holder { cell: Refuses }).unwrap_err();
    assert_eq!(err, SerError::Custom { field: "cell".into(), message: "not today".into() });
    assert_eq!(err.to_string(), "'cell': not today");
}

#[test]
fn update_from_a_struct() -> bazoola::Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), schemas())?;
    let lem =
        db.insert("authors", bazoola::to_values(&Author { id: None, name: "Stanislaw Lem".into() })?)?;
    let mut book = Book { id: None, title: "Solaris".into(), author_id: lem.id(), year: None, notes: None };
    let inserted = db.insert("books", bazoola::to_values(&book)?)?;
    assert_eq!(inserted.id(), 1);

    // `id: None` keeps the row's id.
    book.year = Some(1961);
    let updated = db.update_by_id("books", 1, bazoola::to_values(&book)?)?;
    assert_eq!(updated["year"], Value::Int(1961));

    // The struct read back, changed and written again.
    let mut read: Book = db.find_by_id("books", 1, &[])?.unwrap().deserialize().unwrap();
    assert_eq!(read, Book { id: Some(1), year: Some(1961), ..book.clone() });
    read.notes = Some("The ocean thinks.".into());
    db.update_by_id("books", 1, bazoola::to_values(&read)?)?;
    let again: Book = db.find_by_id("books", 1, &[])?.unwrap().deserialize().unwrap();
    assert_eq!(again, read);

    // A different id in the struct is refused by the update, as with explicit pairs.
    let err =
        db.update_by_id("books", 1, bazoola::to_values(&Book { id: Some(2), ..read.clone() })?).unwrap_err();
    assert!(matches!(err, Error::Validation(ValidationError::IdChanged { id: 1, new_id: 2, .. })), "{err}");

    // A partial struct updates only its fields.
    #[derive(Serialize)]
    struct YearOnly {
        year: Option<i64>,
    }
    let row = db.update_by_id("books", 1, bazoola::to_values(&YearOnly { year: None })?)?;
    assert_eq!((row["year"].clone(), row["notes"].as_str()), (Value::Null, Some("The ocean thinks.")));

    // `?` turns a serializer error into the crate's error.
    let refused = (|| -> bazoola::Result<bazoola::Row> {
        db.update_by_id("books", 1, bazoola::to_values(&WithFloat { price: 2.0 })?)
    })();
    assert!(matches!(refused, Err(Error::Serialize(SerError::Unsupported { .. }))));
    Ok(())
}

#[rstest]
#[case::serde(true)]
#[case::macro_(false)]
fn option_none_is_null(#[case] serde: bool) -> bazoola::Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), schemas())?;
    db.insert("authors", bazoola::row! { "name" => "Lem" })?;
    let values = if serde {
        bazoola::to_values(&Book {
            id: None,
            title: "The Cyberiad".into(),
            author_id: 1,
            year: None,
            notes: None,
        })?
    } else {
        let year: Option<i64> = None;
        bazoola::row! { "title" => "The Cyberiad", "author_id" => 1, "year" => year, "notes" => None::<String> }
    };
    assert_eq!((values.get("year"), values.get("notes")), (Some(&Value::Null), Some(&Value::Null)));
    let row = db.insert("books", values)?;
    let read = db.find_by_id("books", row.id(), &[])?.unwrap();
    assert!(read["year"].is_null() && read["notes"].is_null(), "{read}");
    let book: Book = read.deserialize().unwrap();
    assert_eq!((book.year, book.notes), (None, None));
    // A null in a NOT NULL field is the usual validation error.
    let err = db.insert("books", bazoola::row! { "title" => None::<&str>, "author_id" => 1 }).unwrap_err();
    assert!(matches!(err, Error::Validation(ValidationError::NullNotAllowed { .. })), "{err}");
    Ok(())
}
