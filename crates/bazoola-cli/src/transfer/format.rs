//! The file formats rows move in and out through, told by name or by extension.

use std::fmt;
use std::path::Path;

use super::error::{Result, TransferError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line (`.ndjson`, `.jsonl`).
    Ndjson,
}

impl Format {
    /// The format `path`'s extension names, if it names one.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// `explicit` if given, else what the extension says.
    pub fn resolve(explicit: Option<Format>, path: &Path) -> Result<Format> {
        explicit
            .or_else(|| Format::from_extension(path))
            .ok_or_else(|| TransferError::UnknownFormat { path: path.to_path_buf() })
    }

    /// A format by its name (`csv`, `json`, `ndjson`, `jsonl`), any case.
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            _ => Err(TransferError::Usage(format!("unknown format '{name}': csv, json or ndjson"))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
