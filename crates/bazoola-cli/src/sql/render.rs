//! Schemas as SQL text: the `CREATE TABLE` and `CREATE INDEX` statements that make a
//! table again (`.schema`, and the dumps of the next issue build on these).

use bazoola::{Field, FieldType, Indexing, OnDelete, TableSchema};

/// `name` as an identifier: bare when it is a plain lowercase word, double-quoted (with
/// quotes doubled) otherwise.
pub fn ident(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_keyword(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Words that would read as SQL if left bare.
fn is_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "select",
        "from",
        "where",
        "order",
        "group",
        "by",
        "limit",
        "offset",
        "table",
        "index",
        "create",
        "drop",
        "insert",
        "update",
        "delete",
        "into",
        "values",
        "set",
        "and",
        "or",
        "not",
        "null",
        "join",
        "on",
        "as",
        "key",
        "primary",
        "references",
        "unique",
        "default",
        "check",
        "having",
        "in",
        "is",
    ];
    KEYWORDS.contains(&name)
}

/// The type and constraints of one field as SQL (`CHAR(20) NOT NULL`).
pub fn field_sql(field: &Field, width: usize) -> String {
    if field.ty == FieldType::Pk {
        return "INTEGER PRIMARY KEY".into();
    }
    let mut out = match &field.ty {
        FieldType::Int { size: Some(size) } if *size != width => format!("INT({size})"),
        FieldType::Int { .. } => "INTEGER".into(),
        FieldType::Char { size } => format!("CHAR({size})"),
        FieldType::Text => "TEXT".into(),
        FieldType::Fk { .. } => "INTEGER".into(),
        FieldType::Pk => unreachable!("handled above"),
    };
    if !field.nullable {
        out.push_str(" NOT NULL");
    }
    if field.indexing == Indexing::Unique {
        out.push_str(" UNIQUE");
    }
    if let FieldType::Fk { table, on_delete } = &field.ty {
        out.push_str(&format!(" REFERENCES {}(id)", ident(table)));
        if *on_delete != OnDelete::Restrict {
            out.push_str(&format!(" ON DELETE {}", on_delete.as_str()));
        }
    }
    out
}

/// `CREATE TABLE name (…);` on one line per field.
pub fn create_table_sql(schema: &TableSchema) -> String {
    let fields: Vec<String> = schema
        .fields
        .iter()
        .map(|f| format!("  {} {}", ident(&f.name), field_sql(f, schema.width)))
        .collect();
    format!("CREATE TABLE {} (\n{}\n);", ident(&schema.name), fields.join(",\n"))
}

/// The name `CREATE INDEX` gives the index on `table.field` here.
pub fn index_name(table: &str, field: &str) -> String {
    format!("{table}_{field}")
}

/// `CREATE INDEX …;` for each plain index of the table (unique ones are in the table's
/// `UNIQUE` constraints; an FK's automatic index needs no statement, and `NOINDEX` on an
/// FK has none to write, which the next issue's dumps note in a comment).
pub fn create_indexes_sql(schema: &TableSchema) -> Vec<String> {
    schema
        .fields
        .iter()
        .filter(|f| f.indexing == Indexing::Index && !matches!(f.ty, FieldType::Fk { .. }))
        .map(|f| {
            format!(
                "CREATE INDEX {} ON {}({});",
                ident(&index_name(&schema.name, &f.name)),
                ident(&schema.name),
                ident(&f.name)
            )
        })
        .collect()
}
