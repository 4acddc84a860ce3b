//! The output modes and the settings that shape them (`.mode`, `.headers`,
//! `.nullvalue`).

use std::fmt;

/// One of the output modes of SPEC §10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Box,
    Table,
    List,
    Csv,
    Json,
    Markdown,
    Line,
}

impl Mode {
    pub const ALL: [Mode; 7] =
        [Mode::Box, Mode::Table, Mode::List, Mode::Csv, Mode::Json, Mode::Markdown, Mode::Line];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Box => "box",
            Mode::Table => "table",
            Mode::List => "list",
            Mode::Csv => "csv",
            Mode::Json => "json",
            Mode::Markdown => "markdown",
            Mode::Line => "line",
        }
    }

    /// The mode named `name` (any case).
    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// The modes' names, for messages: `box, table, …`.
    pub fn names() -> String {
        Mode::ALL.map(Mode::name).join(", ")
    }

    /// Whether this mode prints a header row when `.headers` was never set.
    fn headers_by_default(self) -> bool {
        !matches!(self, Mode::List | Mode::Csv)
    }

    /// Whether `.headers` changes anything in this mode (`sqlite3` always prints the
    /// header of a grid, and `line` and `json` name every value).
    pub fn obeys_headers(self) -> bool {
        matches!(self, Mode::List | Mode::Csv)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `.mode`, `.headers` and `.nullvalue` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub mode: Mode,
    /// `.headers on|off`; `None` until set, which means the mode's default.
    pub headers: Option<bool>,
    /// What a null prints as (not in `json`).
    pub nullvalue: String,
}

impl Settings {
    pub fn new(mode: Mode) -> Settings {
        Settings { mode, headers: None, nullvalue: String::new() }
    }

    /// Whether the current mode prints a header row.
    pub fn show_headers(&self) -> bool {
        if self.mode.obeys_headers() {
            self.headers.unwrap_or(self.mode.headers_by_default())
        } else {
            self.mode.headers_by_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_by_name_in_any_case() {
        for mode in Mode::ALL {
            assert_eq!(Mode::parse(mode.name()), Some(mode));
            assert_eq!(Mode::parse(&mode.name().to_uppercase()), Some(mode));
        }
        assert_eq!(Mode::parse("column"), None);
    }

    #[test]
    fn headers_follow_sqlite3() {
        let mut s = Settings::new(Mode::List);
        assert!(!s.show_headers());
        s.headers = Some(true);
        assert!(s.show_headers());
        s.mode = Mode::Box;
        s.headers = Some(false);
        assert!(s.show_headers(), "a grid always has its header");
    }
}
