//! A table's files (SPEC §2) and the operations on each: fixed-width rows addressed by
//! slot, the PK index from id to slot, the stack of free slots, the sequence number, and
//! the text heap. Everything here reads and writes through [`Io`], so a table never
//! knows whether it runs inside a transaction.
//!
//! These are mechanisms, not rules: checking that an id is free, that a foreign key
//! exists, or that a value fits is the database layer's job.

mod free_stack;
mod pk_index;
mod row_codec;
mod rows;
mod sequence;
mod text_heap;

pub use text_heap::HeapItem;

use crate::error::{CorruptDataError, Location, Result};
use crate::format::constants::{data_file, free_file, index_file, pk_index_file, seq_file, text_file};
use crate::format::schema::{Layout, TableSchema};
use crate::index::{KeyKind, Tree};
use crate::storage::pager::{FileId, Pager};
use crate::storage::txn::Io;
use crate::value::Columns;

/// How much of an index or free-stack file is read at once by a whole-file walk.
const ENTRY_CHUNK: usize = 1 << 20;

/// One table's schema and open files.
pub struct Table {
    pub schema: TableSchema,
    pub layout: Layout,
    pub columns: Columns,
    /// The secondary indexes, in field order.
    pub indexes: Vec<Index>,
    /// Page size of an index file written from now on.
    pub index_page_size: u32,
    dat: FileId,
    idx: FileId,
    free: FileId,
    seq: FileId,
    text: Option<FileId>,
}

/// A secondary index of a table: the field it is on, and its tree.
#[derive(Debug, Clone)]
pub struct Index {
    pub field: usize,
    pub tree: Tree,
}

impl Table {
    /// Opens the table's files in `pager`, creating missing ones (a new sequence file
    /// holds `0`, as the original writes it).
    pub fn open(pager: &mut Pager, schema: TableSchema, index_page_size: u32) -> Result<Table> {
        let name = schema.name.clone();
        let dat = pager.add_file(&data_file(&name))?;
        let idx = pager.add_file(&pk_index_file(&name))?;
        let free = pager.add_file(&free_file(&name))?;
        let seq = pager.add_file(&seq_file(&name))?;
        pager.init_if_empty(seq, b"0")?;
        let text = if schema.has_text() { Some(pager.add_file(&text_file(&name))?) } else { None };
        let mut indexes = Vec::new();
        for (i, field) in schema.fields.iter().enumerate() {
            let (Some(spec), Some(kind)) = (field.index(), KeyKind::of(&field.ty)) else { continue };
            let file = pager.add_file(&index_file(&name, &field.name))?;
            indexes.push(Index { field: i, tree: Tree { file, kind, unique: spec.unique } });
        }
        let columns: Columns = schema.fields.iter().map(|f| f.name.as_str().into()).collect();
        let layout = schema.layout();
        Ok(Table { schema, layout, columns, indexes, index_page_size, dat, idx, free, seq, text })
    }

    pub fn name(&self) -> &str {
        &self.schema.name
    }

    pub fn width(&self) -> usize {
        self.schema.width
    }

    pub fn row_size(&self) -> u64 {
        self.layout.row_size as u64
    }

    /// The PK index file, for errors about it.
    pub fn index_file(&self) -> FileId {
        self.idx
    }

    pub fn data_file(&self) -> FileId {
        self.dat
    }

    pub fn free_file(&self) -> FileId {
        self.free
    }

    pub fn text_heap_file(&self) -> Option<FileId> {
        self.text
    }

    pub fn corrupt(
        &self,
        io: &Io,
        file: FileId,
        location: Location,
        detail: impl Into<String>,
    ) -> crate::error::Error {
        CorruptDataError { path: io.path(file).to_path_buf(), location, detail: detail.into() }.into()
    }

    /// The error for a number that no longer fits the format's slots of `file`.
    pub fn full(&self, io: &Io, file: FileId, what: impl Into<String>) -> crate::error::Error {
        crate::error::Error::Full {
            table: self.name().to_string(),
            path: io.path(file).to_path_buf(),
            what: what.into(),
            width: self.width(),
        }
    }

    /// Calls `visit` with the byte offset and bytes of every `width`-wide entry of
    /// `file` (the PK index, the free stack), reading a large chunk at a time; a last
    /// entry cut short is passed as it is.
    pub fn for_each_entry(&self, io: &mut Io, file: FileId, visit: &mut dyn FnMut(u64, &[u8])) -> Result<()> {
        let width = self.width();
        let len = io.len(file)?;
        let mut buf = vec![0u8; (ENTRY_CHUNK / width).max(1) * width];
        let mut offset = 0;
        while offset < len {
            let want = buf.len().min((len - offset) as usize);
            let n = io.read_at(file, &mut buf[..want], offset)?;
            if n == 0 {
                break;
            }
            for (i, entry) in buf[..n].chunks(width).enumerate() {
                visit(offset + (i * width) as u64, entry);
            }
            offset += n as u64;
        }
        Ok(())
    }

    /// Empties every file and resets the sequence to `0`.
    pub fn truncate(&self, io: &mut Io) -> Result<()> {
        for file in [self.dat, self.idx, self.free].into_iter().chain(self.text) {
            io.set_len(file, 0)?;
        }
        self.set_seq(io, 0)
    }
}
