//! The progress bar of imports (bytes of the file read), dumps and migrations (rows
//! written): the engine's own ([`bazoola::progress`]), with the thresholds of these
//! operations.

pub use bazoola::progress::Progress;

/// Below this many rows a dump or migration is quick: no bar.
pub const WORTH_SHOWING_ROWS: u64 = bazoola::progress::WORTH_SHOWING;
/// Below this many bytes an import is quick: no bar.
pub const WORTH_SHOWING_BYTES: u64 = 8 << 20;
