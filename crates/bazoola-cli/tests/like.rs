//! LIKE as SQLite answers it, for patterns the planner answers on raw bytes
//! (`%run%` with an ASCII run: the engine's case-insensitive substring test) and those
//! it re-checks on each row, over texts in and out of ASCII — among them the two
//! characters whose lower case is an ASCII letter (KELVIN SIGN, and I WITH DOT ABOVE).

use bazoola::Value;
use bazoola_cli::{Outcome, Session};
use rstest::rstest;

const TITLES: &[&str] = &[
    "Book 07 of Tales",
    "BOOK 17 OF TALES",
    "book 170 of tales",
    "Kelvin \u{212A}",
    "\u{130}stanbul",
    "istanbul",
    "Äpfel und Birnen",
    "äpfel",
    "50% off_sale",
    "",
];

#[rstest]
#[case::contains_ascii("%7 of%")]
#[case::contains_upper("%7 OF T%")]
#[case::contains_k("%k%")]
#[case::contains_kelvin_word("%kelvin k%")]
#[case::contains_i("%is%")]
#[case::contains_non_ascii("%äp%")]
#[case::contains_non_ascii_upper("%ÄP%")]
#[case::prefix("book%")]
#[case::one_char("%b_ok%")]
#[case::percent_sign("%50%%")]
#[case::everything("%")]
#[case::nothing_in_between("%%")]
fn like_answers_as_in_sqlite(#[case] pattern: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = Session::open(dir.path()).expect("session opens");
    let conn = rusqlite::Connection::open_in_memory().expect("sqlite opens");
    let create = "CREATE TABLE t (id INTEGER PRIMARY KEY, title CHAR(40), body TEXT)";
    session.execute(create).expect("create");
    conn.execute(create, []).expect("sqlite create");
    let insert = session.prepare("INSERT INTO t (title, body) VALUES (?, ?)").expect("prepares");
    for title in TITLES {
        session.run_with(&insert, &[(*title).into(), (*title).into()]).expect("insert");
        conn.execute("INSERT INTO t (title, body) VALUES (?1, ?1)", [title]).expect("sqlite insert");
    }
    for sql in [
        "SELECT id FROM t WHERE title LIKE ? ORDER BY id",
        "SELECT id FROM t WHERE body LIKE ? ORDER BY id",
        "SELECT id FROM t WHERE NOT title LIKE ? ORDER BY id",
        "SELECT count(*) FROM t WHERE title LIKE ?",
    ] {
        let statement = session.prepare(sql).expect("prepares");
        let ours = match session.run_with(&statement, &[pattern.into()]).expect("runs") {
            Outcome::Rows { rows, .. } => rows,
            other => panic!("{other:?}"),
        };
        let mut stmt = conn.prepare(sql).expect("sqlite prepares");
        let theirs: Vec<Vec<Value>> = stmt
            .query_map([pattern], |r| r.get::<_, i64>(0))
            .expect("sqlite runs")
            .map(|v| vec![Value::Int(v.expect("sqlite row"))])
            .collect();
        assert_eq!(ours, theirs, "{sql} with {pattern:?}");
    }
}
