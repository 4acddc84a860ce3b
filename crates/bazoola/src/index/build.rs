//! Writing a whole tree at once from sorted entries: how a new index is built and a
//! stale one rebuilt. Leaves are filled nine-tenths full, left to right, then each level
//! of internal nodes above them, until one node is left: the root. The file is written
//! front to back, a page at a time (the transaction spills to disk as it grows), and
//! only the first entry of each page is kept in memory for the level above.

use super::btree::{Tree, INTERNAL, LEAF, NODE_HEAD};
use super::header::Header;
use crate::error::Result;
use crate::storage::txn::Io;
use crate::storage::vfs::Stamp;

impl Tree {
    /// Replaces the file's content with a tree of `entries` (sorted, distinct) and
    /// returns its header (not yet written: the caller writes it).
    pub fn build(
        &self,
        io: &mut Io,
        page_size: u32,
        entries: &mut dyn Iterator<Item = &[u8]>,
    ) -> Result<Header> {
        let e = self.kind.entry_len();
        let size = page_size as usize;
        let leaf_cap = (size - NODE_HEAD) / e;
        let per_leaf = (leaf_cap - leaf_cap / 10).max(1);
        let mut header = Header {
            page_size,
            key_len: self.kind.key_len() as u32,
            root: 1,
            pages: 1,
            height: 1,
            entries: 0,
            unique: self.unique,
            stamp: Stamp::default(),
        };
        // Leaves, at pages 1, 2, …: each links to the next page, and the last one's link
        // is cleared at the end.
        let mut level: Vec<(Vec<u8>, u32)> = Vec::new();
        let mut page = vec![0u8; size];
        let mut leaves = 0u32;
        let mut count = 0usize;
        let start_leaf = |page: &mut [u8], no: u32| {
            page.fill(0);
            page[0] = LEAF;
            page[3..7].copy_from_slice(&(no + 1).to_le_bytes());
            page[7..11].copy_from_slice(&(no - 1).to_le_bytes());
        };
        for entry in entries {
            let no = 1 + leaves;
            if count == 0 {
                start_leaf(&mut page, no);
                level.push((entry.to_vec(), no));
            }
            page[NODE_HEAD + count * e..NODE_HEAD + (count + 1) * e].copy_from_slice(entry);
            count += 1;
            header.entries += 1;
            if count == per_leaf {
                page[1..3].copy_from_slice(&(count as u16).to_le_bytes());
                io.write_at(self.file, &page, u64::from(no) * size as u64)?;
                leaves += 1;
                count = 0;
            }
        }
        if count > 0 || leaves == 0 {
            let no = 1 + leaves;
            if leaves == 0 && count == 0 {
                start_leaf(&mut page, no);
                level.push((Vec::new(), no));
            }
            page[1..3].copy_from_slice(&(count as u16).to_le_bytes());
            io.write_at(self.file, &page, u64::from(no) * size as u64)?;
            leaves += 1;
        }
        io.write_at(self.file, &0u32.to_le_bytes(), u64::from(leaves) * size as u64 + 3)?;
        header.pages = 1 + leaves;

        // Internal levels, bottom up.
        let internal_cap = (size - NODE_HEAD) / (e + 4);
        let per_node = (internal_cap - internal_cap / 10).max(2);
        while level.len() > 1 {
            let mut above = Vec::with_capacity(level.len() / per_node + 1);
            for group in level.chunks(per_node + 1) {
                page.fill(0);
                page[0] = INTERNAL;
                page[3..7].copy_from_slice(&group[0].1.to_le_bytes());
                for (i, (first, child)) in group[1..].iter().enumerate() {
                    let at = NODE_HEAD + i * (e + 4);
                    page[at..at + e].copy_from_slice(first);
                    page[at + e..at + e + 4].copy_from_slice(&child.to_le_bytes());
                }
                page[1..3].copy_from_slice(&((group.len() - 1) as u16).to_le_bytes());
                let no = header.pages;
                io.write_at(self.file, &page, u64::from(no) * size as u64)?;
                header.pages += 1;
                above.push((group[0].0.clone(), no));
            }
            level = above;
            header.height += 1;
        }
        header.root = level[0].1;
        io.set_len(self.file, u64::from(header.pages) * size as u64)?;
        Ok(header)
    }
}
