//! Rolling back a hot journal, in bounded memory whatever its size.
//!
//! 1. Find the chain of segments (see [`super::journal`]): each must claim no more body
//!    than the file holds, its body must verify, and its nonce must be the first's. The
//!    first one that fails ends the chain; a chain of none means nothing to undo.
//! 2. Check every record of the chain before touching anything: file names are plain
//!    names of this directory, every file has one length record, every range of
//!    original bytes lies inside the length its file had, and a length beyond a file's
//!    current one is backed by restored bytes up to it. A journal that verifies but
//!    breaks these was not written by us (a hand-made or hostile file): it is refused as
//!    corrupt, and nothing is applied.
//! 3. Apply: put each range of original bytes back, then each file's length; then undo
//!    the file operations of a schema change, last first — a renamed file goes back to
//!    its old name, a created one is removed; make that durable when asked; retire the
//!    journal.
//!
//! Each step reads the journal front to back in large pieces, so recovering from a
//! transaction that rewrote a gigabyte needs no more memory than one that wrote a row.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::journal::{
    BodyError, BodyReader, Header, HeaderState, HEADER_LEN, KEEP_LEN, KIND_BYTES, KIND_CREATED, KIND_LENGTH,
    KIND_RENAMED,
};
use super::vfs::{FileIo, Vfs};
use crate::error::{CorruptDataError, Error, IoError, IoOp, Location, Result};
use crate::format::constants::{JOURNAL_FILE, LOCK_FILE};

fn io_error(path: &Path, op: IoOp) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io(IoError { path: path.to_path_buf(), op, source })
}

/// The verified segments of a hot journal: where each body starts, and its header.
#[derive(Default)]
struct Chain {
    segments: Vec<(u64, Header)>,
    /// Each file's length before the transaction.
    lengths: BTreeMap<String, u64>,
    /// Where each file's last range of original bytes ends.
    restored_to: BTreeMap<String, u64>,
    /// Files created and renamed, in the order they were (a few per schema change).
    file_ops: Vec<FileOp>,
}

/// A whole-file operation of a schema change, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileOp {
    Created(String),
    Renamed { from: String, to: String },
}

/// Reads the journal; if it is hot, puts every recorded range and length back, makes
/// that durable when `sync`, and retires the journal. Returns whether it rolled back.
/// The caller holds the exclusive lock.
pub fn recover(dir: &Path, vfs: &dyn Vfs, journal: &dyn FileIo, sync: bool) -> Result<bool> {
    let path = dir.join(JOURNAL_FILE);
    let mut head = [0u8; HEADER_LEN];
    let n = journal.read_at(&mut head, 0).map_err(io_error(&path, IoOp::Read))?;
    let first = match Header::decode(&head[..n]) {
        HeaderState::Clean => return Ok(false),
        HeaderState::Torn => None,
        HeaderState::Hot(header) => Some(header),
    };
    let journal_len = journal.len().map_err(io_error(&path, IoOp::Read))?;
    let chain = match first {
        Some(first) => read_chain(journal, &path, first, journal_len)?,
        None => Chain::default(),
    };
    let rolled_back = !chain.segments.is_empty();
    if rolled_back {
        apply(dir, vfs, journal, &path, &chain, sync)?;
    }
    retire(journal, &path, sync, journal_len)?;
    Ok(rolled_back)
}

fn read_chain(journal: &dyn FileIo, path: &Path, first: Header, journal_len: u64) -> Result<Chain> {
    let mut chain = Chain::default();
    let mut header = first;
    let mut start = 0u64;
    loop {
        let body_start = start + HEADER_LEN as u64;
        if header.body_len > journal_len.saturating_sub(body_start) {
            break;
        }
        let verifies = match BodyReader::new(journal, body_start, &header).verifies(header.body_crc) {
            Ok(verifies) => verifies,
            Err(BodyError::Short) => false,
            Err(BodyError::Io(e)) => return Err(io_error(path, IoOp::Read)(e)),
        };
        if !verifies {
            break;
        }
        check_segment(journal, path, body_start, &header, &mut chain)?;
        chain.segments.push((body_start, header));
        start = body_start + header.body_len;
        let mut next = [0u8; HEADER_LEN];
        let n = journal.read_at(&mut next, start).map_err(io_error(path, IoOp::Read))?;
        match Header::decode(&next[..n]) {
            HeaderState::Hot(h) if h.nonce == first.nonce => header = h,
            _ => break,
        }
    }
    Ok(chain)
}

/// A record of a verified segment.
enum Record {
    Length {
        name: String,
        len: u64,
    },
    /// Original bytes at `offset`; `len` of them follow in the body.
    Bytes {
        name: String,
        offset: u64,
        len: u32,
    },
    File(FileOp),
}

/// Reads the next record's head (for bytes, the data is left to the caller).
fn next_record(body: &mut BodyReader, path: &Path) -> Result<Record> {
    let at = body.offset();
    let bad = |detail: &str| -> Error {
        CorruptDataError { path: path.to_path_buf(), location: Location::Offset(at), detail: detail.into() }
            .into()
    };
    let short = |e: BodyError| match e {
        BodyError::Io(e) => io_error(path, IoOp::Read)(e),
        BodyError::Short => bad("a journal record runs past the end of its segment"),
    };
    let [kind] = body.take::<1>().map_err(short)?;
    let name_len = u16::from_le_bytes(body.take::<2>().map_err(short)?);
    let mut name = Vec::with_capacity(usize::from(name_len));
    body.stream(u64::from(name_len), &mut |piece| {
        name.extend_from_slice(piece);
        Ok(())
    })
    .map_err(short)?;
    let name = String::from_utf8(name).map_err(|_| bad("a journal record names a file that is not UTF-8"))?;
    if !is_plain_name(&name) {
        return Err(bad(&format!(
            "a journal record names `{name}`, which is not a table file of this directory"
        )));
    }
    let value = u64::from_le_bytes(body.take::<8>().map_err(short)?);
    match kind {
        KIND_LENGTH => Ok(Record::Length { name, len: value }),
        KIND_BYTES => {
            let len = u32::from_le_bytes(body.take::<4>().map_err(short)?);
            Ok(Record::Bytes { name, offset: value, len })
        }
        KIND_CREATED => Ok(Record::File(FileOp::Created(name))),
        KIND_RENAMED => {
            let len = u32::from_le_bytes(body.take::<4>().map_err(short)?);
            if len > u32::from(u16::MAX) {
                return Err(bad("a journal record names a file with too long a name"));
            }
            let mut to = Vec::with_capacity(len as usize);
            body.stream(u64::from(len), &mut |piece| {
                to.extend_from_slice(piece);
                Ok(())
            })
            .map_err(short)?;
            let to =
                String::from_utf8(to).map_err(|_| bad("a journal record names a file that is not UTF-8"))?;
            if !is_plain_name(&to) {
                return Err(bad(&format!(
                    "a journal record names `{to}`, which is not a table file of this directory"
                )));
            }
            Ok(Record::File(FileOp::Renamed { from: name, to }))
        }
        _ => Err(bad(&format!("unknown journal record kind {kind}"))),
    }
}

/// A name the journal may write to: a file directly in the directory, and not one of
/// the two the journal protocol itself uses.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != JOURNAL_FILE
        && name != LOCK_FILE
        && !name.contains(['/', '\0'])
}

/// Checks a verified segment's records against the rules of step 2, recording lengths
/// and how far each file's original bytes reach.
fn check_segment(
    journal: &dyn FileIo,
    path: &Path,
    body_start: u64,
    header: &Header,
    chain: &mut Chain,
) -> Result<()> {
    let mut body = BodyReader::new(journal, body_start, header);
    while body.remaining() > 0 {
        let at = body.offset();
        match next_record(&mut body, path)? {
            Record::Length { name, len } => {
                chain.lengths.entry(name).or_insert(len);
            }
            Record::File(op) => chain.file_ops.push(op),
            Record::Bytes { name, offset, len } => {
                let end = offset.checked_add(u64::from(len));
                let fits =
                    chain.lengths.get(&name).is_some_and(|&file_len| end.is_some_and(|end| end <= file_len));
                if let (true, Some(end)) = (fits, end) {
                    let reach = chain.restored_to.entry(name.clone()).or_default();
                    *reach = (*reach).max(end);
                }
                if !fits {
                    let detail = format!(
                        "the journal restores {len} bytes of {name} at {offset}, outside the length it records for that file"
                    );
                    return Err(CorruptDataError {
                        path: path.to_path_buf(),
                        location: Location::Offset(at),
                        detail,
                    }
                    .into());
                }
                body.stream(u64::from(len), &mut |_| Ok(())).map_err(|e| match e {
                    BodyError::Io(e) => io_error(path, IoOp::Read)(e),
                    BodyError::Short => CorruptDataError {
                        path: path.to_path_buf(),
                        location: Location::Offset(at),
                        detail: "a journal record runs past the end of its segment".into(),
                    }
                    .into(),
                })?;
            }
        }
    }
    Ok(())
}

/// The files recovery writes to, opened once each.
struct Targets<'v> {
    dir: &'v Path,
    vfs: &'v dyn Vfs,
    open: HashMap<String, (PathBuf, Box<dyn FileIo>)>,
}

impl Targets<'_> {
    fn get(&mut self, name: &str) -> Result<&(PathBuf, Box<dyn FileIo>)> {
        if !self.open.contains_key(name) {
            let path = self.dir.join(name);
            let file = self.vfs.open(&path).map_err(io_error(&path, IoOp::Open))?;
            self.open.insert(name.to_string(), (path, file));
        }
        Ok(&self.open[name])
    }
}

/// A length record may only grow a file back over bytes the journal restores: a
/// transaction that shrank a file journaled the cut-off part. One that does not was not
/// written by us, and applying it would conjure a sparse file of any size.
fn check_growth(dir: &Path, vfs: &dyn Vfs, path: &Path, chain: &Chain) -> Result<()> {
    for (name, &len) in &chain.lengths {
        let target = dir.join(name);
        let now = match vfs.identity(&target).map_err(io_error(&target, IoOp::Read))? {
            Some(_) => vfs.open(&target).and_then(|f| f.len()).map_err(io_error(&target, IoOp::Read))?,
            None => 0,
        };
        if len > now && chain.restored_to.get(name).copied().unwrap_or(0) < len {
            let detail =
                format!("the journal grows {name} from {now} to {len} bytes without restoring what it held");
            return Err(
                CorruptDataError { path: path.to_path_buf(), location: Location::Whole, detail }.into()
            );
        }
    }
    Ok(())
}

fn apply(
    dir: &Path,
    vfs: &dyn Vfs,
    journal: &dyn FileIo,
    path: &Path,
    chain: &Chain,
    sync: bool,
) -> Result<()> {
    check_growth(dir, vfs, path, chain)?;
    let mut targets = Targets { dir, vfs, open: HashMap::new() };
    for (body_start, header) in &chain.segments {
        let mut body = BodyReader::new(journal, *body_start, header);
        while body.remaining() > 0 {
            let (name, offset, len) = match next_record(&mut body, path)? {
                Record::Bytes { name, offset, len } => (name, offset, len),
                _ => continue,
            };
            let (target_path, file) = targets.get(&name)?;
            let mut at = offset;
            let mut failed = None;
            body.stream(u64::from(len), &mut |piece| {
                if failed.is_none() {
                    if let Err(e) = file.write_all_at(piece, at) {
                        failed = Some(e);
                    }
                }
                at += piece.len() as u64;
                Ok(())
            })
            .map_err(|e| match e {
                BodyError::Io(e) => io_error(path, IoOp::Read)(e),
                BodyError::Short => io_error(path, IoOp::Read)(std::io::ErrorKind::UnexpectedEof.into()),
            })?;
            if let Some(e) = failed {
                return Err(io_error(target_path, IoOp::Write)(e));
            }
        }
    }
    for (name, len) in &chain.lengths {
        let (target_path, file) = targets.get(name)?;
        file.set_len(*len).map_err(io_error(target_path, IoOp::Truncate))?;
    }
    if sync {
        for (target_path, file) in targets.open.values() {
            file.sync().map_err(io_error(target_path, IoOp::Sync))?;
        }
    }
    undo_file_ops(dir, vfs, &chain.file_ops)?;
    if sync && !chain.file_ops.is_empty() {
        vfs.sync_dir(dir).map_err(io_error(dir, IoOp::Sync))?;
    }
    Ok(())
}

/// Undoes a schema change's renames and creations, last first. Each step looks at what
/// is there, so that it is right however far the change got, and again if recovery
/// itself is cut short: a rename is undone only when its new name exists and its old
/// one does not (the journal records a rename before making it, and only to a name
/// that was free), a created file is removed if it exists.
fn undo_file_ops(dir: &Path, vfs: &dyn Vfs, ops: &[FileOp]) -> Result<()> {
    let exists = |name: &str| -> Result<bool> {
        let path = dir.join(name);
        vfs.exists(&path).map_err(io_error(&path, IoOp::Read))
    };
    for op in ops.iter().rev() {
        match op {
            FileOp::Renamed { from, to } => {
                if exists(to)? && !exists(from)? {
                    let (to_path, from_path) = (dir.join(to), dir.join(from));
                    vfs.rename(&to_path, &from_path).map_err(io_error(&to_path, IoOp::Rename))?;
                }
            }
            FileOp::Created(name) => {
                let path = dir.join(name);
                vfs.remove(&path).map_err(io_error(&path, IoOp::Remove))?;
            }
        }
    }
    Ok(())
}

/// Zeroes the first header: from now on the journal is not hot. A journal grown past
/// [`KEEP_LEN`] is cut back, so one large transaction does not keep its copy for good.
pub fn retire(journal: &dyn FileIo, path: &Path, sync: bool, len: u64) -> Result<()> {
    journal.write_all_at(&[0u8; HEADER_LEN], 0).map_err(io_error(path, IoOp::Write))?;
    if sync {
        journal.sync().map_err(io_error(path, IoOp::Sync))?;
    }
    if len > KEEP_LEN {
        journal.set_len(HEADER_LEN as u64).map_err(io_error(path, IoOp::Truncate))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::journal::SegmentWriter;
    use crate::storage::vfs::OsVfs;

    /// A journal of two segments that, applied, restores `a.dat` to "hello world" from
    /// "HELLO WORLD!!!" and `b.dat` to empty.
    fn two_segments(journal: &dyn FileIo, nonce: u64) -> u64 {
        let mut first = SegmentWriter::new(journal, 0, nonce);
        first.length("a.dat", 11).unwrap();
        first.begin_bytes("a.dat", 0, 5).unwrap();
        first.put(b"hello").unwrap();
        let (end, _) = first.finish().unwrap();
        let mut second = SegmentWriter::new(journal, end, nonce);
        second.length("b.dat", 0).unwrap();
        second.begin_bytes("a.dat", 5, 6).unwrap();
        second.put(b" world").unwrap();
        second.finish().unwrap().0
    }

    fn setup(dir: &Path) {
        std::fs::write(dir.join("a.dat"), "HELLO WORLD!!!").unwrap();
        std::fs::write(dir.join("b.dat"), "new file").unwrap();
    }

    fn run(dir: &Path, journal_bytes: &[u8]) -> Result<bool> {
        std::fs::write(dir.join(JOURNAL_FILE), journal_bytes).unwrap();
        let journal = OsVfs.open(&dir.join(JOURNAL_FILE)).unwrap();
        recover(dir, &OsVfs, journal.as_ref(), false)
    }

    fn whole_journal() -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let journal = OsVfs.open(&dir.path().join(JOURNAL_FILE)).unwrap();
        two_segments(journal.as_ref(), 42);
        std::fs::read(dir.path().join(JOURNAL_FILE)).unwrap()
    }

    #[test]
    fn a_chain_of_segments_rolls_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        assert!(run(dir.path(), &whole_journal()).unwrap());
        assert_eq!(std::fs::read(dir.path().join("a.dat")).unwrap(), b"hello world");
        assert_eq!(std::fs::read(dir.path().join("b.dat")).unwrap(), b"");
        let journal = std::fs::read(dir.path().join(JOURNAL_FILE)).unwrap();
        assert_eq!(&journal[..HEADER_LEN], &[0u8; HEADER_LEN], "retired");
    }

    /// A cut inside the first segment undoes nothing (no data was touched before it was
    /// whole); a cut inside the second undoes the first segment's records only (its range
    /// and length of `a.dat`).
    #[test]
    fn every_torn_prefix_applies_whole_segments_only() {
        let whole = whole_journal();
        let first_end = HEADER_LEN + 1 + 2 + 5 + 8 + 1 + 2 + 5 + 8 + 4 + 5;
        for cut in 0..whole.len() {
            let dir = tempfile::tempdir().unwrap();
            setup(dir.path());
            let rolled_back = run(dir.path(), &whole[..cut]).unwrap();
            let a = std::fs::read(dir.path().join("a.dat")).unwrap();
            let b = std::fs::read(dir.path().join("b.dat")).unwrap();
            if cut < first_end {
                assert!(!rolled_back, "cut {cut}");
                assert_eq!(
                    (a.as_slice(), b.as_slice()),
                    (&b"HELLO WORLD!!!"[..], &b"new file"[..]),
                    "cut {cut}"
                );
            } else {
                assert!(rolled_back, "cut {cut}");
                assert_eq!(
                    (a.as_slice(), b.as_slice()),
                    (&b"hello WORLD"[..], &b"new file"[..]),
                    "cut {cut}"
                );
            }
        }
    }

    #[test]
    fn every_flipped_byte_is_refused_or_ends_the_chain() {
        let whole = whole_journal();
        for i in 0..whole.len() {
            let mut bad = whole.clone();
            bad[i] ^= 0x40;
            let dir = tempfile::tempdir().unwrap();
            setup(dir.path());
            let a = || std::fs::read(dir.path().join("a.dat")).unwrap();
            match run(dir.path(), &bad) {
                Ok(_) => assert!(
                    [&b"HELLO WORLD!!!"[..], b"hello WORLD", b"hello world"].contains(&a().as_slice()),
                    "byte {i}: {:?}",
                    String::from_utf8_lossy(&a())
                ),
                Err(e) => panic!("byte {i}: a checksum catches the flip before any check: {e}"),
            }
        }
    }

    #[test]
    fn segments_of_another_transaction_do_not_join_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let journal = OsVfs.open(&dir.path().join(JOURNAL_FILE)).unwrap();
        two_segments(journal.as_ref(), 1);
        // A newer transaction's single segment, no longer than the old first one.
        let mut newer = SegmentWriter::new(journal.as_ref(), 0, 2);
        newer.length("a.dat", 11).unwrap();
        newer.begin_bytes("a.dat", 0, 5).unwrap();
        newer.put(b"HOWDY").unwrap();
        newer.finish().unwrap();
        let bytes = std::fs::read(dir.path().join(JOURNAL_FILE)).unwrap();
        setup(dir.path());
        assert!(run(dir.path(), &bytes).unwrap());
        // The old second segment (" world", b.dat emptied) was not applied.
        assert_eq!(std::fs::read(dir.path().join("a.dat")).unwrap(), b"HOWDY WORLD");
        assert_eq!(std::fs::read(dir.path().join("b.dat")).unwrap(), b"new file");
    }
}
