//! Input that is not typed at a terminal: standard input, a `.read` file, or the SQL
//! and dot-commands given as arguments. Read a line at a time, statements collected
//! until their `;` (as in the interactive shell), dot-commands at the start of a line;
//! the first error stops the script.

use std::fmt;
use std::io::{BufRead, Read};
use std::path::PathBuf;

use super::context::{Flow, Shell};
use super::input::{is_dot_command, Pending, MAX_STATEMENT_BYTES};
use crate::error::{CliError, Position};

/// Where a script comes from, for its error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    /// A command-line argument: short, and named by the user just now; its errors carry
    /// no location.
    Argument,
}

/// An error of a script, and where in the script it happened.
#[derive(Debug)]
pub struct Failure {
    pub error: Box<CliError>,
    pub source: Source,
    /// The line where the failing command starts; `None` when the error names its own
    /// position (already made relative to the whole script).
    pub line: Option<usize>,
}

impl Failure {
    /// `error`, raised by the command whose text starts at `line`: a position inside
    /// that text becomes a position in the script.
    fn at(error: CliError, source: &Source, line: usize) -> Failure {
        let (error, line) = match error {
            CliError::Parse { message, position: Some(p) } => {
                (CliError::Parse { message, position: Some(shift(p, line)) }, None)
            }
            CliError::Unsupported { construct, position: Some(p) } => {
                (CliError::Unsupported { construct, position: Some(shift(p, line)) }, None)
            }
            other => (other, Some(line)),
        };
        Failure { error: Box::new(error), source: source.clone(), line }
    }
}

/// A position in text that starts at line `first` of the script (the text always
/// starts at the beginning of a line), as a position in the script.
fn shift(p: Position, first: usize) -> Position {
    Position { line: p.line + first as u64 - 1, column: p.column }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Source::File(path) = &self.source {
            write!(f, "{}: ", path.display())?;
        }
        match (&self.source, self.line) {
            (Source::Argument, _) | (_, None) => write!(f, "{}", self.error),
            (_, Some(line)) => write!(f, "near line {line}: {}", self.error),
        }
    }
}

/// Runs a script to its end, a `.quit`, or its first error.
pub fn run_script(shell: &mut Shell, input: &mut dyn BufRead, source: &Source) -> Result<Flow, Failure> {
    let mut pending = Pending::new();
    let mut number = 0;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        // One byte past the limit tells a line that is too long without reading it all.
        let limit = MAX_STATEMENT_BYTES as u64 + 2;
        let read = (&mut *input).take(limit).read_until(b'\n', &mut bytes);
        let read = read.map_err(|e| Failure::at(read_error(source, e), source, number + 1))?;
        if read == 0 {
            break;
        }
        number += 1;
        let line = line_text(&mut bytes).map_err(|e| Failure::at(e, source, number))?;
        if pending.is_empty() && is_dot_command(line) {
            match shell.command(|s| s.run_dot(line)) {
                Ok(Flow::Continue) => continue,
                Ok(exit) => return Ok(exit),
                Err(e) => return Err(Failure::at(e, source, number)),
            }
        }
        pending.push(line, number);
        check_length(&pending).map_err(|e| Failure::at(e, source, pending.first_line()))?;
        if pending.is_blank() {
            pending.clear();
        } else if pending.is_complete() {
            run_statements(shell, &mut pending, source)?;
        }
    }
    // The last statement may lack its `;`; an open string or comment is the parser's
    // to report.
    if !pending.is_blank() {
        run_statements(shell, &mut pending, source)?;
    }
    Ok(Flow::Continue)
}

fn run_statements(shell: &mut Shell, pending: &mut Pending, source: &Source) -> Result<(), Failure> {
    let first = pending.first_line();
    let sql = pending.take();
    shell.command(|s| s.run_sql(&sql)).map_err(|e| Failure::at(e, source, first))
}

/// The text of a line just read, without its line break (`\n` or `\r\n`).
fn line_text(bytes: &mut Vec<u8>) -> Result<&str, CliError> {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(too_long());
    }
    std::str::from_utf8(bytes).map_err(|e| {
        CliError::Usage(format!(
            "the input is not UTF-8 text (byte {} of the line is not)",
            e.valid_up_to() + 1
        ))
    })
}

pub(crate) fn check_length(pending: &Pending) -> Result<(), CliError> {
    if pending.longest_statement() > MAX_STATEMENT_BYTES {
        return Err(too_long());
    }
    Ok(())
}

fn too_long() -> CliError {
    CliError::Usage(format!(
        "statement too long: a statement holds at most {MAX_STATEMENT_BYTES} bytes ({} MiB)",
        MAX_STATEMENT_BYTES >> 20
    ))
}

fn read_error(source: &Source, error: std::io::Error) -> CliError {
    let path = match source {
        Source::File(path) => path.clone(),
        Source::Stdin => PathBuf::from("stdin"),
        Source::Argument => PathBuf::from("argument"),
    };
    CliError::Io { path, source: error }
}
