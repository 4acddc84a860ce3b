//! Output modes (SPEC §10): how a result set is printed.
//!
//! Every mode follows `sqlite3` where `sqlite3` has one answer:
//! - An empty result prints nothing at all, in every mode (no headers, no empty box).
//! - `box`, `table` and `markdown` always print their header row (`sqlite3` ignores
//!   `.headers` for them); `list` and `csv` print it only after `.headers on`; `line`
//!   and `json` name every value anyway.
//! - Text modes print a float as `sqlite3` does (`%!.15g`: 15 significant digits, `.0`
//!   on whole numbers, an exponent from 1e15 up and below 1e-4); `json` prints the
//!   shortest text that reads back as the same float, so `bazoola --json` and
//!   `sqlite3 -json` parse to equal values.
//! - `.nullvalue` applies to every mode but `json`, where a null is `null`.
//!
//! Where `sqlite3` has none, the grid stays a grid: in `box` and `table` a value with
//! line breaks becomes a cell of several lines and other control characters show as
//! their Unicode control pictures (`␉`); `markdown` escapes `|` and writes a line break
//! as `<br>`. Widths are terminal columns (`unicode-width`), so CJK text and emoji line
//! up. `csv` is RFC 4180 through the `csv` crate: it quotes a field only when it holds
//! a comma, a quote or a line break (`sqlite3` also quotes spaces and non-ASCII).

mod flat;
mod grid;
mod json;
mod mode;
mod outcome;
mod value;

pub use mode::{Mode, Settings};
pub use outcome::{write_outcome, write_rows};
pub use value::{float_json, float_text};
