//! Golden scripts of the SQL layer: each `tests/golden/sql/*.sql` runs, statement by
//! statement, through `Session::execute_each` in a fresh directory, and what it gives
//! must equal the `.out` beside it. `BAZOOLA_BLESS=1 cargo test -p bazoola-cli --test
//! sql_golden` rewrites the `.out` files.
//!
//! Output, per statement: `> ` and the statement (continuation lines indented), then
//! - rows: the column names, then one line per row, values joined by ` | ` (NULL for
//!   null, REALs as SQLite prints them), or `(no rows)`;
//! - `(n rows changed)`; `ok` for a statement that gives nothing back;
//! - a plan's lines as EXPLAIN prints them (timings masked as `… ms`);
//! - `Error: …` — the script goes on with the next statement.
//!
//! Lines of the script of the form `-- @command` are the harness's:
//! - `-- @reopen`: the session is closed and the directory opened again;
//! - `-- @files`: the directory's files, one a line;
//! - `-- @cat NAME`: a file of the directory.

use std::path::{Path, PathBuf};

use bazoola::Value;
use bazoola_cli::sql::split_statements;
use bazoola_cli::sql::value::format_real;
use bazoola_cli::{Outcome, Session};
use rstest::rstest;

#[rstest]
fn golden(#[files("tests/golden/sql/*.sql")] path: PathBuf) {
    let script = std::fs::read_to_string(&path).expect("golden script is readable");
    let dir = tempfile::tempdir().expect("temporary directory");
    let actual = run_script(&script, dir.path());
    let expected_path = path.with_extension("out");
    if std::env::var_os("BAZOOLA_BLESS").is_some() {
        std::fs::write(&expected_path, &actual).expect("golden output is writable");
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if actual != expected {
        let line = actual.lines().zip(expected.lines()).position(|(a, e)| a != e);
        let at = line.unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "{} differs from {} at line {} (BAZOOLA_BLESS=1 regenerates it)\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            expected_path.display(),
            at + 1,
            expected.lines().skip(at.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n"),
            actual.lines().skip(at.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n"),
        );
    }
}

/// Runs a golden script in `dir`; returns its rendered output.
fn run_script(script: &str, dir: &Path) -> String {
    let mut out = String::new();
    let mut session = Some(Session::open(dir).expect("session opens"));
    let mut sql = String::new();
    let mut first_line = 1;
    for (n, line) in script.split_inclusive('\n').enumerate() {
        let Some(command) = line.trim().strip_prefix("-- @") else {
            sql.push_str(line);
            continue;
        };
        run_sql(session.as_mut().expect("session is open"), &std::mem::take(&mut sql), first_line, &mut out);
        first_line = n + 2;
        let mut words = command.split_whitespace();
        match (words.next(), words.next()) {
            (Some("reopen"), _) => {
                drop(session.take());
                session = Some(Session::open(dir).expect("session reopens"));
                out.push_str("-- reopened\n");
            }
            (Some("files"), _) => {
                let mut names: Vec<String> = std::fs::read_dir(dir)
                    .expect("directory lists")
                    .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                out.push_str(&format!("-- files: {}\n", names.join(" ")));
            }
            (Some("cat"), Some(name)) => {
                let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| format!("({e})\n"));
                out.push_str(&format!("-- {name}:\n{text}"));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => panic!("unknown harness command: {command}"),
        }
    }
    run_sql(session.as_mut().expect("session is open"), &sql, first_line, &mut out);
    out
}

/// Runs each statement of `sql` (which starts at line `first_line` of the script) on
/// its own, rendering what it gives.
fn run_sql(session: &mut Session, sql: &str, first_line: usize, out: &mut String) {
    let sql = format!("{}{sql}", "\n".repeat(first_line - 1));
    for piece in split_statements(&sql) {
        // Comment lines before a statement are printed as they are.
        let lines: Vec<&str> = piece.trimmed().lines().collect();
        let comments = lines.iter().take_while(|l| l.trim_start().starts_with("--")).count();
        for line in &lines[..comments] {
            out.push_str(line.trim());
            out.push('\n');
        }
        for (i, line) in lines[comments..].iter().enumerate() {
            out.push_str(if i == 0 { "> " } else { "  " });
            out.push_str(line);
            out.push('\n');
        }
        // Padded to where it stands in the script, so that error positions are the script's.
        let padded = format!(
            "{}{}{}",
            "\n".repeat(piece.start.line as usize - 1),
            " ".repeat(piece.start.column as usize - 1),
            piece.text
        );
        let result = session.execute_each(&padded, &mut |outcome| {
            render(&outcome, out);
            Ok(())
        });
        if let Err(e) = result {
            out.push_str(&format!("Error: {e}\n"));
        }
    }
}

fn render(outcome: &Outcome, out: &mut String) {
    match outcome {
        Outcome::Rows { columns, rows } => {
            out.push_str(&columns.join(" | "));
            out.push('\n');
            if rows.is_empty() {
                out.push_str("(no rows)\n");
            }
            for row in rows {
                let values: Vec<String> = row.iter().map(value).collect();
                out.push_str(&values.join(" | "));
                out.push('\n');
            }
        }
        Outcome::Changed { rows } => {
            out.push_str(&format!("({rows} row{} changed)\n", if *rows == 1 { "" } else { "s" }));
        }
        Outcome::Plan(plan) => {
            for line in plan.lines() {
                out.push_str(&mask_timings(line));
                out.push('\n');
            }
        }
        Outcome::Done => out.push_str("ok\n"),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_real(*f),
        Value::Text(t) => t.clone(),
        other => format!("{other:?}"),
    }
}

/// `0.123 ms` → `… ms`: timings differ from run to run.
fn mask_timings(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(" ms]") {
        let start = rest[..at].rfind(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(0, |i| i + 1);
        out.push_str(&rest[..start]);
        out.push('…');
        out.push_str(" ms]");
        rest = &rest[at + " ms]".len()..];
    }
    out.push_str(rest);
    out
}
