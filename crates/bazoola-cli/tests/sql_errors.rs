//! Bad input to the SQL layer: each statement is refused with a clear error of the
//! right kind (a parse error or an unsupported construct with its position, an engine
//! error naming table and field), nothing is written — every file of the directory is
//! byte for byte what it was — and nothing panics. Inputs include a 10 MB statement of
//! several shapes and binary garbage.

use std::collections::BTreeMap;
use std::path::Path;

use bazoola_cli::error::Position;
use bazoola_cli::{CliError, Session};
use rstest::rstest;
use tempfile::TempDir;

const SCHEMA: &str = "
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL UNIQUE);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(20) NOT NULL, author_id INTEGER REFERENCES authors, year INTEGER, blurb TEXT);
CREATE INDEX books_year ON books (year);
INSERT INTO authors (name) VALUES ('Le Guin'), ('Lem');
INSERT INTO books (title, author_id, year, blurb) VALUES ('Earthsea', 1, 1968, 'wizards'), ('Solaris', 2, 1961, NULL);
";

fn fixture() -> (TempDir, Session) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = Session::open(dir.path()).expect("session opens");
    session.execute(SCHEMA).expect("schema and rows");
    (dir, session)
}

/// Every file of the directory and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("directory lists")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("file reads"))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Parse,
    Unsupported,
    Engine,
    Usage,
    Parameter,
}

fn kind(e: &CliError) -> Kind {
    match e {
        CliError::Parse { .. } => Kind::Parse,
        CliError::Unsupported { .. } => Kind::Unsupported,
        CliError::Engine(_) => Kind::Engine,
        CliError::Usage(_) => Kind::Usage,
        CliError::ParameterCount { .. } | CliError::ParameterValue { .. } => Kind::Parameter,
        CliError::Io { .. } | CliError::Transfer(_) => panic!("an I/O or transfer error for bad SQL: {e}"),
    }
}

/// Runs `sql`, which must fail as `expected` says, leaving the files as they were.
fn refused(sql: &str) -> CliError {
    let (dir, mut session) = fixture();
    let before = snapshot(dir.path());
    let error = session.execute(sql).expect_err("the statement is refused");
    drop(session);
    assert_eq!(snapshot(dir.path()), before, "files changed after: {error}");
    error
}

#[rstest]
#[case::unterminated_string("SELECT 'abc", Kind::Parse, "Unterminated string literal")]
#[case::unterminated_string_in_insert(
    "INSERT INTO books (title) VALUES ('abc)",
    Kind::Parse,
    "Unterminated string literal"
)]
#[case::unterminated_quoted_name("SELECT \"title FROM books", Kind::Parse, "Expected close delimiter")]
#[case::misspelled_keyword("SELEC * FROM books", Kind::Parse, "Expected: an SQL statement, found: SELEC")]
#[case::missing_from_table("SELECT * FROM", Kind::Parse, "Expected: identifier")]
#[case::two_statements_without_semicolon("SELECT 1 SELECT 2", Kind::Parse, "Expected: end of statement")]
#[case::deep_parentheses("SELECT ((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))", Kind::Parse, "nests too deeply")]
#[case::unknown_table("SELECT * FROM nowhere", Kind::Engine, "No such table: 'nowhere'")]
#[case::unknown_table_insert("INSERT INTO nowhere VALUES (1)", Kind::Engine, "No such table: 'nowhere'")]
#[case::unknown_table_update("UPDATE nowhere SET a = 1", Kind::Engine, "No such table: 'nowhere'")]
#[case::unknown_table_delete("DELETE FROM nowhere", Kind::Engine, "No such table: 'nowhere'")]
#[case::unknown_table_drop("DROP TABLE nowhere", Kind::Engine, "No such table: 'nowhere'")]
#[case::unknown_column("SELECT nope FROM books", Kind::Engine, "'nope': No such field in table 'books'")]
#[case::unknown_column_where("SELECT title FROM books WHERE nope = 1", Kind::Engine, "'nope': No such field")]
#[case::unknown_column_insert(
    "INSERT INTO books (title, nope) VALUES ('a', 1)",
    Kind::Engine,
    "'nope': No such field"
)]
#[case::unknown_column_update("UPDATE books SET nope = 1", Kind::Engine, "'nope': No such field")]
#[case::unknown_qualifier("SELECT x.title FROM books b", Kind::Usage, "no such column: x.title")]
#[case::ambiguous_column(
    "SELECT id FROM books b JOIN authors a ON b.author_id = a.id",
    Kind::Usage,
    "ambiguous column name: id"
)]
#[case::text_into_integer(
    "INSERT INTO books (title, year) VALUES ('a', 'nineteen')",
    Kind::Engine,
    "'year': Type mismatch"
)]
#[case::real_into_integer(
    "INSERT INTO books (title, year) VALUES ('a', 19.5)",
    Kind::Engine,
    "'year': Type mismatch"
)]
#[case::text_into_integer_update("UPDATE books SET year = 'soon'", Kind::Engine, "'year': Type mismatch")]
#[case::too_long(
    "INSERT INTO books (title) VALUES ('a title much too long for the field')",
    Kind::Engine,
    "'title': The value is too long"
)]
#[case::null_into_not_null(
    "INSERT INTO books (year) VALUES (1990)",
    Kind::Engine,
    "'title': The value can't be None"
)]
#[case::missing_fk_target(
    "INSERT INTO books (title, author_id) VALUES ('a', 99)",
    Kind::Engine,
    "Item id=99 does not exist in 'authors'"
)]
#[case::duplicate_unique(
    "INSERT INTO authors (name) VALUES ('Lem')",
    Kind::Engine,
    "already used by row id=2"
)]
#[case::restricted_delete("DELETE FROM authors WHERE id = 1", Kind::Engine, "has referring rows")]
#[case::referenced_table_dropped(
    "DROP TABLE authors",
    Kind::Engine,
    "cannot drop table 'authors': field 'author_id' of table 'books' refers to it"
)]
#[case::half_failed_insert(
    "INSERT INTO authors (name) VALUES ('Borges'), ('Calvino'), (NULL)",
    Kind::Engine,
    "'name': The value can't be None"
)]
#[case::half_failed_update(
    "UPDATE books SET year = CASE WHEN id = 1 THEN 1 ELSE 2 END",
    Kind::Unsupported,
    "CASE expressions"
)]
#[case::wrong_value_count(
    "INSERT INTO books (title, year) VALUES ('a')",
    Kind::Usage,
    "1 values for 2 columns"
)]
#[case::misused_aggregate(
    "SELECT title FROM books WHERE count(*) > 1",
    Kind::Usage,
    "misuse of aggregate function count()"
)]
#[case::parameter_without_value(
    "SELECT * FROM books WHERE id = ?",
    Kind::Parameter,
    "the statement takes 1 parameter, 0 given"
)]
#[case::parameter_number_zero("SELECT ?0", Kind::Parse, "variable number must be between ?1 and ?32766")]
#[case::parameter_number_too_big(
    "SELECT ?32767",
    Kind::Parse,
    "variable number must be between ?1 and ?32766"
)]
#[case::limit_not_integer("SELECT * FROM books LIMIT 'many'", Kind::Usage, "datatype mismatch")]
#[case::escape_too_long(
    "SELECT * FROM books WHERE title LIKE 'a' ESCAPE 'ab'",
    Kind::Usage,
    "ESCAPE expression must be a single character"
)]
#[case::commit_without_begin("COMMIT", Kind::Usage, "no transaction is active")]
#[case::no_id_column(
    "CREATE TABLE t (name TEXT)",
    Kind::Usage,
    "the first column must be `id INTEGER PRIMARY KEY`"
)]
#[case::table_exists(
    "CREATE TABLE books (id INTEGER PRIMARY KEY)",
    Kind::Engine,
    "table 'books' already exists"
)]
#[case::text_index(
    "CREATE INDEX books_blurb ON books (blurb)",
    Kind::Engine,
    "TEXT fields cannot be indexed"
)]
#[case::narrowing_below_a_value(
    "ALTER TABLE books ALTER COLUMN title SET DATA TYPE CHAR(3)",
    Kind::Engine,
    "row id=1 holds 'Earthsea', which does not fit"
)]
fn bad_statements_are_refused_and_change_nothing(
    #[case] sql: &str,
    #[case] expected: Kind,
    #[case] message: &str,
) {
    let error = refused(sql);
    assert_eq!(kind(&error), expected, "{sql}: {error}");
    assert!(error.to_string().contains(message), "{sql}: {error}");
    if let CliError::Parse { position, .. } = &error {
        assert!(position.is_some(), "{sql}: a parse error has a position");
    }
}

#[rstest]
#[case::window_function("SELECT count(*) OVER () FROM books", "window functions", "OVER")]
#[case::union("SELECT id FROM books UNION SELECT id FROM authors", "UNION", "UNION")]
#[case::cte("WITH x AS (SELECT 1) SELECT * FROM x", "WITH", "WITH")]
#[case::case_expression("SELECT CASE WHEN year > 1 THEN 1 END FROM books", "CASE", "CASE")]
#[case::cast("SELECT CAST(year AS TEXT) FROM books", "CAST", "CAST")]
#[case::scalar_function("SELECT lower(title) FROM books", "the function lower()", "lower")]
#[case::subquery_in_from("SELECT * FROM (SELECT * FROM books) b", "a subquery in FROM", "(")]
#[case::comma_join("SELECT * FROM books, authors", "several tables in FROM", ",")]
#[case::join_on_other_condition(
    "SELECT * FROM books b JOIN authors a ON b.year = a.id",
    "JOIN ON a condition other than fk = id",
    "ON"
)]
#[case::join_using("SELECT * FROM books b JOIN authors a USING (id)", "USING", "USING")]
#[case::right_join("SELECT * FROM books b RIGHT JOIN authors a ON b.author_id = a.id", "RIGHT JOIN", "RIGHT")]
#[case::correlated_max(
    "SELECT a.name, (SELECT max(b.year) FROM books b WHERE b.author_id = a.id) FROM authors a",
    "a correlated subquery other than COUNT",
    "SELECT"
)]
#[case::correlated_on_other_column(
    "SELECT a.name, (SELECT COUNT(*) FROM books b WHERE b.year = a.id) FROM authors a",
    "link to the outer row is not `fk = outer.id`",
    "SELECT"
)]
#[case::insert_or_replace(
    "INSERT OR REPLACE INTO authors (id, name) VALUES (1, 'x')",
    "INSERT OR REPLACE",
    "OR"
)]
#[case::upsert("INSERT INTO authors (id, name) VALUES (1, 'x') ON CONFLICT DO NOTHING", "ON CONFLICT", "ON")]
#[case::savepoint("SAVEPOINT a", "savepoints", "SAVEPOINT")]
#[case::create_view("CREATE VIEW v AS SELECT * FROM books", "the statement CREATE VIEW", "CREATE")]
#[case::pragma("PRAGMA foreign_keys = 1", "the statement PRAGMA", "PRAGMA")]
#[case::real_type("CREATE TABLE t (id INTEGER PRIMARY KEY, price REAL)", "the type REAL", "price")]
#[case::default_in_create(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER DEFAULT 1)",
    "DEFAULT in CREATE TABLE",
    "DEFAULT"
)]
#[case::check(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0))",
    "CHECK constraints",
    "CHECK"
)]
#[case::multi_column_index("CREATE INDEX i ON books (year, title)", "an index on several columns", "(")]
#[case::partial_index("CREATE INDEX i ON books (year) WHERE year > 0", "partial indexes", "WHERE")]
#[case::several_alterations(
    "ALTER TABLE books ADD COLUMN a INTEGER, ADD COLUMN b INTEGER",
    "several changes in one ALTER TABLE",
    ","
)]
#[case::explain_delete("EXPLAIN DELETE FROM books", "EXPLAIN of a statement other than SELECT", "EXPLAIN")]
#[case::update_from("UPDATE books SET year = 1 FROM authors", "UPDATE … FROM", "FROM")]
#[case::precedence("SELECT * FROM books WHERE year = 1 < 2", "`=` or `<>` followed by `<`", "<")]
#[case::long_chain(&format!("SELECT 1{}", " + 1".repeat(3000)), "an expression chaining more than 2000 operators", "+")]
fn unsupported_constructs_are_named_with_their_position(
    #[case] sql: &str,
    #[case] construct: &str,
    #[case] at_word: &str,
) {
    let error = refused(sql);
    let CliError::Unsupported { construct: named, position } = &error else {
        panic!("{sql}: not an unsupported construct: {error}");
    };
    assert!(named.contains(construct), "{sql}: names {named:?}, not {construct:?}");
    let Some(Position { line: 1, column }) = position else { panic!("{sql}: no position: {error}") };
    // The position is that of a token spelled `at_word`.
    let rest: String = sql.chars().skip(*column as usize - 1).collect();
    assert!(
        rest.to_ascii_uppercase().starts_with(&at_word.to_ascii_uppercase()),
        "{sql}: position {column} points at {:?}, not {at_word:?}",
        rest.chars().take(12).collect::<String>()
    );
}

/// Ten megabytes of statement, in shapes that stress each stage.
#[rstest]
#[case::long_string_too_long_for_its_field(format!("INSERT INTO books (title) VALUES ('{}')", "x".repeat(10 << 20)), Kind::Engine)]
#[case::unterminated_string(format!("SELECT '{}", "x".repeat(10 << 20)), Kind::Parse)]
#[case::long_name(format!("SELECT {} FROM books", "x".repeat(10 << 20)), Kind::Unsupported)]
#[case::operator_chain(format!("SELECT 1{}", " OR 1".repeat(2 << 20)), Kind::Unsupported)]
#[case::nesting(format!("SELECT {}1", "(".repeat(10 << 20)), Kind::Parse)]
#[case::unary_chain(format!("SELECT {}1", "NOT ".repeat(3 << 20)), Kind::Unsupported)]
#[case::garbage_tokens("@#$ ?! ".repeat(3 << 20), Kind::Unsupported)]
fn a_ten_megabyte_statement_is_refused_cleanly(#[case] sql: String, #[case] expected: Kind) {
    assert!(sql.len() >= 10 << 20);
    let error = refused(&sql);
    assert_eq!(kind(&error), expected, "{}", error.to_string().chars().take(200).collect::<String>());
    assert!(error.to_string().len() < 1000, "the message does not repeat the statement");
}

#[test]
fn a_ten_megabyte_in_list_runs() {
    let (_dir, mut session) = fixture();
    let ids: Vec<String> = (1..1_500_000).map(|i| i.to_string()).collect();
    let sql = format!("SELECT title FROM books WHERE id IN ({}) ORDER BY id", ids.join(", "));
    assert!(sql.len() >= 10 << 20);
    let outcomes = session.execute(&sql).expect("a long IN list is fine");
    assert_eq!(format!("{outcomes:?}").matches("Text").count(), 2);
}

/// Bytes from a seeded generator, read as text the way a front end reading binary
/// stdin would (invalid UTF-8 replaced).
#[rstest]
#[case(1)]
#[case(2)]
#[case(3)]
#[case(4)]
#[case(5)]
fn binary_garbage_is_refused_cleanly(#[case] seed: u64) {
    let mut state = seed;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    let (dir, mut session) = fixture();
    let before = snapshot(dir.path());
    let outcome = session.execute(&text);
    drop(session);
    assert!(outcome.is_err(), "garbage ran: {outcome:?}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn statements_before_an_error_run_and_those_after_do_not() {
    let (_dir, mut session) = fixture();
    let mut seen = Vec::new();
    let result = session.execute_each(
        "INSERT INTO authors (name) VALUES ('Borges'); SELEC 1; INSERT INTO authors (name) VALUES ('Calvino')",
        &mut |outcome| {
            seen.push(outcome);
            Ok(())
        },
    );
    let error = result.expect_err("the second statement does not parse");
    assert!(
        matches!(error, CliError::Parse { position: Some(Position { line: 1, column: 47 }), .. }),
        "{error}"
    );
    assert_eq!(seen.len(), 1);
    let names = session.execute("SELECT name FROM authors ORDER BY id").expect("select");
    assert_eq!(format!("{names:?}").matches("Text").count(), 3);
}
