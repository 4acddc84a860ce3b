//! The `bazoola` shell as a library: a [`Session`] runs SQL (the subset of SPEC §10,
//! parsed with `sqlparser` and lowered onto the engine's planner) and gives back
//! [`Outcome`]s; the front end ([`shell`]) reads statements and dot-commands and prints
//! outcomes in the chosen output mode.

pub mod dot;
pub mod error;
pub mod output;
pub mod session;
pub mod shell;
pub mod sql;
pub mod transfer;

pub use error::CliError;
pub use session::{Outcome, Session};
pub use sql::Statement;
