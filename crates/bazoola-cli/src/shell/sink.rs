//! Where output goes: standard output, or a file after `.output FILE` (until
//! `.output`) or `.once FILE` (for the next command only). Errors never go here: they
//! go to standard error, after this is flushed so that the two stay in order.

use std::fs::File;
use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use crate::error::{CliError, Result};

pub struct Sink {
    stdout: BufWriter<Stdout>,
    file: Option<OutputFile>,
}

struct OutputFile {
    path: PathBuf,
    writer: BufWriter<File>,
    /// `.once`: back to standard output after the next command.
    once: bool,
}

impl Default for Sink {
    fn default() -> Self {
        Sink::stdout()
    }
}

impl Sink {
    pub fn stdout() -> Sink {
        Sink { stdout: BufWriter::new(io::stdout()), file: None }
    }

    /// Sends output to `path` (created, or emptied), after flushing what went before.
    pub fn redirect(&mut self, path: &Path, once: bool) -> Result<()> {
        self.restore()?;
        let file = File::create(path).map_err(|source| CliError::Io { path: path.to_path_buf(), source })?;
        self.file = Some(OutputFile { path: path.to_path_buf(), writer: BufWriter::new(file), once });
        Ok(())
    }

    /// Sends output to standard output again, flushing and closing any file.
    pub fn restore(&mut self) -> Result<()> {
        self.flush()?;
        self.file = None;
        Ok(())
    }

    /// Whether output goes to a `.once` file.
    pub fn is_once(&self) -> bool {
        self.file.as_ref().is_some_and(|f| f.once)
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match &mut self.file {
            Some(file) => &mut file.writer,
            None => &mut self.stdout,
        }
    }

    pub fn flush(&mut self) -> Result<()> {
        if let Some(file) = &mut self.file {
            file.writer.flush().map_err(|source| CliError::Io { path: file.path.clone(), source })?;
        }
        self.stdout.flush().map_err(|source| self.error(source))
    }

    /// A failed write, named after where it went.
    pub fn error(&self, source: io::Error) -> CliError {
        let path = self.file.as_ref().map_or_else(|| PathBuf::from("stdout"), |f| f.path.clone());
        CliError::Io { path, source }
    }
}

/// Whether `error` is standard output closed by its reader (`bazoola … | head`): the
/// shell then stops quietly, as a filter does.
pub fn is_broken_pipe(error: &CliError) -> bool {
    matches!(error, CliError::Io { path, source } if source.kind() == io::ErrorKind::BrokenPipe && path.as_os_str() == "stdout")
}
