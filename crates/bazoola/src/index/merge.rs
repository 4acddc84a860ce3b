//! Adding many entries to a tree at once: how deferred index upkeep (a bulk import, see
//! `db::deferred`) catches an index up with the rows written meanwhile.
//!
//! One [`Tree::insert`] per entry reads the path to a leaf and writes the leaf back for
//! every entry; with random keys (an FK of a large import) every one of those is a
//! different leaf, so the work is four pages of copying per row. Sorted first, the
//! entries that fall in one leaf arrive together: the leaf is read and written once for
//! all of them. A leaf that fills up splits through [`Tree::insert`] (one entry at a
//! time, the rare case), and the merge goes on from the tree as it now is. The result
//! holds the same entries as inserting them one by one would, in a tree of the same
//! format; only which page holds what can differ.

use super::btree::{Tree, NODE_HEAD};
use super::header::Header;
use crate::error::Result;
use crate::storage::txn::Io;

impl Tree {
    /// Adds `entries` — concatenated, [`KeyKind::entry_len`](super::KeyKind::entry_len)
    /// bytes each, sorted and distinct — skipping those already present. Each leaf they
    /// land in is read and written once (plus once per split).
    pub fn insert_sorted(&self, io: &mut Io, h: &mut Header, entries: &[u8]) -> Result<()> {
        let e = self.entry_len();
        let cap = self.leaf_cap(h);
        let mut rest = entries;
        let mut merged: Vec<u8> = Vec::with_capacity(cap * e);
        while rest.len() >= e {
            let (path, mut leaf) = self.descend(io, h, &rest[..e])?;
            // The entries routed to this leaf: those below the nearest separator to the
            // right of the path taken (every entry, at the right edge of the tree).
            let bound = path
                .iter()
                .rev()
                .find(|(node, at)| *at < node.count())
                .map(|(node, at)| &node.item(*at, e + 4)[..e]);
            // At least the first, which the descent led here (separators out of order
            // would otherwise stop the merge from moving on).
            let mine = match bound {
                Some(bound) => below(rest, e, bound),
                None => rest.len() / e,
            }
            .max(1);
            let count = leaf.count();
            merged.clear();
            let (mut i, mut j, mut added) = (0, 0, 0);
            while j < mine {
                let new = &rest[j * e..(j + 1) * e];
                if i < count && leaf.item(i, e) <= new {
                    if leaf.item(i, e) == new {
                        j += 1;
                    }
                    merged.extend_from_slice(leaf.item(i, e));
                    i += 1;
                    continue;
                }
                if count + added == cap {
                    break;
                }
                merged.extend_from_slice(new);
                added += 1;
                j += 1;
            }
            if added > 0 {
                merged.extend_from_slice(&leaf.bytes[NODE_HEAD + i * e..NODE_HEAD + count * e]);
                leaf.bytes[NODE_HEAD..NODE_HEAD + merged.len()].copy_from_slice(&merged);
                leaf.set_count(count + added);
                self.write(io, h, &leaf)?;
                h.entries += added as u64;
            }
            rest = &rest[j * e..];
            if j < mine {
                // The leaf is full: this entry splits it (or is there already).
                self.insert(io, h, &rest[..e])?;
                rest = &rest[e..];
            }
        }
        Ok(())
    }
}

/// How many of the first entries of `entries` (sorted, `e` bytes each) sort below `bound`.
fn below(entries: &[u8], e: usize, bound: &[u8]) -> usize {
    let (mut lo, mut hi) = (0, entries.len() / e);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if &entries[mid * e..(mid + 1) * e] < bound {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// `entries` (concatenated, `e` bytes each, in any order) sorted, without repeats.
pub fn sorted(entries: &[u8], e: usize) -> Vec<u8> {
    let n = entries.len() / e;
    let at = |i: u32| &entries[i as usize * e..(i as usize + 1) * e];
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| at(a).cmp(at(b)));
    order.dedup_by(|a, b| at(*a) == at(*b));
    let mut out = Vec::with_capacity(order.len() * e);
    for i in order {
        out.extend_from_slice(at(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::index::btree::tests::{all, e};
    use crate::index::key::KeyKind;
    use crate::storage::pager::{Pager, SyncMode};
    use crate::storage::txn::Txn;
    use crate::storage::vfs::OsVfs;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A tree built from some entries, then given batches of others (repeats and
        /// entries already in included), holds the union, readable both ways, and agrees
        /// with one `insert` per entry on everything but page placement.
        #[test]
        fn sorted_batches_add_what_single_inserts_add(
            first in proptest::collection::btree_set((-300i64..300, 1i64..4), 0..300),
            batches in proptest::collection::vec(
                proptest::collection::vec((-300i64..300, 1i64..6), 0..400), 1..4),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut pager = Pager::open(dir.path(), Arc::new(OsVfs), SyncMode::Off, 1 << 20, false).unwrap();
            let bulk_file = pager.add_file("t__bulk.idx.dat").unwrap();
            let single_file = pager.add_file("t__single.idx.dat").unwrap();
            let bulk = Tree { file: bulk_file, kind: KeyKind::Int, unique: false };
            let single = Tree { file: single_file, kind: KeyKind::Int, unique: false };
            let mut txn = Txn::default();
            let mut io = Io::writer(&pager, &mut txn);
            let mut model: BTreeSet<Vec<u8>> = first.iter().map(|&(k, s)| e(k, s)).collect();
            let start: Vec<Vec<u8>> = model.iter().cloned().collect();
            let mut hb = bulk.build(&mut io, 256, &mut start.iter().map(Vec::as_slice)).unwrap();
            let mut hs = single.build(&mut io, 256, &mut start.iter().map(Vec::as_slice)).unwrap();
            for batch in batches {
                let raw: Vec<u8> = batch.iter().flat_map(|&(k, s)| e(k, s)).collect();
                bulk.insert_sorted(&mut io, &mut hb, &sorted(&raw, 17)).unwrap();
                for &(k, s) in &batch {
                    single.insert(&mut io, &mut hs, &e(k, s)).unwrap();
                    model.insert(e(k, s));
                }
            }
            let want: Vec<Vec<u8>> = model.iter().cloned().collect();
            prop_assert_eq!(all(&mut io, &bulk, &hb, false), want.clone());
            prop_assert_eq!(all(&mut io, &single, &hs, false), want.clone());
            prop_assert_eq!(hb.entries, want.len() as u64);
            prop_assert_eq!(all(&mut io, &bulk, &hb, true), want.iter().rev().cloned().collect::<Vec<_>>());
        }
    }

    #[test]
    fn sorted_orders_and_drops_repeats() {
        let raw: Vec<u8> = [e(3, 1), e(-1, 2), e(3, 1), e(0, 9)].concat();
        assert_eq!(sorted(&raw, 17), [e(-1, 2), e(0, 9), e(3, 1)].concat());
        assert!(sorted(&[], 17).is_empty());
    }
}
