//! Threads and processes sharing one directory.
//!
//! The multi-process test re-runs this test binary as its children: `child_inserter` is
//! ignored in normal runs and does its work only when `BAZOOLA_CHILD_DIR` is set.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;

use bazoola::{Database, Field, TableSchema, Value};

const PROCESSES: usize = 8;
const INSERTS_PER_PROCESS: usize = 500;

fn counters() -> TableSchema {
    TableSchema::new("counters").field(Field::char("owner", 12)).field(Field::int("n"))
}

#[test]
#[ignore = "run as a child process by many_processes_insert_distinct_ids"]
fn child_inserter() {
    let Ok(dir) = std::env::var("BAZOOLA_CHILD_DIR") else { return };
    let me = std::env::var("BAZOOLA_CHILD_NAME").unwrap_or_default();
    let db = Database::open(&dir, [counters()]).unwrap();
    for i in 0..INSERTS_PER_PROCESS {
        db.insert("counters", [("owner", Value::from(me.as_str())), ("n", (i as i64).into())]).unwrap();
    }
}

#[test]
fn many_processes_insert_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    Database::open(dir.path(), [counters()]).unwrap().close();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(&exe)
                .args(["child_inserter", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
                .env("BAZOOLA_CHILD_DIR", dir.path())
                .env("BAZOOLA_CHILD_NAME", format!("p{p}"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let db = Database::open(dir.path(), [counters()]).unwrap();
    let rows = db.find_all("counters", &[]).unwrap();
    let ids: BTreeSet<i64> = rows.iter().map(bazoola::Row::id).collect();
    assert_eq!(rows.len(), PROCESSES * INSERTS_PER_PROCESS);
    assert_eq!(ids, (1..=(PROCESSES * INSERTS_PER_PROCESS) as i64).collect());
    for p in 0..PROCESSES {
        let mine: Vec<i64> = rows
            .iter()
            .filter(|r| r["owner"].as_str() == Some(&format!("p{p}")))
            .map(|r| r["n"].as_int().unwrap())
            .collect();
        assert_eq!(mine, (0..INSERTS_PER_PROCESS as i64).collect::<Vec<_>>(), "process {p} in order");
    }
    assert_eq!(
        common::read(dir.path(), "counters__seqnum.dat"),
        (PROCESSES * INSERTS_PER_PROCESS).to_string()
    );
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn threads_increment_without_lost_updates() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Database::open(dir.path(), [counters()]).unwrap());
    db.insert("counters", [("owner", Value::from("shared")), ("n", 0.into())]).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                for _ in 0..250 {
                    db.transaction(|db| {
                        let n = db
                            .find_by_id("counters", 1, &[])?
                            .and_then(|r| r["n"].as_int())
                            .unwrap_or_default();
                        db.update_by_id("counters", 1, [("n", n + 1)])?;
                        Ok(())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(db.find_by_id("counters", 1, &[]).unwrap().unwrap()["n"], Value::Int(1000));
}

#[test]
fn threads_insert_delete_and_update_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Database::open(dir.path(), [counters()]).unwrap());
    let threads: Vec<_> = (0..4i64)
        .map(|t| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                for i in 0..200i64 {
                    let row = db
                        .insert("counters", [("owner", Value::from(format!("t{t}"))), ("n", i.into())])
                        .unwrap();
                    if i % 2 == 0 {
                        db.delete_by_id("counters", row.id()).unwrap();
                    } else {
                        db.update_by_id("counters", row.id(), [("n", i * 10)]).unwrap();
                        kept.push((row.id(), i * 10));
                    }
                    // Readers run alongside the writers.
                    assert!(db.find_by_id("counters", row.id(), &[]).unwrap().is_some() == (i % 2 == 1));
                }
                kept
            })
        })
        .collect();
    let kept: Vec<(i64, i64)> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    assert_eq!(kept.len(), 400);
    for (id, n) in &kept {
        assert_eq!(db.find_by_id("counters", *id, &[]).unwrap().unwrap()["n"], Value::Int(*n));
    }
    assert_eq!(db.count("counters", None).unwrap(), 400);
    // Slots were reused: the file never grew past the peak of live rows plus one per thread.
    assert!(std::fs::metadata(dir.path().join("counters.dat")).unwrap().len() / 31 <= 404);
    assert!(db.check().unwrap().is_empty());
}

#[test]
fn a_change_made_by_hand_while_closed_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [common::table_a()]).unwrap();
    db.insert("a", [("text", "foo")]).unwrap();
    db.close();
    std::fs::write(dir.path().join("a.dat"), "1        fox  \n").unwrap();
    std::fs::write(dir.path().join("a__seqnum.dat"), "41").unwrap();
    let db = Database::open(dir.path(), [common::table_a()]).unwrap();
    assert_eq!(db.find_by_id("a", 1, &[]).unwrap().unwrap()["text"].as_str(), Some("fox"));
    assert_eq!(db.insert("a", [("text", "bar")]).unwrap().id(), 42);
}

#[test]
fn a_change_by_another_handle_is_seen_without_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let first = Database::open(dir.path(), [common::table_a()]).unwrap();
    let second = Database::open(dir.path(), [common::table_a()]).unwrap();
    first.insert("a", [("text", "one")]).unwrap();
    assert_eq!(second.insert("a", [("text", "two")]).unwrap().id(), 2);
    first.delete_by_id("a", 1).unwrap();
    assert_eq!(second.find_by_id("a", 1, &[]).unwrap(), None);
    assert_eq!(second.insert("a", [("text", "three")]).unwrap().id(), 3);
    assert_eq!(common::read(dir.path(), "a.dat"), "3        three\n2        two  \n");
}
