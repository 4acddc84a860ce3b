//! Fuzzing on a stable toolchain: proptest generates corrupted database directories and
//! operation sequences, and every one must be survived.
//!
//! Two targets, each a `#[test]` whose body runs in a child process of this test binary
//! (`common::child::in_child`), so that an abort, a stack overflow or a hang is reported
//! as a failed test instead of killing the run:
//!
//! - `fuzz_open_arbitrary_files`: a directory of two tables (`authors`, and `books` with
//!   every field type) is built by real operations, then the bytes of some of its files
//!   are mutated (flips, overwrites with `#`, `*`, NUL, newlines, digits, slot-wide
//!   numbers or random bytes, truncation, extension, replacement, removal) — the table
//!   files, the schema files and `.journal`, for which hostile journals with *valid* CRCs
//!   are also crafted (lying `body_len`, records naming `../x`, huge offsets and
//!   lengths). The directory is then opened both with the declared schemas and with
//!   `Database::open_existing`, and every read is run on it.
//! - `fuzz_operations_over_corrupted_files`: the same corruption, then a random sequence
//!   of inserts, updates, deletes, truncates, transactions (committed or rolled back) and
//!   reads.
//!
//! Properties: no panic, no abort, no hang (each case runs in a process forked for it,
//! under `catch_unwind`, and is killed after [`CASE_LIMIT`]), bounded memory (the cases
//! run under an `RLIMIT_AS` of [`MEMORY_LIMIT`], so allocating a size a file claims
//! aborts the case), every error is one of the kinds a bad file or value may cause
//! (`CorruptData`, `Io`, `Validation`, `NotFound`, `Integrity`, `Schema`, `Full`;
//! `TransactionAborted` inside a transaction) and any path it names is inside the
//! directory, a write that returns `Err` changes no file, and reads change no file. A
//! failing case — a crash or a hang included — is shrunk by proptest; an abort prints
//! the core's frames of its backtrace.
//!
//! Before the random cases, every entry of `tests/fuzz-corpus/` is replayed: a
//! subdirectory whose files replace the built directory's files of the same name
//! (`NAME.removed` removes `NAME`), with an optional `ops.txt` of operations (format in
//! [`parse_ops`]; entries without one are replayed by the first target only) and an
//! `about.txt` saying what it is. `BAZOOLA_FUZZ_DUMP_BASE=DIR cargo test … --test fuzz
//! corpus_form` writes the built directory to `DIR`, to write entries by hand.
//!
//! [`KNOWN_FAILURES`] lists bugs of the core this fuzzer found that are not fixed yet:
//! their corpus entries are skipped, and random cases failing the same way are counted,
//! not failed. `BAZOOLA_FUZZ_CHECK_KNOWN=1` runs those entries and says which still fail.
//!
//! Default mode (the fixed seed [`DEFAULT_SEED`] and a bounded number of cases; about
//! half a minute in release mode on two cores; the summary lines go to stderr):
//!
//! ```text
//! cargo test --release -p bazoola --test fuzz
//! ```
//!
//! Long mode: `BAZOOLA_FUZZ_CASES=N` sets the number of random cases per target (run in
//! chunks of the default size, one child process each, with seeds derived from the
//! chunk's number), and `BAZOOLA_FUZZ_SEED=S` (any u64) another seed, e.g.
//!
//! ```text
//! BAZOOLA_FUZZ_CASES=100000 BAZOOLA_FUZZ_SEED=7 cargo test --release -p bazoola --test fuzz
//! ```
//!
//! A failure prints the shrunk case and writes it in corpus form to a directory whose
//! path it prints: copy it to `tests/fuzz-corpus/<name>/` to keep it as a regression case.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use bazoola::{Cond, Database, Error, Field, Join, TableSchema, Value};
use common::child::in_child;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

/// Bugs of the core this fuzzer found that are not fixed yet. Each names its regression
/// case under `tests/fuzz-corpus/` (skipped while listed here) and the bug in one line;
/// a random case whose failure message contains every string of `signature` counts as
/// another instance of it (reported in the summary) instead of failing the run. Remove
/// the entry when the core is fixed.
const KNOWN_FAILURES: &[KnownFailure] = &[
    // Empty: every bug found so far is fixed; its corpus entry (`found-*`) replays it.
];

struct KnownFailure {
    corpus: &'static str,
    #[allow(dead_code)] // documentation
    bug: &'static str,
    signature: &'static [&'static str],
}

/// The seed of the default (CI) run; `BAZOOLA_FUZZ_SEED` replaces it.
const DEFAULT_SEED: u64 = 0xBA20_01A0_F022;
/// Random cases per target by default; `BAZOOLA_FUZZ_CASES` replaces it.
const DEFAULT_CASES_OPEN: u32 = 1500;
const DEFAULT_CASES_OPS: u32 = 2500;
/// A case taking longer than this is a hang.
const CASE_LIMIT: Duration = Duration::from_secs(5);
/// How long proptest may spend shrinking a failure (a chunk must end within the two
/// minutes `in_child` allows).
const SHRINK_TIME: Duration = Duration::from_secs(60);
/// The address-space limit of the cases: a case of this small database needs a few MiB,
/// so a failed allocation under this limit is a size read from a file being allocated.
const MEMORY_LIMIT: u64 = 512 << 20;
/// Files larger than this are compared by length and edges only (a hostile journal may
/// legitimately extend a file sparsely to a huge length).
const SNAPSHOT_CAP: u64 = 16 << 20;

// ---------------------------------------------------------------------------------------
// The directory under test.

fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("authors").field(Field::char("name", 8)),
        TableSchema::new("books")
            .field(Field::char("title", 6))
            .field(Field::fk("author_id", "authors").nullable())
            .field(Field::int_sized("year", 4).nullable())
            .field(Field::text("blurb").nullable()),
    ]
}

/// The files mutations target (the ones the built directory has, plus the journal).
const FILES: &[&str] = &[
    "authors.dat",
    "authors__id.idx.dat",
    "authors__free.dat",
    "authors__seqnum.dat",
    "authors__schema.dat",
    "books.dat",
    "books__id.idx.dat",
    "books__free.dat",
    "books__seqnum.dat",
    "books.text.dat",
    "books__schema.dat",
    ".journal",
];

const JOURNAL: &str = ".journal";

/// The directory every case starts from: built by real operations, so every file has
/// content (live and deleted rows, a free slot, freed and live text records, a retired
/// journal).
fn base() -> &'static BTreeMap<String, Vec<u8>> {
    static BASE: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Database::open(dir.path(), schemas()).expect("open");
        for name in ["Le Guin", "Borges", "Lem"] {
            db.insert("authors", [("name", name)]).expect("author");
        }
        let books: [(&str, Value, Value, Value); 4] = [
            ("Dispo", 1.into(), 1974.into(), "an anarchist moon".into()),
            ("Ficcio", 2.into(), 1944.into(), Value::Null),
            ("Solar", 3.into(), Value::Null, "ocean".into()),
            ("Lathe", Value::Null, 1971.into(), "dreams\nand #*".into()),
        ];
        for (title, author, year, blurb) in books {
            db.insert(
                "books",
                [("title", title.into()), ("author_id", author), ("year", year), ("blurb", blurb)],
            )
            .expect("book");
        }
        db.delete_by_id("books", 2).expect("delete");
        db.update_by_id("books", 3, [("blurb", "the ocean thinks")]).expect("update");
        db.close();
        read_dir_files(dir.path())
    })
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Inputs: mutations of files, journals, operations.

#[derive(Clone, Debug)]
enum Mutation {
    /// XOR one byte (position modulo the length).
    Flip {
        at: u32,
        mask: u8,
    },
    /// Overwrite bytes from a position (modulo length + 1), growing the file if needed.
    Overwrite {
        at: u32,
        bytes: Vec<u8>,
    },
    /// Overwrite at a multiple of 9 (a slot of the index and free files, or an id slot).
    OverwriteSlot {
        index: u32,
        bytes: Vec<u8>,
    },
    Truncate {
        to: u32,
    },
    Extend {
        bytes: Vec<u8>,
    },
    Replace {
        bytes: Vec<u8>,
    },
    Remove,
}

/// A journal whose CRCs verify unless asked otherwise, with hostile content.
#[derive(Clone, Debug)]
struct JournalSpec {
    nonce: u64,
    /// `None`: the body's real length.
    body_len: Option<u64>,
    records: Vec<JRecord>,
    /// Bytes after the body (not covered by the CRC).
    tail: Vec<u8>,
    /// Break the header CRC (a torn journal).
    bad_header_crc: bool,
    /// Use the body a real commit left behind in the built directory's retired journal
    /// instead of `records`: a hot journal of a real transaction.
    stale_body: bool,
}

#[derive(Clone, Debug)]
enum JRecord {
    Length { name: Vec<u8>, len: u64 },
    Bytes { name: Vec<u8>, offset: u64, data: Vec<u8>, data_len: Option<u32> },
    Raw(Vec<u8>),
}

#[derive(Clone, Debug)]
enum Edit {
    File {
        file: usize,
        mutation: Mutation,
    },
    Journal(JournalSpec),
    /// Replace (or, past the end, append) a line of a schema file with a generated
    /// declaration: odd widths, types, references and rules.
    SchemaLine {
        books: bool,
        line: u8,
        text: String,
    },
}

#[derive(Clone, Debug)]
enum Op {
    Insert { table: String, values: Vec<(String, Value)> },
    Update { table: String, id: i64, values: Vec<(String, Value)> },
    Delete { table: String, id: i64 },
    Truncate { table: String, cascade: bool },
    Txn { ops: Vec<Op>, commit: bool },
    Read(usize),
}

#[derive(Clone, Debug)]
struct Case {
    edits: Vec<Edit>,
    ops: Vec<Op>,
}

/// A case made concrete: every file of the directory (`None`: absent) and the operations.
struct Input {
    files: BTreeMap<String, Option<Vec<u8>>>,
    ops: Vec<Op>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let base = base();
        writeln!(f, "files that differ from the built directory:")?;
        for (name, content) in &self.files {
            match content {
                None if base.contains_key(name) => writeln!(f, "  {name}: removed")?,
                None => {}
                Some(bytes) if base.get(name) == Some(bytes) => {}
                Some(bytes) => writeln!(f, "  {name} ({} bytes): \"{}\"", bytes.len(), shorten(bytes))?,
            }
        }
        writeln!(f, "operations:")?;
        write!(f, "{}", render_ops(&self.ops))
    }
}

fn shorten(bytes: &[u8]) -> String {
    if bytes.len() <= 400 {
        bytes.escape_ascii().to_string()
    } else {
        format!("{}…({} more)", bytes[..400].escape_ascii(), bytes.len() - 400)
    }
}

fn apply_mutation(content: Option<Vec<u8>>, mutation: &Mutation) -> Option<Vec<u8>> {
    let mut bytes = match (content, mutation) {
        (_, Mutation::Remove) => return None,
        (_, Mutation::Replace { bytes }) => return Some(bytes.clone()),
        (content, _) => content.unwrap_or_default(),
    };
    let overwrite = |bytes: &mut Vec<u8>, at: usize, patch: &[u8]| {
        if bytes.len() < at + patch.len() {
            bytes.resize(at + patch.len(), 0);
        }
        bytes[at..at + patch.len()].copy_from_slice(patch);
    };
    match mutation {
        Mutation::Flip { at, mask } => {
            if !bytes.is_empty() {
                let at = *at as usize % bytes.len();
                bytes[at] ^= mask | 1;
            }
        }
        Mutation::Overwrite { at, bytes: patch } => {
            let at = *at as usize % (bytes.len() + 1);
            overwrite(&mut bytes, at, patch);
        }
        Mutation::OverwriteSlot { index, bytes: patch } => {
            let at = (*index as usize % (bytes.len() / 9 + 1)) * 9;
            overwrite(&mut bytes, at, patch);
        }
        Mutation::Truncate { to } => {
            let to = *to as usize % (bytes.len() + 1);
            bytes.truncate(to);
        }
        Mutation::Extend { bytes: more } => bytes.extend_from_slice(more),
        Mutation::Replace { .. } | Mutation::Remove => unreachable!(),
    }
    Some(bytes)
}

fn encode_journal(spec: &JournalSpec) -> Vec<u8> {
    fn push(body: &mut Vec<u8>, kind: u8, name: &[u8], value: u64) {
        body.push(kind);
        body.extend_from_slice(&(name.len() as u16).to_le_bytes());
        body.extend_from_slice(name);
        body.extend_from_slice(&value.to_le_bytes());
    }
    let mut body = Vec::new();
    if spec.stale_body {
        body.extend_from_slice(base()[JOURNAL].get(32..).unwrap_or_default());
    }
    for record in spec.records.iter().filter(|_| !spec.stale_body) {
        match record {
            JRecord::Length { name, len } => push(&mut body, 1, name, *len),
            JRecord::Bytes { name, offset, data, data_len } => {
                push(&mut body, 2, name, *offset);
                body.extend_from_slice(&data_len.unwrap_or(data.len() as u32).to_le_bytes());
                body.extend_from_slice(data);
            }
            JRecord::Raw(raw) => body.extend_from_slice(raw),
        }
    }
    let body_len = spec.body_len.unwrap_or(body.len() as u64);
    // The CRC covers as much of the body as the header claims, so a shorter claim verifies.
    let covered = &body[..usize::try_from(body_len).map_or(body.len(), |n| n.min(body.len()))];
    let mut crc = crc32fast::Hasher::new();
    crc.update(&spec.nonce.to_le_bytes());
    crc.update(covered);
    let mut out = Vec::with_capacity(32 + body.len() + spec.tail.len());
    out.extend_from_slice(b"BZJRNL01");
    out.extend_from_slice(&spec.nonce.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    let header_crc = crc32fast::hash(&out[..28]) ^ u32::from(spec.bad_header_crc);
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&spec.tail);
    out
}

impl Case {
    fn materialise(&self) -> Input {
        let mut files: BTreeMap<String, Option<Vec<u8>>> =
            base().iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
        for edit in &self.edits {
            match edit {
                Edit::File { file, mutation } => {
                    let name = FILES[file % FILES.len()].to_string();
                    let content = files.remove(&name).flatten();
                    files.insert(name, apply_mutation(content, mutation));
                }
                Edit::Journal(spec) => {
                    files.insert(JOURNAL.to_string(), Some(encode_journal(spec)));
                }
                Edit::SchemaLine { books, line, text } => {
                    let name = if *books { "books__schema.dat" } else { "authors__schema.dat" };
                    let content = files.get(name).cloned().flatten().unwrap_or_default();
                    let mut lines: Vec<String> =
                        String::from_utf8_lossy(&content).lines().map(str::to_string).collect();
                    let at = usize::from(*line) % (lines.len() + 1);
                    if at == lines.len() {
                        lines.push(text.clone());
                    } else {
                        lines[at] = text.clone();
                    }
                    files.insert(name.to_string(), Some(format!("{}\n", lines.join("\n")).into_bytes()));
                }
            }
        }
        Input { files, ops: self.ops.clone() }
    }
}

// Strategies.

const NUMBERS: &[i128] = &[
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    13,
    26,
    99,
    512,
    -1,
    -9,
    99_999_999,
    999_999_999,
    1 << 31,
    1 << 40,
    i64::MAX as i128,
    i64::MAX as i128 + 1,
    u64::MAX as i128,
];

fn patch() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(any::<u8>(), 1..16),
        3 => (prop::sample::select(b"#*\0\n 09-".to_vec()), 1usize..40).prop_map(|(b, n)| vec![b; n]),
        3 => prop::sample::select(NUMBERS).prop_map(|n| format!("{n:<9}").into_bytes()),
        1 => prop::sample::select(NUMBERS).prop_map(|n| n.to_string().into_bytes()),
        1 => "[0-9]{1,30}".prop_map(String::into_bytes),
        1 => "[ -~]{1,20}".prop_map(String::into_bytes),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<u32>(), any::<u8>()).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        5 => (any::<u32>(), patch()).prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        4 => (any::<u32>(), patch()).prop_map(|(index, bytes)| Mutation::OverwriteSlot { index, bytes }),
        2 => any::<u32>().prop_map(|to| Mutation::Truncate { to }),
        2 => patch().prop_map(|bytes| Mutation::Extend { bytes }),
        1 => prop_oneof![vec(any::<u8>(), 0..120), patch()].prop_map(|bytes| Mutation::Replace { bytes }),
        1 => Just(Mutation::Remove),
    ]
}

fn journal_name() -> impl Strategy<Value = Vec<u8>> {
    let mut names: Vec<Vec<u8>> = FILES.iter().map(|f| f.as_bytes().to_vec()).collect();
    names.extend(
        [
            "../x",
            "x",
            "",
            ".",
            "..",
            "/tmp/bazoola-fuzz-x",
            "sub/x",
            ".lock",
            "authors.text.dat",
            "books.dat\0",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec()),
    );
    names.push(vec![0xff, 0xfe]);
    names.push(vec![b'a'; 300]);
    prop_oneof![
        4 => prop::sample::select(FILES.iter().map(|f| f.as_bytes().to_vec()).collect::<Vec<_>>()),
        2 => prop::sample::select(names),
    ]
}

fn journal_number() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..300,
        1 => prop::sample::select(vec![
            1u64 << 31,
            (1 << 32) + 5,
            1 << 40,
            1 << 50,
            1 << 62,
            i64::MAX as u64,
            u64::MAX,
            u64::MAX - 3,
        ]),
    ]
}

fn journal_record() -> impl Strategy<Value = JRecord> {
    prop_oneof![
        3 => (journal_name(), journal_number()).prop_map(|(name, len)| JRecord::Length { name, len }),
        3 => (
            journal_name(),
            journal_number(),
            prop_oneof![vec(any::<u8>(), 0..40), patch()],
            prop::option::weighted(0.15, prop_oneof![Just(u32::MAX), Just(1 << 30), 0u32..64]),
        )
            .prop_map(|(name, offset, data, data_len)| JRecord::Bytes { name, offset, data, data_len }),
        1 => vec(any::<u8>(), 0..24).prop_map(JRecord::Raw),
    ]
}

fn journal_spec() -> impl Strategy<Value = JournalSpec> {
    (
        any::<u64>(),
        prop::option::weighted(
            0.3,
            prop_oneof![
                prop::sample::select(vec![0u64, 1, 31, 1 << 32, 1 << 40, 1 << 50, 1 << 62, u64::MAX]),
                0u64..200,
            ],
        ),
        vec(journal_record(), 0..5),
        prop_oneof![4 => Just(Vec::new()), 1 => vec(any::<u8>(), 0..40)],
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(nonce, body_len, records, tail, bad_header_crc, stale_body)| JournalSpec {
            nonce,
            body_len,
            records,
            tail,
            bad_header_crc,
            stale_body,
        })
}

fn schema_line() -> impl Strategy<Value = String> {
    let size = prop_oneof![
        3 => prop::sample::select(vec!["", "(0)", "(1)", "(6)", "(9)", "(20)", "(-1)", "()", "(x)"]).prop_map(String::from),
        2 => prop::sample::select(NUMBERS).prop_map(|n| format!("({n})")),
    ];
    let ty = prop_oneof![
        prop::sample::select(vec!["PK", "INT", "CHAR", "TEXT", "FLOAT"]).prop_map(String::from),
        prop::sample::select(vec!["authors", "books", "nope", ""]).prop_map(|t| format!("FK({t})")),
    ];
    (
        prop::sample::select(vec!["id", "name", "title", "author_id", "year", "blurb", "x", "", "a b"]),
        ty,
        size,
        prop::sample::select(vec!["", " NULL", " NULL NULL"]),
        prop::sample::select(vec![
            "",
            " ON DELETE CASCADE",
            " ON DELETE SET NULL",
            " ON DELETE NO ACTION",
            " ON DELETE",
        ]),
    )
        .prop_map(|(name, ty, size, null, rule)| {
            let ty = if ty.starts_with("FK") { ty } else { format!("{ty}{size}") };
            format!("{name} {ty}{null}{rule}")
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (0..FILES.len(), mutation()).prop_map(|(file, mutation)| Edit::File { file, mutation }),
        1 => journal_spec().prop_map(Edit::Journal),
        1 => (any::<bool>(), any::<u8>(), schema_line()).prop_map(|(books, line, text)| Edit::SchemaLine { books, line, text }),
    ]
}

const IDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 0, -1, 999_999_999, 1_000_000_000, 1 << 40, i64::MAX, i64::MIN];

fn id() -> impl Strategy<Value = i64> {
    prop_oneof![6 => 1i64..8, 1 => prop::sample::select(IDS)]
}

fn text_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => "[a-zA-Z #*]{0,9}".prop_map(Value::from),
        1 => prop::sample::select(vec!["", "\0x", "a\0", "a\nb", "########", "********", "ü€", "  x  ", "123456789012"])
            .prop_map(Value::from),
        1 => "\\PC{0,12}".prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::from),
    ]
}

fn int_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::sample::select(vec![1i64, 2, 3, 4, 1999, 0, -999, 9999, 10_000, -1000]).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => Just(Value::from("12")),
    ]
}

fn values(table: &'static str) -> BoxedStrategy<Vec<(String, Value)>> {
    let fields: Vec<(&'static str, BoxedStrategy<Value>)> = match table {
        "authors" => vec![("name", text_value().boxed())],
        _ => vec![
            ("title", text_value().boxed()),
            ("author_id", prop_oneof![4 => id().prop_map(Value::from), 1 => Just(Value::Null)].boxed()),
            ("year", int_value().boxed()),
            ("blurb", prop_oneof![text_value(), "[a-z#*\n]{20,300}".prop_map(Value::from)].boxed()),
        ],
    };
    let per_field: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(name, value)| {
            prop::option::weighted(0.8, value.prop_map(move |v| (name.to_string(), v))).boxed()
        })
        .collect();
    (
        per_field,
        prop::option::weighted(0.1, id().prop_map(|id| ("id".to_string(), Value::from(id)))),
        prop::option::weighted(0.03, Just(("nope".to_string(), Value::from(1)))),
    )
        .prop_map(|(fields, id, bogus)| {
            id.into_iter().chain(fields.into_iter().flatten()).chain(bogus).collect()
        })
        .boxed()
}

fn table() -> impl Strategy<Value = &'static str> {
    prop_oneof![5 => Just("authors"), 8 => Just("books"), 1 => Just("nope")]
}

fn leaf_op() -> impl Strategy<Value = Op> {
    let insert = table()
        .prop_flat_map(|t| values(t).prop_map(move |values| Op::Insert { table: t.to_string(), values }));
    let update = (table(), id()).prop_flat_map(|(t, id)| {
        values(t).prop_map(move |values| Op::Update { table: t.to_string(), id, values })
    });
    prop_oneof![
        5 => insert,
        4 => update,
        3 => (table(), id()).prop_map(|(t, id)| Op::Delete { table: t.to_string(), id }),
        1 => (table(), any::<bool>()).prop_map(|(t, cascade)| Op::Truncate { table: t.to_string(), cascade }),
        2 => (0..READS).prop_map(Op::Read),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf_op(),
        1 => (vec(leaf_op(), 1..6), prop::bool::weighted(0.7)).prop_map(|(ops, commit)| Op::Txn { ops, commit }),
    ]
}

fn case(with_ops: bool) -> impl Strategy<Value = Case> {
    let ops = if with_ops { vec(op(), 1..12).boxed() } else { Just(Vec::new()).boxed() };
    (vec(edit(), 1..4), ops).prop_map(|(edits, ops)| Case { edits, ops })
}

// ---------------------------------------------------------------------------------------
// Running a case.

/// Every read the API has, by number; `Op::Read(k)` runs one of them.
const READS: usize = 24;

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

/// Runs every read once; reads must change no file.
fn all_reads(dir: &Path, db: &Database, label: &str) -> Result<(), String> {
    let before = snapshot(dir);
    for k in 0..READS {
        step(&format!("{label}: read {k}"));
        let (what, result) = run_read(db, k);
        if let Err(e) = result {
            check_error(dir, &format!("{label}: {what}"), &e, false)?;
        }
    }
    let after = snapshot(dir);
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
fn open_target(root: &Path, input: &Input) -> Result<(), String> {
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
fn ops_target(root: &Path, input: &Input) -> Result<(), String> {
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
            Ok(()) if matches!(op, Op::Read(_)) && before != after => {
                return Err(format!("{what}: a read changed files: {}", differences(&before, &after)));
            }
            Ok(()) => {}
            Err(e) => {
                let rolled_back = matches!(&e, Error::NotFound { table, .. } if table == "__fuzz_rollback__");
                if !rolled_back {
                    check_error(dir, &what, &e, matches!(op, Op::Txn { .. }))?;
                }
                if before != after {
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

// ---------------------------------------------------------------------------------------
// Operations as text (the corpus's `ops.txt`).

fn encode_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Int(n) => format!("i:{n}"),
        Value::Text(s) => {
            let mut out = String::from("s:");
            for &b in s.as_bytes() {
                if b.is_ascii_alphanumeric() || b"_.-".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }
        other => panic!("not an input value: {other:?}"),
    }
}

fn decode_value(text: &str) -> Result<Value, String> {
    if text == "null" {
        return Ok(Value::Null);
    }
    if let Some(n) = text.strip_prefix("i:") {
        return n.parse().map(Value::Int).map_err(|e| format!("{text}: {e}"));
    }
    let s = text.strip_prefix("s:").ok_or_else(|| format!("bad value {text}"))?;
    let mut bytes = Vec::new();
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2).ok_or("short %")?).map_err(|e| e.to_string())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).map(Value::Text).map_err(|e| e.to_string())
}

fn render_ops(ops: &[Op]) -> String {
    let fields = |values: &[(String, Value)]| {
        values.iter().map(|(k, v)| format!(" {k}={}", encode_value(v))).collect::<String>()
    };
    let mut out = String::new();
    for op in ops {
        match op {
            Op::Insert { table, values } => out.push_str(&format!("insert {table}{}\n", fields(values))),
            Op::Update { table, id, values } => {
                out.push_str(&format!("update {table} {id}{}\n", fields(values)))
            }
            Op::Delete { table, id } => out.push_str(&format!("delete {table} {id}\n")),
            Op::Truncate { table, cascade } => {
                out.push_str(&format!("truncate {table} {}\n", if *cascade { "cascade" } else { "restrict" }))
            }
            Op::Read(k) => out.push_str(&format!("read {k}\n")),
            Op::Txn { ops, commit } => {
                out.push_str("begin\n");
                out.push_str(&render_ops(ops));
                out.push_str(if *commit { "end commit\n" } else { "end rollback\n" });
            }
        }
    }
    out
}

/// Parses `ops.txt`: one operation a line; `#` starts a comment line.
///
/// ```text
/// insert TABLE [FIELD=VALUE]...        VALUE: null | i:INTEGER | s:PERCENT-ENCODED-UTF8
/// update TABLE ID [FIELD=VALUE]...
/// delete TABLE ID
/// truncate TABLE cascade|restrict
/// read K                               (K < READS: which read, see run_read)
/// begin / end commit|rollback          (a transaction around the lines between)
/// ```
fn parse_ops(text: &str) -> Result<Vec<Op>, String> {
    let mut stack: Vec<Vec<Op>> = vec![Vec::new()];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let values = |words: &[&str]| -> Result<Vec<(String, Value)>, String> {
            words
                .iter()
                .map(|w| {
                    let (k, v) = w.split_once('=').ok_or_else(|| format!("bad field {w}"))?;
                    Ok((k.to_string(), decode_value(v)?))
                })
                .collect()
        };
        let int = |w: Option<&&str>| -> Result<i64, String> {
            w.ok_or_else(|| format!("{line}: missing id"))?.parse().map_err(|e| format!("{line}: {e}"))
        };
        let table = || words.get(1).map(|t| t.to_string()).ok_or_else(|| format!("{line}: missing table"));
        let op = match words[0] {
            "insert" => Op::Insert { table: table()?, values: values(&words[2..])? },
            "update" => Op::Update { table: table()?, id: int(words.get(2))?, values: values(&words[3..])? },
            "delete" => Op::Delete { table: table()?, id: int(words.get(2))? },
            "truncate" => Op::Truncate { table: table()?, cascade: words.get(2) == Some(&"cascade") },
            "read" => Op::Read(int(words.get(1))? as usize % READS),
            "begin" => {
                stack.push(Vec::new());
                continue;
            }
            "end" => {
                let ops = stack.pop().filter(|_| !stack.is_empty()).ok_or("end without begin")?;
                Op::Txn { ops, commit: words.get(1) == Some(&"commit") }
            }
            other => return Err(format!("unknown operation {other}")),
        };
        stack.last_mut().expect("a level").push(op);
    }
    match stack.len() {
        1 => Ok(stack.pop().unwrap()),
        _ => Err("begin without end".into()),
    }
}

// ---------------------------------------------------------------------------------------
// The corpus.

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus")
}

/// Writes `input` in corpus form: the files that differ from the built directory.
fn save_case(input: &Input, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("create case dir");
    let base = base();
    for (name, content) in &input.files {
        match content {
            Some(bytes) if base.get(name) != Some(bytes) => {
                std::fs::write(to.join(name), bytes).expect("write")
            }
            None if base.contains_key(name) => {
                std::fs::write(to.join(format!("{name}.removed")), "").expect("write")
            }
            _ => {}
        }
    }
    if !input.ops.is_empty() {
        std::fs::write(to.join("ops.txt"), render_ops(&input.ops)).expect("write ops");
    }
}

fn load_case(dir: &Path) -> Result<Input, String> {
    let mut files: BTreeMap<String, Option<Vec<u8>>> =
        base().iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    let mut ops = Vec::new();
    for (name, bytes) in read_dir_files(dir) {
        if name == "about.txt" {
            continue;
        } else if name == "ops.txt" {
            ops = parse_ops(&String::from_utf8(bytes).map_err(|e| e.to_string())?)?;
        } else if let Some(removed) = name.strip_suffix(".removed") {
            files.insert(removed.to_string(), None);
        } else {
            files.insert(name, Some(bytes));
        }
    }
    Ok(Input { files, ops })
}

fn corpus() -> Vec<(String, Input)> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/fuzz-corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let input = load_case(&p).unwrap_or_else(|e| panic!("corpus entry {name}: {e}"));
            (name, input)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The harness: child process, a fork per case, limits, proptest.

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Open,
    Ops,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Open => "fuzz_open_arbitrary_files",
            Target::Ops => "fuzz_operations_over_corrupted_files",
        }
    }
    fn run(self, root: &Path, input: &Input) -> Result<(), String> {
        match self {
            Target::Open => open_target(root, input),
            Target::Ops => ops_target(root, input),
        }
    }
}

/// Where the child leaves its summary and shrunk failures, keyed by the parent's pid so
/// concurrent runs do not collide.
fn work_dir(target: Target, parent_pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("bazoola-fuzz-{parent_pid}-{}", target.name()))
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(text.trim().parse().unwrap_or_else(|e| panic!("{name}={text}: {e}")))
}

const RESULT_MARK: &str = "@@fuzz-case-result@@";
const STEP_MARK: &str = "@@fuzz-case-step@@ ";

/// In the forked process: says what the case is doing, so a crash can say where.
fn step(what: &str) {
    let _ = std::io::stderr().write_all(format!("\n{STEP_MARK}{what}\n").as_bytes());
}

/// In the forked process: the message of a panic, with where it happened.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// In the forked process: an abort (a failed allocation, a stack overflow) prints the
/// core's frames before the process dies, so the finding says where it happened.
extern "C" fn on_abort(_: libc::c_int) {
    // SAFETY: the default action first, so an abort inside this handler (no memory left
    // for the backtrace) ends the process instead of re-entering it.
    unsafe { libc::signal(libc::SIGABRT, libc::SIG_DFL) };
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    let mut out = String::from("backtrace (bazoola frames):\n");
    for line in trace.lines().filter(|l| l.contains("bazoola::") || l.contains("crates/bazoola/src")) {
        out.push_str(line);
        out.push('\n');
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
    // SAFETY: re-raising with the default action, so the process dies of SIGABRT.
    unsafe { libc::raise(libc::SIGABRT) };
}

/// Runs one case in a forked process, so a panic, an abort, a stack overflow or a hang
/// is a failed case (which proptest then shrinks) rather than the end of the run.
fn run_case(target: Target, input: &Input) -> Result<(), String> {
    let root = tempfile::tempdir().expect("case dir");
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) into a two-element array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: the forked process only runs the case, reports through the pipe and
    // `_exit`s; this process is single-threaded apart from the test harness's idle main
    // thread.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // SAFETY: fd and signal set-up of the forked process.
        unsafe {
            libc::close(fds[0]);
            libc::dup2(fds[1], 2);
            libc::signal(libc::SIGABRT, on_abort as *const () as libc::sighandler_t);
        }
        std::panic::set_hook(Box::new(|info| {
            let message = match info.payload().downcast_ref::<&str>() {
                Some(s) => s.to_string(),
                None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
            };
            let location = info.location().map(|l| l.to_string()).unwrap_or_default();
            *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{message} at {location}"));
        }));
        let outcome = catch_unwind(AssertUnwindSafe(|| target.run(root.path(), input)));
        let message = match outcome {
            Ok(Ok(())) => format!("\n{RESULT_MARK}ok"),
            Ok(Err(failure)) => format!("\n{RESULT_MARK}{failure}"),
            Err(_) => {
                let panic = LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take();
                format!("\n{RESULT_MARK}panic: {}", panic.unwrap_or_default())
            }
        };
        let _ = std::io::stderr().write_all(message.as_bytes());
        // SAFETY: ends the forked process without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    // SAFETY: closing our copy of the write end.
    unsafe { libc::close(fds[1]) };
    let deadline = Instant::now() + CASE_LIMIT;
    let mut output = Vec::new();
    let mut hung = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut poll = libc::pollfd { fd: fds[0], events: libc::POLLIN, revents: 0 };
        // SAFETY: poll(2) and read(2) on our pipe.
        let ready = unsafe { libc::poll(&mut poll, 1, left.as_millis() as libc::c_int) };
        if ready == 0 {
            hung = true;
            break;
        }
        let mut chunk = [0u8; 8192];
        let n = unsafe { libc::read(fds[0], chunk.as_mut_ptr().cast(), chunk.len()) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if output.len() < 1 << 20 {
            output.extend_from_slice(&chunk[..n as usize]);
        }
    }
    let mut status = 0;
    // SAFETY: killing and reaping the process we forked.
    unsafe {
        if hung {
            libc::kill(pid, libc::SIGKILL);
        }
        libc::waitpid(pid, &mut status, 0);
        libc::close(fds[0]);
    }
    let output = String::from_utf8_lossy(&output);
    let during = output.lines().filter_map(|l| l.strip_prefix(STEP_MARK)).next_back().unwrap_or("setting up");
    let during = format!("during `{during}`");
    let output: String = output
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE") && !line.starts_with(STEP_MARK))
        .filter(|line| !line.trim().is_empty())
        .collect();
    if hung {
        return Err(format!("hang: the case ran longer than {CASE_LIMIT:?} {during}\n{output}"));
    }
    match output.rsplit_once(RESULT_MARK) {
        Some((_, "ok")) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => Ok(()),
        Some((_, failure)) => Err(failure.to_string()),
        None if libc::WIFSIGNALED(status) => {
            Err(format!("crash: killed by signal {} {during}\n{}", libc::WTERMSIG(status), output.trim()))
        }
        None => Err(format!("crash: exit status {status} {during}\n{}", output.trim())),
    }
}

/// The known failure a failure message is an instance of, if any.
fn known_failure(failure: &str) -> Option<&'static KnownFailure> {
    KNOWN_FAILURES.iter().find(|k| k.signature.iter().all(|s| failure.contains(s)))
}

fn child_main(target: Target) {
    // SAFETY: setrlimit(2) on this process (and so on the cases it forks).
    unsafe {
        let limit = libc::rlimit { rlim_cur: MEMORY_LIMIT, rlim_max: libc::RLIM_INFINITY };
        assert_eq!(libc::setrlimit(libc::RLIMIT_AS, &limit), 0, "setrlimit");
    }
    let work = work_dir(target, std::os::unix::process::parent_id());
    let assignment = std::fs::read_to_string(work.join("chunk")).expect("the parent's assignment");
    let (chunk, cases) = assignment.trim().split_once(' ').expect("chunk and cases");
    let (chunk, cases): (u64, u32) = (chunk.parse().expect("chunk"), cases.parse().expect("cases"));
    let started = Instant::now();
    let _ = base();

    // The corpus, deterministically, before the first chunk.
    let mut replayed = 0;
    let mut skipped = Vec::new();
    for (name, input) in if chunk == 0 { corpus() } else { Vec::new() } {
        if target == Target::Ops && input.ops.is_empty() {
            continue;
        }
        if KNOWN_FAILURES.iter().any(|k| k.corpus == name) {
            // Checked by the target it belongs to: with operations, the second.
            let mine = (target == Target::Ops) != input.ops.is_empty();
            if std::env::var_os("BAZOOLA_FUZZ_CHECK_KNOWN").is_some() && mine {
                let outcome = match run_case(target, &input) {
                    Ok(()) => "now passes: remove it from KNOWN_FAILURES".to_string(),
                    Err(failure) => {
                        format!("still fails: {}", failure.lines().take(3).collect::<Vec<_>>().join(" | "))
                    }
                };
                skipped.push(format!("{name} {outcome}"));
            } else {
                skipped.push(name);
            }
            continue;
        }
        if let Err(failure) = run_case(target, &input) {
            panic!("corpus entry {name} fails: {failure}\ninput: {input:?}");
        }
        replayed += 1;
    }

    // Random cases.
    let seed = env_u64("BAZOOLA_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&(target as u64).to_le_bytes());
    seed_bytes[16..24].copy_from_slice(&chunk.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        max_shrink_iters: 4096,
        max_shrink_time: SHRINK_TIME.as_millis() as u32,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let executions = AtomicUsize::new(0);
    let slowest = Mutex::new(Duration::ZERO);
    let known_hits: Mutex<BTreeMap<&'static str, usize>> = Mutex::new(BTreeMap::new());
    let result = runner.run(&case(target == Target::Ops), |case| {
        executions.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let outcome = run_case(target, &case.materialise());
        let mut slowest = slowest.lock().unwrap();
        *slowest = (*slowest).max(start.elapsed());
        drop(slowest);
        match outcome {
            Ok(()) => Ok(()),
            Err(failure) => match known_failure(&failure) {
                Some(known) => {
                    *known_hits.lock().unwrap().entry(known.corpus).or_default() += 1;
                    Ok(())
                }
                None => Err(TestCaseError::fail(failure)),
            },
        }
    });
    let hits = known_hits.into_inner().unwrap();
    let corpus_note = if chunk == 0 {
        format!(
            "{replayed} corpus entries replayed, {} skipped as known failures {skipped:?}; ",
            skipped.len()
        )
    } else {
        String::new()
    };
    let summary = format!(
        "{} chunk {chunk}: {corpus_note}{cases} random cases (seed {seed}): {} executions, {} hit known \
         failures {hits:?}; slowest case {:.1?}; {:.1?} in all\n",
        target.name(),
        executions.load(Ordering::Relaxed),
        hits.values().sum::<usize>(),
        slowest.into_inner().unwrap(),
        started.elapsed()
    );
    match result {
        Ok(()) => std::fs::write(work.join("summary"), &summary).expect("summary"),
        Err(TestError::Fail(reason, case)) => {
            let minimal = work.join("minimal-case");
            let input = case.materialise();
            save_case(&input, &minimal);
            panic!(
                "{summary}FOUND (seed {seed}, chunk {chunk}): {reason}\nshrunk case: {case:?}\n{input:?}\nsaved in \
                 corpus form in {} (copy it to tests/fuzz-corpus/NAME/ to keep it)",
                minimal.display()
            );
        }
        Err(TestError::Abort(reason)) => panic!("{summary}proptest aborted: {reason}"),
    }
}

/// Runs a target's cases in chunks, each in a child process (`in_child` counts a child
/// running longer than two minutes as hung, so long mode needs several).
fn run_target(target: Target) {
    let name = target.name();
    if std::env::var("BAZOOLA_CHILD_TEST").as_deref() == Ok(name) {
        child_main(target);
        return;
    }
    let work = work_dir(target, std::process::id());
    std::fs::create_dir_all(&work).expect("work dir");
    let chunk_size = if target == Target::Open { DEFAULT_CASES_OPEN } else { DEFAULT_CASES_OPS };
    let total = env_u64("BAZOOLA_FUZZ_CASES").unwrap_or(u64::from(chunk_size));
    let started = Instant::now();
    let mut stderr = std::io::stderr();
    let mut done = 0;
    for chunk in 0.. {
        let cases = (total - done).min(u64::from(chunk_size));
        if cases == 0 && chunk > 0 {
            break;
        }
        std::fs::write(work.join("chunk"), format!("{chunk} {cases}")).expect("assignment");
        in_child(name, || unreachable!("the child runs child_main"));
        // Written straight to the file descriptor, past the test harness's capture.
        let summary = std::fs::read_to_string(work.join("summary")).unwrap_or_default();
        let _ = stderr.write_all(summary.as_bytes());
        done += cases;
    }
    let _ = writeln!(stderr, "{name}: {done} random cases in {:.1?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn fuzz_open_arbitrary_files() {
    run_target(Target::Open);
}

#[test]
fn fuzz_operations_over_corrupted_files() {
    run_target(Target::Ops);
}

/// The corpus format round-trips, so a saved case replays as it ran.
#[test]
fn corpus_form_round_trips() {
    let ops = vec![
        Op::Insert {
            table: "books".into(),
            values: vec![("title".into(), "a b%\0é".into()), ("year".into(), Value::Null)],
        },
        Op::Txn { ops: vec![Op::Delete { table: "authors".into(), id: -1 }, Op::Read(3)], commit: false },
        Op::Truncate { table: "authors".into(), cascade: true },
        Op::Update { table: "books".into(), id: 2, values: vec![("year".into(), Value::from(i64::MIN))] },
    ];
    let text = render_ops(&ops);
    assert_eq!(render_ops(&parse_ops(&text).unwrap()), text);
    let mut files: BTreeMap<String, Option<Vec<u8>>> =
        base().iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    files.insert("books.dat".into(), Some(b"\xff\0#".to_vec()));
    files.insert("authors__free.dat".into(), None);
    let input = Input { files, ops };
    let tmp = tempfile::tempdir().unwrap();
    save_case(&input, tmp.path());
    let loaded = load_case(tmp.path()).unwrap();
    assert_eq!(loaded.files, input.files);
    assert_eq!(render_ops(&loaded.ops), text);
    // For writing corpus entries by hand: the directory every case starts from.
    if let Ok(to) = std::env::var("BAZOOLA_FUZZ_DUMP_BASE") {
        std::fs::create_dir_all(&to).unwrap();
        for (name, bytes) in base() {
            std::fs::write(Path::new(&to).join(name), bytes).unwrap();
        }
    }
}
