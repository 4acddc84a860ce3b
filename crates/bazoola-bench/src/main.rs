//! Runs SPEC §7 side by side: Bazoola and SQLite, each in its own process (so peak memory
//! is each one's own), and prints one Markdown table of calls per second.
//!
//! `cargo run --release -p bazoola-bench -- 20000`
//! `cargo run --release -p bazoola-bench -- 1000000`

use std::process::Command;
use std::time::Instant;

use bazoola::SyncMode;
use bazoola_bench::{max_rss_mib, run_workload, Bazoola, Engine, Sqlite};

fn engine(name: &str, dir: &std::path::Path) -> Box<dyn Engine> {
    match name {
        "bazoola" => Box::new(Bazoola::open(dir, SyncMode::Normal)),
        "bazoola-full" => Box::new(Bazoola::open(dir, SyncMode::Full)),
        "sqlite" => Box::new(Sqlite::open(dir, false)),
        "sqlite-full" => Box::new(Sqlite::open(dir, true)),
        other => panic!("unknown engine {other}"),
    }
}

/// The child: one engine, one workload; prints `phase<TAB>calls<TAB>seconds` lines.
fn child(name: &str, n: usize) {
    let dir = tempfile::tempdir_in(".").expect("temp dir");
    let mut e = engine(name, dir.path());
    if name.ends_with("-full") {
        // Durable inserts: one fsync-bound commit each.
        let calls = 500;
        let start = Instant::now();
        for i in 0..calls {
            e.insert_author(&format!("Author {i}"));
        }
        println!("durable insert\t{calls}\t{}", start.elapsed().as_secs_f64());
        return;
    }
    let scans = if n > 100_000 { 2 } else { 10 };
    let inverse = if n > 100_000 { 20 } else { n / 100 };
    for phase in run_workload(e.as_mut(), n, scans, inverse) {
        println!("{}\t{}\t{}", phase.name, phase.calls, phase.elapsed.as_secs_f64());
    }
    let reps = 20;
    let start = Instant::now();
    for _ in 0..reps {
        e.insert_authors_in_one_transaction(1000);
    }
    println!("1000 inserts in one transaction\t{reps}\t{}", start.elapsed().as_secs_f64());
    println!("peak memory (MiB)\t0\t{:.1}", max_rss_mib());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    if let Some(name) = args.get(2) {
        child(name, n);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let engines = ["bazoola", "sqlite", "bazoola-full", "sqlite-full"];
    let mut columns: Vec<Vec<(String, usize, f64)>> = Vec::new();
    for name in engines {
        let out = Command::new(&exe).args([n.to_string(), name.to_string()]).output().expect("run child");
        assert!(out.status.success(), "{name} failed: {}", String::from_utf8_lossy(&out.stderr));
        let rows = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut parts = l.split('\t');
                Some((parts.next()?.to_string(), parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
            })
            .collect();
        columns.push(rows);
    }
    println!("N = {n}; calls per second (higher is better); ratio = bazoola / sqlite\n");
    println!("| phase | calls | bazoola | sqlite | ratio |");
    println!("|---|---:|---:|---:|---:|");
    let print = |ours: &[(String, usize, f64)], theirs: &[(String, usize, f64)]| {
        for ((phase, calls, secs), (_, _, their_secs)) in ours.iter().zip(theirs) {
            if *calls == 0 {
                println!("| {phase} | | {secs:.1} | {their_secs:.1} | |");
            } else {
                let (a, b) = (*calls as f64 / secs, *calls as f64 / their_secs);
                println!("| {phase} | {calls} | {a:.0} | {b:.0} | {:.2}× |", a / b);
            }
        }
    };
    print(&columns[0], &columns[1]);
    print(&columns[2], &columns[3]);
}
