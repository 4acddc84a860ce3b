//! What can go wrong in the shell: SQL it does not take (named, with its position), an
//! engine error (carrying table, field, id), a file it cannot read or write.

use std::path::PathBuf;

/// Where in the input a construct starts (1-based), when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The statement does not parse.
    #[error("parse error{}: {message}", at(position))]
    Parse { message: String, position: Option<Position> },
    /// The statement parses but uses something outside the subset.
    #[error("not supported{}: {construct}", at(position))]
    Unsupported { construct: String, position: Option<Position> },
    /// The statement names a table, column or value the database refuses.
    #[error(transparent)]
    Engine(#[from] bazoola::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// `.import`, `.export`, `.dump` or `migrate` failed (the error names the file, the
    /// record's line and the field, or the PostgreSQL target).
    #[error(transparent)]
    Transfer(crate::transfer::TransferError),
    /// A prepared statement run with a different number of values than it has
    /// parameters.
    #[error("the statement takes {expected} parameter{}, {given} given", if *expected == 1 { "" } else { "s" })]
    ParameterCount { expected: usize, given: usize },
    /// A value bound to a parameter that SQL cannot hold (a joined row); `number` from 1.
    #[error("parameter {number} is not a value SQL can hold (a null, integer, real or text)")]
    ParameterValue { number: usize },
    /// Anything else, with its message (a bad dot-command argument, …).
    #[error("{0}")]
    Usage(String),
}

fn at(position: &Option<Position>) -> String {
    match position {
        Some(p) => format!(" at line {}, column {}", p.line, p.column),
        None => String::new(),
    }
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
