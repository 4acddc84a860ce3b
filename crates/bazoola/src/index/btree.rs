//! The B+tree of one index file: fixed-size pages, entries (see [`super::key`]) sorted by
//! their bytes, leaves linked both ways for range scans in either direction.
//!
//! ```text
//! every page after page 0:  kind u8 | count u16 LE | link_a u32 LE | link_b u32 LE | items
//! leaf     (kind 1):  link_a = next leaf, link_b = previous leaf (0 = none); items = entries
//! internal (kind 2):  link_a = child 0; items = (separator entry | child u32 LE)
//! ```
//!
//! An internal node with separators `s1 < s2 < …` sends an entry `e` to the child after
//! the last separator `≤ e` (child 0 when there is none). A full node splits in two
//! halves; the right half's first entry goes up as the separator. Simplifications, each
//! acceptable here: a delete only removes the entry (leaves are never merged, an empty
//! leaf stays in the chain and separators stay valid routing keys); pages are never
//! freed (a rebuild writes a fresh, packed file). Every page goes through the pager, so
//! an index is exactly as crash-safe as the rows.

use std::ops::ControlFlow;

use super::header::{Header, HEADER_LEN};
use super::key::KeyKind;
use crate::error::{CorruptDataError, Location, Result};
use crate::storage::pager::FileId;
use crate::storage::txn::Io;

pub const LEAF: u8 = 1;
pub const INTERNAL: u8 = 2;
/// Bytes before a page's items.
pub const NODE_HEAD: usize = 11;

/// One index file, as the table opened it.
#[derive(Debug, Clone)]
pub struct Tree {
    pub file: FileId,
    pub kind: KeyKind,
    pub unique: bool,
}

/// A page read from the file, with what its head says.
pub(super) struct Node {
    pub(super) no: u32,
    pub(super) bytes: Vec<u8>,
}

/// Buffers of nodes read and dropped, for the next read to fill: a lookup or an insert
/// reads a node per level, and a fresh zeroed page each time (allocated, then zeroed,
/// then overwritten by the read) was a third of an index lookup's instructions.
/// Per thread, and a few pages at most.
const SPARE_PAGES: usize = 8;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A buffer of `size` bytes to read a page into: a spare one (its old bytes are all
/// overwritten by a full read, and a short read is refused before they are looked at),
/// or a new one.
fn spare_page(size: usize) -> Vec<u8> {
    let spare = SPARE.try_with(|s| s.borrow_mut().pop()).ok().flatten();
    match spare {
        Some(page) if page.len() == size => page,
        _ => vec![0u8; size],
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let page = std::mem::take(&mut self.bytes);
        let _ = SPARE.try_with(|s| {
            let mut spare = s.borrow_mut();
            if spare.len() < SPARE_PAGES {
                spare.push(page);
            }
        });
    }
}

impl Node {
    fn kind(&self) -> u8 {
        self.bytes[0]
    }
    pub(super) fn count(&self) -> usize {
        u16::from_le_bytes([self.bytes[1], self.bytes[2]]) as usize
    }
    pub(super) fn set_count(&mut self, n: usize) {
        self.bytes[1..3].copy_from_slice(&(n as u16).to_le_bytes());
    }
    fn link_a(&self) -> u32 {
        u32::from_le_bytes(self.bytes[3..7].try_into().unwrap_or_default())
    }
    fn link_b(&self) -> u32 {
        u32::from_le_bytes(self.bytes[7..11].try_into().unwrap_or_default())
    }
    fn set_link_a(&mut self, v: u32) {
        self.bytes[3..7].copy_from_slice(&v.to_le_bytes());
    }
    fn set_link_b(&mut self, v: u32) {
        self.bytes[7..11].copy_from_slice(&v.to_le_bytes());
    }
    pub(super) fn item(&self, i: usize, size: usize) -> &[u8] {
        &self.bytes[NODE_HEAD + i * size..NODE_HEAD + (i + 1) * size]
    }
}

/// Called by a scan with each entry, in order, until it says to stop.
pub type EntryVisitor<'v> = dyn FnMut(&mut Io, &[u8]) -> Result<ControlFlow<()>> + 'v;

/// Where a scan starts.
#[derive(Debug, Clone, Copy)]
pub enum From<'a> {
    /// The first (last, for a backward scan) entry.
    End,
    /// The first entry `>= bound` (backward: the last entry `<= bound`).
    Entry(&'a [u8]),
}

impl Tree {
    pub(super) fn entry_len(&self) -> usize {
        self.kind.entry_len()
    }

    fn corrupt(
        &self,
        io: &Io,
        page: u32,
        page_size: usize,
        detail: impl Into<String>,
    ) -> crate::error::Error {
        CorruptDataError {
            path: io.path(self.file).to_path_buf(),
            location: Location::Offset(u64::from(page) * page_size as u64),
            detail: detail.into(),
        }
        .into()
    }

    /// The header, if the file holds a valid one for this kind of key.
    pub fn header(&self, io: &mut Io) -> Result<Option<Header>> {
        let mut bytes = [0u8; HEADER_LEN];
        let n = io.read_at(self.file, &mut bytes, 0)?;
        Ok(Header::decode(&bytes[..n]).filter(|h| h.key_len as usize == self.kind.key_len()))
    }

    pub fn write_header(&self, io: &mut Io, header: &Header) -> Result<()> {
        let mut bytes = [0u8; HEADER_LEN];
        header.encode(&mut bytes);
        io.write_at(self.file, &bytes, 0)
    }

    pub(super) fn leaf_cap(&self, h: &Header) -> usize {
        (h.page_size as usize - NODE_HEAD) / self.entry_len()
    }

    fn internal_cap(&self, h: &Header) -> usize {
        (h.page_size as usize - NODE_HEAD) / (self.entry_len() + 4)
    }

    pub(super) fn read(&self, io: &Io, h: &Header, no: u32, want: u8) -> Result<Node> {
        let size = h.page_size as usize;
        if no == 0 || no >= h.pages {
            return Err(self.corrupt(io, no, size, format!("index page {no} is outside the tree")));
        }
        let mut bytes = spare_page(size);
        let n = io.read_at(self.file, &mut bytes, u64::from(no) * size as u64)?;
        let node = Node { no, bytes };
        let cap = if want == LEAF { self.leaf_cap(h) } else { self.internal_cap(h) };
        if n < size || node.kind() != want || node.count() > cap {
            let what = if want == LEAF { "leaf" } else { "internal node" };
            return Err(self.corrupt(io, no, size, format!("index page {no} is not a valid {what}")));
        }
        Ok(node)
    }

    pub(super) fn write(&self, io: &mut Io, h: &Header, node: &Node) -> Result<()> {
        io.write_at(self.file, &node.bytes, u64::from(node.no) * u64::from(h.page_size))
    }

    /// Writes the head of a node read from the file and its bytes `from..to`, the only
    /// ones changed: an entry added or removed in place moves the entries after it, not
    /// the page, so a commit journals and writes a part of the page instead of all of it.
    fn write_part(&self, io: &mut Io, h: &Header, node: &Node, from: usize, to: usize) -> Result<()> {
        let at = u64::from(node.no) * u64::from(h.page_size);
        io.write_at(self.file, &node.bytes[..NODE_HEAD], at)?;
        if from < to {
            io.write_at(self.file, &node.bytes[from..to], at + from as u64)?;
        }
        Ok(())
    }

    /// The child of an internal node an entry belongs under.
    fn child_for(&self, node: &Node, entry: &[u8]) -> (usize, u32) {
        let size = self.entry_len() + 4;
        let e = self.entry_len();
        // The number of separators <= entry.
        let (mut lo, mut hi) = (0, node.count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if &node.item(mid, size)[..e] <= entry {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let child = if lo == 0 {
            node.link_a()
        } else {
            u32::from_le_bytes(node.item(lo - 1, size)[e..].try_into().unwrap_or_default())
        };
        (lo, child)
    }

    /// Descends to the leaf `entry` belongs in; returns the internal nodes passed (with
    /// the position taken in each) and the leaf.
    pub(super) fn descend(&self, io: &Io, h: &Header, entry: &[u8]) -> Result<(Vec<(Node, usize)>, Node)> {
        let mut path = Vec::with_capacity(h.height as usize);
        let mut no = h.root;
        for _ in 1..h.height {
            let node = self.read(io, h, no, INTERNAL)?;
            let (at, child) = self.child_for(&node, entry);
            path.push((node, at));
            no = child;
        }
        Ok((path, self.read(io, h, no, LEAF)?))
    }

    /// The position of the first entry `>= entry` in a leaf, and whether it is equal.
    fn position(&self, leaf: &Node, entry: &[u8]) -> (usize, bool) {
        let e = self.entry_len();
        let (mut lo, mut hi) = (0, leaf.count());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if leaf.item(mid, e) < entry {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo, lo < leaf.count() && leaf.item(lo, e) == entry)
    }

    /// Adds an entry (no-op if present). Splits full nodes on the way back up.
    pub fn insert(&self, io: &mut Io, h: &mut Header, entry: &[u8]) -> Result<()> {
        let (mut path, mut leaf) = self.descend(io, h, entry)?;
        let (at, present) = self.position(&leaf, entry);
        if present {
            return Ok(());
        }
        let e = self.entry_len();
        h.entries += 1;
        let mut promote = match self.insert_item(h, &mut leaf, at, entry, e, self.leaf_cap(h)) {
            None => {
                self.write_part(io, h, &leaf, NODE_HEAD + at * e, NODE_HEAD + leaf.count() * e)?;
                return Ok(());
            }
            Some(right) => self.split_leaf(io, h, leaf, right)?,
        };
        while let Some((mut parent, at)) = path.pop() {
            let mut item = promote.0.clone();
            item.extend_from_slice(&promote.1.to_le_bytes());
            match self.insert_item(h, &mut parent, at, &item, e + 4, self.internal_cap(h)) {
                None => {
                    let size = e + 4;
                    self.write_part(
                        io,
                        h,
                        &parent,
                        NODE_HEAD + at * size,
                        NODE_HEAD + parent.count() * size,
                    )?;
                    return Ok(());
                }
                Some(right_items) => promote = self.split_internal(io, h, parent, right_items, e)?,
            }
        }
        // The root split: a new root above the two halves.
        let mut root = Node { no: h.pages, bytes: vec![0u8; h.page_size as usize] };
        h.pages += 1;
        root.bytes[0] = INTERNAL;
        root.set_link_a(h.root);
        root.set_count(1);
        root.bytes[NODE_HEAD..NODE_HEAD + e].copy_from_slice(&promote.0);
        root.bytes[NODE_HEAD + e..NODE_HEAD + e + 4].copy_from_slice(&promote.1.to_le_bytes());
        self.write(io, h, &root)?;
        h.root = root.no;
        h.height += 1;
        Ok(())
    }

    /// Puts `item` at position `at`. When the node is full, it keeps the lower half and
    /// the items of the upper half are returned instead.
    fn insert_item(
        &self,
        _h: &Header,
        node: &mut Node,
        at: usize,
        item: &[u8],
        size: usize,
        cap: usize,
    ) -> Option<Vec<u8>> {
        let count = node.count();
        let start = NODE_HEAD + at * size;
        let end = NODE_HEAD + count * size;
        if count < cap {
            node.bytes.copy_within(start..end, start + size);
            node.bytes[start..start + size].copy_from_slice(item);
            node.set_count(count + 1);
            return None;
        }
        let mut all = Vec::with_capacity((count + 1) * size);
        all.extend_from_slice(&node.bytes[NODE_HEAD..start]);
        all.extend_from_slice(item);
        all.extend_from_slice(&node.bytes[start..end]);
        let keep = count.div_ceil(2);
        node.bytes[NODE_HEAD..].fill(0);
        node.bytes[NODE_HEAD..NODE_HEAD + keep * size].copy_from_slice(&all[..keep * size]);
        node.set_count(keep);
        Some(all.split_off(keep * size))
    }

    /// Writes a split leaf's halves; returns the separator and the new page.
    fn split_leaf(
        &self,
        io: &mut Io,
        h: &mut Header,
        mut left: Node,
        items: Vec<u8>,
    ) -> Result<(Vec<u8>, u32)> {
        let e = self.entry_len();
        let mut right = Node { no: h.pages, bytes: vec![0u8; h.page_size as usize] };
        h.pages += 1;
        right.bytes[0] = LEAF;
        right.set_count(items.len() / e);
        right.bytes[NODE_HEAD..NODE_HEAD + items.len()].copy_from_slice(&items);
        let next = left.link_a();
        right.set_link_a(next);
        right.set_link_b(left.no);
        left.set_link_a(right.no);
        if next != 0 {
            let mut after = self.read(io, h, next, LEAF)?;
            after.set_link_b(right.no);
            self.write(io, h, &after)?;
        }
        self.write(io, h, &left)?;
        self.write(io, h, &right)?;
        Ok((items[..e].to_vec(), right.no))
    }

    /// Writes a split internal node's halves: the first of the upper items goes up.
    fn split_internal(
        &self,
        io: &mut Io,
        h: &mut Header,
        left: Node,
        items: Vec<u8>,
        e: usize,
    ) -> Result<(Vec<u8>, u32)> {
        let size = e + 4;
        let separator = items[..e].to_vec();
        let child0 = u32::from_le_bytes(items[e..size].try_into().unwrap_or_default());
        let rest = &items[size..];
        let mut right = Node { no: h.pages, bytes: vec![0u8; h.page_size as usize] };
        h.pages += 1;
        right.bytes[0] = INTERNAL;
        right.set_link_a(child0);
        right.set_count(rest.len() / size);
        right.bytes[NODE_HEAD..NODE_HEAD + rest.len()].copy_from_slice(rest);
        self.write(io, h, &left)?;
        self.write(io, h, &right)?;
        Ok((separator, right.no))
    }

    /// Removes an entry; false when it was not there.
    pub fn remove(&self, io: &mut Io, h: &mut Header, entry: &[u8]) -> Result<bool> {
        let (_, mut leaf) = self.descend(io, h, entry)?;
        let (at, present) = self.position(&leaf, entry);
        if !present {
            return Ok(false);
        }
        let e = self.entry_len();
        let count = leaf.count();
        let start = NODE_HEAD + at * e;
        leaf.bytes.copy_within(start + e..NODE_HEAD + count * e, start);
        let last = NODE_HEAD + (count - 1) * e;
        leaf.bytes[last..last + e].fill(0);
        leaf.set_count(count - 1);
        self.write_part(io, h, &leaf, start, last + e)?;
        h.entries = h.entries.saturating_sub(1);
        Ok(true)
    }

    /// Visits entries in order from `from` (backward when `reverse`), until `visit` says
    /// to stop. A page at a time: memory stays at one page.
    pub fn scan(
        &self,
        io: &mut Io,
        h: &Header,
        from: From,
        reverse: bool,
        visit: &mut EntryVisitor,
    ) -> Result<()> {
        let e = self.entry_len();
        let (mut leaf, mut at) = match from {
            From::Entry(bound) => {
                let (_, leaf) = self.descend(io, h, bound)?;
                let (at, equal) = self.position(&leaf, bound);
                // Backward from `bound`: the last entry <= bound.
                let at = if reverse {
                    if equal {
                        at as isize
                    } else {
                        at as isize - 1
                    }
                } else {
                    at as isize
                };
                (leaf, at)
            }
            From::End => {
                let mut no = h.root;
                for _ in 1..h.height {
                    let node = self.read(io, h, no, INTERNAL)?;
                    no = if reverse {
                        let size = e + 4;
                        match node.count() {
                            0 => node.link_a(),
                            n => {
                                u32::from_le_bytes(node.item(n - 1, size)[e..].try_into().unwrap_or_default())
                            }
                        }
                    } else {
                        node.link_a()
                    };
                }
                let leaf = self.read(io, h, no, LEAF)?;
                let at = if reverse { leaf.count() as isize - 1 } else { 0 };
                (leaf, at)
            }
        };
        let mut pages_seen = 0u64;
        loop {
            while at >= 0 && (at as usize) < leaf.count() {
                if visit(io, leaf.item(at as usize, e))?.is_break() {
                    return Ok(());
                }
                at += if reverse { -1 } else { 1 };
            }
            let next = if reverse { leaf.link_b() } else { leaf.link_a() };
            pages_seen += 1;
            if next == 0 {
                return Ok(());
            }
            if pages_seen > u64::from(h.pages) {
                return Err(self.corrupt(io, leaf.no, h.page_size as usize, "the leaf chain loops"));
            }
            leaf = self.read(io, h, next, LEAF)?;
            at = if reverse { leaf.count() as isize - 1 } else { 0 };
        }
    }

    /// How many entries hold the key of `start`, an entry with that key and slot 0 (it
    /// sorts before them all).
    pub fn count_key(&self, io: &mut Io, h: &Header, start: &[u8]) -> Result<u64> {
        let key = &start[..self.kind.key_len()];
        self.count(io, h, start, &|entry| &entry[..key.len()] != key)
    }

    /// How many entries are `>= start` and before the first one `past` says is beyond
    /// the range (`past` must hold of every entry after one it holds of, as for a range's
    /// upper bound). A leaf whose last entry is within the range is counted whole, without
    /// visiting its entries: a count of a range is a few leaves, not a call per entry.
    pub fn count(&self, io: &mut Io, h: &Header, start: &[u8], past: &dyn Fn(&[u8]) -> bool) -> Result<u64> {
        let e = self.entry_len();
        let (_, mut leaf) = self.descend(io, h, start)?;
        let (mut at, _) = self.position(&leaf, start);
        let mut n = 0u64;
        let mut pages_seen = 0u64;
        loop {
            let count = leaf.count();
            if at < count {
                if !past(leaf.item(count - 1, e)) {
                    n += (count - at) as u64;
                } else {
                    // The first entry past the range is in this leaf: galloping from `at`
                    // (most counts are of a few entries, a parent's children), then
                    // bisecting between the last two probes.
                    let (mut lo, mut step) = (at, 1);
                    let mut hi = loop {
                        let probe = lo + step - 1;
                        if probe >= count - 1 || past(leaf.item(probe, e)) {
                            break probe.min(count - 1);
                        }
                        lo = probe + 1;
                        step *= 2;
                    };
                    while lo < hi {
                        let mid = (lo + hi) / 2;
                        if past(leaf.item(mid, e)) {
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                    return Ok(n + (lo - at) as u64);
                }
            }
            let next = leaf.link_a();
            pages_seen += 1;
            if next == 0 {
                return Ok(n);
            }
            if pages_seen > u64::from(h.pages) {
                return Err(self.corrupt(io, leaf.no, h.page_size as usize, "the leaf chain loops"));
            }
            leaf = self.read(io, h, next, LEAF)?;
            at = 0;
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::index::key::{entry, KeyKind};
    use crate::storage::pager::{Pager, SyncMode};
    use crate::storage::txn::Txn;
    use crate::storage::vfs::OsVfs;

    /// Runs `f` on a fresh tree of INT keys in 256-byte pages (13 entries a leaf).
    fn with_tree(f: impl FnOnce(&mut Io, &Tree, &mut Header)) {
        let dir = tempfile::tempdir().unwrap();
        let mut pager = Pager::open(dir.path(), Arc::new(OsVfs), SyncMode::Off, 1 << 20, false).unwrap();
        let file = pager.add_file("t__n.idx.dat").unwrap();
        let tree = Tree { file, kind: KeyKind::Int, unique: false };
        let mut txn = Txn::default();
        let mut io = Io::writer(&pager, &mut txn);
        let mut header = tree.build(&mut io, 256, &mut std::iter::empty()).unwrap();
        f(&mut io, &tree, &mut header);
    }

    /// An INT key's entry (for this module's tests and `merge`'s).
    pub(in crate::index) fn e(key: i64, slot: i64) -> Vec<u8> {
        entry(&KeyKind::Int.encode(&key.into()).unwrap(), slot as u64)
    }

    /// Every entry of the tree, in order or in reverse.
    pub(in crate::index) fn all(io: &mut Io, tree: &Tree, h: &Header, reverse: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        tree.scan(io, h, From::End, reverse, &mut |_, entry| {
            out.push(entry.to_vec());
            Ok(ControlFlow::Continue(()))
        })
        .unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn inserts_and_removes_keep_the_entries_sorted_both_ways(
            ops in proptest::collection::vec((any::<bool>(), -50i64..50, 1i64..40), 1..400),
            bounds in proptest::collection::vec((-60i64..60, 0i64..45), 1..6),
        ) {
            with_tree(|io, tree, h| {
                let mut model = BTreeSet::new();
                for (add, key, id) in ops {
                    let item = e(key, id);
                    if add {
                        tree.insert(io, h, &item).unwrap();
                        model.insert(item);
                    } else {
                        assert_eq!(tree.remove(io, h, &item).unwrap(), model.remove(&item));
                    }
                }
                let forward: Vec<Vec<u8>> = model.iter().cloned().collect();
                assert_eq!(all(io, tree, h, false), forward);
                assert_eq!(all(io, tree, h, true), forward.iter().rev().cloned().collect::<Vec<_>>());
                assert_eq!(h.entries, model.len() as u64);
                for (key, id) in bounds {
                    let bound = e(key, id);
                    let mut got = Vec::new();
                    tree.scan(io, h, From::Entry(&bound), false, &mut |_, x| { got.push(x.to_vec()); Ok(ControlFlow::Continue(())) }).unwrap();
                    assert_eq!(got, model.range(bound.clone()..).cloned().collect::<Vec<_>>());
                    let mut back = Vec::new();
                    tree.scan(io, h, From::Entry(&bound), true, &mut |_, x| { back.push(x.to_vec()); Ok(ControlFlow::Continue(())) }).unwrap();
                    assert_eq!(back, model.range(..=bound.clone()).rev().cloned().collect::<Vec<_>>());
                    // Counted up to a key (excluded), as a range's upper bound is.
                    for high in [key - 5, key, key + 3, key + 40] {
                        let past = |x: &[u8]| x >= e(high, 0).as_slice();
                        let expected = model.range(bound.clone()..).take_while(|x| !past(x)).count() as u64;
                        assert_eq!(tree.count(io, h, &bound, &past).unwrap(), expected);
                    }
                    assert_eq!(tree.count(io, h, &bound, &|_| false).unwrap(), model.range(bound.clone()..).count() as u64);
                }
            });
        }

        #[test]
        fn a_built_tree_reads_back_and_takes_more_entries(
            keys in proptest::collection::btree_set((-1000i64..1000, 1i64..5), 0..600),
            extra in proptest::collection::vec((-1000i64..1000, 5i64..9), 0..100),
        ) {
            with_tree(|io, tree, h| {
                let mut model: BTreeSet<Vec<u8>> = keys.iter().map(|&(k, id)| e(k, id)).collect();
                let sorted: Vec<Vec<u8>> = model.iter().cloned().collect();
                *h = tree.build(io, 256, &mut sorted.iter().map(Vec::as_slice)).unwrap();
                assert_eq!(all(io, tree, h, false), sorted);
                for (k, id) in extra {
                    tree.insert(io, h, &e(k, id)).unwrap();
                    model.insert(e(k, id));
                }
                assert_eq!(all(io, tree, h, false), model.iter().cloned().collect::<Vec<_>>());
                assert_eq!(all(io, tree, h, true), model.iter().rev().cloned().collect::<Vec<_>>());
            });
        }
    }

    #[test]
    fn a_page_that_is_not_a_node_is_corrupt_data() {
        with_tree(|io, tree, h| {
            for i in 0..40 {
                tree.insert(io, h, &e(i, 1)).unwrap();
            }
            assert!(h.height > 1);
            io.write_at(tree.file, &[9u8; 4], u64::from(h.root) * 256).unwrap();
            let err = tree.insert(io, h, &e(99, 1)).unwrap_err();
            assert!(err.to_string().contains("is not a valid internal node"), "{err}");
        });
    }
}
