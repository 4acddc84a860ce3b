//! The front end: the command line, the interactive shell and scripts.
//!
//! Input is read a line at a time. A line that starts with `.` at the start of a
//! statement is a dot-command ([`crate::dot`]); other lines are collected until they end
//! a statement with `;` (`input`), and the statements run through the [`Session`],
//! each outcome printed in the output mode as soon as it has run ([`crate::output`]).
//! On a terminal an error is shown and the shell goes on; in a script (standard input
//! not a terminal, a `.read` file, or SQL given as an argument) the first error stops
//! everything with `Error: …` on standard error and exit status 1.
//!
//! [`Session`]: crate::Session

mod args;
mod context;
mod input;
mod interactive;
mod interrupt;
mod run;
mod script;
mod sink;
mod timer;

pub use args::Args;
pub use context::{Flow, Shell, MAX_READ_DEPTH};
pub use input::{is_dot_command, Pending, MAX_STATEMENT_BYTES};
pub use interactive::{history_file, CONTINUE_PROMPT, PROMPT};
pub use run::{run, run_migrate};
pub use script::{run_script, Failure, Source};
