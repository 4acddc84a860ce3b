//! Opening the demo's data directory: sample data on first use only, `--reset` puts it
//! back, and the binary's options.

use std::process::Command;

use bazoola::Cond;
use rstest::rstest;

fn counts(db: &bazoola::Database) -> Vec<u64> {
    ["users", "projects", "tasks", "comments"].iter().map(|t| db.count(t, None).unwrap()).collect()
}

#[rstest]
fn the_first_open_fills_the_sample_data_and_later_opens_keep_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = bazoola_demo::open(dir.path(), false).unwrap();
    assert_eq!(counts(&db), [4, 4, 52, 10]);
    db.delete_by_id("projects", 1).unwrap();
    db.close();

    let db = bazoola_demo::open(dir.path(), false).unwrap();
    assert_eq!(counts(&db), [4, 3, 48, 7], "reopening must not refill");
    db.close();

    let db = bazoola_demo::open(dir.path(), true).unwrap();
    assert_eq!(counts(&db), [4, 4, 52, 10], "reset puts the samples back");
    let alice = db.find_by_cond("users", &Cond::eq("username", "alice"), &[]).unwrap();
    assert_eq!(alice[0].id(), 2, "reset restarts the ids");
    assert!(db.check().unwrap().is_empty());
}

#[rstest]
fn the_binary_describes_its_options() {
    let output = Command::new(env!("CARGO_BIN_EXE_bazoola-demo")).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in ["--data-dir", "./demo-data", "--host", "127.0.0.1", "--port", "5000", "--reset"] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
}

#[rstest]
fn the_binary_refuses_a_data_dir_it_cannot_create() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let output =
        Command::new(env!("CARGO_BIN_EXE_bazoola-demo")).arg("--data-dir").arg(&file).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot open"));
}
