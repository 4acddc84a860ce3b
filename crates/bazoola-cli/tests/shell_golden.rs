//! Golden scripts for the shell's front end: dot-commands and output modes.
//!
//! Each `golden/shell/NAME.sql` is typed, as a user would type it, into the real
//! `bazoola` binary: standard input is the script, `--echo` prints each command before
//! its output, the working directory is a fresh temporary one holding a copy of
//! `golden/shell/data/` (fixtures for `.read`) and the database directory is `db`.
//! Standard output and standard error go to one file, so errors show where they happen.
//! The transcript — output, then `[exit N]` — must equal `NAME.out`; after it come the
//! files the script wrote beside `db` (`.output`, `.once`). A script stops at its first
//! error, so a line `-- restart` ends the process and starts another on the same
//! directory. `Run Time:` lines have their digits replaced by `#`.
//!
//! `BAZOOLA_BLESS=1 cargo test --test shell_golden` writes the transcripts as the new
//! expected outputs. A new script is picked up when this file is compiled again
//! (`touch tests/shell_golden.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rstest::rstest;

const RESTART: &str = "-- restart";

#[rstest]
fn golden(#[files("tests/golden/shell/*.sql")] script: PathBuf) {
    let transcript = transcript(&script);
    let expected_path = script.with_extension("out");
    if std::env::var_os("BAZOOLA_BLESS").is_some_and(|v| v == "1") {
        fs::write(&expected_path, &transcript).expect("write the expected output");
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|_| {
        panic!("{} is missing: run with BAZOOLA_BLESS=1 to write it", expected_path.display())
    });
    if transcript != expected {
        panic!(
            "{} differs from {} (BAZOOLA_BLESS=1 rewrites it):\n{}",
            script.display(),
            expected_path.display(),
            diff(&expected, &transcript)
        );
    }
}

/// Every script has its expected output, and every expected output its script.
#[test]
fn scripts_and_outputs_pair_up() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/shell");
    let mut names: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("golden directory")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let ext = path.extension()?.to_str()?.to_string();
            Some((path.file_stem()?.to_str()?.to_string(), ext))
        })
        .filter(|(_, ext)| ext == "sql" || ext == "out")
        .collect();
    names.sort();
    for (stem, ext) in &names {
        let other = if ext == "sql" { "out" } else { "sql" };
        assert!(
            names.contains(&(stem.clone(), other.to_string())),
            "{stem}.{ext} has no {stem}.{other} (BAZOOLA_BLESS=1 writes outputs; touch tests/shell_golden.rs \
             to pick up a new script)"
        );
    }
}

/// Runs the script's processes one after another on one directory; what they printed.
fn transcript(script: &Path) -> String {
    let text = fs::read_to_string(script).expect("read the script");
    let work = tempfile::tempdir().expect("temporary directory");
    let logs = tempfile::tempdir().expect("temporary directory");
    copy_dir(&script.parent().expect("golden directory").join("data"), &work.path().join("data"));
    let mut out = String::new();
    for (n, part) in split_runs(&text).iter().enumerate() {
        if n > 0 {
            out.push_str(RESTART);
            out.push('\n');
        }
        let log_path = logs.path().join(format!("run-{n}.log"));
        let status = run(work.path(), &log_path, part);
        out.push_str(&fs::read_to_string(&log_path).expect("read the log"));
        out.push_str(&format!("[exit {status}]\n"));
    }
    out.push_str(&written_files(work.path()));
    normalise(&out)
}

fn split_runs(text: &str) -> Vec<String> {
    let mut runs = vec![String::new()];
    for line in text.lines() {
        if line == RESTART {
            runs.push(String::new());
        } else if let Some(run) = runs.last_mut() {
            run.push_str(line);
            run.push('\n');
        }
    }
    runs
}

/// One `bazoola --echo db` with `input` on its standard input; its exit status.
fn run(work: &Path, log_path: &Path, input: &str) -> i32 {
    let log = fs::File::create(log_path).expect("create the log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bazoola"))
        .args(["--echo", "db"])
        .current_dir(work)
        .env_remove("BAZOOLA_HISTORY")
        .stdin(Stdio::piped())
        .stdout(log.try_clone().expect("share the log"))
        .stderr(log)
        .spawn()
        .expect("start bazoola");
    let mut stdin = child.stdin.take().expect("stdin");
    // The shell may stop reading at an error: a refused write is not the test's failure.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let status = child.wait().expect("wait for bazoola");
    status.code().unwrap_or(-1)
}

/// The files a script wrote in the working directory, besides the database and the
/// fixtures, each after a `--- file NAME` line.
fn written_files(work: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(work)
        .expect("list the working directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "db" && name != "data")
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        out.push_str(&format!("--- file {name}\n"));
        out.push_str(&String::from_utf8_lossy(&fs::read(work.join(&name)).expect("read a written file")));
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create the fixture directory");
    let Ok(entries) = fs::read_dir(from) else { return };
    for entry in entries.filter_map(|e| e.ok()) {
        fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a fixture");
    }
}

/// Timings vary from run to run: their digits become `#`.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("Run Time: ") {
            out.extend(line.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The lines that differ, marked `-` (expected) and `+` (got), with their numbers.
fn diff(expected: &str, got: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let got: Vec<&str> = got.lines().collect();
    let mut out = String::new();
    for i in 0..expected.len().max(got.len()) {
        let (e, g) = (expected.get(i), got.get(i));
        if e != g {
            if let Some(e) = e {
                out.push_str(&format!("{:>4} - {e}\n", i + 1));
            }
            if let Some(g) = g {
                out.push_str(&format!("{:>4} + {g}\n", i + 1));
            }
        }
    }
    out
}
