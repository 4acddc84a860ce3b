//! A handle keeps the pages it read between operations, trusting a watch on the
//! directory to say which files somebody else changed. These tests change the files
//! behind a warm handle in every way a user can — another handle, another process, a
//! writer killed half-way, the original package's way of editing rows, an editor's
//! rename, `touch` — and check that its next answers are exactly those of a handle that
//! keeps nothing (`OpenOptions::watch(false)`), opened afresh, and that `check()` is clean.
//!
//! The children are this test binary run again: `child_writer` is ignored in normal runs
//! and works only when `BAZOOLA_WATCH_CHILD` says what to do.

mod common;

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bazoola::{
    Cond, Database, DirWatch, Field, FileIdentity, FileIo, FileStat, Join, OpenOptions, OsVfs, Row,
    TableSchema, Value, Vfs,
};
use rstest::rstest;

const BOOKS: i64 = 300;
/// Row width of `books`: id, title, author_id, year (9 each but the title's 20), `\n`.
const BOOK_ROW: u64 = 9 + 20 + 9 + 9 + 1;
const YEAR_AT: u64 = 9 + 20 + 9;

fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("authors").field(Field::char("name", 20)),
        TableSchema::new("books")
            .field(Field::char("title", 20))
            .field(Field::fk("author_id", "authors"))
            .field(Field::int("year").nullable().indexed()),
    ]
}

fn fill(dir: &Path) {
    let db = Database::open(dir, schemas()).unwrap();
    db.transaction(|db| {
        for a in 1..=10 {
            db.insert("authors", [("name", Value::from(format!("author {a}")))])?;
        }
        for b in 1..=BOOKS {
            db.insert(
                "books",
                [
                    ("title", Value::from(format!("book {b}"))),
                    ("author_id", Value::from(b % 10 + 1)),
                    ("year", Value::from(1900 + b % 50)),
                ],
            )?;
        }
        Ok(())
    })
    .unwrap();
}

/// Everything a user might ask, in one value to compare.
fn observe(db: &Database) -> Vec<Vec<Row>> {
    let ids = [1, 2, 17, 150, BOOKS, BOOKS + 1, BOOKS + 5];
    vec![
        db.find_all("books", &[]).unwrap(),
        db.find_by_cond("books", &Cond::eq("year", 1917), &[]).unwrap(),
        db.find_by_cond("books", &Cond::gt("year", 1945), &[]).unwrap(),
        ids.iter().filter_map(|&id| db.find_by_id("books", id, &[]).unwrap()).collect(),
        db.find_by_id("authors", 3, &[Join::inverse("author_id", "books", "books")])
            .unwrap()
            .into_iter()
            .collect(),
        db.query("books").order_by_desc("year").limit(7).rows().unwrap(),
        vec![Row::from_pairs([("n", Value::from(db.count("books", None).unwrap() as i64))])],
    ]
}

/// What a handle that keeps nothing, opened now, answers.
fn truth(dir: &Path) -> Vec<Vec<Row>> {
    let db = OpenOptions::new().watch(false).open(dir, schemas()).unwrap();
    observe(&db)
}

/// The ways the files change behind the warm handle.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Another handle of this process inserts, updates and deletes.
    OtherHandle,
    /// Another process does the same.
    OtherProcess,
    /// Another process dies in a transaction that wrote part of itself to the files.
    KilledWriter,
    /// A row's year rewritten in place, as the original package updates (no index).
    EditInPlace,
    /// A row deleted as the original package deletes: starred, PK entry cleared, slot
    /// pushed on the free stack.
    OriginalDelete,
    /// The data file written anew and renamed over the old one, as editors save.
    Replace,
    /// The data file's time changed, nothing else.
    Touch,
}

fn other_writes(db: &Database) {
    db.insert("books", [("title", Value::from("new")), ("author_id", 3.into()), ("year", 1917.into())])
        .unwrap();
    db.update_by_id("books", 17, [("year", Value::from(1999))]).unwrap();
    db.update_by_id("books", 150, [("title", Value::from("retitled"))]).unwrap();
    db.delete_by_id("books", 2).unwrap();
}

fn child(dir: &Path, what: &str) -> std::process::ExitStatus {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("BAZOOLA_WATCH_CHILD", what)
        .env("BAZOOLA_WATCH_DIR", dir)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
}

#[test]
#[ignore = "run as a child process by the tests below"]
fn child_writer() {
    let (Ok(what), Ok(dir)) = (std::env::var("BAZOOLA_WATCH_CHILD"), std::env::var("BAZOOLA_WATCH_DIR"))
    else {
        return;
    };
    match what.as_str() {
        "write" => other_writes(&Database::open(&dir, schemas()).unwrap()),
        "die" => {
            // A transaction big enough to spill several times, then death without a word.
            let db = OpenOptions::new().txn_memory(4096).open(&dir, schemas()).unwrap();
            db.begin().unwrap();
            for b in 1..=BOOKS {
                db.update_by_id("books", b, [("year", Value::from(2100))]).unwrap();
            }
            db.delete_by_id("books", 1).unwrap();
            std::process::abort();
        }
        other => panic!("unknown child job {other}"),
    }
}

fn year_bytes(year: i64) -> Vec<u8> {
    format!("{year:<9}").into_bytes()
}

fn make(change: Change, dir: &Path) {
    let data = dir.join("books.dat");
    match change {
        Change::OtherHandle => other_writes(&Database::open(dir, schemas()).unwrap()),
        Change::OtherProcess => assert!(child(dir, "write").success()),
        Change::KilledWriter => {
            assert!(!child(dir, "die").success());
            assert!(
                std::fs::metadata(dir.join(".journal")).unwrap().len() > 64,
                "the child left a hot journal"
            );
        }
        Change::EditInPlace => {
            let file = std::fs::OpenOptions::new().write(true).open(&data).unwrap();
            // Book 17 is in slot 16.
            file.write_all_at(&year_bytes(1948), 16 * BOOK_ROW + YEAR_AT).unwrap();
        }
        Change::OriginalDelete => {
            let slot = 41u64; // book 42
            let rows = std::fs::OpenOptions::new().write(true).open(&data).unwrap();
            let mut starred = vec![b'*'; BOOK_ROW as usize - 1];
            starred.push(b'\n');
            rows.write_all_at(&starred, slot * BOOK_ROW).unwrap();
            let pk = std::fs::OpenOptions::new().write(true).open(dir.join("books__id.idx.dat")).unwrap();
            pk.write_all_at(b"#########", slot * 9).unwrap();
            let mut free =
                std::fs::OpenOptions::new().append(true).open(dir.join("books__free.dat")).unwrap();
            free.write_all(format!("{slot:<9}").as_bytes()).unwrap();
        }
        Change::Replace => {
            let mut bytes = std::fs::read(&data).unwrap();
            let at = (149 * BOOK_ROW + YEAR_AT) as usize; // book 150
            bytes[at..at + 9].copy_from_slice(&year_bytes(1946));
            let staged = dir.join("books.dat.tmp");
            std::fs::write(&staged, bytes).unwrap();
            std::fs::rename(&staged, &data).unwrap();
        }
        Change::Touch => {
            let file = std::fs::File::options().write(true).open(&data).unwrap();
            file.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30))
                .unwrap();
        }
    }
}

#[rstest]
#[case::other_handle(Change::OtherHandle)]
#[case::other_process(Change::OtherProcess)]
#[case::killed_writer(Change::KilledWriter)]
#[case::edit_in_place(Change::EditInPlace)]
#[case::original_delete(Change::OriginalDelete)]
#[case::replace(Change::Replace)]
#[case::touch(Change::Touch)]
fn a_warm_handle_sees_every_change(#[case] change: Change, #[values(false, true)] wrote_last: bool) {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let warm = Database::open(dir.path(), schemas()).unwrap();
    let before = observe(&warm);
    assert_eq!(before, truth(dir.path()));
    // Twice, so that the second round is answered from what the first one kept.
    assert_eq!(observe(&warm), before);
    if wrote_last {
        // The change then comes right after this handle's own commit, whose events it
        // has not looked at yet: the other writer's must not pass for its own.
        warm.update_by_id("books", 17, [("title", Value::from("mine"))]).unwrap();
    }

    make(change, dir.path());
    let after = truth(dir.path());
    assert_eq!(observe(&warm), after, "{change:?}: the warm handle answered from stale pages");
    if !matches!(change, Change::Touch | Change::KilledWriter) {
        assert!(after != before, "{change:?} changed nothing the test can see");
    }
    assert_eq!(warm.check().unwrap(), vec![], "{change:?}");

    // And the warm handle's own writes afterwards are seen by others, and by itself.
    other_writes_again(&warm);
    let (seen, truth_now) = (observe(&warm), truth(dir.path()));
    for (k, (a, b)) in seen.iter().zip(&truth_now).enumerate() {
        if a != b {
            let a: Vec<String> = a.iter().map(|r| format!("{r:?}")).collect();
            let b: Vec<String> = b.iter().map(|r| format!("{r:?}")).collect();
            let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
            let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
            eprintln!("observation {k}: warm only {only_a:?}\n truth only {only_b:?}");
        }
    }
    assert!(seen == truth_now, "{change:?}: after the warm handle wrote");
    assert_eq!(warm.check().unwrap(), vec![], "{change:?}");
}

fn other_writes_again(db: &Database) {
    db.insert("books", [("title", Value::from("later")), ("author_id", 4.into()), ("year", 1950.into())])
        .unwrap();
    db.update_by_id("books", 1, [("year", Value::Null)]).unwrap();
    db.delete_by_id("books", 18).unwrap();
}

/// Two handles of one process writing in turn: each one's cache must take in the other's
/// writes, although one inotify instance serves both.
#[test]
fn two_handles_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let a = Database::open(dir.path(), schemas()).unwrap();
    let b = Database::open(dir.path(), schemas()).unwrap();
    for round in 0..40i64 {
        let (writer, reader) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
        observe(reader);
        writer.update_by_id("books", round % 7 + 3, [("year", Value::from(1900 + round))]).unwrap();
        writer
            .insert(
                "books",
                [("title", Value::from(format!("r{round}"))), ("author_id", 1.into()), ("year", 1917.into())],
            )
            .unwrap();
        if round % 3 == 0 {
            writer.delete_by_id("books", 100 + round).unwrap();
        }
        let truth = truth(dir.path());
        assert_eq!(observe(reader), truth, "round {round}: the reader");
        assert_eq!(observe(writer), truth, "round {round}: the writer");
    }
    assert_eq!(a.check().unwrap(), vec![]);
}

/// A `Vfs` over the real files that counts reads and lengths asked (`reads`) and
/// `stat`s (`stats`), and lists the writes (`writes`: file name, offset, length), with
/// the real watch (or none).
#[derive(Default)]
struct CountingVfs {
    reads: Arc<AtomicUsize>,
    stats: Arc<AtomicUsize>,
    writes: Arc<Mutex<Vec<(String, u64, usize)>>>,
    watch: bool,
}

struct CountingFile {
    inner: Box<dyn FileIo>,
    name: String,
    reads: Arc<AtomicUsize>,
    stats: Arc<AtomicUsize>,
    writes: Arc<Mutex<Vec<(String, u64, usize)>>>,
}

impl Vfs for CountingVfs {
    fn open(&self, path: &Path) -> std::io::Result<Box<dyn FileIo>> {
        Ok(Box::new(CountingFile {
            inner: OsVfs.open(path)?,
            name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            reads: self.reads.clone(),
            stats: self.stats.clone(),
            writes: self.writes.clone(),
        }))
    }
    fn sync_dir(&self, path: &Path) -> std::io::Result<()> {
        OsVfs.sync_dir(path)
    }
    fn watch(&self, dir: &Path) -> std::io::Result<Option<Box<dyn DirWatch>>> {
        if self.watch {
            OsVfs.watch(dir)
        } else {
            Ok(None)
        }
    }
}

impl FileIo for CountingFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.read_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        self.writes.lock().unwrap().push((self.name.clone(), offset, buf.len()));
        self.inner.write_all_at(buf, offset)
    }
    fn len(&self) -> std::io::Result<u64> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.len()
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)
    }
    fn sync(&self) -> std::io::Result<()> {
        self.inner.sync()
    }
    fn identity(&self) -> std::io::Result<Option<FileIdentity>> {
        self.inner.identity()
    }
    fn stat(&self) -> std::io::Result<FileStat> {
        self.stats.fetch_add(1, Ordering::SeqCst);
        self.inner.stat()
    }
}

/// With a watch, a lookup repeated after nothing changed reads nothing; a write by this
/// handle leaves what it wrote readable without reading it back; a write by another
/// handle makes the next lookup read again. Without a watch every lookup reads.
#[rstest]
#[case::watched(true)]
#[case::unwatched(false)]
fn what_a_lookup_reads(#[case] watch: bool) {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let reads = Arc::new(AtomicUsize::new(0));
    let vfs = Arc::new(CountingVfs { reads: reads.clone(), watch, ..CountingVfs::default() });
    let db = OpenOptions::new().vfs(vfs).open(dir.path(), schemas()).unwrap();
    let lookup = || {
        let before = reads.load(Ordering::SeqCst);
        let row = db.find_by_id("books", 17, &[Join::forward("author_id", "author", "authors")]).unwrap();
        (row, reads.load(Ordering::SeqCst) - before)
    };
    let (first, _) = lookup();
    let (again, read) = lookup();
    assert_eq!(first, again);
    assert_eq!(read == 0, watch, "a repeated lookup read {read} times (watch: {watch})");

    db.update_by_id("books", 17, [("year", Value::from(1800))]).unwrap();
    let (mine, read) = lookup();
    assert_eq!(mine.as_ref().map(|r| r["year"].clone()), Some(Value::from(1800)));
    assert_eq!(read == 0, watch, "after its own write it read {read} times");

    Database::open(dir.path(), schemas())
        .unwrap()
        .update_by_id("books", 17, [("year", Value::from(1801))])
        .unwrap();
    let (theirs, read) = lookup();
    assert_eq!(theirs.as_ref().map(|r| r["year"].clone()), Some(Value::from(1801)));
    assert!(read > 0, "another handle's write went unseen");
}

/// With a watch, an insert after another reads nothing from the files: what the first
/// wrote is known, an append (a new row, a new PK entry) journals the files' lengths,
/// not the pages it appends to, and an insert into a freed slot finds the free stack's
/// tail still known after the last pop cut it (and journals it from memory). The one
/// `stat` left is the data file's, for the stamp of its indexes (however many).
#[rstest]
#[case::no_secondary_index("authors", false, 0)]
#[case::two_indexes("books", false, 1)]
#[case::into_freed_slots("books", true, 1)]
fn an_insert_after_another_reads_nothing(
    #[case] table: &str,
    #[case] freed: bool,
    #[case] stats_per_insert: usize,
) {
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let vfs = Arc::new(CountingVfs { watch: true, ..CountingVfs::default() });
    let (reads, stats) = (vfs.reads.clone(), vfs.stats.clone());
    let db = OpenOptions::new().vfs(vfs).open(dir.path(), schemas()).unwrap();
    if freed {
        for id in 2..=10 {
            db.delete_by_id(table, id).unwrap();
        }
    }
    let insert = |n: i64| {
        let before = (reads.load(Ordering::SeqCst), stats.load(Ordering::SeqCst));
        let row: Vec<(&str, Value)> = match table {
            "authors" => vec![("name", Value::from(format!("new {n}")))],
            _ => vec![
                ("title", Value::from(format!("new {n}"))),
                ("author_id", Value::from(3)),
                ("year", Value::from(1990)),
            ],
        };
        db.insert(table, row).unwrap();
        (reads.load(Ordering::SeqCst) - before.0, stats.load(Ordering::SeqCst) - before.1)
    };
    let free_stack =
        || std::fs::metadata(dir.path().join(format!("{table}__free.dat"))).map_or(0, |m| m.len());
    let freed_before = free_stack();
    insert(0);
    for n in 1..=3 {
        assert_eq!(insert(n), (0, stats_per_insert), "insert {n} into {table}: (reads, stats)");
    }
    assert_eq!(free_stack() < freed_before, freed, "the inserts took freed slots");
    assert_eq!(db.check().unwrap(), vec![]);
}

fn is_secondary_index(name: &str) -> bool {
    name.ends_with(".idx.dat") && !name.ends_with("__id.idx.dat")
}

/// A commit writes a B+tree node it changed in one piece: a node changed at its head
/// (the entry count) and where an entry went in or out is two dirty runs a few pages
/// apart, and the bytes between them, held in the cache since the node was read, go
/// out with them in one write. The result is what it would be otherwise: the same
/// rows as a fresh handle reads, indexes that agree with them.
#[test]
fn a_commit_writes_each_index_node_in_one_piece() {
    const NODE: u64 = 4096;
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path());
    let vfs = Arc::new(CountingVfs { watch: true, ..CountingVfs::default() });
    let writes = vfs.writes.clone();
    let db = OpenOptions::new().vfs(vfs).open(dir.path(), schemas()).unwrap();
    for n in 0..40i64 {
        writes.lock().unwrap().clear();
        // 37 is prime to BOOKS: every operation gets an id no earlier one deleted.
        let id = 1 + (n * 37) % BOOKS;
        match n % 3 {
            0 => db.update_by_id("books", id, [("year", Value::from(1900 + (n * 7) % 50))]).map(drop),
            1 => db.delete_by_id("books", id).map(drop),
            _ => db
                .insert(
                    "books",
                    [("title", Value::from(format!("again {n}"))), ("author_id", Value::from(n % 10 + 1))],
                )
                .map(drop),
        }
        .unwrap();
        let mut index_writes: Vec<_> =
            writes.lock().unwrap().iter().filter(|(name, _, _)| is_secondary_index(name)).cloned().collect();
        index_writes.sort();
        for pair in index_writes.windows(2) {
            let ((file, at, len), (next_file, next_at, _)) = (&pair[0], &pair[1]);
            if file == next_file {
                assert_ne!(
                    (at + *len as u64 - 1) / NODE,
                    next_at / NODE,
                    "operation {n}: {file} written in two pieces of one node: {index_writes:?}"
                );
            }
        }
    }
    assert_eq!(observe(&db), truth(dir.path()));
    assert_eq!(db.check().unwrap(), vec![]);
}
