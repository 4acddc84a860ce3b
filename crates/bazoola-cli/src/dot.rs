//! Dot-commands (SPEC §10): `.help`, `.tables`, `.schema`, `.mode`, … — one line each,
//! typed at the start of a statement.
//!
//! [`commands::COMMANDS`] is the whole list, one entry per command with its usage, its
//! help line and the function that runs it; `.help` prints the list, and a command is
//! found by its full name or an unambiguous prefix (`.sch`), as in `sqlite3`. The
//! arguments are words split at spaces, `'…'` or `"…"` keeping spaces in one word
//! (`words`). Adding a command is adding an entry.

mod commands;
mod files;
mod schema;
mod words;

pub use commands::{find, run, Command, COMMANDS};
pub use schema::{indexes_text, like, schema_text, tables_text};
pub use words::split;
