//! Data in and out without a server: export → import round trips in every format,
//! schema inference, SQL dumps loaded back (SQLite through rusqlite, with its FK and
//! unique rules compared against ours), golden dumps, and bad input — each error
//! naming its line or element and field, and nothing half-written.

#[path = "data/fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};

use bazoola::{Database, Field, OnDelete, OpenOptions, TableSchema, Value};
use bazoola_cli::transfer::order::fk_order;
use bazoola_cli::transfer::{
    dump, export, import, Dialect, DumpOptions, Format, ImportOptions, Place, TransferError,
};
use rstest::rstest;

fn quiet() -> ImportOptions {
    ImportOptions { progress: false, ..ImportOptions::default() }
}

fn dump_text(db: &Database, dialect: Dialect) -> String {
    let mut out = Vec::new();
    dump(db, &DumpOptions { dialect, ..DumpOptions::default() }, &mut out).expect("dump");
    String::from_utf8(out).expect("a dump is UTF-8")
}

/// Exports every table of `db` to `dir` in `format`, then imports them (in FK order)
/// into `target`.
fn copy_through_files(db: &Database, target: &Database, dir: &Path, format: Format) {
    let schemas = target.tables().unwrap();
    for &t in &fk_order(&schemas).tables {
        let table = &schemas[t].name;
        let path = dir.join(format!("{table}.{}", format.name()));
        let exported = export(db, table, &path, None).unwrap();
        let report = import(target, &path, table, &quiet()).unwrap();
        assert_eq!(report.inserted, exported, "{table}");
        assert_eq!(report.skipped, 0);
    }
}

#[rstest]
fn export_then_import_gives_the_same_rows_in_the_same_slots(
    #[values(Format::Csv, Format::Json, Format::Ndjson)] format: Format,
) {
    let source_dir = tempfile::tempdir().unwrap();
    let target_dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let db = fixture::build(source_dir.path());
    let target = Database::open(target_dir.path(), fixture::schemas()).unwrap();
    copy_through_files(&db, &target, files.path(), format);
    assert_eq!(fixture::contents(&target), fixture::contents(&db));
    // Tables never changed after their inserts come out byte for byte the same.
    let (before, after) = (fixture::files(source_dir.path()), fixture::files(target_dir.path()));
    for file in
        ["authors.dat", "authors.text.dat", "authors__id.idx.dat", "shelves.dat", "shelves__id.idx.dat"]
    {
        assert!(before[file] == after[file], "{file} differs after the {format} round trip");
    }
    assert!(target.check().unwrap().is_empty());
}

#[test]
fn exports_write_nulls_empty_strings_and_awkward_text_so_they_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let out = |format| {
        let mut bytes = Vec::new();
        bazoola_cli::transfer::export_to(&db, "shelves", format, &mut bytes).unwrap();
        String::from_utf8(bytes).unwrap()
    };
    assert_eq!(out(Format::Csv), "id,label,code\n1,,123456789012\n2,\"\",\n3,\"A,1\",-1\n");
    assert_eq!(
        out(Format::Json),
        "[\n{\"id\":1,\"label\":null,\"code\":123456789012},\n{\"id\":2,\"label\":\"\",\"code\":null},\n\
         {\"id\":3,\"label\":\"A,1\",\"code\":-1}\n]\n"
    );
    assert_eq!(out(Format::Ndjson).lines().count(), 3);
    db.truncate("reviews", false).unwrap();
    let mut empty = Vec::new();
    bazoola_cli::transfer::export_to(&db, "reviews", Format::Json, &mut empty).unwrap();
    assert_eq!(empty, b"[]\n");
}

#[test]
fn a_failed_export_leaves_no_partial_file_and_the_old_one_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("out.csv");
    std::fs::write(&path, "old contents").unwrap();
    let error = export(&db, "no_such_table", &path, None).unwrap_err();
    assert!(error.to_string().contains("No such table: 'no_such_table'"), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents");
    assert_eq!(std::fs::read_dir(files.path()).unwrap().count(), 1, "no staged file left behind");
    let error = export(&db, "books", &files.path().join("missing/dir/out.csv"), None).unwrap_err();
    assert!(matches!(error, TransferError::Io { .. }), "{error}");
    let error = export(&db, "books", &files.path().join("out.xlsx"), None).unwrap_err();
    assert!(matches!(error, TransferError::UnknownFormat { .. }), "{error}");
}

#[rstest]
fn import_with_create_infers_a_schema_that_keeps_every_value(
    #[values(Format::Csv, Format::Json, Format::Ndjson)] format: Format,
) {
    let source_dir = tempfile::tempdir().unwrap();
    let target_dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let db = fixture::build(source_dir.path());
    let target = Database::open(target_dir.path(), []).unwrap();
    for table in ["authors", "books", "reviews", "shelves", "topics"] {
        let path = files.path().join(format!("{table}.{}", format.name()));
        export(&db, table, &path, None).unwrap();
        let options = ImportOptions { create: true, ..quiet() };
        let report = import(&target, &path, table, &options).unwrap();
        assert!(report.created.is_some());
    }
    assert_eq!(fixture::by_id(&target), fixture::by_id(&db));
    let books = target.schema("books").unwrap();
    let ty = |name: &str| books.fields[books.field_index(name).unwrap()].clone();
    assert_eq!(ty("title"), Field::char("title", 16));
    assert_eq!(ty("author_id"), Field::int("author_id"));
    assert_eq!(ty("year"), Field::int("year").nullable());
    assert_eq!(ty("isbn"), Field::int_sized("isbn", 13).nullable());
    // "  padded  " would lose its trailing blanks in a CHAR slot.
    let authors = target.schema("authors").unwrap();
    assert_eq!(authors.fields[2], Field::text("bio").nullable());
}

#[test]
fn ids_come_from_an_id_column_or_are_assigned() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [TableSchema::new("t").field(Field::char("name", 10))]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let with_ids = files.path().join("a.csv");
    std::fs::write(&with_ids, "name,id\nseven,7\nauto,\n").unwrap();
    import(&db, &with_ids, "t", &quiet()).unwrap();
    let without = files.path().join("b.ndjson");
    std::fs::write(&without, "{\"name\": \"next\"}\n").unwrap();
    import(&db, &without, "t", &quiet()).unwrap();
    let rows: Vec<(i64, String)> = db
        .find_all("t", &[])
        .unwrap()
        .iter()
        .map(|r| (r.id(), r["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(rows, vec![(7, "seven".into()), (1, "auto".into()), (2, "next".into())]);
}

#[test]
fn skip_passes_over_lines_before_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [TableSchema::new("t").field(Field::int("n"))]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("in.csv");
    std::fs::write(&path, "exported by a spreadsheet\n\"with, a title\"\nn\n1\n2\n").unwrap();
    let options = ImportOptions { skip: 2, ..quiet() };
    assert_eq!(import(&db, &path, "t", &options).unwrap().inserted, 2);
    let error = import(&db, &path, "t", &ImportOptions { skip: 3, ..quiet() }).unwrap_err();
    assert!(error.to_string().contains("column '1' is not a field of table 't'"), "{error}");
}

/// The table bad input goes into: `name CHAR(5) UNIQUE`, `n INT(2) NULL`, `p` an FK to
/// `parents` (which holds row 1); `t` already holds one row.
fn bad_input_db(dir: &Path) -> Database {
    let db = Database::open(
        dir,
        [
            TableSchema::new("parents").field(Field::char("name", 5)),
            TableSchema::new("t")
                .field(Field::char("name", 5).unique())
                .field(Field::int_sized("n", 2).nullable())
                .field(Field::fk("p", "parents").nullable()),
        ],
    )
    .unwrap();
    db.insert("parents", [("name", "mum")]).unwrap();
    db.insert("t", [("name", Value::from("first")), ("n", 1.into()), ("p", 1.into())]).unwrap();
    db
}

#[rstest]
#[case::ragged(
    "in.csv",
    b"name,n\nok,1\nbad,2,3\n",
    Some(Place::Line(3)),
    None,
    "3 fields, but the header has 2"
)]
#[case::text_after_quote(
    "in.csv",
    b"name,n\nok,1\n\"ab\"c,2\n",
    Some(Place::Line(3)),
    Some("name"),
    "text after the closing quote"
)]
#[case::quote_in_unquoted(
    "in.csv",
    b"name,n\nok,1\nab,2\"\n",
    Some(Place::Line(3)),
    Some("n"),
    "a quote inside an unquoted field"
)]
#[case::unterminated(
    "in.csv",
    b"name,n\nok,1\n\"open,2\nmore\n",
    Some(Place::Line(3)),
    Some("name"),
    "not closed before the end of the file"
)]
#[case::invalid_utf8(
    "in.csv",
    b"name,n\nok,1\nb\xE9,2\n",
    Some(Place::Line(3)),
    Some("name"),
    "not valid UTF-8"
)]
#[case::not_an_integer(
    "in.csv",
    b"name,n\nok,1\nbad,1.5\n",
    Some(Place::Line(3)),
    Some("n"),
    "not an integer: '1.5'"
)]
#[case::too_long(
    "in.csv",
    b"name,n\nok,1\ntoolong,2\n",
    Some(Place::Line(3)),
    Some("name"),
    "The value is too long"
)]
#[case::too_big(
    "in.csv",
    b"name,n\nok,1\nbig,100\n",
    Some(Place::Line(3)),
    Some("n"),
    "The value is too big"
)]
#[case::missing_fk_target(
    "in.csv",
    b"name,p\nok,1\norph,9\n",
    Some(Place::Line(3)),
    Some("p"),
    "Item id=9 does not exist in 'parents'"
)]
#[case::duplicate_unique(
    "in.csv",
    b"name\nok\nfirst\n",
    Some(Place::Line(3)),
    Some("name"),
    "already used by row id=1"
)]
#[case::duplicate_id(
    "in.csv",
    b"id,name\n5,ok\n1,dup\n",
    Some(Place::Line(3)),
    Some("id"),
    "row with id 1 already exists"
)]
#[case::null_in_not_null(
    "in.ndjson",
    b"{\"name\": \"ok\"}\n{\"name\": null}\n",
    Some(Place::Line(2)),
    Some("name"),
    "can't be None"
)]
#[case::unknown_key(
    "in.ndjson",
    b"{\"name\": \"ok\"}\n{\"name\": \"x\", \"extra\": 1}\n",
    Some(Place::Line(2)),
    Some("extra"),
    "no such field in table 't'"
)]
#[case::not_an_array(
    "in.json",
    b"{\"name\": \"x\"}",
    Some(Place::Line(1)),
    None,
    "not a JSON array of objects"
)]
#[case::element_not_object(
    "in.json",
    b"[{\"name\": \"ok\"}, [\"x\"]]",
    Some(Place::Element(1)),
    None,
    "not an object but an array"
)]
#[case::json_syntax(
    "in.json",
    b"[{\"name\": \"ok\"},\n{\"name\" \"x\"}]",
    Some(Place::Line(2)),
    None,
    "expected `:`"
)]
#[case::json_value_too_long(
    "in.json",
    b"[{\"name\": \"ok\"}, {\"name\": \"sixsix\"}]",
    Some(Place::Element(1)),
    Some("name"),
    "too long"
)]
#[case::ndjson_not_object(
    "in.ndjson",
    b"{\"name\": \"ok\"}\n42\n",
    Some(Place::Line(2)),
    None,
    "not an object but a number"
)]
#[case::unknown_column(
    "in.csv",
    b"name,colour\nok,red\n",
    None,
    Some("colour"),
    "column 'colour' is not a field of table 't'"
)]
#[case::missing_not_null_column(
    "in.csv",
    b"n\n1\n",
    None,
    Some("name"),
    "no column for field 'name', which is NOT NULL"
)]
#[case::empty_csv("in.csv", b"", None, None, "no header row")]
#[case::unknown_format("in.txt", b"name\nok\n", None, None, "cannot tell the format from the name")]
fn bad_input_is_named_and_changes_nothing(
    #[case] name: &str,
    #[case] content: &[u8],
    #[case] place: Option<Place>,
    #[case] field: Option<&str>,
    #[case] message: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = bad_input_db(dir.path());
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join(name);
    std::fs::write(&path, content).unwrap();
    let before = fixture::files(dir.path());
    let error = import(&db, &path, "t", &quiet()).unwrap_err();
    let text = error.to_string();
    assert!(text.contains(message), "{text}");
    assert_eq!(error.place(), place, "{text}");
    assert_eq!(error.field(), field, "{text}");
    if let Some(place) = place {
        assert!(text.contains(&format!("{}: {place}", path.display())), "{text}");
    }
    assert_eq!(fixture::changed(&before, &fixture::files(dir.path())), Vec::<String>::new());
}

#[test]
fn keep_going_skips_and_reports_bad_records_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = bad_input_db(dir.path());
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("in.csv");
    std::fs::write(&path, "name,n,p\na,1,1\ntoolong,2,\nb,x,\nc,,9\nd,4,\n").unwrap();
    let options = ImportOptions { keep_going: true, batch: 2, ..quiet() };
    let report = import(&db, &path, "t", &options).unwrap();
    assert_eq!((report.inserted, report.skipped), (2, 3));
    let places: Vec<(Option<Place>, Option<&str>)> =
        report.bad_records.iter().map(|e| (e.place(), e.field())).collect();
    assert_eq!(
        places,
        vec![
            (Some(Place::Line(3)), Some("name")),
            (Some(Place::Line(4)), Some("n")),
            (Some(Place::Line(5)), Some("p"))
        ]
    );
    let names: Vec<String> = db.find_all("t", &[]).unwrap().iter().map(|r| r["name"].to_string()).collect();
    assert_eq!(names, vec!["first", "a", "d"]);
    let shown = report.to_string();
    assert!(shown.starts_with("imported 2 rows into 't'; skipped 3 bad records:"), "{shown}");
    // A failure of the file itself still stops the import; the batches before stay.
    std::fs::write(&path, "name\ne\nf\n\"broken\n").unwrap();
    let error =
        import(&db, &path, "t", &ImportOptions { keep_going: true, batch: 1, ..quiet() }).unwrap_err();
    assert_eq!(error.place(), Some(Place::Line(4)));
    assert_eq!(db.count("t", None).unwrap(), 5);
}

#[test]
fn an_atomic_import_larger_than_transaction_memory_rolls_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let schema = TableSchema::new("t").field(Field::char("name", 20).unique()).field(Field::text("note"));
    let db = OpenOptions::new().txn_memory(64 << 10).open(dir.path(), [schema]).unwrap();
    db.insert("t", [("name", "existing"), ("note", "kept")]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("big.csv");
    let mut csv = String::from("name,note\n");
    for i in 0..30_000 {
        csv.push_str(&format!("row{i},\"note {i}\nsecond line\"\n"));
    }
    let good = csv.clone();
    csv.push_str("existing,duplicate name\n");
    std::fs::write(&path, &csv).unwrap();
    let before = fixture::files(dir.path());
    let error = import(&db, &path, "t", &quiet()).unwrap_err();
    assert_eq!((error.place(), error.field()), (Some(Place::Line(60_002)), Some("name")));
    assert_eq!(fixture::changed(&before, &fixture::files(dir.path())), Vec::<String>::new());
    std::fs::write(&path, good).unwrap();
    assert_eq!(import(&db, &path, "t", &quiet()).unwrap().inserted, 30_000);
    assert_eq!(db.count("t", None).unwrap(), 30_001);
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn a_failed_create_import_leaves_no_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [TableSchema::new("t").field(Field::int("n"))]).unwrap();
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("new.csv");
    // Inference passes (ids are integers); the insert of the duplicate id fails.
    std::fs::write(&path, "id,name\n1,a\n1,b\n").unwrap();
    let before = fixture::files(dir.path());
    let error = import(&db, &path, "fresh", &ImportOptions { create: true, ..quiet() }).unwrap_err();
    assert_eq!((error.place(), error.field()), (Some(Place::Line(3)), Some("id")));
    assert_eq!(fixture::changed(&before, &fixture::files(dir.path())), Vec::<String>::new());
    assert_eq!(db.tables().unwrap().len(), 1);
    let error = import(&db, &path, "t", &ImportOptions { create: true, ..quiet() }).unwrap_err();
    assert!(matches!(error, TransferError::TableExists { .. }), "{error}");
}

// ---- dumps ----

/// A rusqlite value as ours.
fn from_sqlite(value: rusqlite::types::Value) -> Value {
    match value {
        rusqlite::types::Value::Null => Value::Null,
        rusqlite::types::Value::Integer(n) => Value::Int(n),
        rusqlite::types::Value::Text(s) => Value::Text(s),
        other => panic!("unexpected SQLite value {other:?}"),
    }
}

fn sqlite_rows(conn: &rusqlite::Connection, schema: &TableSchema) -> Vec<Vec<Value>> {
    let sql = format!("SELECT * FROM \"{}\" ORDER BY id", schema.name);
    let mut statement = conn.prepare(&sql).unwrap();
    let rows = statement
        .query_map([], |row| {
            (0..schema.fields.len())
                .map(|i| row.get::<_, rusqlite::types::Value>(i).map(from_sqlite))
                .collect()
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn sqlite_contents(
    conn: &rusqlite::Connection,
    db: &Database,
) -> std::collections::BTreeMap<String, Vec<Vec<Value>>> {
    db.tables().unwrap().iter().map(|s| (s.name.clone(), sqlite_rows(conn, s))).collect()
}

#[test]
fn a_sqlite_dump_loads_into_sqlite_which_then_enforces_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let sql = dump_text(&db, Dialect::Sqlite);
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&sql).unwrap();
    conn.execute_batch("PRAGMA foreign_keys=ON;").unwrap();
    assert_eq!(sqlite_contents(&conn, &db), fixture::by_id(&db));
    let violations: i64 =
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(violations, 0);
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        indexes,
        vec![
            "books_author_id_idx",
            "books_shelf_id_idx",
            "books_year_idx",
            "reviews_book_id_idx",
            "shelves_code_idx",
            "topics_parent_id_idx"
        ]
    );

    // The same refusals on both sides: (table, values, what is wrong with them).
    type Refused<'a> = (&'a str, Vec<(&'a str, Value)>, &'a str);
    let refused: [Refused; 4] = [
        ("books", vec![("title", "x".into()), ("author_id", 999.into())], "missing FK target"),
        ("books", vec![("title", "x".into()), ("author_id", 1.into()), ("isbn", 2.into())], "duplicate isbn"),
        ("authors", vec![("name", "Stanisław Lem".into())], "duplicate name"),
        ("topics", vec![("name", "x".into()), ("parent_id", 77.into())], "missing parent"),
    ];
    for (table, values, what) in refused {
        assert!(db.insert(table, values.clone()).is_err(), "bazoola took the {what}");
        let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = values.iter().map(|(_, v)| v.repr()).collect();
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), params.join(", "));
        assert!(conn.execute(&sql, []).is_err(), "SQLite took the {what}: {sql}");
    }
    // RESTRICT: an author with books stays on both sides.
    assert!(db.delete_by_id("authors", 2).is_err());
    assert!(conn.execute("DELETE FROM authors WHERE id = 2", []).is_err());
    // CASCADE (to another table and to the table itself) and SET NULL, then the same rows.
    for (table, id) in [("books", 1), ("shelves", 1), ("topics", 1), ("topics", 50)] {
        db.delete_by_id(table, id).unwrap();
        assert_eq!(conn.execute(&format!("DELETE FROM {table} WHERE id = {id}"), []).unwrap(), 1);
    }
    assert_eq!(sqlite_contents(&conn, &db), fixture::by_id(&db));
    let topics: Vec<i64> = db.find_all("topics", &[]).unwrap().iter().map(|r| r.id()).collect();
    assert!(topics.is_empty(), "every topic hangs off a deleted root: {topics:?}");
}

#[test]
fn nul_characters_survive_csv_json_sqlite_and_bazoola_dumps_and_are_refused_for_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [TableSchema::new("t").field(Field::text("body"))]).unwrap();
    db.insert("t", [("body", "a\0b")]).unwrap();
    let files = tempfile::tempdir().unwrap();
    for format in [Format::Csv, Format::Json] {
        let path = files.path().join(format!("t.{}", format.name()));
        export(&db, "t", &path, None).unwrap();
        let copy_dir = tempfile::tempdir().unwrap();
        let copy =
            Database::open(copy_dir.path(), [TableSchema::new("t").field(Field::text("body"))]).unwrap();
        import(&copy, &path, "t", &quiet()).unwrap();
        assert_eq!(fixture::by_id(&copy), fixture::by_id(&db));
    }
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&dump_text(&db, Dialect::Sqlite)).unwrap();
    let body: String = conn.query_row("SELECT body FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(body, "a\0b");
    let target = tempfile::tempdir().unwrap();
    let mut session = bazoola_cli::Session::open(target.path()).unwrap();
    session.execute(&dump_text(&db, Dialect::Bazoola)).unwrap();
    assert_eq!(fixture::by_id(session.database()), fixture::by_id(&db));
    let error =
        dump(&db, &DumpOptions { dialect: Dialect::Postgres, ..DumpOptions::default() }, &mut Vec::new())
            .unwrap_err();
    assert_eq!((error.table(), error.field()), (Some("t"), Some("body")));
    assert!(error.to_string().contains("row id=1"), "{error}");
}

/// Two tables whose FKs point at each other.
fn cycle_db(dir: &Path) -> Database {
    let db = Database::open(
        dir,
        [
            TableSchema::new("dept")
                .field(Field::char("name", 10))
                .field(Field::fk("head_id", "emp").nullable()),
            TableSchema::new("emp")
                .field(Field::char("name", 10))
                .field(Field::fk("dept_id", "dept").nullable()),
        ],
    )
    .unwrap();
    db.insert("dept", [("name", Value::from("ops"))]).unwrap();
    db.insert("emp", [("name", Value::from("ann")), ("dept_id", 1.into())]).unwrap();
    db.update_by_id("dept", 1, [("head_id", 1)]).unwrap();
    db
}

#[test]
fn fk_cycles_load_into_sqlite_go_last_for_postgres_and_are_refused_for_bazoola() {
    let dir = tempfile::tempdir().unwrap();
    let db = cycle_db(dir.path());
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(&dump_text(&db, Dialect::Sqlite)).unwrap();
    conn.execute_batch("PRAGMA foreign_keys=ON;").unwrap();
    assert_eq!(sqlite_contents(&conn, &db), fixture::by_id(&db));
    assert!(conn.execute("DELETE FROM emp WHERE id = 1", []).is_err(), "RESTRICT through the cycle");

    let pg = dump_text(&db, Dialect::Postgres);
    let alter = pg.find("ALTER TABLE \"dept\" ADD FOREIGN KEY (\"head_id\")").expect("dept's FK added later");
    assert!(pg.find("INSERT INTO \"emp\"").unwrap() < alter);
    assert!(pg.contains(
        "ALTER TABLE \"emp\" ADD FOREIGN KEY (\"dept_id\") REFERENCES \"dept\" (\"id\") ON DELETE RESTRICT;"
    ));

    let mut out = Vec::new();
    let error = dump(&db, &DumpOptions::default(), &mut out).unwrap_err();
    assert!(error.to_string().contains("tables dept, emp form a cycle"), "{error}");
    assert!(out.is_empty(), "nothing is written before the refusal");
}

#[rstest]
#[case(Dialect::Bazoola)]
#[case(Dialect::Sqlite)]
#[case(Dialect::Postgres)]
fn golden_dumps(#[case] dialect: Dialect) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(
        dir.path(),
        [
            TableSchema::new("books")
                .field(Field::char("title", 20).unique())
                .field(Field::fk("author_id", "authors").on_delete(OnDelete::Cascade))
                .field(Field::int("year").nullable().indexed())
                .field(Field::int_sized("isbn", 13).nullable()),
            TableSchema::new("authors").field(Field::char("name", 20)).field(Field::text("bio").nullable()),
            TableSchema::new("topics")
                .field(Field::char("name", 10))
                .field(Field::fk("parent_id", "topics").nullable()),
        ],
    )
    .unwrap();
    db.insert("authors", [("name", "O'Brien"), ("bio", "one\ntwo, \"three\"\t\\")]).unwrap();
    db.insert("authors", [("name", Value::from("Lem")), ("bio", Value::Null)]).unwrap();
    for (title, year) in [("Solaris", Some(1961)), ("Untitled", None)] {
        let values: [(&str, Value); 4] = [
            ("title", title.into()),
            ("author_id", 2.into()),
            ("year", year.into()),
            ("isbn", 9_780_156_027_601i64.into()),
        ];
        db.insert("books", values).unwrap();
    }
    db.insert("topics", [("name", Value::from("root"))]).unwrap();
    db.insert("topics", [("name", Value::from("leaf")), ("parent_id", 1.into())]).unwrap();
    let text = dump_text(&db, dialect).replace(&dir.path().display().to_string(), "DIR");
    let expected_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/data/dump-{dialect}.sql"));
    if std::env::var_os("BAZOOLA_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&expected_path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|_| panic!("{} is missing: run with BAZOOLA_BLESS=1", expected_path.display()));
    assert_eq!(text, expected, "{} differs (BAZOOLA_BLESS=1 rewrites it)", expected_path.display());
}

#[test]
fn a_dump_of_some_tables_names_only_them_and_unknown_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let options = DumpOptions { dialect: Dialect::Sqlite, tables: vec!["shelves".into()], progress: false };
    let mut out = Vec::new();
    let report = dump(&db, &options, &mut out).unwrap();
    assert_eq!((report.tables, report.rows), (1, 3));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("CREATE TABLE shelves") && !text.contains("CREATE TABLE books"), "{text}");
    let options = DumpOptions { tables: vec!["nope".into()], ..options };
    let error = dump(&db, &options, &mut Vec::new()).unwrap_err();
    assert!(error.to_string().contains("No such table: 'nope'"), "{error}");
}

/// The schemas by name, as SQL can say them: an FK opted out of its index (NOINDEX) has
/// no SQL, an FK's index given explicitly is the one it has by default, and an INT as
/// wide as the table's ids is the same with or without its size.
fn as_sql_says(schemas: Vec<TableSchema>) -> Vec<TableSchema> {
    let mut schemas = schemas;
    schemas.sort_by(|a, b| a.name.cmp(&b.name));
    for schema in &mut schemas {
        let width = schema.width;
        for field in &mut schema.fields {
            if field.reference().is_some()
                && matches!(field.indexing, bazoola::Indexing::Off | bazoola::Indexing::Index)
            {
                field.indexing = bazoola::Indexing::Default;
            }
            if field.ty == (bazoola::FieldType::Int { size: Some(width) }) {
                field.ty = bazoola::FieldType::Int { size: None };
            }
        }
    }
    schemas
}

#[test]
fn a_bazoola_dump_loads_back_through_the_shells_sql_into_the_same_rows_and_slots() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let sql = dump_text(&db, Dialect::Bazoola);
    let target_dir = tempfile::tempdir().unwrap();
    let mut session = bazoola_cli::Session::open(target_dir.path()).unwrap();
    session.execute(&sql).unwrap_or_else(|e| panic!("the dump does not load: {e}\n{sql}"));
    let loaded = session.database();
    assert_eq!(as_sql_says(loaded.tables().unwrap()), as_sql_says(db.tables().unwrap()));
    assert_eq!(fixture::contents(loaded), fixture::contents(&db));
    assert!(sql.contains("-- books.editor_id has no index (NOINDEX)"), "{sql}");
    assert!(loaded.check().unwrap().is_empty());
}
