//! Runs SPEC §7 side by side: Bazoola and SQLite, each in its own process (so peak memory
//! is each one's own), and prints Markdown tables of calls per second: the base workload,
//! the query phases with `books.year` indexed in both (`+idx`), and the cartesian trap.
//!
//! `cargo run --release -p bazoola-bench -- 20000`
//! `cargo run --release -p bazoola-bench -- 1000000`

use std::process::Command;
use std::time::Instant;

use bazoola::SyncMode;
use bazoola_bench::sql::BazoolaSql;
use bazoola_bench::{max_rss_mib, run_query_phases, run_workload, Bazoola, Engine, Sqlite};

fn engine(name: &str, dir: &std::path::Path) -> Box<dyn Engine> {
    match name {
        "bazoola" => Box::new(Bazoola::open(dir, SyncMode::Normal, false)),
        "bazoola-full" => Box::new(Bazoola::open(dir, SyncMode::Full, false)),
        "bazoola-idx" => Box::new(Bazoola::open(dir, SyncMode::Normal, true)),
        "bazoola-sql" => Box::new(BazoolaSql::open(dir, SyncMode::Normal, false)),
        "bazoola-sql-idx" => Box::new(BazoolaSql::open(dir, SyncMode::Normal, true)),
        "sqlite" => Box::new(Sqlite::open(dir, false, false)),
        "sqlite-full" => Box::new(Sqlite::open(dir, true, false)),
        "sqlite-idx" => Box::new(Sqlite::open(dir, false, true)),
        other => panic!("unknown engine {other}"),
    }
}

/// The child: one engine, one workload; prints `phase<TAB>calls<TAB>seconds` lines.
fn child(name: &str, n: usize) {
    let dir = tempfile::tempdir_in(".").expect("temp dir");
    if name.ends_with("-trap") {
        let repeats = 20;
        let (elapsed, counts) = match name {
            "bazoola-trap" => bazoola_bench::trap::bazoola(dir.path(), repeats),
            "sqlite-trap" => bazoola_bench::trap::sqlite(dir.path(), false, repeats),
            _ => bazoola_bench::trap::sqlite(dir.path(), true, 1),
        };
        assert_eq!(counts, [(1, 2500, 5000), (2, 2500, 5000)], "{name}");
        let calls = if name == "naive-trap" { 1 } else { repeats };
        println!("cartesian trap: products and employees per store\t{calls}\t{}", elapsed.as_secs_f64());
        return;
    }
    if let Some(engine_name) = name.strip_suffix("-alter") {
        // Filled here; the change runs in a process of its own, so that its peak memory is
        // the change's, not the fill's.
        engine(engine_name, dir.path()).fill_in_one_transaction(n);
        let exe = std::env::current_exe().expect("own path");
        let out = Command::new(exe)
            .args([n.to_string(), format!("{engine_name}-alter-run")])
            .env("BENCH_DIR", dir.path())
            .output()
            .expect("run the change");
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        print!("{}", String::from_utf8_lossy(&out.stdout));
        return;
    }
    if let Some(engine_name) = name.strip_suffix("-alter-run") {
        let dir = std::path::PathBuf::from(std::env::var("BENCH_DIR").expect("BENCH_DIR"));
        let mut e = engine(engine_name, &dir);
        let before = max_rss_mib();
        let start = Instant::now();
        e.add_pages();
        println!("add a nullable field to books\t1\t{}", start.elapsed().as_secs_f64());
        let start = Instant::now();
        e.drop_pages();
        println!("drop it again\t1\t{}", start.elapsed().as_secs_f64());
        println!("peak memory (MiB): at open\t0\t{before:.1}");
        println!("peak memory (MiB): after adding and dropping\t0\t{:.1}", max_rss_mib());
        let start = Instant::now();
        e.index_year();
        println!("build an index on books.year\t1\t{}", start.elapsed().as_secs_f64());
        println!("peak memory (MiB): after the index build\t0\t{:.1}", max_rss_mib());
        return;
    }
    let mut e = engine(name, dir.path());
    if name.ends_with("-idx") {
        let scans = if n > 100_000 { 2 } else { 10 };
        let counts = n / 100;
        for phase in bazoola_bench::fill(e.as_mut(), n).into_iter().chain(run_query_phases(
            e.as_mut(),
            n,
            scans,
            counts,
        )) {
            println!("{}\t{}\t{}", phase.name, phase.calls, phase.elapsed.as_secs_f64());
        }
        println!("peak memory (MiB)\t0\t{:.1}", max_rss_mib());
        return;
    }
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

/// `ops ENGINE OP COUNT`: fills N authors and books in one transaction, then makes COUNT
/// calls of one point operation — what `bench/syscalls.sh` runs under `strace -c` and
/// `valgrind --tool=callgrind` with COUNT = 0 and COUNT = 1000, to count per operation.
fn point_ops(n: usize, engine_name: &str, op: &str, count: usize) {
    const FREED: usize = 2000;
    assert!(count <= FREED && 3 * FREED <= n, "COUNT at most {FREED}, N at least {}", 3 * FREED);
    let dir = tempfile::tempdir_in(".").expect("temp dir");
    let mut e = engine(engine_name, dir.path());
    e.fill_in_one_transaction(n);
    let mut rng = bazoola_bench::Rng::new(7);
    let mut id = || 1 + rng.below(n as u64) as i64;
    if op == "reinsert" {
        // Free slots first (as many whatever COUNT, so the setup subtracts), so that the
        // inserts measured reuse them.
        for book in 1..=FREED as i64 {
            e.delete_book(book * 2);
        }
    }
    let start = Instant::now();
    std::hint::black_box(match op {
        "insert" => (0..count).map(|i| e.insert_author(&format!("New {i}")) as usize).sum::<usize>(),
        "txn_insert" => {
            e.insert_authors_in_one_transaction(count);
            count
        }
        "reinsert" => (0..count).map(|i| e.insert_book(&format!("Re {i}"), 1, Some(1999)) as usize).sum(),
        "update" => (0..count).map(|i| e.update_book_year(id(), 1900 + i as i64)).count(),
        "delete" => (1..=count as i64).map(|book| e.delete_book(book * 3)).count(),
        "find_by_id" => (0..count).filter(|_| e.find_book(id())).count(),
        "find_by_id_join" => (0..count).filter(|_| e.find_book_with_author(id())).count(),
        "inverse_join" => (0..count).map(|_| e.author_with_books(id())).sum(),
        "inverse_count" => (0..count).map(|_| e.author_book_count(id()) as usize).sum(),
        // The ids of SPEC §7's InverseCount phase (97 apart), where `inverse_count`'s are
        // random.
        "inverse_count_seq" => {
            (0..count).map(|i| e.author_book_count(1 + (i * 97 % n) as i64) as usize).sum()
        }
        "newest" => (0..count).map(|_| e.newest_books(10)).sum(),
        "eq_year" => (0..count).map(|i| e.books_with_year(1900 + (i % 120) as i64)).sum(),
        "gt_year" => (0..count).map(|i| e.books_after(2015 + (i % 4) as i64)).sum(),
        "per_author" => (0..count).map(|_| e.books_per_author()).sum(),
        "find_all_join" => (0..count).map(|_| e.all_books_with_authors()).sum(),
        other => panic!("unknown operation {other}"),
    });
    // On stderr, so that the counting scripts that read stdout see nothing new.
    eprintln!("{op} x {count}\t{:.6} s", start.elapsed().as_secs_f64());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    if args.get(2).map(String::as_str) == Some("ops") {
        let count = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(1000);
        point_ops(n, &args[3], &args[4], count);
        return;
    }
    if let Some(name) = args.get(2) {
        child(name, n);
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let engines = [
        "bazoola",
        "sqlite",
        "bazoola-full",
        "sqlite-full",
        "bazoola-idx",
        "sqlite-idx",
        "bazoola-trap",
        "sqlite-trap",
        "naive-trap",
        "bazoola-alter",
        "sqlite-alter",
        "bazoola-sql",
        "bazoola-sql-idx",
    ];
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
    println!("\nWith books.year indexed in both (the +idx phases of SPEC §7):\n");
    println!("| phase | calls | bazoola | sqlite | ratio |");
    println!("|---|---:|---:|---:|---:|");
    print(&columns[4], &columns[5]);
    println!("\nThe cartesian trap (2 stores × 10 departments × 500 employees, 2,500 products a store):\n");
    println!("| phase | calls | bazoola | sqlite | ratio |");
    println!("|---|---:|---:|---:|---:|");
    print(&columns[6], &columns[7]);
    let (naive_calls, naive_secs) = (columns[8][0].1 as f64, columns[8][0].2);
    let ours = columns[6][0].1 as f64 / columns[6][0].2;
    println!(
        "| the same, SQLite's naive three-way LEFT JOIN | {} | {ours:.0} | {:.2} | {:.0}× |",
        columns[8][0].1,
        naive_calls / naive_secs,
        ours / (naive_calls / naive_secs)
    );
    println!("\nSchema changes on books (each in a process that only opens the directory and changes it):\n");
    println!("| phase | calls | bazoola | sqlite | ratio |");
    println!("|---|---:|---:|---:|---:|");
    print(&columns[9], &columns[10]);
    println!(
        "\nThe same workload as SQL text through the shell's library (`bazoola_cli::Session::execute`),"
    );
    println!("against the Rust API (`sql / api`; the target is ≥ 0.80×) and SQLite:\n");
    println!("| phase | calls | bazoola (API) | bazoola (SQL) | sqlite | sql / api | sql / sqlite |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    type Column = [(String, usize, f64)];
    let print_sql = |api: &Column, sql: &Column, lite: &Column| {
        for (((phase, calls, a), (_, _, s)), (_, _, l)) in api.iter().zip(sql).zip(lite) {
            if *calls == 0 {
                println!("| {phase} | | {a:.1} | {s:.1} | {l:.1} | | |");
            } else {
                let rate = |secs: f64| *calls as f64 / secs;
                let (a, s, l) = (rate(*a), rate(*s), rate(*l));
                println!("| {phase} | {calls} | {a:.0} | {s:.0} | {l:.0} | {:.2}× | {:.2}× |", s / a, s / l);
            }
        }
    };
    print_sql(&columns[0], &columns[11], &columns[1]);
    print_sql(&columns[4], &columns[12], &columns[5]);
}
