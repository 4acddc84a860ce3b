//! `{t}__schema.dat`: a table's schema as readable text, one field per line.
//!
//! ```text
//! # bazoola table books: one field per line
//! id PK
//! title CHAR(20) UNIQUE
//! author_id FK(authors) ON DELETE RESTRICT
//! year INT(9) NULL INDEX
//! ```
//!
//! A line is `name TYPE [NULL] [UNIQUE | INDEX | NOINDEX] [ON DELETE rule]`. `PK(6)` marks
//! a table in the width of the original 0.0.7 package; FK and TEXT slots take the same
//! width as the PK. FK fields are indexed unless marked `NOINDEX`. Comment lines start
//! with `#`.

use std::path::Path;

use super::schema::{Field, FieldType, Indexing, OnDelete, TableSchema};
use crate::error::SchemaError;
use crate::format::constants::SPEC_WIDTH;

/// The text of a schema file.
pub fn render(schema: &TableSchema) -> String {
    let mut out = format!("# bazoola table {}: one field per line\n", schema.name);
    for field in &schema.fields {
        out.push_str(&render_field(field, schema.width));
        out.push('\n');
    }
    out
}

/// One field's line, with sizes made explicit so two declarations compare by text.
pub fn render_field(field: &Field, width: usize) -> String {
    let ty = match &field.ty {
        FieldType::Pk if width == SPEC_WIDTH => "PK".to_string(),
        FieldType::Pk => format!("PK({width})"),
        FieldType::Int { size } => format!("INT({})", size.unwrap_or(width)),
        FieldType::Char { size } => format!("CHAR({size})"),
        FieldType::Text => "TEXT".to_string(),
        FieldType::Fk { table, on_delete } => format!("FK({table}) ON DELETE {}", on_delete.as_str()),
    };
    let null = if field.nullable { " NULL" } else { "" };
    let index = match (field.indexing, &field.ty) {
        (Indexing::Unique, _) => " UNIQUE",
        (Indexing::Index, FieldType::Fk { .. }) | (Indexing::Default, _) => "",
        (Indexing::Index, _) => " INDEX",
        (Indexing::Off, FieldType::Fk { .. }) => " NOINDEX",
        (Indexing::Off, _) => "",
    };
    // The flags read best before the ON DELETE clause.
    match ty.split_once(" ON DELETE ") {
        Some((fk, rule)) => format!("{} {fk}{null}{index} ON DELETE {rule}", field.name),
        None => format!("{} {ty}{null}{index}", field.name),
    }
}

/// Parses a schema file's text; `path` is only used in error messages.
pub fn parse(name: &str, text: &str, path: &Path) -> Result<TableSchema, SchemaError> {
    let mut fields = Vec::new();
    let mut width = SPEC_WIDTH;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let unparsable =
            || SchemaError::Unparsable { path: path.to_path_buf(), line: number + 1, text: line.to_string() };
        let (field, field_width) = parse_field(line).ok_or_else(unparsable)?;
        if let Some(w) = field_width {
            width = w;
        }
        fields.push(field);
    }
    let schema = TableSchema { name: name.to_string(), fields, width };
    schema.validate()?;
    Ok(schema)
}

/// Parses `name TYPE [NULL|NOT NULL] [ON DELETE rule]`; a `PK(n)` also yields the width.
fn parse_field(line: &str) -> Option<(Field, Option<usize>)> {
    let (name, rest) = line.split_once(char::is_whitespace)?;
    let rest = rest.trim();
    let (ty_text, mut rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let mut pk_width = None;
    let mut ty = match split_call(ty_text)? {
        ("PK", None) => FieldType::Pk,
        ("PK", Some(arg)) => {
            pk_width = Some(arg.parse().ok()?);
            FieldType::Pk
        }
        ("INT", size) => FieldType::Int { size: size.map(str::parse).transpose().ok()? },
        ("CHAR", Some(size)) => FieldType::Char { size: size.parse().ok()? },
        ("TEXT", None) => FieldType::Text,
        ("FK", Some(table)) => FieldType::Fk { table: table.to_string(), on_delete: OnDelete::Restrict },
        _ => return None,
    };
    let mut nullable = false;
    rest = rest.trim();
    if let Some(after) = rest.strip_prefix("NOT NULL") {
        rest = after.trim();
    } else if let Some(after) = rest.strip_prefix("NULL") {
        nullable = true;
        rest = after.trim();
    }
    let mut indexing = Indexing::Default;
    for (word, kind) in [("UNIQUE", Indexing::Unique), ("INDEX", Indexing::Index), ("NOINDEX", Indexing::Off)]
    {
        if let Some(after) = rest.strip_prefix(word).filter(|a| a.is_empty() || a.starts_with(' ')) {
            indexing = kind;
            rest = after.trim();
            break;
        }
    }
    if let Some(rule) = rest.strip_prefix("ON DELETE") {
        match &mut ty {
            FieldType::Fk { on_delete, .. } => *on_delete = OnDelete::parse(rule)?,
            _ => return None,
        }
    } else if !rest.is_empty() {
        return None;
    }
    Some((Field { name: name.to_string(), ty, nullable, indexing }, pk_width))
}

/// `CHAR(20)` → `("CHAR", Some("20"))`; `TEXT` → `("TEXT", None)`.
fn split_call(text: &str) -> Option<(&str, Option<&str>)> {
    match text.split_once('(') {
        Some((head, tail)) => Some((head, Some(tail.strip_suffix(')')?))),
        None => Some((text, None)),
    }
}

/// The first difference between a stored and a declared schema, if any.
pub fn first_difference(stored: &TableSchema, declared: &TableSchema) -> Option<SchemaError> {
    let count = stored.fields.len().max(declared.fields.len());
    let line = |schema: &TableSchema, i: usize| {
        schema
            .fields
            .get(i)
            .map(|f| render_field(f, schema.width))
            .unwrap_or_else(|| "(no such field)".to_string())
    };
    (0..count).find_map(|i| {
        let (s, d) = (line(stored, i), line(declared, i));
        (s != d).then(|| SchemaError::Mismatch {
            table: declared.name.clone(),
            position: i + 1,
            stored: s,
            declared: d,
            change: String::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn books() -> TableSchema {
        TableSchema::new("books")
            .field(Field::char("title", 20).unique())
            .field(Field::fk("author_id", "authors").nullable())
            .field(Field::int("year").nullable().indexed())
            .field(Field::text("blurb"))
            .field(Field::fk("shelf", "shelves").on_delete(OnDelete::Cascade).no_index())
    }

    #[test]
    fn renders_one_readable_line_per_field() {
        assert_eq!(
            render(&books()),
            "# bazoola table books: one field per line\n\
             id PK\n\
             title CHAR(20) UNIQUE\n\
             author_id FK(authors) NULL ON DELETE RESTRICT\n\
             year INT(9) NULL INDEX\n\
             blurb TEXT\n\
             shelf FK(shelves) NOINDEX ON DELETE CASCADE\n"
        );
    }

    #[rstest]
    #[case(books())]
    #[case(books().with_width(6))]
    fn parse_reads_back_what_render_wrote(#[case] schema: TableSchema) {
        let parsed = parse("books", &render(&schema), Path::new("books__schema.dat")).unwrap();
        assert_eq!(parsed.width, schema.width);
        assert_eq!(first_difference(&parsed, &schema), None);
    }

    #[rstest]
    #[case("id PK\nx WHAT(3)\n", 2)]
    #[case("id PK\nx CHAR(abc)\n", 2)]
    #[case("id PK\nx INT(3) ON DELETE CASCADE\n", 2)]
    #[case("id PK\nx FK(a) ON DELETE SOMETIMES\n", 2)]
    #[case("# c\nid\n", 2)]
    #[case("id PK\nx INT(3) UNIQUE INDEX\n", 2)]
    #[case("id PK\nx INT(3) INDEXED\n", 2)]
    fn bad_lines_are_named(#[case] text: &str, #[case] line: usize) {
        match parse("t", text, Path::new("t__schema.dat")) {
            Err(SchemaError::Unparsable { line: l, .. }) => assert_eq!(l, line),
            other => panic!("expected an unparsable line, got {other:?}"),
        }
    }

    #[test]
    fn first_difference_names_the_field() {
        let declared = books();
        let mut stored = books();
        stored.fields[3] = Field::int("year");
        let err = first_difference(&stored, &declared).unwrap().to_string();
        assert_eq!(
            err,
            "table 'books': the schema on disk differs from the declared one at field 4: \
             stored `year INT(9)`, declared `year INT(9) NULL INDEX`"
        );
    }
}
