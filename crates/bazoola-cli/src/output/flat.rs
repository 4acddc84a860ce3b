//! The line-oriented modes: `list` (`|` between values), `csv` and `line`
//! (`column = value`, a blank line between rows).

use std::io::{self, Write};

use bazoola::Value;
use unicode_width::UnicodeWidthStr;

use super::value::text;

fn cell<'v>(row: &'v [Value], i: usize, null: &'v str) -> std::borrow::Cow<'v, str> {
    text(row.get(i).unwrap_or(&Value::Null), null)
}

/// `a|b|c` a row, like `sqlite3`'s list mode: values as they are, nothing escaped.
pub fn write_list(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[Vec<Value>],
    headers: bool,
    null: &str,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if headers {
        writeln!(out, "{}", columns.join("|"))?;
    }
    let mut line = String::new();
    for row in rows {
        line.clear();
        for i in 0..columns.len() {
            if i > 0 {
                line.push('|');
            }
            line.push_str(&cell(row, i, null));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// RFC 4180 through the `csv` crate, `\n` between records as `sqlite3` writes them.
pub fn write_csv(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[Vec<Value>],
    headers: bool,
    null: &str,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    if headers {
        writer.write_record(columns).map_err(into_io)?;
    }
    for row in rows {
        writer.write_record((0..columns.len()).map(|i| cell(row, i, null).into_owned())).map_err(into_io)?;
    }
    writer.flush()
}

fn into_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// `name = value` a line, names right-aligned (at least 5 columns wide, as in
/// `sqlite3`), a blank line between rows.
pub fn write_line(
    out: &mut dyn Write,
    columns: &[String],
    rows: &[Vec<Value>],
    null: &str,
) -> io::Result<()> {
    let width = columns.iter().map(|c| c.width()).max().unwrap_or(0).max(5);
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        for (i, name) in columns.iter().enumerate() {
            let pad = " ".repeat(width - name.width());
            writeln!(out, "{pad}{name} = {}", cell(row, i, null))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn list_joins_with_bars() {
        let mut out = Vec::new();
        let rows = vec![vec![1.into(), Value::Null, 2.5.into()]];
        write_list(&mut out, &columns(&["a", "b", "c"]), &rows, true, "NULL").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a|b|c\n1|NULL|2.5\n");
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut out = Vec::new();
        let rows =
            vec![vec!["a,b".into(), "say \"hi\"".into(), "two\nlines".into(), "plain".into(), Value::Null]];
        write_csv(&mut out, &columns(&["a", "b", "c", "d", "e"]), &rows, false, "").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain,\n");
    }

    #[test]
    fn line_aligns_names() {
        let mut out = Vec::new();
        let rows = vec![vec![22.into(), Value::Null], vec![3.into(), "x".into()]];
        write_line(&mut out, &columns(&["longername", "b"]), &rows, "NULL").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "longername = 22\n         b = NULL\n\nlongername = 3\n         b = x\n"
        );
    }
}
