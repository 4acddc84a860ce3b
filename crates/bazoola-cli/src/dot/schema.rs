//! `.tables`, `.schema` and `.indexes`: the catalog as text.

use bazoola::{FieldType, TableSchema};
use unicode_width::UnicodeWidthStr;

use crate::sql::render::{create_indexes_sql, create_table_sql, index_name};

/// The width `.tables` fills with names, as `sqlite3`.
const LINE_WIDTH: usize = 80;

/// Table names sorted, in columns across `LINE_WIDTH`, each column read top to
/// bottom (as `sqlite3` lays them out).
pub fn tables_text(tables: &[TableSchema], pattern: Option<&str>) -> String {
    let mut names: Vec<&str> =
        tables.iter().map(|t| t.name.as_str()).filter(|n| pattern.is_none_or(|p| like(p, n))).collect();
    names.sort_unstable();
    let width = names.iter().map(|n| n.width()).max().unwrap_or(0);
    let per_line = (LINE_WIDTH / (width + 2)).max(1);
    let lines = names.len().div_ceil(per_line);
    let mut out = String::new();
    for line in 0..lines {
        let mut text = String::new();
        for name in names.iter().skip(line).step_by(lines.max(1)) {
            if !text.is_empty() {
                text.push_str("  ");
            }
            text.push_str(name);
            text.push_str(&" ".repeat(width - name.width()));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// The `CREATE TABLE` and `CREATE INDEX` statements of the tables (in the catalog's
/// order) whose names match `pattern`.
pub fn schema_text(tables: &[TableSchema], pattern: Option<&str>) -> String {
    let mut out = String::new();
    for table in tables.iter().filter(|t| pattern.is_none_or(|p| like(p, &t.name))) {
        out.push_str(&create_table_sql(table));
        out.push('\n');
        for index in create_indexes_sql(table) {
            out.push_str(&index);
            out.push('\n');
        }
    }
    out
}

/// One line per secondary index of the tables matching `pattern`: its name (the one
/// `.schema` gives it), what it indexes, and `UNIQUE` or `-- foreign key` where it is.
pub fn indexes_text(tables: &[TableSchema], pattern: Option<&str>) -> String {
    let mut out = String::new();
    for table in tables.iter().filter(|t| pattern.is_none_or(|p| like(p, &t.name))) {
        for field in &table.fields {
            let Some(spec) = field.index() else { continue };
            let kind = match (&field.ty, spec.unique) {
                (_, true) => " UNIQUE",
                (FieldType::Fk { .. }, false) => " -- foreign key",
                _ => "",
            };
            let name = index_name(&table.name, &field.name);
            out.push_str(&format!("{name} ON {}({}){kind}\n", table.name, field.name));
        }
    }
    out
}

/// SQL's `LIKE`, as `sqlite3`'s dot-commands match names: `%` any run, `_` any one
/// character, ASCII letters in either case.
pub fn like(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    // Greedy match with one backtrack point: the last `%` seen.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '_' || c.eq_ignore_ascii_case(&name[n]) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use bazoola::Field;

    fn catalog() -> Vec<TableSchema> {
        vec![
            TableSchema::new("authors").field(Field::char("name", 20).unique()),
            TableSchema::new("books")
                .field(Field::char("title", 20))
                .field(Field::fk("author_id", "authors"))
                .field(Field::int("year").nullable().indexed()),
        ]
    }

    #[test]
    fn like_matches_as_sql() {
        assert!(like("books", "BOOKS"));
        assert!(like("b%", "books"));
        assert!(like("%o_s", "books"));
        assert!(like("%", ""));
        assert!(!like("b_", "books"));
        assert!(like("%k%s", "bookkeeps"));
        assert!(!like("a%", "books"));
    }

    #[test]
    fn tables_in_columns() {
        assert_eq!(tables_text(&catalog(), None), "authors  books\n");
        assert_eq!(tables_text(&catalog(), Some("b%")), "books\n");
        assert_eq!(tables_text(&catalog(), Some("x%")), "");
        let many: Vec<TableSchema> = (0..30).map(|i| TableSchema::new(format!("table_{i:02}"))).collect();
        let text = tables_text(&many, None);
        // Eight names a line (80 / (8 + 2)), four lines, names down each column.
        assert_eq!(text.lines().count(), 4);
        assert!(text.starts_with("table_00  table_04  table_08"), "{text}");
    }

    #[test]
    fn indexes_name_what_they_index() {
        assert_eq!(
            indexes_text(&catalog(), None),
            "authors_name ON authors(name) UNIQUE\n\
             books_author_id ON books(author_id) -- foreign key\n\
             books_year ON books(year)\n"
        );
    }

    #[test]
    fn schema_is_sql() {
        let text = schema_text(&catalog(), Some("books"));
        assert!(text.starts_with("CREATE TABLE books (\n"), "{text}");
        assert!(text.ends_with("CREATE INDEX books_year ON books(year);\n"), "{text}");
    }
}
