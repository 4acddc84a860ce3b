//! `.read FILE`, `.output [FILE]` and `.once FILE`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::error::{CliError, Result};
use crate::shell::{run_script, Flow, Shell, Source, MAX_READ_DEPTH};

/// Runs a file of SQL and dot-commands, as a script: its first error stops it, and is
/// this command's error (naming the file and line).
pub fn read(shell: &mut Shell, path: &Path) -> Result<Flow> {
    if shell.reading >= MAX_READ_DEPTH {
        return Err(CliError::Usage(format!(
            ".read nested more than {MAX_READ_DEPTH} deep (a file that reads itself?)"
        )));
    }
    let file = File::open(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
    shell.reading += 1;
    let result = run_script(shell, &mut BufReader::new(file), &Source::File(path.to_path_buf()));
    shell.reading -= 1;
    result.map_err(|failure| CliError::Usage(failure.to_string()))
}

/// `.output FILE` (`once` false) or `.once FILE`; `.output` alone, or `.output stdout`,
/// goes back to standard output.
pub fn output(shell: &mut Shell, path: Option<&str>, once: bool) -> Result<Flow> {
    match path {
        None | Some("stdout") if !once => shell.sink.restore()?,
        None => return Err(CliError::Usage("usage: .once FILE".into())),
        Some(path) => shell.sink.redirect(Path::new(path), once)?,
    }
    Ok(Flow::Continue)
}
