//! Secondary indexes: one persistent B+tree per indexed field, in `{t}__{field}.idx.dat`.
//!
//! - [`key`]: a field's value as bytes that sort like the value (`memcmp`), and entries
//!   of key and row slot.
//! - [`header`]: page 0 — the tree's shape, and the stamp of the table state it describes.
//! - [`btree`]: lookups, ordered scans both ways, inserts that split, deletes.
//! - [`build`]: a whole tree from sorted entries (new and rebuilt indexes).
//! - [`merge`]: many sorted entries into an existing tree, a leaf at a time (deferred
//!   upkeep during a bulk import).
//!
//! Everything is read and written through the pager ([`crate::storage::txn::Io`]), so an
//! index is journaled, rolled back and fault-injected like every other byte. Keeping
//! indexes in step with rows, and deciding when to use them, is the database layer's job.

pub mod btree;
pub mod build;
pub mod header;
pub mod key;
pub mod merge;

pub use btree::{From, Tree};
pub use header::Header;
pub use key::KeyKind;
