//! One statement's [`Outcome`] in the current mode.

use std::io::{self, Write};

use bazoola::Value;

use super::flat::{write_csv, write_line, write_list};
use super::grid::{write_grid, Style};
use super::json::write_json;
use super::mode::{Mode, Settings};
use crate::Outcome;

/// Prints what a statement gave back: its rows in the current mode, its plan as text.
/// A count of changed rows prints nothing, in every mode, as `sqlite3` prints nothing
/// for INSERT, UPDATE and DELETE (the shell's `.changes on` asks for it).
pub fn write_outcome(out: &mut dyn Write, settings: &Settings, outcome: &Outcome) -> io::Result<()> {
    match outcome {
        Outcome::Rows { columns, rows } => write_rows(out, settings, columns, rows),
        Outcome::Plan(plan) => {
            out.write_all(plan.as_bytes())?;
            if !plan.is_empty() && !plan.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Outcome::Changed { .. } | Outcome::Done => Ok(()),
    }
}

/// Prints a result set in the current mode.
pub fn write_rows(
    out: &mut dyn Write,
    settings: &Settings,
    columns: &[String],
    rows: &[Vec<Value>],
) -> io::Result<()> {
    let null = settings.nullvalue.as_str();
    let headers = settings.show_headers();
    match settings.mode {
        Mode::Box => write_grid(out, Style::Box, columns, rows, null),
        Mode::Table => write_grid(out, Style::Table, columns, rows, null),
        Mode::Markdown => write_grid(out, Style::Markdown, columns, rows, null),
        Mode::List => write_list(out, columns, rows, headers, null),
        Mode::Csv => write_csv(out, columns, rows, headers, null),
        Mode::Json => write_json(out, columns, rows),
        Mode::Line => write_line(out, columns, rows, null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(mode: Mode, outcome: Outcome) -> String {
        let mut out = Vec::new();
        write_outcome(&mut out, &Settings::new(mode), &outcome).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plans_print_as_text_in_every_mode() {
        for mode in Mode::ALL {
            assert_eq!(
                printed(mode, Outcome::Plan("scan t\n└─ filter: n > 1".into())),
                "scan t\n└─ filter: n > 1\n"
            );
        }
    }

    #[test]
    fn changes_and_ddl_print_nothing() {
        for mode in Mode::ALL {
            assert_eq!(printed(mode, Outcome::Changed { rows: 3 }), "");
            assert_eq!(printed(mode, Outcome::Done), "");
            assert_eq!(
                printed(mode, Outcome::Rows { columns: vec!["a".to_string()].into(), rows: vec![] }),
                ""
            );
        }
    }
}
