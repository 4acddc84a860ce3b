//! The command line, as `sqlite3` has it: options, then the directory, then SQL or
//! dot-commands to run instead of reading standard input.

use std::path::PathBuf;

use clap::Parser;

use crate::output::Mode;

const MODES: [&str; 7] = ["box_mode", "table", "list", "csv", "json", "markdown", "line"];

#[derive(Debug, Parser)]
#[command(
    name = "bazoola",
    version,
    about = "The bazoola shell: SQL and dot-commands over a Bazoola database directory, like sqlite3",
    after_help = "With SQL or a dot-command after DIR, runs it and exits; otherwise reads standard \
                  input — a shell with line editing on a terminal, a script when redirected. A script \
                  stops at its first error with status 1. A missing DIR is created.\n\n\
                  bazoola migrate DIR postgresql://... [--replace] copies the database at DIR into \
                  PostgreSQL in one transaction."
)]
pub struct Args {
    /// The database directory (created when it does not exist).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// SQL statements ("SELECT …; …") or a dot-command (".tables") to run, in order.
    #[arg(value_name = "SQL", trailing_var_arg = true, allow_hyphen_values = true)]
    pub commands: Vec<String>,

    /// Output as a box drawn with Unicode lines (the default on a terminal).
    #[arg(long = "box", overrides_with_all = MODES)]
    pub box_mode: bool,
    /// Output as an ASCII table.
    #[arg(long, overrides_with_all = MODES)]
    pub table: bool,
    /// Output values separated by `|` (the default when not on a terminal).
    #[arg(long, overrides_with_all = MODES)]
    pub list: bool,
    /// Output as CSV.
    #[arg(long, overrides_with_all = MODES)]
    pub csv: bool,
    /// Output as a JSON array of objects, as `sqlite3 -json`.
    #[arg(long, overrides_with_all = MODES)]
    pub json: bool,
    /// Output as a Markdown table.
    #[arg(long, overrides_with_all = MODES)]
    pub markdown: bool,
    /// Output one `column = value` line per value.
    #[arg(long, overrides_with_all = MODES)]
    pub line: bool,

    /// Print column names in list and csv output.
    #[arg(long, alias = "headers", overrides_with = "noheader")]
    pub header: bool,
    /// Do not print column names in list and csv output.
    #[arg(long, alias = "noheaders", overrides_with = "header")]
    pub noheader: bool,

    /// Print each command before it runs.
    #[arg(long)]
    pub echo: bool,

    /// The text that shows a null (empty unless set; JSON always says `null`).
    #[arg(long, value_name = "TEXT")]
    pub nullvalue: Option<String>,
}

impl Args {
    /// The output mode the flags ask for, if any (the last one given wins).
    pub fn mode(&self) -> Option<Mode> {
        let flags = [
            (self.box_mode, Mode::Box),
            (self.table, Mode::Table),
            (self.list, Mode::List),
            (self.csv, Mode::Csv),
            (self.json, Mode::Json),
            (self.markdown, Mode::Markdown),
            (self.line, Mode::Line),
        ];
        flags.into_iter().find(|(set, _)| *set).map(|(_, mode)| mode)
    }

    /// `--header` / `--noheader`, if given.
    pub fn headers(&self) -> Option<bool> {
        match (self.header, self.noheader) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("bazoola").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn options_before_the_directory() {
        let args = parse(&["--json", "--nullvalue", "NULL", "db", "SELECT 1;"]);
        assert_eq!(args.mode(), Some(Mode::Json));
        assert_eq!(args.nullvalue.as_deref(), Some("NULL"));
        assert_eq!(args.dir, PathBuf::from("db"));
        assert_eq!(args.commands, ["SELECT 1;"]);
    }

    #[test]
    fn the_last_mode_wins() {
        assert_eq!(parse(&["--csv", "--box", "db"]).mode(), Some(Mode::Box));
        assert_eq!(parse(&["--box", "--csv", "db"]).mode(), Some(Mode::Csv));
        assert_eq!(parse(&["db"]).mode(), None);
        assert_eq!(parse(&["--header", "--noheader", "db"]).headers(), Some(false));
        assert_eq!(parse(&["--noheader", "--header", "db"]).headers(), Some(true));
    }

    #[test]
    fn sql_after_the_directory_may_start_with_a_dash() {
        let args = parse(&["db", "-- a comment\nSELECT 1;", "--json"]);
        assert_eq!(args.commands, ["-- a comment\nSELECT 1;", "--json"]);
        assert_eq!(args.mode(), None);
    }
}
