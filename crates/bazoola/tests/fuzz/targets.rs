//! The two targets, run on one case: reads, writes, snapshots of the directory, and the
//! checks that errors are acceptable and that failed writes and reads change no file.

use std::path::Path;

use bazoola::{Cond, Database, Error, Join};

use crate::corpus::render_ops;
use crate::directory::{schemas, JOURNAL};
use crate::input::{shorten, Input, Op};
use crate::runner::step;
use crate::SNAPSHOT_CAP;

/// Every read the API has, by number; `Op::Read(k)` runs one of them.
pub(crate) const READS: usize = 24;

fn run_read(db: &Database, k: usize) -> (String, bazoola::Result<()>) {
    let by_author = || [Join::forward("author_id", "author", "authors")];
    let books_of =
        || [Join::inverse("author_id", "books", "books").with(Join::forward("author_id", "a", "authors"))];
    let ids = [0, -1, 1, 2, 3, 5, 1 << 60, i64::MAX];
    let conds = || {
        [
            Cond::eq("year", 1974),
            Cond::lt("year", 2000).and(Cond::gt("id", 1)),
            Cond::substr("title", "o").or(Cond::isubstr("blurb", "OCEAN")),
            !Cond::is_null("author_id"),
            Cond::is_in("id", [1i64, 2, 3, 1 << 40]),
            Cond::ne("title", "Lathe").and(Cond::le("author_id", 2)).and(Cond::ge("year", -5)),
            Cond::eq("author_id", 1),
            Cond::isubstr("blurb", "#"),
        ]
    };
    let what = format!("read {k}");
    let result = match k {
        0 => db.find_all("authors", &[]).map(drop),
        1 => db.find_all("books", &by_author()).map(drop),
        2 => db.find_all("authors", &books_of()).map(drop),
        3..=10 => {
            let id = ids[k - 3];
            db.find_by_id("books", id, &by_author())
                .and_then(|_| db.find_by_id("authors", id, &books_of()))
                .map(drop)
        }
        11..=18 => db.find_by_cond("books", &conds()[k - 11], &by_author()).map(drop),
        19 => db
            .find_by_cond("authors", &Cond::substr("name", "e").or(Cond::eq("id", 2)), &books_of())
            .map(drop),
        20 => db.count("books", None).and_then(|_| db.count("authors", None)).map(drop),
        21 => db.count("books", Some(&Cond::gt("year", 1950))).map(drop),
        22 => db.check().map(drop),
        _ => db.for_each("books", None, |_| std::ops::ControlFlow::Continue(())),
    };
    (what, result)
}

/// A comparable picture of the directory, bounded in memory: small files whole, large
/// ones by length and edges; the journal only by whether it is hot (a failed commit
/// rolls back and retires its journal, leaving other bytes behind in its body).
fn snapshot(dir: &Path) -> Vec<(String, u64, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if !meta.is_file() {
            files.push((name, u64::MAX, Vec::new()));
            continue;
        }
        let len = meta.len();
        let bytes = if name == JOURNAL {
            let mut header = [0u8; 32];
            let n = read_at(&path, &mut header, 0);
            let hot = n >= 8 && &header[..8] == b"BZJRNL01";
            files.push((name, 0, if hot { header[..n].to_vec() } else { Vec::new() }));
            continue;
        } else if len <= SNAPSHOT_CAP {
            std::fs::read(&path).expect("read")
        } else {
            let mut head = vec![0u8; 4096];
            let n = read_at(&path, &mut head, 0);
            head.truncate(n);
            let mut tail = vec![0u8; 4096];
            let n = read_at(&path, &mut tail, len - 4096);
            head.extend_from_slice(&tail[..n]);
            head
        };
        files.push((name, len, bytes));
    }
    files.sort();
    files
}

fn read_at(path: &Path, buf: &mut [u8], offset: u64) -> usize {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).expect("open for snapshot");
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    n
}

fn differences(before: &[(String, u64, Vec<u8>)], after: &[(String, u64, Vec<u8>)]) -> String {
    let mut out = Vec::new();
    for (name, len, bytes) in after {
        match before.iter().find(|(n, ..)| n == name) {
            None => out.push(format!("{name} was created ({len} bytes)")),
            Some((_, l, b)) if l != len || b != bytes => out.push(format!(
                "{name} changed: {l} bytes \"{}\" -> {len} bytes \"{}\"",
                shorten(b),
                shorten(bytes)
            )),
            Some(_) => {}
        }
    }
    for (name, ..) in before {
        if !after.iter().any(|(n, ..)| n == name) {
            out.push(format!("{name} was removed"));
        }
    }
    out.join("; ")
}

/// An error is acceptable if it is a kind a bad file or a bad value may cause, and any
/// path it names is inside the directory.
fn check_error(dir: &Path, what: &str, err: &Error, in_txn: bool) -> Result<(), String> {
    let kind_ok = match err {
        Error::CorruptData(e) => {
            if e.path.parent() != Some(dir) {
                return Err(format!("{what}: CorruptData names {:?}, not a file of {dir:?}: {err}", e.path));
            }
            if !err.to_string().contains("Inconsistent data") {
                return Err(format!("{what}: CorruptData without 'Inconsistent data': {err}"));
            }
            true
        }
        Error::Io(_) | Error::Full { .. } => {
            let path = err.path().unwrap_or(Path::new("?"));
            if !path.starts_with(dir) {
                return Err(format!("{what}: the error names {path:?}, outside {dir:?}: {err}"));
            }
            true
        }
        Error::Validation(_) | Error::NotFound { .. } | Error::Integrity(_) | Error::Schema(_) => true,
        Error::TransactionAborted => in_txn,
        _ => false,
    };
    if kind_ok {
        Ok(())
    } else {
        Err(format!("{what}: unexpected kind of error {err:?}"))
    }
}

/// Raised inside a transaction that the case wants rolled back.
fn rollback_sentinel() -> Error {
    Error::NotFound { table: "__fuzz_rollback__".into(), id: -1 }
}

fn run_write(db: &Database, op: &Op) -> bazoola::Result<()> {
    match op {
        Op::Insert { table, values } => db.insert(table, values.clone()).map(drop),
        Op::Update { table, id, values } => db.update_by_id(table, *id, values.clone()).map(drop),
        Op::Delete { table, id } => db.delete_by_id(table, *id),
        Op::Truncate { table, cascade } => db.truncate(table, *cascade),
        Op::Read(k) => run_read(db, *k).1,
        Op::Txn { ops, commit } => db.transaction(|db| {
            for op in ops {
                let _ = run_write(db, op);
            }
            if *commit {
                Ok(())
            } else {
                Err(rollback_sentinel())
            }
        }),
    }
}

/// Whether `name` is a secondary index file: a read may rebuild a stale one (under the
/// write lock, in its own transaction), so reads may change those.
fn secondary_index(name: &str) -> bool {
    name.ends_with(".idx.dat") && !name.ends_with("__id.idx.dat")
}

/// A snapshot without the secondary index files.
fn tables_only(files: Vec<(String, u64, Vec<u8>)>) -> Vec<(String, u64, Vec<u8>)> {
    files.into_iter().filter(|(name, _, _)| !secondary_index(name)).collect()
}

/// Runs every read once; reads must change no file but the secondary indexes they
/// rebuild.
fn all_reads(dir: &Path, db: &Database, label: &str) -> Result<(), String> {
    let before = tables_only(snapshot(dir));
    for k in 0..READS {
        step(&format!("{label}: read {k}"));
        let (what, result) = run_read(db, k);
        if let Err(e) = result {
            check_error(dir, &format!("{label}: {what}"), &e, false)?;
        }
    }
    let after = tables_only(snapshot(dir));
    if before != after {
        return Err(format!("{label}: reads changed files: {}", differences(&before, &after)));
    }
    Ok(())
}

fn write_files(dir: &Path, input: &Input) {
    std::fs::create_dir_all(dir).expect("case dir");
    for (name, content) in &input.files {
        if let Some(bytes) = content {
            std::fs::write(dir.join(name), bytes).expect("write case file");
        }
    }
}

/// Target A: open the directory both ways and read everything.
pub(crate) fn open_target(root: &Path, input: &Input) -> Result<(), String> {
    let dir = &root.join("declared");
    write_files(dir, input);
    step("Database::open");
    match Database::open(dir, schemas()) {
        Ok(db) => all_reads(dir, &db, "open")?,
        Err(e) => check_error(dir, "Database::open", &e, false)?,
    }
    // Once more from the same bytes, now through the schema files.
    let dir = &root.join("existing");
    write_files(dir, input);
    step("Database::open_existing");
    match Database::open_existing(dir) {
        Ok(db) => all_reads(dir, &db, "open_existing")?,
        Err(e) => check_error(dir, "Database::open_existing", &e, false)?,
    }
    Ok(())
}

/// Target B: open, then the operations; a failed write changes no file.
pub(crate) fn ops_target(root: &Path, input: &Input) -> Result<(), String> {
    let dir = &root.join("ops");
    write_files(dir, input);
    step("Database::open");
    let db = match Database::open(dir, schemas()) {
        Ok(db) => db,
        Err(e) => {
            check_error(dir, "Database::open", &e, false)?;
            step("Database::open_existing");
            match Database::open_existing(dir) {
                Ok(db) => db,
                Err(e) => return check_error(dir, "Database::open_existing", &e, false),
            }
        }
    };
    for (i, op) in input.ops.iter().enumerate() {
        let what =
            format!("op {i} ({})", render_ops(std::slice::from_ref(op)).trim_end().replace('\n', "; "));
        let before = snapshot(dir);
        step(&what);
        let result = run_write(&db, op);
        let after = snapshot(dir);
        match result {
            Ok(())
                if matches!(op, Op::Read(_)) && tables_only(before.clone()) != tables_only(after.clone()) =>
            {
                return Err(format!("{what}: a read changed files: {}", differences(&before, &after)));
            }
            Ok(()) => {}
            Err(e) => {
                let rolled_back = matches!(&e, Error::NotFound { table, .. } if table == "__fuzz_rollback__");
                if !rolled_back {
                    check_error(dir, &what, &e, matches!(op, Op::Txn { .. }))?;
                }
                // A failed read may still have rebuilt a stale index first.
                let changed = if matches!(op, Op::Read(_)) {
                    tables_only(before.clone()) != tables_only(after.clone())
                } else {
                    before != after
                };
                if changed {
                    return Err(format!(
                        "{what} failed ({e}) but changed files: {}",
                        differences(&before, &after)
                    ));
                }
            }
        }
    }
    all_reads(dir, &db, "after the operations")
}
