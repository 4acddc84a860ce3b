//! Test file systems built on the real one, through `bazoola::Vfs`:
//! - [`FaultVfs`] fails the k-th write, sync, truncate, rename or remove (or every one
//!   from the k-th on);
//! - [`PowerCutVfs`] remembers what each file held at its last sync and, at the k-th
//!   mutation, "cuts the power": puts every file back to that content and fails all I/O;
//! - [`DirPowerCutVfs`] does the same for a directory whose names change too (schema
//!   changes create, rename and remove files): names are durable as of the last sync
//!   of the directory, contents as of each file's last sync.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bazoola::{DirStamp, DirWatch, FileIdentity, FileIo, FileStat, OsVfs, Vfs};

/// Counts mutations (write, set_len, sync) and decides which one fails.
#[derive(Default)]
pub struct Trigger {
    count: AtomicUsize,
    /// 0 = never.
    fail_at: AtomicUsize,
    sticky: AtomicBool,
    armed: AtomicBool,
}

impl Trigger {
    pub fn arm(&self, fail_at: usize, sticky: bool) {
        self.count.store(0, Ordering::SeqCst);
        self.fail_at.store(fail_at, Ordering::SeqCst);
        self.sticky.store(sticky, Ordering::SeqCst);
        self.armed.store(true, Ordering::SeqCst);
    }

    pub fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }

    /// Mutations seen since `arm`.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Whether this mutation fails (and, for a power cut, whether it is the cut itself).
    fn hit(&self) -> bool {
        if !self.armed.load(Ordering::SeqCst) {
            return false;
        }
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let at = self.fail_at.load(Ordering::SeqCst);
        at != 0 && (n == at || (self.sticky.load(Ordering::SeqCst) && n > at))
    }
}

fn injected() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "injected fault")
}

pub struct FaultVfs {
    pub trigger: Arc<Trigger>,
}

impl Vfs for FaultVfs {
    fn open(&self, path: &Path) -> io::Result<Box<dyn FileIo>> {
        Ok(Box::new(FaultFile { inner: OsVfs.open(path)?, trigger: self.trigger.clone() }))
    }
    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        OsVfs.sync_dir(path)
    }
    fn identity(&self, path: &Path) -> io::Result<Option<FileIdentity>> {
        OsVfs.identity(path)
    }
    fn dir_stamp(&self, dir: &Path) -> io::Result<Option<DirStamp>> {
        OsVfs.dir_stamp(dir)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        if self.trigger.hit() {
            return Err(injected());
        }
        OsVfs.rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        if self.trigger.hit() {
            return Err(injected());
        }
        OsVfs.remove(path)
    }
    // The real watch: writes (failed ones included) reach real files, and the pager's
    // cache must stay true across every failure.
    fn watch(&self, dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
        OsVfs.watch(dir)
    }
}

struct FaultFile {
    inner: Box<dyn FileIo>,
    trigger: Arc<Trigger>,
}

impl FileIo for FaultFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.inner.read_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        if self.trigger.hit() {
            // A failed write may still have written a prefix, as a full disk does.
            let _ = self.inner.write_all_at(&buf[..buf.len() / 2], offset);
            return Err(injected());
        }
        self.inner.write_all_at(buf, offset)
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        if self.trigger.hit() {
            return Err(injected());
        }
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        if self.trigger.hit() {
            return Err(injected());
        }
        self.inner.sync()
    }
    fn identity(&self) -> io::Result<Option<FileIdentity>> {
        self.inner.identity()
    }
    fn stat(&self) -> io::Result<FileStat> {
        self.inner.stat()
    }
    fn reopen(&self, path: &Path) -> io::Result<()> {
        self.inner.reopen(path)
    }
}

/// What each file held at its last sync, shared by the files of one power domain.
#[derive(Default)]
pub struct Disk {
    durable: Mutex<HashMap<PathBuf, Vec<u8>>>,
    dead: AtomicBool,
}

impl Disk {
    /// Every file goes back to its last synced content; all later I/O fails.
    fn cut(&self) {
        self.dead.store(true, Ordering::SeqCst);
        let durable = self.durable.lock().unwrap();
        for (path, content) in durable.iter() {
            std::fs::write(path, content).expect("restore durable content");
        }
    }
}

pub struct PowerCutVfs {
    pub trigger: Arc<Trigger>,
    pub disk: Arc<Disk>,
}

impl Vfs for PowerCutVfs {
    fn open(&self, path: &Path) -> io::Result<Box<dyn FileIo>> {
        let inner = OsVfs.open(path)?;
        // Content present at open counts as durable (the test syncs before it starts).
        let content = std::fs::read(path)?;
        self.disk.durable.lock().unwrap().entry(path.to_path_buf()).or_insert(content);
        Ok(Box::new(PowerFile {
            inner,
            path: path.to_path_buf(),
            trigger: self.trigger.clone(),
            disk: self.disk.clone(),
        }))
    }
    fn sync_dir(&self, _path: &Path) -> io::Result<()> {
        Ok(())
    }
    fn watch(&self, dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
        OsVfs.watch(dir)
    }
}

struct PowerFile {
    inner: Box<dyn FileIo>,
    path: PathBuf,
    trigger: Arc<Trigger>,
    disk: Arc<Disk>,
}

impl PowerFile {
    fn mutate(&self) -> io::Result<()> {
        if self.disk.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        if self.trigger.hit() {
            self.disk.cut();
            return Err(injected());
        }
        Ok(())
    }
}

impl FileIo for PowerFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if self.disk.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        self.inner.read_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.mutate()?;
        self.inner.write_all_at(buf, offset)
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.mutate()?;
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.mutate()?;
        self.inner.sync()?;
        let content = std::fs::read(&self.path)?;
        self.disk.durable.lock().unwrap().insert(self.path.clone(), content);
        Ok(())
    }
}

/// A power domain over one directory, names and contents: see the module doc.
pub struct DirDisk {
    dir: PathBuf,
    /// The directory's names as of its last sync, each with its inode.
    names: Mutex<HashMap<String, u64>>,
    /// Each inode's content as of its last sync.
    contents: Mutex<HashMap<u64, Vec<u8>>>,
    dead: AtomicBool,
}

fn inode(path: &Path) -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    Ok(std::fs::metadata(path)?.ino())
}

impl DirDisk {
    /// Everything in `dir` now counts as durable (the test syncs before it starts).
    pub fn new(dir: &Path) -> Arc<DirDisk> {
        let mut names = HashMap::new();
        let mut contents = HashMap::new();
        for entry in std::fs::read_dir(dir).expect("list dir") {
            let path = entry.expect("entry").path();
            let ino = inode(&path).expect("stat");
            names.insert(path.file_name().unwrap().to_string_lossy().into_owned(), ino);
            contents.insert(ino, std::fs::read(&path).expect("read"));
        }
        Arc::new(DirDisk {
            dir: dir.to_path_buf(),
            names: Mutex::new(names),
            contents: Mutex::new(contents),
            dead: AtomicBool::new(false),
        })
    }

    /// The directory goes back to its durable names, each with its inode's durable
    /// content (empty if that was never synced); all later I/O fails.
    fn cut(&self) {
        self.dead.store(true, Ordering::SeqCst);
        for entry in std::fs::read_dir(&self.dir).expect("list dir") {
            std::fs::remove_file(entry.expect("entry").path()).expect("remove");
        }
        let names = self.names.lock().unwrap();
        let contents = self.contents.lock().unwrap();
        for (name, ino) in names.iter() {
            let content = contents.get(ino).cloned().unwrap_or_default();
            std::fs::write(self.dir.join(name), content).expect("restore durable content");
        }
    }

    fn check(&self, trigger: &Trigger) -> io::Result<()> {
        if self.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        if trigger.hit() {
            self.cut();
            return Err(injected());
        }
        Ok(())
    }
}

pub struct DirPowerCutVfs {
    pub trigger: Arc<Trigger>,
    pub disk: Arc<DirDisk>,
}

impl Vfs for DirPowerCutVfs {
    fn open(&self, path: &Path) -> io::Result<Box<dyn FileIo>> {
        if self.disk.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        Ok(Box::new(DirPowerFile {
            inner: OsVfs.open(path)?,
            path: path.to_path_buf(),
            trigger: self.trigger.clone(),
            disk: self.disk.clone(),
        }))
    }
    fn sync_dir(&self, path: &Path) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        let mut names = HashMap::new();
        for entry in std::fs::read_dir(path)? {
            let path = entry?.path();
            names.insert(path.file_name().unwrap().to_string_lossy().into_owned(), inode(&path)?);
        }
        *self.disk.names.lock().unwrap() = names;
        Ok(())
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        OsVfs.rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        OsVfs.remove(path)
    }
    fn exists(&self, path: &Path) -> io::Result<bool> {
        if self.disk.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        OsVfs.exists(path)
    }
    fn watch(&self, dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
        OsVfs.watch(dir)
    }
}

struct DirPowerFile {
    inner: Box<dyn FileIo>,
    path: PathBuf,
    trigger: Arc<Trigger>,
    disk: Arc<DirDisk>,
}

impl FileIo for DirPowerFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if self.disk.dead.load(Ordering::SeqCst) {
            return Err(injected());
        }
        self.inner.read_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        self.inner.write_all_at(buf, offset)
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.disk.check(&self.trigger)?;
        self.inner.sync()?;
        // What this handle refers to now (the path may have been renamed since it was
        // opened: the file, not the name, is what a sync makes durable).
        let ino = self.inner.identity()?.map(|i| i.ino).unwrap_or(inode(&self.path)?);
        let mut content = vec![0u8; self.inner.len()? as usize];
        let n = self.inner.read_at(&mut content, 0)?;
        content.truncate(n);
        self.disk.contents.lock().unwrap().insert(ino, content);
        Ok(())
    }
    fn identity(&self) -> io::Result<Option<FileIdentity>> {
        self.inner.identity()
    }
    fn stat(&self) -> io::Result<FileStat> {
        self.inner.stat()
    }
    fn reopen(&self, path: &Path) -> io::Result<()> {
        self.inner.reopen(path)
    }
}
