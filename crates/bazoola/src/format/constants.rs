//! Widths, markers and file names. Every offset the code computes is built from these.

/// Width of PK, FK, TEXT offsets, PK-index entries and free-stack entries in the
/// format of SPEC §2 (upstream `INT_SIZE = 9`).
pub const SPEC_WIDTH: usize = 9;
/// The same width as written by the released PyPI package `bazoola==0.0.7`. Directories
/// it wrote are recognised and kept in this width, so it can still open them.
pub const LEGACY_WIDTH: usize = 6;

/// Every byte of a deleted row but its final newline.
pub const DELETED: u8 = b'*';
/// Null INT/FK/TEXT slots, empty PK-index entries, and freed text-heap records.
pub const NULL_NUMBER: u8 = b'#';
/// Null CHAR slots.
pub const NULL_CHAR: u8 = 0;
/// Padding of numbers (left-justified) and of CHAR values.
pub const PAD: u8 = b' ';
/// Ends every row.
pub const ROW_END: u8 = b'\n';

/// The cross-process lock file; the original package locks the same file.
pub const LOCK_FILE: &str = ".lock";
/// The rollback journal.
pub const JOURNAL_FILE: &str = ".journal";

/// The files of one table.
pub fn data_file(table: &str) -> String {
    format!("{table}.dat")
}
pub fn pk_index_file(table: &str) -> String {
    format!("{table}__id.idx.dat")
}
pub fn free_file(table: &str) -> String {
    format!("{table}__free.dat")
}
pub fn seq_file(table: &str) -> String {
    format!("{table}__seqnum.dat")
}
pub fn text_file(table: &str) -> String {
    format!("{table}.text.dat")
}
/// A secondary index on `field` (never `id`: the PK index has the name above).
pub fn index_file(table: &str, field: &str) -> String {
    format!("{table}__{field}.idx.dat")
}
pub fn schema_file(table: &str) -> String {
    format!("{table}__schema.dat")
}
/// Suffix that identifies a schema file when listing a directory.
pub const SCHEMA_SUFFIX: &str = "__schema.dat";
