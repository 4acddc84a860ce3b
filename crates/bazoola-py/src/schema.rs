//! Table declarations from the Python side.
//!
//! `bazoola/table.py` flattens each `Table` subclass into
//! `(name, [(field, type, size, null, target, on_delete, indexing), ...])`, with `type`
//! one of `PK`, `INT`, `CHAR`, `TEXT`, `FK` and `indexing` one of `default`, `index`,
//! `unique`, `off`; this turns that into the core's `TableSchema`. Bad declarations (an
//! index on a TEXT field, on a CHAR too long for one) are the core's `SchemaError`s.

use bazoola::{Field, Indexing, OnDelete, SchemaError, TableSchema};

/// One field as `bazoola/table.py` describes it.
pub type FieldSpec = (String, String, Option<usize>, bool, Option<String>, Option<String>, String);

/// One table as `bazoola/table.py` describes it.
pub type TableSpec = (String, Vec<FieldSpec>);

pub fn table(spec: TableSpec) -> Result<TableSchema, SchemaError> {
    let (name, specs) = spec;
    let invalid = |problem: String| SchemaError::Invalid { table: name.clone(), problem };
    let mut fields = Vec::with_capacity(specs.len());
    for (field, ty, size, null, target, on_delete, indexing) in specs {
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
            // The core names the primary key `id`; a PK under another name is refused
            // by its own validation below.
            built.name = field;
        } else if null {
            built = built.nullable();
        }
        // Left to the core to refuse where it does not apply (TEXT, a long CHAR, the PK).
        built.indexing = indexing;
        fields.push(built);
    }
    TableSchema::from_fields(name, fields)
}
