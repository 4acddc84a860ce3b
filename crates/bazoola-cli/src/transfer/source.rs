//! An input file as a stream of records, whatever its format: a CSV file gives its
//! header, then records of as many fields; a JSON array or NDJSON file gives objects.
//! The file is read front to back once per [`Source::read`] (an inferred import reads
//! it twice), through a buffer, never whole.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::csv::{CsvError, CsvReader, CsvRecord};
use super::error::{Place, Result, TransferError};
use super::format::Format;
use super::json::{self, Object};
use super::progress::Progress;

/// Bytes read from the file at a time.
const READ_BUFFER: usize = 256 << 10;

/// One record of an input.
#[derive(Clone, Copy)]
pub enum Record<'r> {
    /// A CSV record, with as many fields as the header.
    Csv(&'r CsvRecord),
    /// A JSON object (an array element or an NDJSON line).
    Json(&'r Object),
}

/// What is done with the records of an input.
pub trait Visitor {
    /// The CSV header's column names (not called for JSON inputs).
    fn header(&mut self, names: &[String]) -> Result<()>;
    fn record(&mut self, place: Place, record: Record<'_>) -> Result<()>;
}

/// An input file, its format known.
pub struct Source {
    path: PathBuf,
    format: Format,
    /// CSV: lines passed over before the header.
    skip: usize,
    size: u64,
}

impl Source {
    pub fn open(path: &Path, format: Option<Format>, skip: usize) -> Result<Source> {
        let format = Format::resolve(format, path)?;
        let size = std::fs::metadata(path).map_err(TransferError::io(path, "read"))?.len();
        Ok(Source { path: path.to_path_buf(), format, skip, size })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The file's size in bytes (what progress counts).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads the whole file into `visitor`, advancing `progress` by the bytes read.
    pub fn read(&self, progress: &Progress, visitor: &mut dyn Visitor) -> Result<()> {
        let file = File::open(&self.path).map_err(TransferError::io(&self.path, "open"))?;
        let input = BufReader::with_capacity(READ_BUFFER, Counted { inner: file, progress });
        match self.format {
            Format::Csv => self.read_csv(input, visitor),
            Format::Json => json::read_array(&self.path, input, &mut |place, object| {
                visitor.record(place, Record::Json(&object))
            }),
            Format::Ndjson => json::read_lines(&self.path, input, &mut |place, object| {
                visitor.record(place, Record::Json(&object))
            }),
        }
    }

    fn read_csv(&self, input: impl std::io::BufRead, visitor: &mut dyn Visitor) -> Result<()> {
        let mut reader = CsvReader::new(input);
        reader.skip_lines(self.skip).map_err(TransferError::io(&self.path, "read"))?;
        let mut record = CsvRecord::default();
        if !reader.read(&mut record).map_err(|e| self.csv_error(e, &[]))? {
            return Err(TransferError::Header {
                path: self.path.clone(),
                column: None,
                problem: format!("no header row (after skipping {} lines)", self.skip),
            });
        }
        let names: Vec<String> = (0..record.len()).map(|i| record.get(i).0.trim().to_string()).collect();
        visitor.header(&names)?;
        while reader.read(&mut record).map_err(|e| self.csv_error(e, &names))? {
            if record.len() != names.len() {
                return Err(TransferError::Malformed {
                    path: self.path.clone(),
                    place: Place::Line(record.line()),
                    field: None,
                    problem: format!(
                        "{} field{}, but the header has {}",
                        record.len(),
                        if record.len() == 1 { "" } else { "s" },
                        names.len()
                    ),
                });
            }
            visitor.record(Place::Line(record.line()), Record::Csv(&record))?;
        }
        Ok(())
    }

    fn csv_error(&self, error: CsvError, names: &[String]) -> TransferError {
        let name =
            |field: usize| Some(names.get(field).cloned().unwrap_or_else(|| format!("#{}", field + 1)));
        let (line, field, problem) = match error {
            CsvError::Io(source) => return TransferError::Io { path: self.path.clone(), op: "read", source },
            CsvError::Syntax { line, field, problem } => (line, field, problem.to_string()),
            CsvError::Utf8 { line, field } => (line, field, "not valid UTF-8".to_string()),
        };
        TransferError::Malformed {
            path: self.path.clone(),
            place: Place::Line(line),
            field: name(field),
            problem,
        }
    }
}

/// A reader that reports the bytes it reads as progress.
struct Counted<'p, R> {
    inner: R,
    progress: &'p Progress,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}
