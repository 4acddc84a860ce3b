//! Table declarations from the Python side.
//!
//! `bazoola/table.py` flattens each `Table` subclass into
//! `(name, [(field, type, size, null, target, on_delete, indexing), ...])`, with `type`
//! one of `PK`, `INT`, `CHAR`, `TEXT`, `FK` and `indexing` one of `default`, `index`,
//! `unique`, `off`; this turns that into the core's `TableSchema`. Bad declarations (an
//! index on a TEXT field, on a CHAR too long for one) are the core's `SchemaError`s.
//!
//! The other way, [`describe`] gives a table as the engine has it after a schema change
//! in the same form, from which `bazoola/db.py` rebuilds the `Schema` of `db.tables`.

use bazoola::{Field, FieldType, Indexing, OnDelete, SchemaError, TableSchema};

/// One field as `bazoola/table.py` describes it.
pub type FieldSpec = (String, String, Option<usize>, bool, Option<String>, Option<String>, String);

/// One table as `bazoola/table.py` describes it.
pub type TableSpec = (String, Vec<FieldSpec>);

/// The tables as the engine has them, for the Python side: `(name, width, fields)`.
pub type SchemaSpec = (String, usize, Vec<FieldSpec>);

pub fn table(spec: TableSpec) -> Result<TableSchema, SchemaError> {
    let (name, specs) = spec;
    let fields = specs.into_iter().map(|spec| field(&name, spec)).collect::<Result<Vec<_>, _>>()?;
    TableSchema::from_fields(name, fields)
}

/// One field of table `table` (named in the errors).
pub fn field(table: &str, spec: FieldSpec) -> Result<Field, SchemaError> {
    let (field, ty, size, null, target, on_delete, indexing) = spec;
    let invalid = |problem: String| SchemaError::Invalid { table: table.to_owned(), problem };
    let indexing = match indexing.as_str() {
        "default" => Indexing::Default,
        "index" => Indexing::Index,
        "unique" => Indexing::Unique,
        "off" => Indexing::Off,
        other => {
            return Err(invalid(format!(
                "field '{field}': unknown indexing {other:?} (expected default, index, unique or off)"
            )))
        }
    };
    let mut built = match (ty.as_str(), size, target) {
        ("PK", _, _) => Field::pk(),
        ("INT", None, _) => Field::int(&field),
        ("INT", Some(size), _) => Field::int_sized(&field, size),
        ("CHAR", Some(size), _) => Field::char(&field, size),
        ("TEXT", _, _) => Field::text(&field),
        ("FK", _, Some(target)) => {
            let rule = match on_delete.as_deref() {
                None => OnDelete::default(),
                Some(text) => OnDelete::parse(text).ok_or_else(|| {
                    invalid(format!(
                        "field '{field}': unknown on_delete rule {text:?} \
                         (expected restrict, cascade, set null or no action)"
                    ))
                })?,
            };
            Field::fk(&field, target).on_delete(rule)
        }
        _ => return Err(invalid(format!("field '{field}': unknown field type {ty}"))),
    };
    if ty == "PK" {
        // The core names the primary key `id`; a PK under another name is refused by
        // the core's own validation of the table.
        built.name = field;
    } else if null {
        built = built.nullable();
    }
    // Left to the core to refuse where it does not apply (TEXT, a long CHAR, the PK).
    built.indexing = indexing;
    Ok(built)
}

/// A table as `bazoola/db.py` rebuilds its `Schema` from it after a schema change.
pub fn describe(schema: &TableSchema) -> SchemaSpec {
    (schema.name.clone(), schema.width, schema.fields.iter().map(describe_field).collect())
}

/// The inverse of [`field`]: `field(table, describe_field(f))` is `f`.
fn describe_field(field: &Field) -> FieldSpec {
    let (ty, size, target, on_delete) = match &field.ty {
        FieldType::Pk => ("PK", None, None, None),
        FieldType::Int { size } => ("INT", *size, None, None),
        FieldType::Char { size } => ("CHAR", Some(*size), None, None),
        FieldType::Text => ("TEXT", None, None, None),
        FieldType::Fk { table, on_delete } => {
            ("FK", None, Some(table.clone()), Some(on_delete.as_str().to_ascii_lowercase()))
        }
    };
    let indexing = match field.indexing {
        Indexing::Default => "default",
        Indexing::Off => "off",
        Indexing::Index => "index",
        Indexing::Unique => "unique",
    };
    (field.name.clone(), ty.into(), size, field.nullable, target, on_delete, indexing.into())
}
