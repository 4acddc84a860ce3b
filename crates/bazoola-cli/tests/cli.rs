//! The non-interactive contract of the `bazoola` binary, as a user scripts it: SQL and
//! dot-commands as arguments or on standard input, options before the directory, the
//! first error stopping everything with status 1, bad input refused without a panic
//! and without a byte written; and `--json` printing what `sqlite3 -json` prints.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rstest::rstest;

/// Runs `bazoola ARGS` (`DIR` in ARGS stands for `dir`) with `stdin` as standard input.
fn bazoola(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let dir = dir.to_str().expect("a UTF-8 temporary path");
    let args: Vec<&str> = args.iter().map(|a| if *a == "DIR" { dir } else { a }).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bazoola"))
        .args(&args)
        .env_remove("BAZOOLA_HISTORY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bazoola");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    // From a thread: the shell may stop reading (at an error) before all is written.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("wait for bazoola");
    writer.join().expect("the writer thread");
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A database with one table `t` of two rows.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let setup = "CREATE TABLE t (id INTEGER PRIMARY KEY, name CHAR(10) NOT NULL, n INTEGER);\n\
                 INSERT INTO t (name, n) VALUES ('one', 1), ('two', NULL);\n";
    let out = bazoola(&dir.path().join("db"), &["DIR"], setup.as_bytes());
    assert!(out.status.success(), "setup failed: {}", text(&out.stderr));
    dir
}

/// The rows of `t`, as `bazoola` lists them.
fn rows_of_t(db: &Path) -> String {
    let out = bazoola(db, &["DIR", "SELECT id, name, n FROM t ORDER BY id;"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

const TWO_ROWS: &str = "1|one|1\n2|two|\n";

#[rstest]
#[case::sql_argument(&["DIR", "SELECT name FROM t WHERE n = 1; SELECT count(*) FROM t;"], "", 0, "one\n2\n", "")]
#[case::dot_command_argument(&["DIR", ".tables"], "", 0, "t\n", "")]
#[case::arguments_in_order(&["DIR", ".mode csv", ".headers on", "SELECT id, name FROM t WHERE id = 2"], "", 0, "id,name\n2,two\n", "")]
#[case::script_on_stdin(&["DIR"], ".mode line\nSELECT name\n  FROM t\n WHERE id = 1;\n", 0, " name = one\n", "")]
#[case::options_before_dir(&["--json", "DIR", "SELECT id, name, n FROM t ORDER BY id"], "", 0, "[{\"id\":1,\"name\":\"one\",\"n\":1},\n{\"id\":2,\"name\":\"two\",\"n\":null}]\n", "")]
#[case::last_mode_flag_wins(&["--json", "--csv", "--header", "--nullvalue", "-", "DIR", "SELECT name, n FROM t WHERE id = 2"], "", 0, "name,n\ntwo,-\n", "")]
#[case::stdin_ignored_with_arguments(&["DIR", "SELECT 1;"], "SELECT 2;", 0, "1\n", "")]
#[case::error_in_script(&["DIR"], "SELECT count(*) FROM t;\nSELECT * FROM no_such_table;\nINSERT INTO t (name) VALUES ('three');\n", 1, "2\n", "Error: near line 2: ")]
#[case::error_in_argument(&["DIR", "SELECT * FROM no_such_table; INSERT INTO t (name) VALUES ('three');"], "", 1, "", "Error: ")]
#[case::error_stops_later_arguments(&["DIR", "SELECT 1;", ".no_such_command", "INSERT INTO t (name) VALUES ('three');"], "", 1, "1\n", "Error: unknown command '.no_such_command'")]
#[case::error_in_dot_command_on_stdin(&["DIR"], ".mode\n.mode nonsense\nINSERT INTO t (name) VALUES ('three');\n", 1, "current output mode: list\n", "Error: near line 2: unknown mode 'nonsense'")]
#[case::engine_error_names_the_field(&["DIR", "INSERT INTO t (name, no_such_field) VALUES ('x', 1);"], "", 1, "", "no_such_field")]
#[case::exit_status(&["DIR"], "SELECT 1;\n.exit 3\nINSERT INTO t (name) VALUES ('three');\n", 3, "1\n", "")]
#[case::quit(&["DIR"], ".quit\nINSERT INTO t (name) VALUES ('three');\n", 0, "", "")]
fn non_interactive(
    #[case] args: &[&str],
    #[case] stdin: &str,
    #[case] status: i32,
    #[case] stdout: &str,
    #[case] stderr_has: &str,
) {
    let dir = fixture();
    let db = dir.path().join("db");
    let out = bazoola(&db, args, stdin.as_bytes());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(status), "stderr: {stderr}");
    assert_eq!(text(&out.stdout), stdout);
    assert!(stderr.contains(stderr_has), "stderr: {stderr:?}");
    if status == 0 {
        assert_eq!(stderr, "");
    } else if status == 1 {
        assert!(stderr.starts_with("Error: "), "stderr: {stderr:?}");
        assert_eq!(stderr.lines().count(), 1, "one error line: {stderr:?}");
    }
    // Nothing after the first error ran: `t` still has its two rows.
    assert_eq!(rows_of_t(&db), TWO_ROWS);
}

#[test]
fn a_missing_directory_is_created() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("not/there/yet");
    let out = bazoola(&db, &["DIR", "CREATE TABLE t (id INTEGER PRIMARY KEY, name CHAR(10));"], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.is_dir());
    // The table is recorded in its schema file: the next run finds it.
    let out = bazoola(&db, &["DIR", ".tables"], b"");
    assert_eq!(text(&out.stdout), "t\n");
}

/// Every file under `dir` and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).expect("list a directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = fs::read(&path).expect("read a file");
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// Bytes no text editor writes: a fixed pseudo-random stream (xorshift), never UTF-8
/// for long.
fn garbage(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A statement of ten megabytes: one huge string, or a VALUES list over many lines.
fn huge_statement(one_line: bool) -> Vec<u8> {
    if one_line {
        format!("INSERT INTO t (name) VALUES ('{}');\n", "x".repeat(10 << 20)).into_bytes()
    } else {
        let mut sql = String::from("INSERT INTO t (name, n) VALUES\n");
        while sql.len() < 10 << 20 {
            sql.push_str("('many', 12345678),\n");
        }
        sql.push_str("('last', 0);\n");
        sql.into_bytes()
    }
}

#[rstest]
#[case::binary_garbage(garbage(1 << 16), "not UTF-8")]
#[case::invalid_utf8_after_good_lines(b"SELECT 1;\nSELECT '\xff\xfe';\n".to_vec(), "near line 2: the input is not UTF-8")]
#[case::control_characters(b"\x00\x01\x02 DROP\x00 TABLE t;\x1b[A\n".to_vec(), "Error: ")]
#[case::unterminated_string(b"INSERT INTO t (name) VALUES ('open\n".to_vec(), "Error: ")]
#[case::unterminated_comment(b"INSERT INTO t (name) VALUES ('x') /* open\n DELETE FROM t;".to_vec(), "comment")]
#[case::ten_megabytes_on_one_line(huge_statement(true), "statement too long")]
#[case::ten_megabytes_over_many_lines(huge_statement(false), "near line 1: statement too long")]
fn bad_input_is_refused_and_writes_nothing(#[case] input: Vec<u8>, #[case] message: &str) {
    let dir = fixture();
    let db = dir.path().join("db");
    let before = snapshot(&db);
    let out = bazoola(&db, &["DIR"], &input);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(snapshot(&db), before, "the directory changed");
    assert_eq!(rows_of_t(&db), TWO_ROWS);
}

#[test]
fn check_lists_problems_and_fails() {
    let dir = fixture();
    let db = dir.path().join("db");
    let out = bazoola(&db, &["DIR", ".check"], b"");
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "ok\n".to_string()));
    // Break the first row's id: `check` must notice, one line per problem.
    let data = db.join("t.dat");
    let mut bytes = fs::read(&data).expect("read t.dat");
    bytes[0] = b'x';
    fs::write(&data, bytes).expect("write t.dat");
    let out = bazoola(&db, &["DIR", ".check"], b"");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().count() >= 1 && stdout.lines().all(|l| l.starts_with("table 't': ")), "{stdout}");
    assert!(text(&out.stderr).starts_with("Error: check found "), "{}", text(&out.stderr));
}

#[test]
fn output_to_a_closed_pipe_stops_quietly() {
    let dir = fixture();
    let db = dir.path().join("db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bazoola"))
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bazoola");
    // The reader goes away before the shell writes: every write fails with EPIPE.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    let _ = stdin.write_all(b"SELECT id, name FROM t;\nSELECT id, name FROM t;\n");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "");
}

mod differential {
    //! `bazoola --json` against `sqlite3 -json` on the same rows and queries: the same
    //! JSON (the same text, but for the digits of floats, which must parse to the same
    //! numbers). Skipped with a notice when `sqlite3` is not installed (scripts/test.d/
    //! 25-cli installs it and sets BAZOOLA_REQUIRE_SQLITE3=1).

    use super::*;

    const DATA: &str = "\
CREATE TABLE authors (id INTEGER PRIMARY KEY, name CHAR(30) NOT NULL, born INTEGER);
CREATE TABLE books (id INTEGER PRIMARY KEY, title CHAR(40) NOT NULL, author_id INTEGER REFERENCES authors(id), year INTEGER, pages INTEGER);
INSERT INTO authors (id, name, born) VALUES (1, 'Ursula K. Le Guin', 1929), (2, 'Stanisław Lem', 1921), (3, 'Octavia \"O\" Butler', NULL), (4, '村上春樹', 1949);
INSERT INTO books (id, title, author_id, year, pages) VALUES
  (1, 'The Dispossessed', 1, 1974, 387),
  (2, 'Solaris', 2, 1961, 204),
  (3, 'Kindred', 3, 1979, NULL),
  (4, 'The Lathe of Heaven', 1, 1971, 184),
  (5, 'ノルウェイの森', 4, 1987, 296),
  (6, 'Untitled \\ draft', NULL, NULL, 12),
  (7, 'The Cyberiad', 2, 1965, 295);
";

    const QUERIES: &[&str] = &[
        "SELECT * FROM authors ORDER BY id",
        "SELECT id, title, year FROM books WHERE year IS NULL OR pages IS NULL ORDER BY id",
        "SELECT title, year FROM books WHERE year > 1965 AND pages < 300 ORDER BY year DESC, id",
        "SELECT count(*), count(year), sum(pages), min(year), max(year), avg(pages) FROM books",
        "SELECT author_id, count(*) AS n, avg(year) AS mean FROM books GROUP BY author_id ORDER BY author_id",
        "SELECT a.name, b.title FROM books b JOIN authors a ON b.author_id = a.id ORDER BY b.id",
        "SELECT b.title, a.name FROM books b LEFT JOIN authors a ON b.author_id = a.id ORDER BY b.id",
        "SELECT title FROM books WHERE title LIKE '%the%' ORDER BY id",
        "SELECT id FROM books WHERE year BETWEEN 1960 AND 1980 ORDER BY id LIMIT 2 OFFSET 1",
        "SELECT name AS who, born FROM authors WHERE born IN (1929, 1921) ORDER BY id",
        "SELECT title FROM books WHERE id = 999",
        "SELECT id, title FROM books WHERE NOT (year < 1970) ORDER BY id",
    ];

    fn sqlite3_available() -> bool {
        Command::new("sqlite3").arg("-version").output().is_ok_and(|o| o.status.success())
    }

    fn sqlite3(db: &Path, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new("sqlite3")
            .args(args)
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sqlite3");
        child.stdin.take().expect("stdin").write_all(stdin).expect("write to sqlite3");
        child.wait_with_output().expect("wait for sqlite3")
    }

    /// Whether two JSON values are equal, floats within a relative 1e-12 (the two
    /// engines may sum in a different order).
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value as J;
        match (a, b) {
            (J::Number(x), J::Number(y)) if x.is_f64() || y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
                x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
            }
            (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
            (J::Object(x), J::Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((kx, x), (ky, y))| kx == ky && same(x, y))
            }
            _ => a == b,
        }
    }

    fn has_float(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => n.is_f64(),
            serde_json::Value::Array(a) => a.iter().any(has_float),
            serde_json::Value::Object(o) => o.values().any(has_float),
            _ => false,
        }
    }

    #[test]
    fn json_is_sqlite3_json() {
        if !sqlite3_available() {
            assert!(
                std::env::var_os("BAZOOLA_REQUIRE_SQLITE3").is_none(),
                "sqlite3 is required (BAZOOLA_REQUIRE_SQLITE3) but not installed"
            );
            eprintln!("NOTICE: sqlite3 is not installed: the JSON comparison with sqlite3 -json is skipped");
            return;
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let ours = dir.path().join("db");
        let theirs = dir.path().join("db.sqlite");
        let out = bazoola(&ours, &["DIR"], DATA.as_bytes());
        assert!(out.status.success(), "bazoola: {}", text(&out.stderr));
        let out = sqlite3(&theirs, &["-bail"], DATA.as_bytes());
        assert!(out.status.success(), "sqlite3: {}", text(&out.stderr));
        for query in QUERIES {
            let mine = bazoola(&ours, &["--json", "DIR", query], b"");
            assert!(mine.status.success(), "{query}: {}", text(&mine.stderr));
            let reference = sqlite3(&theirs, &["-json"], format!("{query};").as_bytes());
            assert!(reference.status.success(), "{query}: {}", text(&reference.stderr));
            let (mine, reference) = (text(&mine.stdout), text(&reference.stdout));
            if reference.is_empty() {
                assert_eq!(mine, "", "{query}: sqlite3 prints nothing for no rows");
                continue;
            }
            let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s);
            let (m, r) =
                (parse(&mine).expect("our JSON parses"), parse(&reference).expect("sqlite3's JSON parses"));
            assert!(same(&m, &r), "{query}:\n ours:    {mine}\n sqlite3: {reference}");
            if !has_float(&r) {
                assert_eq!(mine, reference, "{query}: the same text");
            }
        }
    }
}

/// A table with text that CSV, JSON and SQL must all quote, and a row that refers to another.
const AWKWARD: &str = "CREATE TABLE a (id INTEGER PRIMARY KEY, name CHAR(20) NOT NULL);\n\
    CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT, a_id INTEGER REFERENCES a(id) ON DELETE CASCADE, n INTEGER);\n\
    INSERT INTO a (name) VALUES ('x, \"y\"'), ('été');\n\
    INSERT INTO b (note, a_id, n) VALUES ('line one\nline two', 1, -5), (NULL, 2, NULL), ('tab\there', NULL, 7);\n";

const BOTH: &str = "SELECT * FROM a ORDER BY id; SELECT * FROM b ORDER BY id;";

/// `.export` then `.import` into a fresh directory, in each format, and `.dump` read back
/// by the shell: the same rows as the source, printed the same way.
#[rstest]
#[case::csv("csv")]
#[case::json("json")]
#[case::ndjson("ndjson")]
fn dot_export_then_import_and_dump_then_read_give_the_same_rows(#[case] ext: &str) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let source = dir.path().join("source");
    let out = bazoola(&source, &["DIR"], AWKWARD.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = bazoola(&source, &["--json", "DIR", BOTH], b"");
    assert!(expected.status.success(), "{}", text(&expected.stderr));
    let (fa, fb) = (dir.path().join(format!("a.{ext}")), dir.path().join(format!("b.{ext}")));
    let export = format!(".export a {}\n.export b {}\n", fa.display(), fb.display());
    let out = bazoola(&source, &["DIR"], export.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Into tables made first (the FK checked on each row), so the types are the source's.
    let target = dir.path().join("target");
    let schema = bazoola(&source, &["DIR", ".schema"], b"");
    let load = format!("{}\n.import {} a\n.import {} b\n", text(&schema.stdout), fa.display(), fb.display());
    let out = bazoola(&target, &["DIR"], load.as_bytes());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = bazoola(&target, &["--json", "DIR", BOTH], b"");
    assert_eq!(text(&got.stdout), text(&expected.stdout), "rows after export → import");

    let dump = bazoola(&source, &["DIR", ".dump"], b"");
    assert!(dump.status.success(), "{}", text(&dump.stderr));
    let again = dir.path().join("again");
    let out = bazoola(&again, &["DIR"], &dump.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = bazoola(&again, &["--json", "DIR", BOTH], b"");
    assert_eq!(text(&got.stdout), text(&expected.stdout), "rows after .dump → bazoola");
    // The FK rule came along: deleting a cascades to b.
    let out = bazoola(&again, &["DIR", "DELETE FROM a WHERE id = 1; SELECT count(*) FROM b;"], b"");
    assert_eq!(text(&out.stdout), "2\n", "{}", text(&out.stderr));
}

/// A bad record stops an import with its line and field, status 1, and no row kept;
/// `--keep-going` keeps the good ones and reports the bad.
#[test]
fn a_bad_record_stops_the_import_naming_its_line() {
    let dir = fixture();
    let db = dir.path().join("db");
    let csv = dir.path().join("rows.csv");
    fs::write(&csv, "name,n\nthree,3\nfour,many\nfive,5\n").unwrap();
    let out = bazoola(&db, &["DIR", &format!(".import {} t", csv.display())], b"");
    assert_eq!(out.status.code(), Some(1));
    let error = text(&out.stderr);
    assert!(error.contains("line 3") && error.contains("'n'"), "{error}");
    assert_eq!(rows_of_t(&db), TWO_ROWS, "an atomic import keeps nothing");
    let out = bazoola(&db, &["DIR", &format!(".import {} t --keep-going", csv.display())], b"");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("skipped 1 bad record"), "{}", text(&out.stderr));
    assert_eq!(rows_of_t(&db), format!("{TWO_ROWS}3|three|3\n4|five|5\n"));
    // Usage errors name the usage.
    let out = bazoola(&db, &["DIR", ".import only-one-word"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("usage: .import FILE TABLE"), "{}", text(&out.stderr));
}
