//! Byte buffers kept per thread from one commit to the next. A point write's journal
//! segment and its runs of pages are a few kilobytes each: too large for the
//! allocator's fast paths, so allocating and freeing them each commit cost more than a
//! thousand instructions of a 90,000-instruction insert.
//!
//! Pages' originals (what a page held before the transaction changed it, at most a
//! page each) are kept the same way, in their own pool: a point write captures a dozen
//! of them and drops them once the journal has them.

use std::cell::RefCell;

/// Buffers a thread keeps (a commit uses two at once).
const KEPT: usize = 4;
/// The largest buffer kept: a bulk commit's megabyte-sized ones are freed, so an idle
/// thread holds at most `KEPT` × this.
const KEPT_CAPACITY_MAX: usize = 64 << 10;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for at least `capacity` bytes: a kept one if there is one.
pub(super) fn take(capacity: usize) -> Vec<u8> {
    let mut buf = SPARE.with(|spare| spare.borrow_mut().pop()).unwrap_or_default();
    buf.clear();
    buf.reserve(capacity);
    buf
}

/// Keeps `buf` for a later [`take`] on this thread, unless enough are kept or it is large.
pub(super) fn give(buf: Vec<u8>) {
    if buf.capacity() == 0 || buf.capacity() > KEPT_CAPACITY_MAX {
        return;
    }
    // A thread being torn down has no spares left to keep it in: the buffer is freed.
    let _ = SPARE.try_with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < KEPT {
            spare.push(buf);
        }
    });
}

/// Originals a thread keeps: enough for the pages of a point operation.
const ORIGINALS_KEPT: usize = 64;

thread_local! {
    static ORIGINALS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A copy of `bytes` (at most a page), in a kept buffer if there is one.
pub(super) fn original(bytes: &[u8]) -> Vec<u8> {
    let mut buf = ORIGINALS.with(|kept| kept.borrow_mut().pop()).unwrap_or_default();
    buf.clear();
    buf.extend_from_slice(bytes);
    buf
}

/// Keeps originals the journal has taken for later [`original`] calls on this thread.
pub(super) fn give_originals(originals: impl IntoIterator<Item = Vec<u8>>) {
    let _ = ORIGINALS.try_with(|kept| {
        let mut kept = kept.borrow_mut();
        for buf in originals {
            if kept.len() >= ORIGINALS_KEPT {
                break;
            }
            if buf.capacity() <= super::pager::PAGE as usize {
                kept.push(buf);
            }
        }
    });
}
