//! The I/O trait under the pager. Five operations on a file are all the database needs
//! to read and write; keeping them behind a trait lets tests fail the k-th write or drop
//! unsynced writes without mocking the filesystem for ordinary use.
//!
//! Three more, with defaults that do nothing, let the database notice a file replaced
//! behind its back (`sed -i` and many editors save by writing a new file and renaming
//! it over the old one): a file's identity, re-opening a file in place, and a stamp of
//! the directory that changes whenever a name in it does. Two, with defaults that call
//! the operating system, rename and remove files, as schema changes do.
//!
//! One more, [`Vfs::watch`], tells the pager what changed in the directory between two
//! operations without a system call per file, which lets it keep pages between them. Its
//! default says it cannot tell, and the pager then reads what it needs under every lock.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;

/// Which file a path or an open file is: its device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileIdentity {
    /// The device the file is on.
    pub dev: u64,
    /// The file's inode on that device.
    pub ino: u64,
}

/// What `fstat` says of an open file: enough to tell whether it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FileStat {
    /// Length in bytes.
    pub len: u64,
    /// Last modification, nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: i64,
    /// Which file it is; `None` when the backend cannot tell.
    pub identity: Option<FileIdentity>,
}

/// Bytes of an encoded [`Stamp`].
pub const STAMP_LEN: usize = 24;

/// A file's state as another file records it (an index, the state of its table's data
/// file): 24 bytes, `len u64 | mtime ns i64 | inode u64`, little-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    pub len: u64,
    pub mtime_ns: i64,
    pub inode: u64,
}

impl Stamp {
    pub fn of(stat: &FileStat) -> Stamp {
        Stamp { len: stat.len, mtime_ns: stat.mtime_ns, inode: stat.identity.map_or(0, |i| i.ino) }
    }

    pub fn encode(&self) -> [u8; STAMP_LEN] {
        let mut out = [0u8; STAMP_LEN];
        out[0..8].copy_from_slice(&self.len.to_le_bytes());
        out[8..16].copy_from_slice(&self.mtime_ns.to_le_bytes());
        out[16..24].copy_from_slice(&self.inode.to_le_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Stamp {
        Stamp {
            len: u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default()),
            mtime_ns: i64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default()),
            inode: u64::from_le_bytes(bytes[16..24].try_into().unwrap_or_default()),
        }
    }
}

/// A directory's identity and last change (of a name in it), to tell cheaply whether
/// any file of it may have been replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirStamp {
    /// Which directory it is.
    pub identity: FileIdentity,
    /// Last status change (`ctime`), nanoseconds since the epoch.
    pub changed_ns: i128,
    /// Last change to its contents (`mtime`), nanoseconds since the epoch.
    pub modified_ns: i128,
}

/// What a [`DirWatch`] saw happen in its directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirChange<'a> {
    /// The file of this name was written, truncated or had its metadata changed.
    Written(&'a OsStr),
    /// This name was created, removed, or renamed from or to.
    Renamed(&'a OsStr),
    /// The watch lost track of what happened (its queue overflowed, the process forked,
    /// the directory moved): anything may have changed.
    Lost,
}

/// Tells what changed in a directory since it was last asked. It must see every change
/// that any process made before releasing the database's lock: the pager trusts the
/// pages it keeps for as long as the watch reports nothing about their file.
pub trait DirWatch: Send + Sync {
    /// Calls `seen` with each change since the previous call (or since the watch began).
    fn changes(&self, seen: &mut dyn FnMut(DirChange<'_>)) -> io::Result<()>;
}

/// One open file.
#[allow(clippy::len_without_is_empty)] // a file's length is all the pager asks
pub trait FileIo: Send + Sync {
    /// Reads up to `buf.len()` bytes at `offset`; fewer only at the end of the file.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// Writes all of `buf` at `offset`, growing the file if needed.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// The file's length in bytes.
    fn len(&self) -> io::Result<u64>;
    /// Truncates or extends (with zeros) the file to `len` bytes.
    fn set_len(&self, len: u64) -> io::Result<()>;
    /// Makes the file's data durable (`fdatasync`).
    fn sync(&self) -> io::Result<()>;
    /// Which file this is; `None` when the backend cannot tell.
    fn identity(&self) -> io::Result<Option<FileIdentity>> {
        Ok(None)
    }
    /// Length, modification time and identity (a backend that cannot tell the time
    /// gives 0, and indexes are then trusted on length alone).
    fn stat(&self) -> io::Result<FileStat> {
        Ok(FileStat { len: self.len()?, mtime_ns: 0, identity: self.identity()? })
    }
    /// Makes this handle refer to the file now at `path` (creating it if missing).
    fn reopen(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }
}

/// Opens files, creating missing ones.
pub trait Vfs: Send + Sync {
    /// Opens the file at `path`, creating it if missing.
    fn open(&self, path: &Path) -> io::Result<Box<dyn FileIo>>;
    /// Makes a directory's entries durable (new files survive power loss).
    fn sync_dir(&self, path: &Path) -> io::Result<()>;
    /// Which file is at `path` now; `None` when there is none, or the backend cannot tell.
    fn identity(&self, _path: &Path) -> io::Result<Option<FileIdentity>> {
        Ok(None)
    }
    /// The directory's stamp; `None` when the backend cannot tell (nothing is checked then).
    fn dir_stamp(&self, _dir: &Path) -> io::Result<Option<DirStamp>> {
        Ok(None)
    }
    /// Renames `from` to `to` in one step, replacing `to` if it exists (schema changes
    /// swap whole files this way).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
    /// Whether a file is at `path`.
    fn exists(&self, path: &Path) -> io::Result<bool> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
    /// Removes a file; one that is not there is not an error.
    fn remove(&self, path: &Path) -> io::Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
    /// Starts watching directory `dir` for changes; `None` when the backend cannot tell
    /// what changed (the pager then checks the files under every lock).
    fn watch(&self, _dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
        Ok(None)
    }
}

/// The operating system's files.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsVfs;

fn open_rw(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
}

fn identity_of(meta: &std::fs::Metadata) -> FileIdentity {
    FileIdentity { dev: meta.dev(), ino: meta.ino() }
}

impl Vfs for OsVfs {
    fn open(&self, path: &Path) -> io::Result<Box<dyn FileIo>> {
        Ok(Box::new(OsFile(open_rw(path)?)))
    }

    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        File::open(path)?.sync_all()
    }

    fn identity(&self, path: &Path) -> io::Result<Option<FileIdentity>> {
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Some(identity_of(&meta))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn dir_stamp(&self, dir: &Path) -> io::Result<Option<DirStamp>> {
        let meta = std::fs::metadata(dir)?;
        let ns = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        Ok(Some(DirStamp {
            identity: identity_of(&meta),
            changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
            modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
        }))
    }

    /// inotify on Linux, on local filesystems only (see `storage::watch`).
    fn watch(&self, dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
        #[cfg(target_os = "linux")]
        return super::watch::watch(dir);
        #[cfg(not(target_os = "linux"))]
        return Ok(None);
    }
}

struct OsFile(File);

impl FileIo for OsFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        // A short pread of a regular file means end of file, so one call is enough
        // (files are small here: sequence numbers, index entries, rows).
        loop {
            match self.0.read_at(buf, offset) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.0.write_all_at(buf, offset)
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn sync(&self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn identity(&self) -> io::Result<Option<FileIdentity>> {
        Ok(Some(identity_of(&self.0.metadata()?)))
    }

    fn stat(&self) -> io::Result<FileStat> {
        let meta = self.0.metadata()?;
        let mtime_ns = meta.mtime() * 1_000_000_000 + meta.mtime_nsec();
        Ok(FileStat { len: meta.len(), mtime_ns, identity: Some(identity_of(&meta)) })
    }

    fn reopen(&self, path: &Path) -> io::Result<()> {
        let fresh = open_rw(path)?;
        // dup2 swaps what our descriptor refers to in one step, so the handle never
        // dangles, even for a thread reading through it at this moment.
        // SAFETY: both descriptors are open and owned by live `File`s; `fresh` closes
        // its own copy when dropped.
        if unsafe { libc::dup2(fresh.as_raw_fd(), self.0.as_raw_fd()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}
