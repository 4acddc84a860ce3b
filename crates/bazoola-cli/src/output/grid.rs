//! The grid modes: `box` (Unicode lines), `table` (ASCII) and `markdown`.
//!
//! Every cell is measured first (the result set is in memory already), in terminal
//! columns; headers are centred and values left-aligned, as `sqlite3` lays them out.

use std::io::{self, Write};

use bazoola::Value;
use unicode_width::UnicodeWidthStr;

use super::value::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Box,
    Table,
    Markdown,
}

/// The characters of one horizontal rule: left end, fill, between columns, right end.
struct Rule {
    left: &'static str,
    fill: &'static str,
    cross: &'static str,
    right: &'static str,
}

impl Style {
    /// The rules above the header, below it, and below the last row.
    fn rules(self) -> [Option<Rule>; 3] {
        let rule = |left, fill, cross, right| Some(Rule { left, fill, cross, right });
        match self {
            Style::Box => [rule("┌", "─", "┬", "┐"), rule("├", "─", "┼", "┤"), rule("└", "─", "┴", "┘")],
            Style::Table => [rule("+", "-", "+", "+"), rule("+", "-", "+", "+"), rule("+", "-", "+", "+")],
            Style::Markdown => [None, rule("|", "-", "|", "|"), None],
        }
    }

    fn bar(self) -> &'static str {
        match self {
            Style::Box => "│",
            Style::Table | Style::Markdown => "|",
        }
    }

    /// The lines of a value's cell.
    fn cell(self, value: &str) -> Vec<String> {
        match self {
            Style::Box | Style::Table => value.split('\n').map(control_pictures).collect(),
            Style::Markdown => {
                let escaped = value.replace('|', "\\|").replace("\r\n", "<br>").replace('\n', "<br>");
                vec![control_pictures(&escaped)]
            }
        }
    }
}

/// `line` with every control character shown as its Unicode control picture (`␉` for a
/// tab), so that no value can break the grid.
fn control_pictures(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{7f}' => '\u{2421}',
            c => c,
        })
        .collect()
}

/// Writes the rows as a grid (nothing for no rows).
pub fn write_grid(
    out: &mut dyn Write,
    style: Style,
    columns: &[String],
    rows: &[Vec<Value>],
    null: &str,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let header: Vec<Vec<String>> = columns.iter().map(|c| style.cell(c)).collect();
    let body: Vec<Vec<Vec<String>>> = rows
        .iter()
        .map(|row| {
            (0..columns.len()).map(|i| style.cell(&text(row.get(i).unwrap_or(&Value::Null), null))).collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|lines| widest(lines)).collect();
    for row in &body {
        for (width, lines) in widths.iter_mut().zip(row) {
            *width = (*width).max(widest(lines));
        }
    }
    let [top, middle, bottom] = style.rules();
    if let Some(rule) = top {
        write_rule(out, &rule, &widths)?;
    }
    write_row(out, style, &header, &widths, true)?;
    if let Some(rule) = middle {
        write_rule(out, &rule, &widths)?;
    }
    for row in &body {
        write_row(out, style, row, &widths, false)?;
    }
    if let Some(rule) = bottom {
        write_rule(out, &rule, &widths)?;
    }
    Ok(())
}

fn widest(lines: &[String]) -> usize {
    lines.iter().map(|l| l.width()).max().unwrap_or(0)
}

fn write_rule(out: &mut dyn Write, rule: &Rule, widths: &[usize]) -> io::Result<()> {
    let parts: Vec<String> = widths.iter().map(|w| rule.fill.repeat(w + 2)).collect();
    writeln!(out, "{}{}{}", rule.left, parts.join(rule.cross), rule.right)
}

/// One row of cells, as many lines as its tallest cell.
fn write_row(
    out: &mut dyn Write,
    style: Style,
    cells: &[Vec<String>],
    widths: &[usize],
    centred: bool,
) -> io::Result<()> {
    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
    let bar = style.bar();
    for line in 0..height {
        let mut text = String::new();
        for (cell, &width) in cells.iter().zip(widths) {
            let value = cell.get(line).map_or("", String::as_str);
            let pad = width.saturating_sub(value.width());
            let left = if centred { pad / 2 } else { 0 };
            text.push_str(bar);
            text.push(' ');
            text.push_str(&" ".repeat(left));
            text.push_str(value);
            text.push_str(&" ".repeat(pad - left));
            text.push(' ');
        }
        text.push_str(bar);
        writeln!(out, "{text}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(style: Style, columns: &[&str], rows: Vec<Vec<Value>>) -> String {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let mut out = Vec::new();
        write_grid(&mut out, style, &columns, &rows, "").unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn box_matches_sqlite3() {
        let rows = vec![vec![1.into(), "x".into()], vec![22.into(), Value::Null]];
        assert_eq!(
            grid(Style::Box, &["a", "bbbbb"], rows),
            "┌────┬───────┐\n\
             │ a  │ bbbbb │\n\
             ├────┼───────┤\n\
             │ 1  │ x     │\n\
             │ 22 │       │\n\
             └────┴───────┘\n"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let out = grid(Style::Table, &["name"], vec![vec!["日本".into()], vec!["abcde".into()]]);
        assert_eq!(out, "+-------+\n| name  |\n+-------+\n| 日本  |\n| abcde |\n+-------+\n");
    }

    #[test]
    fn line_breaks_make_tall_cells_and_controls_show() {
        let out = grid(Style::Box, &["s", "n"], vec![vec!["a\nbb\tc".into(), 2.into()]]);
        assert_eq!(
            out,
            "┌──────┬───┐\n│  s   │ n │\n├──────┼───┤\n│ a    │ 2 │\n│ bb␉c │   │\n└──────┴───┘\n"
        );
    }

    #[test]
    fn markdown_escapes_bars_and_breaks() {
        let out = grid(Style::Markdown, &["s"], vec![vec!["a|b\nc".into()]]);
        assert_eq!(out, "|     s     |\n|-----------|\n| a\\|b<br>c |\n");
    }

    #[test]
    fn no_rows_print_nothing() {
        assert_eq!(grid(Style::Box, &["a"], vec![]), "");
    }
}
