//! The words of the data-transfer commands, as the calls they stand for. A front end
//! splits a command line into words and hands the words after the command's name here:
//!
//! ```text
//! .import FILE TABLE [--csv|--json|--ndjson|--format F] [--skip N] [--create] [--atomic|--keep-going]
//! .export TABLE FILE [--csv|--json|--ndjson|--format F]
//! .dump [--dialect bazoola|sqlite|postgres] [TABLE…]
//! bazoola migrate DIR URL [--replace]
//! ```
//!
//! Options may come anywhere among the other words; `--name=value` and `--name value`
//! are the same.

use std::path::PathBuf;

use super::dialect::Dialect;
use super::dump::DumpOptions;
use super::error::{Result, TransferError};
use super::format::Format;
use super::import::ImportOptions;
use super::postgres::MigrateOptions;

pub const IMPORT_USAGE: &str =
    "FILE TABLE [--csv|--json|--ndjson] [--skip N] [--create] [--atomic|--keep-going]";
pub const EXPORT_USAGE: &str = "TABLE FILE [--csv|--json|--ndjson]";
pub const DUMP_USAGE: &str = "[--dialect bazoola|sqlite|postgres] [TABLE...]";
pub const MIGRATE_USAGE: &str = "DIR postgresql://... [--replace]";

/// `.import`'s words.
#[derive(Debug, Clone)]
pub struct ImportCommand {
    pub path: PathBuf,
    pub table: String,
    pub options: ImportOptions,
}

/// `.export`'s words.
#[derive(Debug, Clone)]
pub struct ExportCommand {
    pub table: String,
    pub path: PathBuf,
    pub format: Option<Format>,
}

/// `.dump`'s words.
#[derive(Debug, Clone)]
pub struct DumpCommand {
    pub options: DumpOptions,
}

/// `bazoola migrate`'s words.
#[derive(Debug, Clone)]
pub struct MigrateCommand {
    pub dir: PathBuf,
    pub url: String,
    pub options: MigrateOptions,
}

/// The words split into options (with their values) and the others, in order.
struct Words {
    options: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

/// Splits `args`; `takes_value` says which options take the next word as value.
fn split(args: &[String], takes_value: &[&str], command: &str, usage: &str) -> Result<Words> {
    let mut words = Words { options: Vec::new(), positional: Vec::new() };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let Some(option) = arg.strip_prefix("--") else {
            words.positional.push(arg.clone());
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (option, None),
        };
        let value = if takes_value.contains(&name) {
            match inline.or_else(|| rest.next().cloned()) {
                Some(value) => Some(value),
                None => return Err(usage_error(command, usage, &format!("--{name} needs a value"))),
            }
        } else {
            inline
        };
        words.options.push((name.to_string(), value));
    }
    Ok(words)
}

fn usage_error(command: &str, usage: &str, problem: &str) -> TransferError {
    TransferError::Usage(format!("{problem}\nusage: {command} {usage}"))
}

/// A format option (`--csv`, `--format json`, …), if `name` is one.
fn format_option(name: &str, value: Option<&str>) -> Option<Result<Format>> {
    match name {
        "csv" | "json" | "ndjson" | "jsonl" => Some(Format::parse(name)),
        "format" => Some(Format::parse(value.unwrap_or_default())),
        _ => None,
    }
}

impl ImportCommand {
    pub fn parse(args: &[String]) -> Result<ImportCommand> {
        let usage = |problem: &str| usage_error(".import", IMPORT_USAGE, problem);
        let words = split(args, &["skip", "format"], ".import", IMPORT_USAGE)?;
        let mut options = ImportOptions::default();
        for (name, value) in &words.options {
            if let Some(format) = format_option(name, value.as_deref()) {
                options.format = Some(format?);
                continue;
            }
            match name.as_str() {
                "skip" => {
                    let text = value.as_deref().unwrap_or_default();
                    options.skip = text
                        .parse()
                        .map_err(|_| usage(&format!("--skip takes a number of lines, not '{text}'")))?;
                }
                "create" => options.create = true,
                "keep-going" => options.keep_going = true,
                "atomic" => options.keep_going = false,
                _ => return Err(usage(&format!("unknown option --{name}"))),
            }
        }
        match words.positional.as_slice() {
            [path, table] => Ok(ImportCommand { path: path.into(), table: table.clone(), options }),
            _ => Err(usage("expected a file and a table")),
        }
    }
}

impl ExportCommand {
    pub fn parse(args: &[String]) -> Result<ExportCommand> {
        let usage = |problem: &str| usage_error(".export", EXPORT_USAGE, problem);
        let words = split(args, &["format"], ".export", EXPORT_USAGE)?;
        let mut format = None;
        for (name, value) in &words.options {
            match format_option(name, value.as_deref()) {
                Some(f) => format = Some(f?),
                None => return Err(usage(&format!("unknown option --{name}"))),
            }
        }
        match words.positional.as_slice() {
            [table, path] => Ok(ExportCommand { table: table.clone(), path: path.into(), format }),
            _ => Err(usage("expected a table and a file")),
        }
    }
}

impl DumpCommand {
    pub fn parse(args: &[String]) -> Result<DumpCommand> {
        let words = split(args, &["dialect"], ".dump", DUMP_USAGE)?;
        let mut options = DumpOptions { progress: true, ..DumpOptions::default() };
        for (name, value) in &words.options {
            match name.as_str() {
                "dialect" => options.dialect = Dialect::parse(value.as_deref().unwrap_or_default())?,
                _ => return Err(usage_error(".dump", DUMP_USAGE, &format!("unknown option --{name}"))),
            }
        }
        options.tables = words.positional;
        Ok(DumpCommand { options })
    }
}

impl MigrateCommand {
    pub fn parse(args: &[String]) -> Result<MigrateCommand> {
        let usage = |problem: &str| usage_error("bazoola migrate", MIGRATE_USAGE, problem);
        let words = split(args, &[], "bazoola migrate", MIGRATE_USAGE)?;
        let mut options = MigrateOptions { replace: false, progress: true };
        for (name, _) in &words.options {
            match name.as_str() {
                "replace" => options.replace = true,
                _ => return Err(usage(&format!("unknown option --{name}"))),
            }
        }
        match words.positional.as_slice() {
            [dir, url] => Ok(MigrateCommand { dir: dir.into(), url: url.clone(), options }),
            _ => Err(usage("expected a database directory and a PostgreSQL URL")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn import_words() {
        let command =
            ImportCommand::parse(&words("--skip 2 books.txt books --csv --create --keep-going")).unwrap();
        assert_eq!((command.path.to_str(), command.table.as_str()), (Some("books.txt"), "books"));
        let o = command.options;
        assert_eq!((o.format, o.skip, o.create, o.keep_going), (Some(Format::Csv), 2, true, true));
        let error = ImportCommand::parse(&words("a.csv")).unwrap_err().to_string();
        assert!(error.contains("usage: .import FILE TABLE"), "{error}");
        assert!(ImportCommand::parse(&words("a.csv t --skip x")).is_err());
        assert!(ImportCommand::parse(&words("a.csv t --skip")).is_err());
        assert!(ImportCommand::parse(&words("a.csv t --bogus")).is_err());
    }

    #[test]
    fn export_dump_and_migrate_words() {
        let export = ExportCommand::parse(&words("books out.txt --format=ndjson")).unwrap();
        assert_eq!(export.format, Some(Format::Ndjson));
        let dump = DumpCommand::parse(&words("--dialect postgres books authors")).unwrap();
        assert_eq!(dump.options.dialect, Dialect::Postgres);
        assert_eq!(dump.options.tables, vec!["books", "authors"]);
        assert!(DumpCommand::parse(&words("--dialect oracle")).is_err());
        let migrate = MigrateCommand::parse(&words("data postgresql:///x --replace")).unwrap();
        assert!(migrate.options.replace);
        assert!(MigrateCommand::parse(&words("data")).is_err());
    }
}
