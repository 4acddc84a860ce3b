//! Prepared statements with parameters: numbered as SQLite numbers them, bound as
//! literals, and answering what SQLite answers for the same statement and values.

use bazoola::Value;
use bazoola_cli::{CliError, Outcome, Session};
use rstest::rstest;
use tempfile::TempDir;

const SCHEMA: &str = "
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL UNIQUE);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(40) NOT NULL, author_id INTEGER REFERENCES authors, year INTEGER);
CREATE INDEX books_year ON books (year);
INSERT INTO authors (name) VALUES ('Le Guin'), ('Lem'), ('Tolkien');
INSERT INTO books (title, author_id, year) VALUES
  ('Earthsea', 1, 1968), ('Solaris', 2, 1961), ('Fiasco', 2, 1986), ('The Hobbit', 3, 1937),
  ('Untitled', NULL, NULL), ('The Dispossessed', 1, 1974);
";

fn fixture() -> (TempDir, Session) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = Session::open(dir.path()).expect("session opens");
    session.execute(SCHEMA).expect("schema and rows");
    (dir, session)
}

/// The same schema and rows in SQLite (books' id is its rowid, as `INTEGER PRIMARY KEY`).
fn sqlite() -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("sqlite opens");
    conn.execute_batch(SCHEMA).expect("sqlite schema and rows");
    conn
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Float(f) => rusqlite::types::Value::Real(*f),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
        other => panic!("not a SQL value: {other:?}"),
    }
}

fn from_sqlite(v: rusqlite::types::Value) -> Value {
    match v {
        rusqlite::types::Value::Null => Value::Null,
        rusqlite::types::Value::Integer(i) => Value::Int(i),
        rusqlite::types::Value::Real(f) => Value::Float(f),
        rusqlite::types::Value::Text(t) => Value::Text(t),
        rusqlite::types::Value::Blob(_) => panic!("a blob"),
    }
}

/// SQLite's rows for `sql` with `params` bound.
fn sqlite_rows(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).expect("sqlite prepares");
    let columns = stmt.column_count();
    let params: Vec<rusqlite::types::Value> = params.iter().map(sqlite_value).collect();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |row| {
            (0..columns).map(|i| row.get::<_, rusqlite::types::Value>(i).map(from_sqlite)).collect()
        })
        .expect("sqlite runs");
    rows.collect::<Result<_, _>>().expect("sqlite rows")
}

fn rows(outcome: Outcome) -> Vec<Vec<Value>> {
    match outcome {
        Outcome::Rows { rows, .. } => rows,
        other => panic!("not rows: {other:?}"),
    }
}

#[rstest]
#[case::positional("SELECT ?, ?", 2, &[])]
#[case::numbered("SELECT ?2, ?1, ?2", 2, &[])]
#[case::numbered_then_positional("SELECT ?5, ?", 6, &[])]
#[case::named_reused("SELECT :a, ?, :a, @b, $c", 4, &[(":a", 1), ("@b", 3), ("$c", 4), ("?2", 2)])]
#[case::none("SELECT 1", 0, &[])]
#[case::not_in_strings_or_names("SELECT '?', \":x\" FROM books WHERE year = ?", 1, &[])]
fn parameters_are_numbered_as_sqlite_numbers_them(
    #[case] sql: &str,
    #[case] count: usize,
    #[case] names: &[(&str, usize)],
) {
    let (_dir, session) = fixture();
    let statement = session.prepare(sql).expect("prepares");
    assert_eq!(statement.parameter_count(), count);
    for (name, number) in names {
        assert_eq!(statement.parameter_index(name), Some(*number), "{name}");
    }
    assert_eq!(statement.parameter_index(":unknown"), None);
    let sqlite = sqlite().prepare(sql).expect("sqlite prepares").parameter_count();
    assert_eq!(count, sqlite, "SQLite's count for {sql}");
}

#[rstest]
#[case::point("SELECT id, title, year FROM books WHERE id = ?", vec![vec![3.into()], vec![99.into()], vec![Value::Null]])]
#[case::point_kept_across_kinds_of_values(
    "SELECT id, title FROM books WHERE ? = id",
    vec![
        vec![3.into()], vec!["4".into()], vec![2.into()], vec![Value::Null], vec![5.0.into()],
        vec![(-1).into()], vec!["x".into()], vec![6.into()], vec![99.into()], vec![1.into()],
    ]
)]
#[case::point_with_a_join(
    "SELECT b.id, b.title, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id WHERE b.id = ?",
    vec![vec![1.into()], vec![5.into()], vec![99.into()], vec!["2".into()], vec![4.into()]]
)]
#[case::one_comparison_kept_across_values(
    "SELECT id FROM books WHERE year >= ? ORDER BY id",
    vec![vec![1960.into()], vec![1970.into()], vec![Value::Null], vec!["1970".into()], vec![1937.into()], vec![2000.into()]]
)]
#[case::one_comparison_reversed_in_a_count(
    "SELECT count(*) FROM books WHERE ? < year",
    vec![vec![1960.into()], vec![1980.into()], vec![Value::Null], vec![1961.into()], vec![1961.5.into()], vec![1.into()]]
)]
#[case::the_joined_tables_id(
    "SELECT b.title FROM books b JOIN authors a ON b.author_id = a.id WHERE a.id = ? ORDER BY b.id",
    vec![vec![1.into()], vec![2.into()], vec![99.into()], vec![3.into()]]
)]
#[case::indexed_range(
    "SELECT id, title FROM books WHERE year > ? AND year <= ?2 ORDER BY id",
    vec![vec![1960.into(), 1970.into()], vec![Value::Null, 2000.into()]]
)]
#[case::text_for_an_integer_column(
    "SELECT id FROM books WHERE year = ? ORDER BY id",
    vec![vec!["1968".into()], vec!["1968x".into()], vec![1968.5.into()], vec![1968.0.into()]]
)]
#[case::named_in_a_join(
    "SELECT b.title, a.name FROM books b JOIN authors a ON b.author_id = a.id WHERE a.name = :who OR b.year = :year ORDER BY b.id",
    vec![vec!["Lem".into(), 1937.into()], vec!["nobody".into(), Value::Null]]
)]
#[case::in_the_select_list("SELECT ? + 1, ? || 'x', ?3 IS NULL", vec![vec![1.into(), "a".into(), Value::Null], vec![2.5.into(), 3.into(), 0.into()]])]
#[case::like("SELECT title FROM books WHERE title LIKE ? ORDER BY id", vec![vec!["%the%".into()], vec!["_olaris".into()]])]
#[case::in_list("SELECT id FROM books WHERE year IN (?, ?, 1974) ORDER BY id", vec![vec![1968.into(), Value::Null]])]
#[case::limit_and_offset(
    "SELECT id FROM books ORDER BY year DESC, id LIMIT ? OFFSET ?",
    vec![vec![2.into(), 1.into()], vec![(-1).into(), 4.into()]]
)]
#[case::aggregate_having(
    "SELECT author_id, count(*) FROM books WHERE year > ? GROUP BY author_id HAVING count(*) >= ? ORDER BY author_id",
    vec![vec![1900.into(), 2.into()], vec![1965.into(), 1.into()]]
)]
#[case::correlated_count_in_the_select_list(
    "SELECT a.name, (SELECT count(*) FROM books b WHERE b.author_id = a.id) FROM authors a WHERE a.id = ?",
    vec![vec![1.into()], vec![2.into()], vec![3.into()]]
)]
#[case::correlated_count_with_a_parameter_in_where(
    "SELECT a.name FROM authors a WHERE (SELECT count(*) FROM books b WHERE b.author_id = a.id AND b.year > ?) >= ? ORDER BY a.id",
    vec![vec![1900.into(), 2.into()], vec![1970.into(), 1.into()], vec![1960.into(), 1.into()]]
)]
#[case::injection_is_a_string("SELECT count(*) FROM books WHERE title = ?", vec![vec!["x'; DROP TABLE books; --".into()]])]
fn bound_values_answer_as_in_sqlite(#[case] sql: &str, #[case] runs: Vec<Vec<Value>>) {
    let (_dir, mut session) = fixture();
    let conn = sqlite();
    let statement = session.prepare(sql).expect("prepares");
    for params in runs {
        let ours = rows(session.run_with(&statement, &params).expect("runs"));
        assert_eq!(ours, sqlite_rows(&conn, sql, &params), "{sql} with {params:?}");
    }
}

#[test]
fn writes_bind_their_values() {
    let (_dir, mut session) = fixture();
    let conn = sqlite();
    let statements = [
        (
            "INSERT INTO books (title, author_id, year) VALUES (?, ?, ?)",
            vec!["It's \"quoted\"".into(), 2.into(), Value::Null],
        ),
        ("UPDATE books SET year = :year WHERE title = :title", vec![2001.into(), "It's \"quoted\"".into()]),
        ("DELETE FROM books WHERE year < ?", vec![1940.into()]),
    ];
    for (sql, params) in statements {
        let statement = session.prepare(sql).expect("prepares");
        session.run_with(&statement, &params).expect("runs");
        let params: Vec<rusqlite::types::Value> = params.iter().map(sqlite_value).collect();
        conn.execute(sql, rusqlite::params_from_iter(params)).expect("sqlite runs");
    }
    let all = "SELECT id, title, author_id, year FROM books ORDER BY id";
    assert_eq!(rows(session.execute(all).expect("select").remove(0)), sqlite_rows(&conn, all, &[]));
    let returning =
        session.prepare("INSERT INTO authors (name) VALUES (?) RETURNING id, name").expect("prepares");
    assert_eq!(
        rows(session.run_with(&returning, &["Herbert".into()]).expect("runs")),
        vec![vec![4.into(), "Herbert".into()]]
    );
}

/// Rows changed, and the books after each run, as SQLite has them after the same runs
/// of the same statement (a prepared UPDATE or DELETE keeps the plan that finds its
/// rows, and `WHERE id = ?` changes its row without reading it first).
#[rstest]
#[case::update_by_id(
    "UPDATE books SET year = ? WHERE id = ?",
    vec![
        vec![2000.into(), 1.into()], vec![2001.into(), 99.into()], vec![Value::Null, 2.into()],
        vec!["1999".into(), 3.into()], vec![5.into(), Value::Null], vec![7.into(), "4".into()],
        vec![8.into(), 1.into()],
    ]
)]
#[case::update_by_id_reading_the_row(
    "UPDATE books SET year = year + ?, title = title || ? WHERE id = ?",
    vec![vec![1.into(), "!".into(), 1.into()], vec![2.into(), "?".into(), 99.into()], vec![3.into(), "".into(), 5.into()]]
)]
#[case::update_by_a_subquery(
    "UPDATE books SET year = (SELECT count(*) FROM authors WHERE id > ?) WHERE id = ?",
    vec![vec![1.into(), 2.into()], vec![0.into(), 3.into()]]
)]
#[case::update_by_another_column(
    "UPDATE books SET title = ?, year = ? WHERE author_id = ?",
    vec![vec!["A".into(), 1.into(), 2.into()], vec!["B".into(), 2.into(), 99.into()], vec!["C".into(), 3.into(), 1.into()]]
)]
#[case::delete_by_id(
    "DELETE FROM books WHERE id = ?",
    vec![vec![2.into()], vec![2.into()], vec![99.into()], vec![Value::Null], vec!["3".into()], vec![1.into()]]
)]
#[case::delete_by_a_range("DELETE FROM books WHERE year > ?", vec![vec![1980.into()], vec![1980.into()], vec![1900.into()]])]
fn prepared_writes_change_what_sqlite_changes(#[case] sql: &str, #[case] runs: Vec<Vec<Value>>) {
    let (_dir, mut session) = fixture();
    let conn = sqlite();
    let statement = session.prepare(sql).expect("prepares");
    let all = "SELECT id, title, author_id, year FROM books ORDER BY id";
    for params in runs {
        let ours = session.run_with(&statement, &params).expect("runs");
        let sqlite_params: Vec<rusqlite::types::Value> = params.iter().map(sqlite_value).collect();
        let changed = conn.execute(sql, rusqlite::params_from_iter(sqlite_params)).expect("sqlite runs");
        assert_eq!(ours, Outcome::Changed { rows: changed as u64 }, "{sql} with {params:?}");
        let books = rows(session.execute(all).expect("select").remove(0));
        assert_eq!(books, sqlite_rows(&conn, all, &[]), "books after {sql} with {params:?}");
    }
}

/// A write by id that breaks a foreign key fails as such — it is not taken for a row
/// that is not there — and changes nothing.
#[rstest]
#[case::update_to_a_missing_author("UPDATE books SET author_id = ? WHERE id = ?", vec![99.into(), 1.into()])]
#[case::delete_a_referenced_author("DELETE FROM authors WHERE id = ?", vec![1.into()])]
fn a_broken_reference_by_id_is_an_error(#[case] sql: &str, #[case] params: Vec<Value>) {
    let (_dir, mut session) = fixture();
    let everything = "SELECT * FROM books b LEFT JOIN authors a ON a.id = b.author_id ORDER BY b.id";
    let before = session.execute(everything).expect("select");
    let statement = session.prepare(sql).expect("prepares");
    for _ in 0..2 {
        match session.run_with(&statement, &params) {
            Err(CliError::Engine(bazoola::Error::Integrity(_))) => {}
            other => panic!("{sql}: {other:?}"),
        }
    }
    assert_eq!(session.execute(everything).expect("select"), before);
}

#[rstest]
#[case::too_few("SELECT ?, ?", vec![1.into()], 2, 1)]
#[case::too_many("SELECT ?", vec![1.into(), 2.into()], 1, 2)]
#[case::none_expected("SELECT 1", vec![1.into()], 0, 1)]
fn the_wrong_number_of_values_is_refused(
    #[case] sql: &str,
    #[case] params: Vec<Value>,
    #[case] expected: usize,
    #[case] given: usize,
) {
    let (_dir, mut session) = fixture();
    let statement = session.prepare(sql).expect("prepares");
    match session.run_with(&statement, &params) {
        Err(CliError::ParameterCount { expected: e, given: g }) => assert_eq!((e, g), (expected, given)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_row_is_not_a_value() {
    let (_dir, mut session) = fixture();
    let statement = session.prepare("SELECT ?, ?").expect("prepares");
    let row = Value::Rows(Vec::new());
    match session.run_with(&statement, &[1.into(), row]) {
        Err(CliError::ParameterValue { number }) => assert_eq!(number, 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_script_cannot_bind_and_says_so() {
    let (_dir, mut session) = fixture();
    let error = session.execute("SELECT 1; SELECT * FROM books WHERE id = :id").expect_err("refused");
    assert!(matches!(error, CliError::ParameterCount { expected: 1, given: 0 }), "{error:?}");
    assert_eq!(error.to_string(), "the statement takes 1 parameter, 0 given");
}

/// A prepared SELECT keeps its plan between runs; what it reads must still be the
/// database as it is at each run: rows written since, schemas changed through this
/// session or another one (as another process would), subqueries run again.
#[rstest]
#[case::rows_written_since(
    "SELECT title FROM books WHERE author_id = ? ORDER BY id",
    "INSERT INTO books (title, author_id) VALUES ('Ubik', 2)",
    false
)]
#[case::column_added_here(
    "SELECT * FROM books WHERE id = ?",
    "ALTER TABLE books ADD COLUMN pages INTEGER",
    false
)]
#[case::column_added_elsewhere(
    "SELECT * FROM books WHERE id = ?",
    "ALTER TABLE books ADD COLUMN pages INTEGER",
    true
)]
#[case::column_renamed_elsewhere(
    "SELECT * FROM books WHERE id = ?",
    "ALTER TABLE books RENAME COLUMN year TO published",
    true
)]
#[case::index_dropped_elsewhere(
    "SELECT id FROM books WHERE year > ? ORDER BY id",
    "DROP INDEX books_year",
    true
)]
#[case::subquery(
    "SELECT name FROM authors WHERE id IN (SELECT author_id FROM books WHERE year > ?) ORDER BY id",
    "INSERT INTO books (title, author_id, year) VALUES ('Roadside Picnic', 3, 1972)",
    false
)]
fn a_kept_plan_sees_the_database_as_it_is(#[case] sql: &str, #[case] change: &str, #[case] elsewhere: bool) {
    let (dir, mut session) = fixture();
    let statement = session.prepare(sql).expect("prepares");
    let params = vec![Value::Int(if sql.contains("year") { 1960 } else { 2 })];
    let before = session.run_with(&statement, &params).expect("first run");
    if elsewhere {
        Session::open(dir.path()).expect("second session").execute(change).expect("change elsewhere");
    } else {
        session.execute(change).expect("change");
    }
    let fresh = session.execute_with_fresh_plan(sql, &params);
    let kept = session.run_with(&statement, &params).expect("run after the change");
    assert_eq!(kept, fresh, "{sql} after {change}");
    if change.starts_with("ALTER") || change.starts_with("INSERT") {
        assert_ne!(kept, before, "the change shows in {sql}");
    }
}

/// A prepared UPDATE or DELETE keeps the plan that finds its rows; after a change made
/// in another session (as another process would), it changes the rows a statement
/// prepared afresh would (as many as `count` counts), or fails as that one does and
/// changes nothing (`count` is `None`).
#[rstest]
#[case::set_column_renamed(
    "UPDATE books SET year = ? WHERE id = ?",
    vec![1999.into(), 2.into()],
    "ALTER TABLE books RENAME COLUMN year TO published",
    None
)]
#[case::where_column_renamed(
    "UPDATE books SET year = ? WHERE author_id = ?",
    vec![1999.into(), 2.into()],
    "ALTER TABLE books RENAME COLUMN author_id TO writer_id",
    None
)]
#[case::rows_written_since(
    "UPDATE books SET year = ? WHERE author_id = ?",
    vec![1999.into(), 2.into()],
    "INSERT INTO books (title, author_id) VALUES ('Ubik', 2)",
    Some("SELECT count(*) FROM books WHERE author_id = 2")
)]
#[case::index_dropped(
    "DELETE FROM books WHERE year > ?",
    vec![1960.into()],
    "DROP INDEX books_year",
    Some("SELECT count(*) FROM books WHERE year > 1960")
)]
#[case::row_deleted_elsewhere(
    "DELETE FROM books WHERE id = ?",
    vec![4.into()],
    "DELETE FROM books WHERE id = 4",
    Some("SELECT count(*) FROM books WHERE id = 4")
)]
fn a_kept_write_sees_the_database_as_it_is(
    #[case] sql: &str,
    #[case] params: Vec<Value>,
    #[case] change: &str,
    #[case] count: Option<&str>,
) {
    let (dir, mut session) = fixture();
    let statement = session.prepare(sql).expect("prepares");
    let first = session.run_with(&statement, &params).expect("first run");
    assert!(matches!(first, Outcome::Changed { rows: 1.. }), "{sql}: {first:?}");
    Session::open(dir.path()).expect("second session").execute(change).expect("change elsewhere");
    let Some(count) = count else {
        let everything = "SELECT * FROM books ORDER BY id";
        let before = Session::open(dir.path()).expect("a reader").execute(everything).expect("select");
        session.run_with(&statement, &params).expect_err("the kept statement fails");
        assert_eq!(session.execute(everything).expect("select"), before, "{sql} changed nothing");
        let fresh = session.prepare(sql).expect("prepares");
        session.run_with(&fresh, &params).expect_err("a fresh statement fails too");
        return;
    };
    // Counted in a session of its own: this one must find the change by itself.
    let mut reader = Session::open(dir.path()).expect("a reader");
    let expected = rows(reader.execute(count).expect("count").remove(0))[0][0].as_int().expect("a count");
    let kept = session.run_with(&statement, &params).expect("kept run");
    assert_eq!(kept, Outcome::Changed { rows: expected as u64 }, "{sql} after {change}");
}

trait FreshPlan {
    fn execute_with_fresh_plan(&mut self, sql: &str, params: &[Value]) -> Outcome;
}

impl FreshPlan for Session {
    fn execute_with_fresh_plan(&mut self, sql: &str, params: &[Value]) -> Outcome {
        let statement = self.prepare(sql).expect("prepares");
        self.run_with(&statement, params).expect("fresh run")
    }
}

/// A script's INSERT runs as the statement parsed from its shape (its literals taken
/// out), parsed once for every INSERT of that shape: each must still do, and fail with,
/// exactly what the statement parsed as written does — inside a transaction too, and
/// with the error's position in the text as written.
#[rstest]
#[case::one_row("INSERT INTO books (title, author_id, year) VALUES ('Dune', 1, 1965)")]
#[case::several_rows("INSERT INTO books (title, author_id, year) VALUES ('A', 1, 1), ('B''s', 2, NULL)")]
#[case::negative("INSERT INTO books (title, year) VALUES ('Neg', -5)")]
#[case::every_column("INSERT INTO books VALUES (NULL, 'All', 3, 2000)")]
#[case::unique_violation("INSERT INTO authors (name) VALUES ('Lem')")]
#[case::second_row_violates("INSERT INTO authors (name) VALUES ('New'), ('Lem')")]
#[case::broken_reference("INSERT INTO books (title, author_id) VALUES ('X', 99)")]
#[case::taken_id("INSERT INTO books (id, title) VALUES (3, 'Taken')")]
#[case::type_mismatch("INSERT INTO books (title, year) VALUES ('X', 'nineteen')")]
#[case::too_long("INSERT INTO authors (name) VALUES ('a name far longer than twenty')")]
#[case::not_null("INSERT INTO authors (name) VALUES (NULL)")]
#[case::unknown_column("INSERT INTO books (titel) VALUES ('X')")]
#[case::unknown_table("INSERT INTO nope VALUES (1)")]
#[case::too_few_values("INSERT INTO books (title, year) VALUES ('X')")]
#[case::unknown_function("INSERT INTO books (title, year) VALUES ('X', 1 + nosuch(2))")]
#[case::adjacent_strings("INSERT INTO books (title) VALUES ('X' 'Y')")]
#[case::unsupported_form("INSERT OR IGNORE INTO books (title) VALUES ('X')")]
fn an_insert_run_by_its_shape_does_what_it_does_as_written(
    #[case] sql: &str,
    #[values(false, true)] in_transaction: bool,
) {
    // The shape's second run is the one that finds it kept.
    let script: Vec<&str> = if in_transaction { vec!["BEGIN", sql, sql, "COMMIT"] } else { vec![sql, sql] };
    let outcome = |session: &mut Session, statement: &str, as_written: bool| -> String {
        let result = if as_written {
            session.prepare(statement).and_then(|s| session.run(&s))
        } else {
            session.execute(statement).map(|mut outcomes| outcomes.remove(0))
        };
        match result {
            Ok(outcome) => format!("{outcome:?}"),
            Err(e) => format!("Error: {e}"),
        }
    };
    let (_by_shape_dir, mut by_shape) = fixture();
    let (_as_written_dir, mut as_written) = fixture();
    for statement in &script {
        assert_eq!(
            outcome(&mut by_shape, statement, false),
            outcome(&mut as_written, statement, true),
            "{statement}"
        );
    }
    for table in ["authors", "books"] {
        let everything = format!("SELECT * FROM {table} ORDER BY id");
        assert_eq!(
            by_shape.execute(&everything).expect("select"),
            as_written.execute(&everything).expect("select")
        );
    }
}
