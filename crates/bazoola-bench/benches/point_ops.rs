//! Criterion micro-benchmarks of the point operations at N = 20,000, Bazoola next to
//! SQLite. The whole SPEC §7 workload is `cargo run --release -p bazoola-bench`.

use bazoola::SyncMode;
use bazoola_bench::{Bazoola, Engine, Rng, Sqlite};
use criterion::{criterion_group, criterion_main, Criterion};

const N: usize = 20_000;

fn filled(engine: &mut dyn Engine) {
    let mut rng = Rng::new(1);
    for i in 0..N {
        engine.insert_author(&format!("Author {i}"));
    }
    for i in 0..N {
        let year = 1900 + rng.below(120) as i64;
        engine.insert_book(&format!("Book {i} of Tales"), 1 + rng.below(N as u64) as i64, Some(year));
    }
}

fn point_ops(c: &mut Criterion) {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut engines: Vec<Box<dyn Engine>> = vec![
        Box::new(Bazoola::open(dirs[0].path(), SyncMode::Normal, false)),
        Box::new(Sqlite::open(dirs[1].path(), false, false)),
    ];
    for engine in engines.iter_mut() {
        filled(engine.as_mut());
        let name = engine.name();
        let mut rng = Rng::new(2);
        c.bench_function(&format!("{name}: find_by_id"), |b| {
            b.iter(|| engine.find_book(1 + rng.below(N as u64) as i64))
        });
        c.bench_function(&format!("{name}: find_by_cond EQ year (scan)"), |b| {
            b.iter(|| engine.books_with_year(1950))
        });
        c.bench_function(&format!("{name}: insert"), |b| b.iter(|| engine.insert_author("Someone")));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = point_ops
}
criterion_main!(benches);
