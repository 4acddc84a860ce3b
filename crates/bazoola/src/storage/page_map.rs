//! A map from page numbers to what a transaction holds for each, ordered by page.
//!
//! A point write's transaction holds a handful of pages per file (a row's, an index
//! node's five or six), in three maps per file (pages, originals, pages journaled).
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

pub(super) enum PageMap<V> {
    Few(Vec<(u64, V)>),
    Many(BTreeMap<u64, V>),
}

impl<V> Default for PageMap<V> {
    fn default() -> Self {
        PageMap::Few(Vec::new())
    }
}

fn find<V>(few: &[(u64, V)], page: u64) -> Result<usize, usize> {
    few.binary_search_by_key(&page, |&(p, _)| p)
}

impl<V> PageMap<V> {
    pub fn len(&self) -> usize {
        match self {
            PageMap::Few(few) => few.len(),
            PageMap::Many(many) => many.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, page: u64) -> Option<&V> {
        match self {
            PageMap::Few(few) => find(few, page).ok().map(|i| &few[i].1),
            PageMap::Many(many) => many.get(&page),
        }
    }

    pub fn get_mut(&mut self, page: u64) -> Option<&mut V> {
        match self {
            PageMap::Few(few) => find(few, page).ok().map(|i| &mut few[i].1),
            PageMap::Many(many) => many.get_mut(&page),
        }
    }

    pub fn contains(&self, page: u64) -> bool {
        self.get(page).is_some()
    }

    /// Puts `value` at `page`, replacing what was there.
    pub fn insert(&mut self, page: u64, value: V) {
        match self {
            PageMap::Few(few) => match find(few, page) {
                Ok(i) => few[i].1 = value,
                Err(_) if few.len() >= FEW_MAX => {
                    let mut many: BTreeMap<u64, V> = std::mem::take(few).into_iter().collect();
                    many.insert(page, value);
                    *self = PageMap::Many(many);
                }
                Err(i) => {
                    if few.capacity() == 0 {
                        few.reserve_exact(FEW_FIRST);
                    }
                    few.insert(i, (page, value));
                }
            },
            PageMap::Many(many) => {
                many.insert(page, value);
            }
        }
    }

    /// The entries of pages `from..to`, in page order.
    pub fn range(&self, from: u64, to: u64) -> Iter<'_, V> {
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
    pub fn iter(&self) -> Iter<'_, V> {
        match self {
            PageMap::Few(few) => Iter::Few(few.iter()),
            PageMap::Many(many) => Iter::Many(many.range(..)),
        }
    }

    /// Drops the entries of pages `page` and after.
    pub fn truncate_from(&mut self, page: u64) {
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
    pub fn drain_values(&mut self) -> IntoValues<V> {
        match std::mem::take(self) {
            PageMap::Few(few) => IntoValues::Few(few.into_iter()),
            PageMap::Many(many) => IntoValues::Many(many.into_values()),
        }
    }
}

/// The values taken out of a [`PageMap`], in page order.
pub(super) enum IntoValues<V> {
    Few(std::vec::IntoIter<(u64, V)>),
    Many(btree_map::IntoValues<u64, V>),
}

impl<V> Iterator for IntoValues<V> {
    type Item = V;

    fn next(&mut self) -> Option<V> {
        match self {
            IntoValues::Few(few) => few.next().map(|(_, value)| value),
            IntoValues::Many(many) => many.next(),
        }
    }
}

/// The entries of a [`PageMap`], as (page, value).
pub(super) enum Iter<'a, V> {
    Few(std::slice::Iter<'a, (u64, V)>),
    Many(btree_map::Range<'a, u64, V>),
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (u64, &'a V);

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
        TruncateFrom(u64),
        Drain,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (0..200u64, any::<u32>()).prop_map(|(p, v)| Op::Insert(p, v)),
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
