//! Crash safety against real process deaths: writer processes are killed with SIGKILL at
//! random moments in random multi-operation transactions; after each kill the directory
//! must pass `check` and hold exactly the committed transactions — or those plus the one
//! in flight, entirely.
//!
//! Half of the writers hold so little of a transaction in memory that they spill it to
//! disk under a multi-segment journal before commit. Index pages are small, so the kills
//! also land in the middle of index splits; `check` verifies every index against the rows.
//!
//! The default is 200 kills; `BAZOOLA_CRASH_KILLS=10000 cargo test --release --test crash`
//! runs the long mode.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use bazoola::{Database, DEFAULT_TXN_MEMORY};
use common::workload::{run_txn, schemas, small_index_pages, state, Rng};

#[test]
#[ignore = "run as a child process by kill_writers_at_random_moments"]
fn child_writer() {
    let Ok(dir) = std::env::var("BAZOOLA_CRASH_DIR") else { return };
    let start: u64 = std::env::var("BAZOOLA_CRASH_START").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let memory: usize = std::env::var("BAZOOLA_CRASH_TXN_MEMORY").ok().and_then(|s| s.parse().ok()).unwrap();
    let db = small_index_pages().txn_memory(memory).open(&dir, schemas()).unwrap();
    let mut out = std::io::stdout().lock();
    for n in start.. {
        run_txn(&db, n).unwrap();
        writeln!(out, "{n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_writers_at_random_moments() {
    let kills: u64 = std::env::var("BAZOOLA_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let reference_dir = tempfile::tempdir().unwrap();
    let reference = Database::open(reference_dir.path(), schemas()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = Rng::new(7);
    let mut next = 0u64;
    let mut in_flight_survived = 0;
    for kill in 0..kills {
        let mut child = Command::new(&exe)
            .args(["child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1", "-q"])
            .env("BAZOOLA_CRASH_DIR", dir.path())
            .env("BAZOOLA_CRASH_START", next.to_string())
            // Every other writer holds so little in memory that its transactions spill
            // (journals of many segments, data on disk before commit).
            .env(
                "BAZOOLA_CRASH_TXN_MEMORY",
                if kill % 2 == 0 { DEFAULT_TXN_MEMORY } else { 1024 }.to_string(),
            )
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wait_for = rng.below(12);
        let mut committed: Vec<u64> = Vec::new();
        while (committed.len() as u64) < wait_for {
            match lines.next() {
                Some(Ok(line)) => committed.extend(line.trim().parse::<u64>().ok()),
                _ => break,
            }
        }
        // Spin a random number of iterations so the kill lands anywhere in a transaction.
        let spin = rng.below(200_000);
        let mut x = 0u64;
        for i in 0..spin {
            x = std::hint::black_box(x ^ i);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        committed.extend(lines.map_while(Result::ok).filter_map(|l| l.trim().parse::<u64>().ok()));
        if let Some(&last) = committed.last() {
            assert_eq!(committed, (next..=last).collect::<Vec<_>>(), "kill {kill}: commits in order");
            for n in next..=last {
                run_txn(&reference, n).unwrap();
            }
            next = last + 1;
        }

        let db = Database::open(dir.path(), schemas()).unwrap();
        let problems = db.check().unwrap();
        assert!(problems.is_empty(), "kill {kill}: {problems:?}");
        let actual = state(&db);
        if actual != state(&reference) {
            // The transaction in flight may have committed before its line was written.
            run_txn(&reference, next).unwrap();
            assert_eq!(
                actual,
                state(&reference),
                "kill {kill}: state is neither before nor after txn {next}"
            );
            next += 1;
            in_flight_survived += 1;
        }
        db.close();
    }
    eprintln!("{kills} kills; {next} transactions committed; {in_flight_survived} in-flight transactions survived whole");
    assert!(next > 0);
}
