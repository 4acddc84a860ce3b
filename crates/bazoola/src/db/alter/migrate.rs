//! Migrations at open: how a declared schema differs from the stored one, and whether
//! `OpenOptions::migrate` may apply the difference on its own.
//!
//! Safe differences lose nothing and need no choice: a new nullable field (anywhere in
//! the list: the table is rewritten in the declared order), a wider CHAR or INT, a
//! field that becomes nullable, a new index (a unique one is checked against the rows),
//! fields in another order. Everything else — a dropped or renamed field, a new field
//! that is not nullable, a narrower one, NOT NULL, another type or FK target, a dropped
//! index, another ON DELETE rule, another format width — is refused with the operation
//! that makes it explicitly.

use super::Source;
use crate::format::schema::{Field, FieldType, TableSchema};
use crate::format::schema_file::render_field;

/// What turning a stored schema into a declared one takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// Migrate can do it: the declared fields' sources, and what it does, in words.
    Safe { fields: Vec<Source>, change: String },
    /// Migrate does not: what the difference is, and how to make it instead.
    Unsafe { change: String, how: String },
}

/// The difference between `stored` and `declared` (which differ).
pub fn difference(stored: &TableSchema, declared: &TableSchema) -> Difference {
    if stored.width != declared.width {
        return Difference::Unsafe {
            change: format!("changes the format width from {} to {}", stored.width, declared.width),
            how: "a table keeps its width; copy its rows into a new table instead".into(),
        };
    }
    let mut fields = Vec::new();
    let mut changes = Vec::new();
    for field in &declared.fields {
        match stored.field_index(&field.name) {
            Some(j) => {
                let before = &stored.fields[j];
                if let Some(unsafe_change) = field_change(stored, before, field, &mut changes) {
                    return unsafe_change;
                }
                fields.push(Source::Old(j));
            }
            None if field.nullable => {
                changes.push(format!("adds field '{}'", field.name));
                fields.push(Source::Value(crate::value::Value::Null));
            }
            None => {
                return Difference::Unsafe {
                    change: format!("adds field '{}', which is not nullable", field.name),
                    how: "add it with add_field and a default for the rows already there".into(),
                }
            }
        }
    }
    if let Some(gone) = stored.fields.iter().find(|f| declared.field_index(&f.name).is_none()) {
        return Difference::Unsafe {
            change: format!("has no field '{}', which the stored one has", gone.name),
            how: "drop it with drop_field, or rename it with rename_field".into(),
        };
    }
    let in_order = fields.iter().enumerate().all(|(i, s)| *s == Source::Old(i));
    if !in_order && changes.is_empty() {
        changes.push("puts the fields in another order".into());
    }
    Difference::Safe { fields, change: changes.join(", ") }
}

/// Records a safe change of one field in `changes`, or returns the unsafe one.
fn field_change(
    table: &TableSchema,
    before: &Field,
    after: &Field,
    changes: &mut Vec<String>,
) -> Option<Difference> {
    if before == after {
        return None;
    }
    let name = &after.name;
    let unsafe_change = |change: String, how: &str| Some(Difference::Unsafe { change, how: how.into() });
    let width = table.width;
    let sizes = match (&before.ty, &after.ty) {
        (FieldType::Char { size: a }, FieldType::Char { size: b }) => Some((*a, *b)),
        (FieldType::Int { .. }, FieldType::Int { .. }) => Some((before.width(width), after.width(width))),
        (FieldType::Fk { table: a, on_delete: x }, FieldType::Fk { table: b, on_delete: y }) if a == b => {
            if x != y {
                return unsafe_change(
                    format!("changes the ON DELETE rule of field '{name}'"),
                    "change it with alter_field",
                );
            }
            None
        }
        (a, b) if a == b => None,
        _ => {
            return unsafe_change(
                format!(
                    "changes field '{name}' from `{}` to `{}`",
                    render_field(before, width),
                    render_field(after, width)
                ),
                "a field keeps its type; add a new field and copy the values over",
            )
        }
    };
    if let Some((from, to)) = sizes {
        if to < from {
            return unsafe_change(
                format!("narrows field '{name}' from {from} to {to}"),
                "narrow it with alter_field, which checks every value",
            );
        }
        if to > from {
            changes.push(format!("widens field '{name}' from {from} to {to}"));
        }
    }
    if before.nullable && !after.nullable {
        return unsafe_change(
            format!("makes field '{name}' NOT NULL"),
            "change it with alter_field, which checks every row",
        );
    }
    if !before.nullable && after.nullable {
        changes.push(format!("lets field '{name}' be null"));
    }
    match (before.index(), after.index()) {
        (a, b) if a == b => {}
        (Some(_), None) => {
            return unsafe_change(format!("drops the index of field '{name}'"), "drop it with alter_field")
        }
        (Some(a), Some(_)) if a.unique => {
            return unsafe_change(
                format!("drops the UNIQUE constraint of field '{name}'"),
                "change it with alter_field",
            )
        }
        (_, Some(b)) => changes
            .push(format!("adds {} on field '{name}'", if b.unique { "a unique index" } else { "an index" })),
        (_, None) => {}
    }
    None
}
