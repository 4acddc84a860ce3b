//! The interactive shell through a real pseudo-terminal: the prompt, a statement over
//! several lines, history recall, Ctrl-C, `.mode box` and Ctrl-D — keys as a user
//! presses them, read back as the terminal shows them. Every wait is an `expect` with
//! a generous timeout; nothing sleeps.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Session, WaitStatus};

const TIMEOUT: Duration = Duration::from_secs(60);
const PROMPT: &str = "bazoola> ";
const CONTINUE: &str = "   ...> ";
const UP: &str = "\x1b[A";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";

/// `bazoola DIR` on a terminal, history in `history`, at its first prompt.
fn shell(db: &Path, history: &Path) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bazoola"));
    command.arg(db).env("BAZOOLA_HISTORY", history).env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("spawn bazoola on a terminal");
    session.set_expect_timeout(Some(TIMEOUT));
    session.expect("Enter \".help\" for usage hints.").expect("the banner");
    session.expect(PROMPT).expect("the first prompt");
    session
}

/// Types `line` and Enter, and waits for the output up to and including `until`;
/// returns everything shown (the echo of the line included).
fn type_line(session: &mut Session, line: &str, until: &str) -> String {
    session.send_line(line).expect("type a line");
    let found =
        session.expect(until).unwrap_or_else(|e| panic!("after {line:?}, waiting for {until:?}: {e}"));
    String::from_utf8_lossy(found.before()).into_owned() + until
}

fn press_ctrl_d_and_expect_exit(mut session: Session, status: i32) {
    session.send(CTRL_D).expect("press Ctrl-D");
    session.expect(Eof).expect("the shell leaves");
    let pid = session.get_process().pid();
    assert_eq!(session.get_process().wait().expect("wait"), WaitStatus::Exited(pid, status));
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("db");
    let history = dir.path().join("history");
    (dir, db, history)
}

#[test]
fn a_statement_over_several_lines_in_box_mode() {
    let (_dir, db, history) = setup();
    let mut sh = shell(&db, &history);
    type_line(&mut sh, "CREATE TABLE t (id INTEGER PRIMARY KEY, name CHAR(10));", PROMPT);
    type_line(&mut sh, "INSERT INTO t (name)", CONTINUE);
    type_line(&mut sh, "  VALUES ('one'),", CONTINUE);
    type_line(&mut sh, "         ('two');", PROMPT);
    // A terminal's default mode is box.
    let shown = type_line(&mut sh, "SELECT id, name FROM t ORDER BY id;", "└────┴──────┘");
    assert!(shown.contains("│ id │ name │\r\n├────┼──────┤\r\n│ 1  │ one  │\r\n│ 2  │ two  │"), "{shown}");
    sh.expect(PROMPT).expect("prompt");
    type_line(&mut sh, ".mode list", PROMPT);
    type_line(&mut sh, "SELECT id, name FROM t ORDER BY id;", "1|one\r\n2|two\r\n");
    sh.expect(PROMPT).expect("prompt");
    type_line(&mut sh, ".mode box", PROMPT);
    type_line(
        &mut sh,
        "SELECT name FROM t WHERE id = 2;",
        "┌──────┐\r\n│ name │\r\n├──────┤\r\n│ two  │\r\n└──────┘",
    );
    sh.expect(PROMPT).expect("prompt");
    press_ctrl_d_and_expect_exit(sh, 0);
}

#[test]
fn up_arrow_recalls_history_within_and_across_sessions() {
    let (_dir, db, history) = setup();
    let mut sh = shell(&db, &history);
    type_line(&mut sh, "SELECT 'recalled' AS r;", "│ recalled │");
    sh.expect(PROMPT).expect("prompt");
    // Up arrow brings the line back; Enter runs it again.
    sh.send(UP).expect("press up");
    type_line(&mut sh, "", "│ recalled │");
    sh.expect(PROMPT).expect("prompt");
    type_line(&mut sh, ".quit", "");
    sh.expect(Eof).expect("the shell leaves");
    let saved = std::fs::read_to_string(&history).expect("the history file");
    assert!(saved.contains("SELECT 'recalled' AS r;"), "{saved}");
    assert!(saved.contains(".quit"), "{saved}");

    // The next session starts with it: up twice passes `.quit`.
    let mut sh = shell(&db, &history);
    sh.send(UP).expect("press up");
    sh.send(UP).expect("press up");
    type_line(&mut sh, "", "│ recalled │");
    sh.expect(PROMPT).expect("prompt");
    press_ctrl_d_and_expect_exit(sh, 0);
}

#[test]
fn ctrl_c_cancels_the_statement_being_typed() {
    let (_dir, db, history) = setup();
    let mut sh = shell(&db, &history);
    // Half a statement, with an open string: without the cancel, what follows would
    // be inside it.
    type_line(&mut sh, "SELECT 'half", CONTINUE);
    sh.send(CTRL_C).expect("press Ctrl-C");
    sh.expect(PROMPT).expect("a fresh prompt after Ctrl-C");
    let shown = type_line(&mut sh, "SELECT 'fresh' AS f;", "│ fresh │");
    assert!(!shown.contains("Error"), "{shown}");
    sh.expect(PROMPT).expect("prompt");
    // Ctrl-C on a line being typed, before Enter, drops that line too.
    sh.send("SELECT 'dropped'").expect("type");
    sh.send(CTRL_C).expect("press Ctrl-C");
    sh.expect(PROMPT).expect("a fresh prompt after Ctrl-C");
    let shown = type_line(&mut sh, "SELECT 'kept' AS k;", "│ kept │");
    assert!(!shown.contains("│ dropped"), "{shown}");
    sh.expect(PROMPT).expect("prompt");
    press_ctrl_d_and_expect_exit(sh, 0);
}

#[test]
fn an_error_is_shown_and_the_shell_goes_on() {
    let (_dir, db, history) = setup();
    let mut sh = shell(&db, &history);
    type_line(&mut sh, "SELECT * FROM no_such_table;", "Error: ");
    sh.expect(PROMPT).expect("prompt");
    type_line(&mut sh, ".no_such_command", "Error: unknown command '.no_such_command'");
    sh.expect(PROMPT).expect("prompt");
    type_line(&mut sh, "SELECT 1 + 1 AS two;", "│ 2   │");
    sh.expect(PROMPT).expect("prompt");
    // An error does not change how the shell ends.
    press_ctrl_d_and_expect_exit(sh, 0);
}

#[test]
fn ctrl_c_stops_a_result_being_printed() {
    let (_dir, db, history) = setup();
    {
        // Enough rows that their output cannot fit in the terminal's buffer: the shell
        // is still printing (blocked on the terminal) when Ctrl-C comes.
        let database = bazoola::Database::open(
            &db,
            [bazoola::TableSchema::new("big").field(bazoola::Field::char("word", 20))],
        )
        .expect("create the table");
        database
            .transaction(|d| {
                for i in 0..50_000 {
                    d.insert("big", [("word", format!("word {i}"))])?;
                }
                Ok(())
            })
            .expect("fill the table");
    }
    let mut sh = shell(&db, &history);
    type_line(&mut sh, "SELECT id, word FROM big ORDER BY id;", "│ 100   │ word 99");
    sh.send(CTRL_C).expect("press Ctrl-C");
    let shown = sh.expect("Error: interrupted").expect("the statement stops");
    assert!(!String::from_utf8_lossy(shown.before()).contains("word 49999"));
    sh.expect(PROMPT).expect("the prompt again");
    // The shell goes on as before.
    type_line(&mut sh, "SELECT count(*) AS n FROM big;", "│ 50000 │");
    sh.expect(PROMPT).expect("prompt");
    press_ctrl_d_and_expect_exit(sh, 0);
}
