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

#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod directory;
mod input;
mod runner;
mod strategies;
mod targets;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use bazoola::Value;
use corpus::{load_case, parse_ops, render_ops, save_case};
use directory::base;
use input::{Input, Op};
use runner::{run_target, Target};

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
