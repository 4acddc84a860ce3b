//! Hostile input and hostile files: values the format cannot hold are refused before
//! anything is written, corrupt metadata is never trusted to overwrite a row, and
//! nothing a user or a file controls can crash, abort or hang the process.

mod common;

use bazoola::{Cond, Database, Error, Field, OpenOptions, SchemaError, TableSchema, ValidationError, Value};
use common::child::in_child;
use common::{snapshot, table_a, table_f};
use rstest::rstest;

/// `a` with rows 1 "foo" (slot 0), 2 "bar" (slot 1), 3 "baz" (slot 2), and row 2 deleted
/// and re-inserted elsewhere so the free stack is empty; then closed.
fn three_rows(dir: &std::path::Path) {
    let db = Database::open(dir, [table_a()]).unwrap();
    for text in ["foo", "bar", "baz"] {
        common::text(&db, "a", text);
    }
    db.close();
}

#[rstest]
#[case::leading_nul("\0abc")]
#[case::only_nul("\0")]
fn a_char_value_the_format_reads_as_null_is_refused(#[case] value: &str) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let before = snapshot(dir.path());
    for result in [db.insert("a", [("text", value)]), db.update_by_id("a", 1, [("text", value)])] {
        match result {
            Err(Error::Validation(ValidationError::LeadingNul { field, value: v, .. })) => {
                assert_eq!(field, "text");
                assert_eq!(v, Value::from(value));
            }
            other => panic!("expected LeadingNul, got {other:?}"),
        }
    }
    assert_eq!(snapshot(dir.path()), before, "a refused write changes no file");
    assert_eq!(db.find_all("a", &[]).unwrap().len(), 3, "the table stays readable");
    // A NUL later in the value reads back as written.
    let row = db.insert("a", [("text", "a\0b")]).unwrap();
    assert_eq!(db.find_by_id("a", row.id(), &[]).unwrap().unwrap()["text"], Value::from("a\0b"));
    assert!(db.check().unwrap().is_empty());
}

/// What a write does when a metadata file lies about where a row is.
#[rstest]
#[case::free_entry_names_a_live_slot(
    "a__free.dat",
    "1        ",
    "free-slot entry names slot 1, which holds a live row"
)]
#[case::partial_free_entry("a__free.dat", "1        2", "the free stack ends inside an entry")]
#[case::free_slot_far_past_the_end("a__free.dat", "999999999", "past the end of the data file")]
#[case::negative_free_slot("a__free.dat", "-1       ", "bad free-slot entry")]
fn inserts_refuse_a_lying_free_stack(#[case] file: &str, #[case] content: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    std::fs::write(dir.path().join(file), content).unwrap();
    let before = snapshot(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let err = db.insert("a", [("text", "new")]).unwrap_err();
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(err.path(), Some(dir.path().join(file).as_path()));
    assert_eq!(snapshot(dir.path()), before, "nothing was overwritten or grown");
}

#[rstest]
#[case::delete(|db: &Database| db.delete_by_id("a", 1).map(|_| ()))]
#[case::update(|db: &Database| db.update_by_id("a", 1, [("text", "new")]).map(|_| ()))]
#[case::insert_with_that_id(|db: &Database| db.insert("a", [("id", Value::from(1)), ("text", "x".into())]).map(|_| ()))]
fn writes_refuse_an_index_entry_pointing_at_another_row(#[case] write: fn(&Database) -> bazoola::Result<()>) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    // Id 1's entry points at slot 2, which holds row 3.
    std::fs::write(dir.path().join("a__id.idx.dat"), "2        1        2        ").unwrap();
    let before = snapshot(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let err = write(&db).unwrap_err();
    assert!(err.to_string().contains("the index entry of id 1 points at a row with id 3"), "{err}");
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert_eq!(snapshot(dir.path()), before, "row 3 is untouched");
    assert!(db.find_by_id("a", 1, &[]).is_err(), "reads refuse it too");
}

#[rstest]
#[case(0)]
#[case(-1)]
#[case(1 << 60)]
#[case(i64::MAX)]
#[case(i64::MIN)]
#[case(1_000_000_000)]
fn ids_no_row_can_have_are_simply_not_found(#[case] id: i64) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    assert_eq!(db.find_by_id("a", id, &[]).unwrap(), None);
    assert!(matches!(db.delete_by_id("a", id), Err(Error::NotFound { .. })));
    assert!(matches!(db.update_by_id("a", id, [("text", "x")]), Err(Error::NotFound { .. })));
}

#[rstest]
#[case(0)]
#[case(1)]
#[case(7)]
#[case(33)]
#[case(usize::MAX)]
fn only_the_two_format_widths_are_accepted(#[case] width: usize) {
    let dir = tempfile::tempdir().unwrap();
    let err = OpenOptions::new().width(width).open(dir.path(), [table_a()]).err().expect("refused");
    assert!(matches!(err, Error::Schema(SchemaError::BadWidth { width: w }) if w == width), "{err:?}");
    assert!(!dir.path().join("a.dat").exists(), "nothing was created");
    let err = TableSchema::new("a").with_width(width).validate().unwrap_err();
    assert!(matches!(err, SchemaError::BadWidth { .. }), "{err:?}");
}

#[test]
fn a_schema_file_with_a_bad_width_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a__schema.dat"), "id PK(40)\ntext CHAR(5)\n").unwrap();
    let err = Database::open_existing(dir.path()).err().expect("refused");
    assert!(matches!(err, Error::Schema(SchemaError::BadWidth { width: 40 })), "{err:?}");
}

#[test]
fn a_full_text_heap_is_an_error_not_a_panic() {
    in_child("a_full_text_heap_is_an_error_not_a_panic", || {
        let dir = tempfile::tempdir().unwrap();
        let db = OpenOptions::new().width(6).open(dir.path(), [table_f()]).unwrap();
        let half = "x".repeat(500_000);
        db.insert("f", [("body", half.as_str())]).unwrap();
        let second = db.insert("f", [("body", half.as_str())]).unwrap();
        let before = snapshot(dir.path());
        // The heap is 1,000,012 bytes long: the next offset needs 7 digits.
        for result in
            [db.insert("f", [("body", "more")]), db.update_by_id("f", second.id(), [("body", "more")])]
        {
            match result {
                Err(err @ Error::Full { .. }) => {
                    assert_eq!(err.table(), Some("f"));
                    assert_eq!(err.path(), Some(dir.path().join("f.text.dat").as_path()));
                }
                other => panic!("expected Full, got {other:?}"),
            }
        }
        assert_eq!(snapshot(dir.path()), before);
        // A single text too long for the length header.
        let dir = tempfile::tempdir().unwrap();
        let db = OpenOptions::new().width(6).open(dir.path(), [table_f()]).unwrap();
        let huge = "y".repeat(1_000_000);
        assert!(matches!(db.insert("f", [("body", huge.as_str())]), Err(Error::Full { .. })));
        assert!(db.check().unwrap().is_empty());
    });
}

#[test]
fn a_long_chain_of_or_is_flattened() {
    in_child("a_long_chain_of_or_is_flattened", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = Database::open(dir.path(), [table_a()]).unwrap();
        // Built one operand at a time, as a loop in user code does.
        let mut cond = Cond::eq("id", 0);
        for i in 1..100_000 {
            cond = cond.or(Cond::eq("id", i));
        }
        assert_eq!(db.find_by_cond("a", &cond, &[]).unwrap().len(), 3);
        // Nested by hand, one level per operand: still one flat OR once compiled.
        let mut nested = Cond::eq("id", 0);
        for i in 1..2_000 {
            nested = Cond::Or(vec![nested, Cond::eq("id", i)]);
        }
        assert_eq!(db.count("a", Some(&nested)).unwrap(), 3);
    });
}

#[test]
fn deeply_nested_conditions_are_refused() {
    in_child("deeply_nested_conditions_are_refused", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = Database::open(dir.path(), [table_a()]).unwrap();
        let mut cond = Cond::eq("id", 1);
        for _ in 0..5_000 {
            cond = !cond;
        }
        match db.find_by_cond("a", &cond, &[]) {
            Err(Error::Validation(ValidationError::CondTooDeep { table, limit })) => {
                assert_eq!((table.as_str(), limit), ("a", bazoola::MAX_COND_DEPTH));
            }
            other => panic!("expected CondTooDeep, got {other:?}"),
        }
        let mut shallow = Cond::eq("id", 1);
        for _ in 0..bazoola::MAX_COND_DEPTH {
            shallow = !shallow;
        }
        assert_eq!(db.count("a", Some(&shallow)).unwrap(), 1, "an even number of NOTs");
        // Dropping a deep tree recurses too; leak it rather than test the allocator.
        std::mem::forget(cond);
    });
}

#[test]
fn error_values_are_readable_without_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let schema =
        TableSchema::new("t").field(Field::char("name", 3)).field(Field::int_sized("n", 2).nullable());
    let db = Database::open(dir.path(), [schema]).unwrap();
    let err = db.insert("t", [("name", "toolong")]).unwrap_err();
    assert_eq!(
        (err.table(), err.field(), err.value()),
        (Some("t"), Some("name"), Some(&Value::from("toolong")))
    );
    let err = db.insert("t", [("name", Value::from("ok")), ("n", 100.into())]).unwrap_err();
    assert_eq!((err.field(), err.value()), (Some("n"), Some(&Value::Int(100))));
    let err = db.delete_by_id("t", 9).unwrap_err();
    assert_eq!((err.table(), err.id(), err.field()), (Some("t"), Some(9), None));
    let Error::Validation(v) = db.insert("t", [("name", "toolong")]).unwrap_err() else { panic!() };
    assert_eq!(v.reason(), "The value is too long");
}

/// A journal segment with correct checksums around whatever body it is given.
fn journal(nonce: u64, body_len: u64, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"BZJRNL01");
    out.extend_from_slice(&nonce.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&nonce.to_le_bytes());
    crc.update(body);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    let header_crc = crc32fast::hash(&out);
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(body);
    out
}

fn length_record(name: &str, len: u64) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out
}

fn bytes_record(name: &str, offset: u64, data: &[u8]) -> Vec<u8> {
    let mut out = vec![2u8];
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn a_journal_claiming_a_huge_body_is_torn_not_an_allocation() {
    in_child("a_journal_claiming_a_huge_body_is_torn_not_an_allocation", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let before = snapshot(dir.path());
        let body = length_record("a.dat", 0);
        std::fs::write(dir.path().join(".journal"), journal(1, 1 << 50, &body)).unwrap();
        let db = Database::open(dir.path(), [table_a()]).unwrap();
        assert_eq!(db.find_all("a", &[]).unwrap().len(), 3, "nothing was rolled back");
        let mut after = snapshot(dir.path());
        after.retain(|(name, _)| name != ".journal");
        let mut before = before;
        before.retain(|(name, _)| name != ".journal");
        assert_eq!(after, before);
        assert_eq!(&std::fs::read(dir.path().join(".journal")).unwrap()[..8], &[0u8; 8], "retired");
    });
}

#[rstest]
#[case::path_outside("../escape.dat", b"x", "which is not a table file of this directory")]
#[case::the_lock(".lock", b"x", "which is not a table file of this directory")]
#[case::the_journal_itself(".journal", b"x", "which is not a table file of this directory")]
#[case::past_the_recorded_length(
    "a.dat",
    b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "outside the length it records"
)]
fn a_verifying_journal_that_we_did_not_write_is_refused(
    #[case] name: &str,
    #[case] data: &[u8],
    #[case] message: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let mut body = length_record("a.dat", 45);
    body.extend(bytes_record(name, 10, data));
    std::fs::write(dir.path().join(".journal"), journal(1, body.len() as u64, &body)).unwrap();
    let before = snapshot(dir.path());
    let err = Database::open(dir.path(), [table_a()]).err().expect("refused");
    assert!(matches!(err, Error::CorruptData(_)), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
    assert_eq!(err.path(), Some(dir.path().join(".journal").as_path()));
    assert_eq!(snapshot(dir.path()), before, "nothing was applied");
    assert!(!dir.path().parent().unwrap().join("escape.dat").exists());
}

#[test]
fn a_hand_made_journal_in_our_format_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    // Undo "row 3 was appended": the data file was 30 bytes long, row 1 said "old".
    let mut body = length_record("a.dat", 30);
    body.extend(bytes_record("a.dat", 9, b"old"));
    std::fs::write(dir.path().join(".journal"), journal(9, body.len() as u64, &body)).unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    assert_eq!(common::read(dir.path(), "a.dat"), "1        old  \n2        bar  \n");
    drop(db);
}

/// The peak resident memory of this process, in bytes.
fn peak_rss() -> u64 {
    // SAFETY: getrusage fills the struct we pass; all-zero is a valid initial value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as u64 * 1024
}

/// Fills a TEXT table with `mib` MiB of text, in another process's memory.
fn big_heap(dir: &std::path::Path, mib: usize) {
    let db = Database::open(dir, [table_f()]).unwrap();
    let chunk = "t".repeat(1 << 20);
    db.transaction(|db| {
        for _ in 0..mib {
            db.insert("f", [("body", chunk.as_str())])?;
        }
        Ok(())
    })
    .unwrap();
}

#[test]
fn truncating_a_big_heap_takes_little_memory_and_leaves_a_small_journal() {
    in_child("truncating_a_big_heap_takes_little_memory_and_leaves_a_small_journal", || {
        let dir = tempfile::tempdir().unwrap();
        big_heap(dir.path(), 96);
        let before = peak_rss();
        let db = Database::open(dir.path(), [table_f()]).unwrap();
        db.truncate("f", false).unwrap();
        let grew = peak_rss().saturating_sub(before);
        assert!(grew < 48 << 20, "truncating a 96 MiB heap grew the peak by {} MiB", grew >> 20);
        assert_eq!(std::fs::metadata(dir.path().join("f.text.dat")).unwrap().len(), 0);
        assert_eq!(std::fs::metadata(dir.path().join(".journal")).unwrap().len(), 32, "cut back");
        assert!(db.check().unwrap().is_empty());
    });
}

#[test]
fn rolling_back_a_big_journal_takes_little_memory() {
    in_child("rolling_back_a_big_journal_takes_little_memory", || {
        let dir = tempfile::tempdir().unwrap();
        big_heap(dir.path(), 96);
        let heap = std::fs::read(dir.path().join("f.text.dat")).unwrap();
        let rows = common::read(dir.path(), "f.dat");
        // A journal as a crashed truncate leaves it: the whole heap as original bytes.
        let mut body = length_record("f.text.dat", heap.len() as u64);
        for (i, piece) in heap.chunks(1 << 20).enumerate() {
            body.extend(bytes_record("f.text.dat", (i << 20) as u64, piece));
        }
        std::fs::write(dir.path().join(".journal"), journal(3, body.len() as u64, &body)).unwrap();
        std::fs::write(dir.path().join("f.text.dat"), b"").unwrap();
        drop((body, heap));
        let before = peak_rss();
        let db = Database::open(dir.path(), [table_f()]).unwrap();
        let grew = peak_rss().saturating_sub(before);
        assert!(grew < 48 << 20, "rolling back 96 MiB grew the peak by {} MiB", grew >> 20);
        assert_eq!(common::read(dir.path(), "f.dat"), rows);
        assert_eq!(db.count("f", None).unwrap(), 96);
        assert!(db.check().unwrap().is_empty());
    });
}

/// What `sed -i` does: write the new content to a new file, rename it over the old one.
fn replace_by_rename(path: &std::path::Path, content: &str) {
    let temp = path.with_extension("sed-tmp");
    std::fs::write(&temp, content).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

#[test]
fn a_file_replaced_while_open_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    for text in ["foo", "bar"] {
        common::text(&db, "a", text);
    }
    replace_by_rename(&dir.path().join("a.dat"), "1        fox  \n2        bar  \n");
    assert_eq!(
        db.find_by_id("a", 1, &[]).unwrap().unwrap()["text"],
        Value::from("fox"),
        "reads see the new file"
    );
    // Writes reach the new file, not the replaced one: they survive a reopen.
    db.update_by_id("a", 2, [("text", "baz")]).unwrap();
    common::text(&db, "a", "new");
    replace_by_rename(&dir.path().join("a__seqnum.dat"), "10");
    assert_eq!(common::text(&db, "a", "ten"), 11, "the new sequence file is used");
    db.close();
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let texts: Vec<String> =
        db.find_all("a", &[]).unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(texts, ["fox", "baz", "new", "ten"]);
    assert!(db.check().unwrap().is_empty(), "{:?}", db.check());
}

/// A condition whose evaluation writes to the database it is reading.
fn writing_condition(db: std::sync::Arc<Database>) -> Cond {
    Cond::custom(move |row| {
        db.insert("a", [("text", format!("saw{}", row.id()))])?;
        Ok(true)
    })
}

#[test]
fn a_condition_that_writes_joins_the_transaction_it_runs_in() {
    in_child("a_condition_that_writes_joins_the_transaction_it_runs_in", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = std::sync::Arc::new(Database::open(dir.path(), [table_a()]).unwrap());
        let cond = writing_condition(db.clone());
        let found = db.transaction(|db| db.find_by_cond("a", &cond, &[])).unwrap();
        // The scan read its chunk before the callbacks wrote: it returns the three rows.
        assert_eq!(found.len(), 3);
        let texts: Vec<String> =
            db.find_all("a", &[]).unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
        assert_eq!(texts, ["foo", "bar", "baz", "saw1", "saw2", "saw3"]);
        assert!(db.check().unwrap().is_empty());
    });
}

#[test]
fn a_callback_that_writes_outside_a_transaction_is_refused_not_hung() {
    in_child("a_callback_that_writes_outside_a_transaction_is_refused_not_hung", || {
        let dir = tempfile::tempdir().unwrap();
        three_rows(dir.path());
        let db = std::sync::Arc::new(Database::open(dir.path(), [table_a()]).unwrap());
        let before = snapshot(dir.path());
        let err = db.find_by_cond("a", &writing_condition(db.clone()), &[]).unwrap_err();
        assert!(matches!(err, Error::WriteInsideRead { .. }), "{err:?}");
        assert_eq!(err.path(), Some(dir.path()));
        let mut visited = 0;
        let mut refused = None;
        db.for_each("a", None, |row| {
            visited += 1;
            refused = db.delete_by_id("a", row.id()).err();
            std::ops::ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(visited, 1);
        assert!(matches!(refused, Some(Error::WriteInsideRead { .. })), "{refused:?}");
        assert_eq!(snapshot(dir.path()), before);
        // Reading from a callback is fine, and the lock is free afterwards.
        let reads = Cond::custom({
            let db = db.clone();
            move |row| Ok(db.find_by_id("a", row.id(), &[])?.is_some())
        });
        assert_eq!(db.find_by_cond("a", &reads, &[]).unwrap().len(), 3);
        common::text(&db, "a", "after");
    });
}

#[rstest]
#[case::explicit_id(Some(999_999_999), "0")]
#[case::after_a_hand_edited_sequence(None, "99999999")]
fn an_id_far_past_the_last_is_refused_rather_than_written_as_gigabytes(
    #[case] id: Option<i64>,
    #[case] sequence: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    std::fs::write(dir.path().join("a__seqnum.dat"), sequence).unwrap();
    let before = snapshot(dir.path());
    let db = Database::open(dir.path(), [table_a()]).unwrap();
    let values: Vec<(&str, Value)> = match id {
        Some(id) => vec![("id", id.into()), ("text", "far".into())],
        None => vec![("text", "far".into())],
    };
    match db.insert("a", values) {
        Err(Error::Validation(ValidationError::IdTooFar { table, gap, limit, .. })) => {
            assert_eq!(table, "a");
            assert!(gap > limit);
        }
        other => panic!("expected IdTooFar, got {other:?}"),
    }
    assert_eq!(snapshot(dir.path()), before);
    // Far, but within the limit: the gap is written a chunk at a time.
    let row = db.insert("a", [("id", Value::from(5_000_000)), ("text", "ok".into())]).unwrap();
    assert_eq!(std::fs::metadata(dir.path().join("a__id.idx.dat")).unwrap().len(), 5_000_000 * 9);
    assert_eq!(db.find_by_id("a", row.id(), &[]).unwrap().unwrap()["text"], Value::from("ok"));
}

#[test]
fn truncate_cascade_through_a_cycle_of_foreign_keys_ends() {
    in_child("truncate_cascade_through_a_cycle_of_foreign_keys_ends", || {
        let dir = tempfile::tempdir().unwrap();
        let authors = TableSchema::new("authors").field(Field::fk("best_book", "books").nullable());
        let books = TableSchema::new("books").field(Field::fk("author_id", "authors").nullable());
        let db = Database::open(dir.path(), [authors, books]).unwrap();
        let author = db.insert("authors", [("best_book", Value::Null)]).unwrap();
        let book = db.insert("books", [("author_id", author.id())]).unwrap();
        db.update_by_id("authors", author.id(), [("best_book", book.id())]).unwrap();
        assert!(matches!(db.truncate("authors", false), Err(Error::Integrity(_))));
        db.truncate("authors", true).unwrap();
        assert_eq!((db.count("authors", None).unwrap(), db.count("books", None).unwrap()), (0, 0));
        assert!(db.check().unwrap().is_empty());
    });
}

#[test]
fn a_journal_that_would_grow_a_file_without_its_contents_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    three_rows(dir.path());
    let body = length_record("a__id.idx.dat", 1 << 31);
    std::fs::write(dir.path().join(".journal"), journal(5, body.len() as u64, &body)).unwrap();
    let before = snapshot(dir.path());
    let err = Database::open(dir.path(), [table_a()]).err().expect("refused");
    assert!(err.to_string().contains("grows a__id.idx.dat from 27 to 2147483648 bytes"), "{err}");
    assert_eq!(snapshot(dir.path()), before);
}
