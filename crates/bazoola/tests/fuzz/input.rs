//! The inputs of a case: mutations of files, crafted journals, operations; applying the
//! mutations to the built directory and encoding the journals.

use std::collections::BTreeMap;

use bazoola::Value;

use crate::corpus::render_ops;
use crate::directory::{base, FILES, JOURNAL};

#[derive(Clone, Debug)]
pub(crate) enum Mutation {
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
pub(crate) struct JournalSpec {
    pub(crate) nonce: u64,
    /// `None`: the body's real length.
    pub(crate) body_len: Option<u64>,
    pub(crate) records: Vec<JRecord>,
    /// Bytes after the body (not covered by the CRC).
    pub(crate) tail: Vec<u8>,
    /// Break the header CRC (a torn journal).
    pub(crate) bad_header_crc: bool,
    /// Use the body a real commit left behind in the built directory's retired journal
    /// instead of `records`: a hot journal of a real transaction.
    pub(crate) stale_body: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum JRecord {
    Length { name: Vec<u8>, len: u64 },
    Bytes { name: Vec<u8>, offset: u64, data: Vec<u8>, data_len: Option<u32> },
    Raw(Vec<u8>),
}

#[derive(Clone, Debug)]
pub(crate) enum Edit {
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
pub(crate) enum Op {
    Insert { table: String, values: Vec<(String, Value)> },
    Update { table: String, id: i64, values: Vec<(String, Value)> },
    Delete { table: String, id: i64 },
    Truncate { table: String, cascade: bool },
    Txn { ops: Vec<Op>, commit: bool },
    Read(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) edits: Vec<Edit>,
    pub(crate) ops: Vec<Op>,
}

/// A case made concrete: every file of the directory (`None`: absent) and the operations.
pub(crate) struct Input {
    pub(crate) files: BTreeMap<String, Option<Vec<u8>>>,
    pub(crate) ops: Vec<Op>,
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

pub(crate) fn shorten(bytes: &[u8]) -> String {
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
    pub(crate) fn materialise(&self) -> Input {
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
