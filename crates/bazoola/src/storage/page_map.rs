//! A map from page numbers (or files) to what a transaction holds for each, in order.
//!
//! A point write's transaction holds a handful of files, and a handful of pages per
//! file (a row's, an index node's five or six), in three maps per file (pages,
//! originals, pages journaled).
//! As `BTreeMap`s, making, searching and dropping them cost about a seventh of an
//! insert's instructions: each first insert allocates a node, and each drop walks and
//! frees it. A sorted vector does the same work with a binary search and one
//! allocation. A big transaction holds thousands of pages, where inserting into the
//! middle of a vector moves all the entries after it; past [`FEW_MAX`] entries the map
//! turns into a `BTreeMap`, so a bulk rewrite costs what it did.

use std::collections::{btree_map, BTreeMap};

/// The most entries kept in a sorted vector.
const FEW_MAX: usize = 64;
/// The room a vector gets on its first insert: a point write's pages of one file.
const FEW_FIRST: usize = 8;

/// Keyed by page number, or by anything small and ordered (a transaction's files).
pub(super) enum PageMap<V, K = u64> {
    Few(Vec<(K, V)>),
    Many(BTreeMap<K, V>),
}

impl<V, K> Default for PageMap<V, K> {
    fn default() -> Self {
        PageMap::Few(Vec::new())
    }
}

fn find<K: Ord + Copy, V>(few: &[(K, V)], page: K) -> Result<usize, usize> {
    few.binary_search_by_key(&page, |&(p, _)| p)
}

/// Inserts at position `i` of the vector, with room for a point write's pages at once.
fn put<K, V>(few: &mut Vec<(K, V)>, i: usize, key: K, value: V) {
    if few.capacity() == 0 {
        few.reserve_exact(FEW_FIRST);
    }
    few.insert(i, (key, value));
}

impl<V, K: Ord + Copy> PageMap<V, K> {
    pub fn len(&self) -> usize {
        match self {
            PageMap::Few(few) => few.len(),
            PageMap::Many(many) => many.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, page: K) -> Option<&V> {
        match self {
            PageMap::Few(few) => find(few, page).ok().map(|i| &few[i].1),
            PageMap::Many(many) => many.get(&page),
        }
    }

    pub fn get_mut(&mut self, page: K) -> Option<&mut V> {
        match self {
            PageMap::Few(few) => find(few, page).ok().map(|i| &mut few[i].1),
            PageMap::Many(many) => many.get_mut(&page),
        }
    }

    pub fn contains(&self, page: K) -> bool {
        self.get(page).is_some()
    }

    /// Puts `value` at `page`, replacing what was there.
    pub fn insert(&mut self, page: K, value: V) {
        self.grow_if_full(page);
        match self {
            PageMap::Few(few) => match find(few, page) {
                Ok(i) => few[i].1 = value,
                Err(i) => put(few, i, page, value),
            },
            PageMap::Many(many) => {
                many.insert(page, value);
            }
        }
    }

    /// Turns a full vector into a `BTreeMap` when `key` would be one entry more.
    fn grow_if_full(&mut self, key: K) {
        if let PageMap::Few(few) = self {
            if few.len() >= FEW_MAX && find(few, key).is_err() {
                *self = PageMap::Many(std::mem::take(few).into_iter().collect());
            }
        }
    }

    /// The entries of pages `from..to`, in page order.
    pub fn range(&self, from: K, to: K) -> Iter<'_, V, K> {
        match self {
            PageMap::Few(few) => {
                let lo = find(few, from).unwrap_or_else(|i| i);
                let hi = find(few, to).unwrap_or_else(|i| i).max(lo);
                Iter::Few(few[lo..hi].iter())
            }
            PageMap::Many(many) if from < to => Iter::Many(many.range(from..to)),
            PageMap::Many(_) => Iter::Few([].iter()),
        }
    }

    /// All entries, in page order.
    pub fn iter(&self) -> Iter<'_, V, K> {
        match self {
            PageMap::Few(few) => Iter::Few(few.iter()),
            PageMap::Many(many) => Iter::Many(many.range(..)),
        }
    }

    /// All values, in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.iter().map(|(_, value)| value)
    }

    /// All entries, in key order, with their values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_, V, K> {
        match self {
            PageMap::Few(few) => IterMut::Few(few.iter_mut()),
            PageMap::Many(many) => IterMut::Many(many.iter_mut()),
        }
    }

    /// The value at `key`, made by `make` first if there is none (and nothing inserted
    /// if making it fails).
    pub fn get_or_try_insert_with<E>(
        &mut self,
        key: K,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<&mut V, E> {
        self.grow_if_full(key);
        match self {
            PageMap::Few(few) => {
                let i = match find(few, key) {
                    Ok(i) => i,
                    Err(i) => {
                        put(few, i, key, make()?);
                        i
                    }
                };
                Ok(&mut few[i].1)
            }
            PageMap::Many(many) => match many.entry(key) {
                btree_map::Entry::Occupied(held) => Ok(held.into_mut()),
                btree_map::Entry::Vacant(new) => Ok(new.insert(make()?)),
            },
        }
    }

    /// Drops the entries of pages `page` and after.
    pub fn truncate_from(&mut self, page: K) {
        match self {
            PageMap::Few(few) => {
                let at = find(few, page).unwrap_or_else(|i| i);
                few.truncate(at);
            }
            PageMap::Many(many) => {
                many.split_off(&page);
            }
        }
    }

    /// Takes every value out, in page order, leaving the map empty.
    pub fn drain_values(&mut self) -> IntoValues<V, K> {
        match std::mem::take(self) {
            PageMap::Few(few) => IntoValues::Few(few.into_iter()),
            PageMap::Many(many) => IntoValues::Many(many.into_values()),
        }
    }
}

/// The entries of a [`PageMap`], as (key, value to change).
pub(super) enum IterMut<'a, V, K = u64> {
    Few(std::slice::IterMut<'a, (K, V)>),
    Many(btree_map::IterMut<'a, K, V>),
}

impl<'a, V, K: Copy> Iterator for IterMut<'a, V, K> {
    type Item = (K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            IterMut::Few(few) => few.next().map(|(key, value)| (*key, value)),
            IterMut::Many(many) => many.next().map(|(&key, value)| (key, value)),
        }
    }
}

/// The values taken out of a [`PageMap`], in page order.
pub(super) enum IntoValues<V, K = u64> {
    Few(std::vec::IntoIter<(K, V)>),
    Many(btree_map::IntoValues<K, V>),
}

impl<V, K> Iterator for IntoValues<V, K> {
    type Item = V;

    fn next(&mut self) -> Option<V> {
        match self {
            IntoValues::Few(few) => few.next().map(|(_, value)| value),
            IntoValues::Many(many) => many.next(),
        }
    }
}

/// The entries of a [`PageMap`], as (page, value).
pub(super) enum Iter<'a, V, K = u64> {
    Few(std::slice::Iter<'a, (K, V)>),
    Many(btree_map::Range<'a, K, V>),
}

impl<'a, V, K: Copy> Iterator for Iter<'a, V, K> {
    type Item = (K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Few(few) => few.next().map(|(page, value)| (*page, value)),
            Iter::Many(many) => many.next().map(|(&page, value)| (page, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64, u32),
        GetOrInsert(u64, u32),
        FailedInsert(u64),
        AddOneToAll,
        TruncateFrom(u64),
        Drain,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0..200u64, any::<u32>()).prop_map(|(p, v)| Op::Insert(p, v)),
            4 => (0..200u64, any::<u32>()).prop_map(|(p, v)| Op::GetOrInsert(p, v)),
            1 => (0..200u64).prop_map(Op::FailedInsert),
            1 => Just(Op::AddOneToAll),
            1 => (0..200u64).prop_map(Op::TruncateFrom),
            1 => Just(Op::Drain),
        ]
    }

    proptest! {
        /// Small and large (past `FEW_MAX`), the map answers as a `BTreeMap` does.
        #[test]
        fn a_page_map_behaves_as_a_btree_map(ops in proptest::collection::vec(op(), 1..400)) {
            let mut map = PageMap::default();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(page, value) => {
                        map.insert(page, value);
                        model.insert(page, value);
                    }
                    Op::GetOrInsert(page, value) => {
                        let got = *map.get_or_try_insert_with(page, || Ok::<_, ()>(value)).unwrap();
                        prop_assert_eq!(got, *model.entry(page).or_insert(value));
                    }
                    Op::FailedInsert(page) => {
                        let outcome = map.get_or_try_insert_with(page, || Err(())).map(|v| *v);
                        prop_assert_eq!(outcome.ok(), model.get(&page).copied());
                    }
                    Op::AddOneToAll => {
                        for (_, value) in map.iter_mut() {
                            *value = value.wrapping_add(1);
                        }
                        for value in model.values_mut() {
                            *value = value.wrapping_add(1);
                        }
                    }
                    Op::TruncateFrom(page) => {
                        map.truncate_from(page);
                        model.split_off(&page);
                    }
                    Op::Drain => {
                        let drained: Vec<u32> = map.drain_values().collect();
                        let expected: Vec<u32> = std::mem::take(&mut model).into_values().collect();
                        prop_assert_eq!(drained, expected);
                    }
                }
                prop_assert_eq!(map.len(), model.len());
                let all: Vec<(u64, u32)> = map.iter().map(|(p, v)| (p, *v)).collect();
                let expected: Vec<(u64, u32)> = model.iter().map(|(p, v)| (*p, *v)).collect();
                prop_assert_eq!(all, expected);
                for (from, to) in [(0, 50), (37, 38), (60, 200), (120, 100)] {
                    let got: Vec<u64> = map.range(from, to).map(|(p, _)| p).collect();
                    let expected: Vec<u64> =
                        if from < to { model.range(from..to).map(|(p, _)| *p).collect() } else { Vec::new() };
                    prop_assert_eq!(got, expected);
                }
                for page in [0, 5, 64, 199] {
                    prop_assert_eq!(map.get(page), model.get(&page));
                    prop_assert_eq!(map.contains(page), model.contains_key(&page));
                }
            }
        }
    }
}
