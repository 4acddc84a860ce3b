//! Knowing, without a system call per file, what changed in a database directory since
//! this process last looked: Linux's inotify, behind [`DirWatch`].
//!
//! Every write to a file — by this process, by another one of ours, by the original
//! package, by an editor — queues an event on the inotify instances watching its
//! directory, inside the `write` (or `ftruncate`, `rename`, `unlink`) system call itself.
//! A writer releases the lock only after its last write returned, so once a reader holds
//! the lock, one non-blocking `read` of the instance shows every change made before it:
//! if it shows nothing, the pages, lengths and journal state this process saw last are
//! still what the files hold. That is what lets the pager keep its page cache between
//! operations (see [`super::pager`]) instead of reading lengths, the journal header and
//! pages again under every lock.
//!
//! One instance serves the whole process (the kernel allows each user 128, and a test
//! suite may open more databases than that), shared by every database handle through
//! [`WATCHER`]. Events are sorted into each handle's [`Pending`] as they are read, so one
//! handle's draining does not hide a change from another handle on the same directory.
//!
//! What it cannot see, and so where it is not used:
//! - directories on network and user-space filesystems (NFS, SMB, FUSE, 9p, virtiofs),
//!   where another machine's writes queue nothing here: [`watch`] watches only the local
//!   filesystems of [`LOCAL_FILESYSTEMS`] and returns `None` elsewhere, and the pager
//!   then checks the files under every lock, as it always did;
//! - writes through a shared memory map (no program that writes these files does so);
//! - a file reached through a hard link in another directory.
//!
//! After `fork()`, parent and child share the instance's open file, and a read by one
//! would take events from the other. The child notices the new fork generation (see
//! [`super::fork`]) before it reads, leaves the inherited instance alone, makes its own,
//! and tells every handle it has lost track (its cache starts over).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};

use super::fork;
use super::vfs::{DirChange, DirWatch};

/// Filesystems whose every change, from any process of this machine, queues an inotify
/// event (`statfs`'s `f_type`): ext2/3/4, XFS, Btrfs, tmpfs, ramfs, F2FS, ZFS, bcachefs
/// and overlayfs (changes made through it).
const LOCAL_FILESYSTEMS: [i64; 9] = [
    0xEF53,      // ext2, ext3, ext4
    0x5846_5342, // XFS
    0x9123_683E, // Btrfs
    0x0102_1994, // tmpfs
    0x8584_58F6, // ramfs
    0xF2F5_2010, // F2FS
    0x2FC1_2FC1, // ZFS
    0xCA45_1A4E, // bcachefs
    0x794C_7630, // overlayfs
];

/// The events that can change what a file holds or which file a name is.
fn mask() -> WatchMask {
    WatchMask::MODIFY
        | WatchMask::ATTRIB
        | WatchMask::CREATE
        | WatchMask::DELETE
        | WatchMask::MOVED_FROM
        | WatchMask::MOVED_TO
        | WatchMask::DELETE_SELF
        | WatchMask::MOVE_SELF
        | WatchMask::ONLYDIR
}

/// Bytes of one read of the instance; events are 16 bytes plus a padded name.
const BUFFER: usize = 4096;
/// The largest event: its header and a name of 255 bytes with its padding.
const LARGEST_EVENT: usize = 16 + 256;

/// What one handle has not been told yet: the files changed, in the order the kernel
/// queued the events, side by side in one buffer (no allocation per event once it has
/// grown). An event the same as the one before it counts once, as the kernel merges
/// such events itself: the order is what lets a handle tell its own writes' events from
/// another writer's that came after them (see `Pager::look`).
#[derive(Default)]
struct Pending {
    /// (renamed, start, end) of each name in `names`.
    changes: Vec<(bool, usize, usize)>,
    names: Vec<u8>,
    lost: bool,
}

/// Changes a handle may have pending before it counts as lost (it is then told so, and
/// forgets everything once), so a handle that never looks holds bounded memory.
const PENDING_MAX: usize = 4096;

impl Pending {
    fn note(&mut self, renamed: bool, name: &[u8]) {
        let repeated = self
            .changes
            .last()
            .is_some_and(|&(r, start, end)| r == renamed && &self.names[start..end] == name);
        if self.changes.len() >= PENDING_MAX {
            self.lost = true;
        } else if !repeated {
            let start = self.names.len();
            self.names.extend_from_slice(name);
            self.changes.push((renamed, start, self.names.len()));
        }
    }

    fn clear(&mut self) {
        self.changes.clear();
        self.names.clear();
        self.lost = false;
    }
}

struct Subscriber {
    id: u64,
    /// The watch of its directory (inotify's number for it).
    wd: i32,
    pending: Pending,
}

/// The process's one inotify instance and who listens to it.
struct Watcher {
    inotify: Inotify,
    /// The fork generation the instance was made in.
    generation: u64,
    /// Each watched directory by its watch's number, with the path it was watched by
    /// (to watch it again in a forked child).
    dirs: HashMap<i32, (WatchDescriptor, PathBuf)>,
    subscribers: Vec<Subscriber>,
    next_id: u64,
    buffer: Box<[u8]>,
}

/// The process's watcher, made on first use.
static WATCHER: Mutex<Option<Watcher>> = Mutex::new(None);

/// The watcher, even after a panic elsewhere while it was held: then events may have been
/// read and not sorted, so every subscriber is told it lost track.
fn watcher() -> MutexGuard<'static, Option<Watcher>> {
    WATCHER.lock().unwrap_or_else(|poisoned| {
        let mut guard = poisoned.into_inner();
        for s in guard.iter_mut().flat_map(|w| w.subscribers.iter_mut()) {
            s.pending.lost = true;
        }
        WATCHER.clear_poison();
        guard
    })
}

/// Starts watching `dir` for a database handle, or `None` where inotify cannot tell
/// (another kind of filesystem, no instance or watch to be had): the caller then checks
/// the files itself.
pub fn watch(dir: &Path) -> io::Result<Option<Box<dyn DirWatch>>> {
    if !is_local(dir)? {
        return Ok(None);
    }
    fork::watch();
    let mut slot = watcher();
    let watcher = match slot.as_mut() {
        Some(w) => w,
        None => match Inotify::init() {
            Ok(inotify) => slot.insert(Watcher {
                inotify,
                generation: fork::generation(),
                dirs: HashMap::new(),
                subscribers: Vec::new(),
                next_id: 0,
                buffer: vec![0u8; BUFFER].into_boxed_slice(),
            }),
            // Out of instances (EMFILE) or not supported: the caller falls back.
            Err(_) => return Ok(None),
        },
    };
    watcher.follow_fork();
    let Ok(wd) = watcher.inotify.watches().add(dir, mask()) else { return Ok(None) };
    let number = wd.get_watch_descriptor_id();
    watcher.dirs.insert(number, (wd, dir.to_path_buf()));
    let id = watcher.next_id;
    watcher.next_id += 1;
    watcher.subscribers.push(Subscriber { id, wd: number, pending: Pending::default() });
    Ok(Some(Box::new(Subscription { id })))
}

/// Whether `dir` is on a filesystem of [`LOCAL_FILESYSTEMS`].
fn is_local(dir: &Path) -> io::Result<bool> {
    let mut path = dir.as_os_str().as_bytes().to_vec();
    if path.contains(&0) {
        return Ok(false);
    }
    path.push(0);
    // SAFETY: `path` is NUL-terminated and outlives the call; `stat` is a plain C struct,
    // zeroed, which the call fills in.
    let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statfs(path.as_ptr().cast(), &mut stat) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast)] // f_type's type differs between C libraries
    let kind = stat.f_type as i64 & 0xFFFF_FFFF;
    Ok(LOCAL_FILESYSTEMS.contains(&kind))
}

impl Watcher {
    /// In a forked child: a new instance, the same directories watched again, and every
    /// handle told that it lost track. The inherited instance is left to the parent.
    fn follow_fork(&mut self) {
        let generation = fork::generation();
        if self.generation == generation {
            return;
        }
        self.generation = generation;
        for s in &mut self.subscribers {
            s.pending.lost = true;
        }
        let dirs: Vec<(i32, PathBuf)> = self.dirs.drain().map(|(number, (_, path))| (number, path)).collect();
        let Ok(inotify) = Inotify::init() else {
            // No instance: every directory counts as unwatched, and `changes` says so.
            return;
        };
        // Dropping our copy of the inherited descriptor leaves the parent's open.
        drop(std::mem::replace(&mut self.inotify, inotify));
        for (old, path) in dirs {
            let Ok(wd) = self.inotify.watches().add(&path, mask()) else { continue };
            let number = wd.get_watch_descriptor_id();
            for s in self.subscribers.iter_mut().filter(|s| s.wd == old) {
                s.wd = number;
            }
            self.dirs.insert(number, (wd, path));
        }
    }

    /// Reads every event queued so far into the subscribers' pending changes.
    fn drain(&mut self) -> io::Result<()> {
        let renaming = EventMask::CREATE | EventMask::DELETE | EventMask::MOVED_FROM | EventMask::MOVED_TO;
        let gone = EventMask::DELETE_SELF | EventMask::MOVE_SELF | EventMask::IGNORED;
        loop {
            let events = match self.inotify.read_events(&mut self.buffer) {
                Ok(events) => events,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let mut used = 0;
            for event in events {
                let name_len = event.name.map_or(0, |n| n.len());
                used += 16 + if name_len > 0 { (name_len + 1).div_ceil(16) * 16 } else { 0 };
                let wd = event.wd.get_watch_descriptor_id();
                if event.mask.contains(EventMask::Q_OVERFLOW) {
                    for s in &mut self.subscribers {
                        s.pending.lost = true;
                    }
                    continue;
                }
                if event.mask.intersects(gone) {
                    // The directory is no longer watched; its subscribers stay lost.
                    self.dirs.remove(&wd);
                }
                for s in self.subscribers.iter_mut().filter(|s| s.wd == wd) {
                    match event.name {
                        _ if event.mask.intersects(gone) => s.pending.lost = true,
                        // An event of the directory itself (its own metadata).
                        None => {}
                        Some(name) => s.pending.note(event.mask.intersects(renaming), name.as_bytes()),
                    }
                }
            }
            // The kernel fills a read with as many queued events as fit: room left for
            // the largest one means the queue was empty.
            if used + LARGEST_EVENT <= self.buffer.len() {
                return Ok(());
            }
        }
    }
}

/// One database handle's view of the watcher.
struct Subscription {
    id: u64,
}

impl DirWatch for Subscription {
    fn changes(&self, seen: &mut dyn FnMut(DirChange<'_>)) -> io::Result<()> {
        let mut slot = watcher();
        let Some(watcher) = slot.as_mut() else {
            seen(DirChange::Lost);
            return Ok(());
        };
        watcher.follow_fork();
        let drained = watcher.drain();
        let dirs = &watcher.dirs;
        let Some(me) = watcher.subscribers.iter_mut().find(|s| s.id == self.id) else {
            seen(DirChange::Lost);
            return Ok(());
        };
        let alive = dirs.contains_key(&me.wd);
        let pending = &mut me.pending;
        if pending.lost || !alive || drained.is_err() {
            pending.clear();
            // An unwatched directory says so every time: the caller checks the files.
            pending.lost = !alive;
            seen(DirChange::Lost);
            return Ok(());
        }
        for &(renamed, start, end) in &pending.changes {
            let name = OsStr::from_bytes(&pending.names[start..end]);
            seen(if renamed { DirChange::Renamed(name) } else { DirChange::Written(name) });
        }
        pending.clear();
        Ok(())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut slot = watcher();
        let Some(watcher) = slot.as_mut() else { return };
        let Some(at) = watcher.subscribers.iter().position(|s| s.id == self.id) else { return };
        let gone = watcher.subscribers.swap_remove(at);
        let shared = watcher.subscribers.iter().any(|s| s.wd == gone.wd);
        // In a child that has not made its own instance yet, the watch is the parent's.
        if !shared && watcher.generation == fork::generation() {
            if let Some((wd, _)) = watcher.dirs.remove(&gone.wd) {
                // The last handle on this directory. A failure (the directory is gone,
                // and its watch with it) leaves nothing to undo.
                let _ = watcher.inotify.watches().remove(wd);
            }
        }
    }
}
