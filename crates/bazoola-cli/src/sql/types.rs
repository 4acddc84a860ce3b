//! SQL column definitions as Bazoola fields (SPEC §10):
//!
//! | SQL | field |
//! |---|---|
//! | `id INTEGER PRIMARY KEY` (first column; `INT`, `AUTOINCREMENT` accepted) | `PK` |
//! | `INTEGER`, `INT` | `INT` (as wide as the table's ids: 9 characters, sign included) |
//! | `INTEGER(n)`, `INT(n)` (n ≤ 19) | `INT(n)` |
//! | `CHAR(n)`, `VARCHAR(n)`, `CHARACTER [VARYING](n)` | `CHAR(n)`: at most n bytes of UTF-8 |
//! | `TEXT` | `TEXT` |
//! | `INTEGER REFERENCES t [(id)] [ON DELETE …]` | `FK(t)`, `RESTRICT` unless said |
//!
//! A column is nullable unless `NOT NULL` (SQL's default, not the Rust API's); `UNIQUE`
//! makes a unique index. Values follow the column's affinity on the way in, as SQLite
//! stores them: `'12'` into an INTEGER column is 12, 12 into a TEXT column is `'12'`.

use bazoola::{Field, FieldType, OnDelete, Value};
use sqlparser::ast::{self, CharacterLength, ColumnDef, ColumnOption, DataType, ReferentialAction};

use super::bind::Binder;
use super::scope::{Ctx, Scope};
use super::value;
use crate::error::{CliError, Result};

/// A column definition, read.
pub struct ColumnSpec {
    pub field: Field,
    /// `DEFAULT` (ALTER TABLE … ADD COLUMN only).
    pub default: Option<Value>,
    pub primary_key: bool,
}

/// The field a column definition describes; `table` is the table it belongs to (an FK
/// may point at it).
pub fn column(ctx: &Ctx, def: &ColumnDef, table: &str) -> Result<ColumnSpec> {
    let name = def.name.value.clone();
    if def.collation.is_some() {
        return Err(ctx.unsupported("COLLATE", "COLLATE"));
    }
    let mut nullable = true;
    let mut unique = false;
    let mut primary_key = false;
    let mut default = None;
    let mut reference = None;
    for option in &def.options {
        match &option.option {
            ColumnOption::Null => nullable = true,
            ColumnOption::NotNull => nullable = false,
            ColumnOption::Unique { is_primary: true, characteristics: None } => primary_key = true,
            ColumnOption::Unique { is_primary: false, characteristics: None } => unique = true,
            ColumnOption::Default(e) => default = Some(constant(ctx, e)?),
            ColumnOption::ForeignKey {
                foreign_table,
                referred_columns,
                on_delete,
                on_update: _,
                characteristics: None,
            } => {
                reference = Some(references(ctx, foreign_table, referred_columns, *on_delete, table)?);
            }
            ColumnOption::DialectSpecific(tokens)
                if primary_key
                    && tokens.iter().all(|t| t.to_string().eq_ignore_ascii_case("AUTOINCREMENT")) => {}
            ColumnOption::Check(_) => return Err(ctx.unsupported_at("CHECK constraints", &[&name, "CHECK"])),
            ColumnOption::Generated { .. } => {
                return Err(ctx.unsupported_at("generated columns", &[&name, "GENERATED"]))
            }
            other => return Err(ctx.unsupported(format!("the column option {other}"), &name)),
        }
    }
    if primary_key {
        let integer = matches!(def.data_type, DataType::Int(None) | DataType::Integer(None));
        if !name.eq_ignore_ascii_case("id") || !integer || reference.is_some() {
            return Err(ctx.unsupported_at(
                "a PRIMARY KEY other than `id INTEGER PRIMARY KEY` (every Bazoola table's key is its integer id)",
                &[&name, "PRIMARY"],
            ));
        }
        return Ok(ColumnSpec { field: Field::pk(), default, primary_key });
    }
    let mut field = match (&reference, &def.data_type) {
        (Some((target, rule)), DataType::Int(None) | DataType::Integer(None)) => {
            Field::fk(name.clone(), target.clone()).on_delete(*rule)
        }
        (Some(_), other) => {
            return Err(CliError::Usage(format!(
                "column {name}: a foreign key is INTEGER (as wide as the ids it holds), not {other}"
            )))
        }
        (None, ty) => Field::new(name.clone(), field_type(ctx, ty, &name)?),
    };
    field.nullable = nullable;
    if unique {
        field = field.unique();
    }
    Ok(ColumnSpec { field, default, primary_key })
}

/// The field type of an SQL type.
pub fn field_type(ctx: &Ctx, ty: &DataType, column: &str) -> Result<FieldType> {
    let size = |len: &Option<CharacterLength>| match len {
        Some(CharacterLength::IntegerLength { length, .. }) => usize::try_from(*length).ok(),
        _ => None,
    };
    Ok(match ty {
        DataType::Int(None) | DataType::Integer(None) => FieldType::Int { size: None },
        DataType::Int(Some(n)) | DataType::Integer(Some(n)) => {
            FieldType::Int { size: Some(usize::try_from(*n).unwrap_or(usize::MAX)) }
        }
        DataType::Char(len)
        | DataType::Character(len)
        | DataType::Varchar(len)
        | DataType::CharacterVarying(len) => match size(len) {
            Some(size) => FieldType::Char { size },
            None => {
                return Err(CliError::Usage(format!("column {column}: {ty} needs a size, as in CHAR(20)")))
            }
        },
        DataType::Text => FieldType::Text,
        other => {
            return Err(ctx.unsupported(
                format!("the type {other} (the subset has INTEGER, INT(n), CHAR(n), VARCHAR(n) and TEXT)"),
                column,
            ))
        }
    })
}

/// `REFERENCES t [(id)] [ON DELETE …]`: the target table (as the engine names it) and
/// the delete rule. ON UPDATE is accepted and has nothing to do: ids never change.
pub fn references(
    ctx: &Ctx,
    target: &ast::ObjectName,
    columns: &[ast::Ident],
    on_delete: Option<ReferentialAction>,
    table: &str,
) -> Result<(String, OnDelete)> {
    if !matches!(columns, [] | [_]) || columns.first().is_some_and(|c| !c.value.eq_ignore_ascii_case("id")) {
        return Err(ctx.unsupported("REFERENCES a column other than id", "REFERENCES"));
    }
    let wanted = target.0.last().map_or("", |i| i.value.as_str());
    let target = if wanted.eq_ignore_ascii_case(table) { table.to_string() } else { ctx.table(target)?.name };
    let rule = match on_delete {
        None | Some(ReferentialAction::Restrict) => OnDelete::Restrict,
        Some(ReferentialAction::Cascade) => OnDelete::Cascade,
        Some(ReferentialAction::SetNull) => OnDelete::SetNull,
        Some(ReferentialAction::NoAction) => OnDelete::NoAction,
        Some(ReferentialAction::SetDefault) => {
            return Err(ctx.unsupported("ON DELETE SET DEFAULT", "DEFAULT"))
        }
    };
    Ok((target, rule))
}

/// A constant expression's value (DEFAULT, VALUES).
pub fn constant(ctx: &Ctx, e: &ast::Expr) -> Result<Value> {
    let empty = Scope::default();
    let mut binder = Binder::new(ctx, &empty, None);
    Ok(binder.bind_row(e)?.eval(&[]))
}

/// `v` as a column of `field`'s type stores it (SQLite's affinity on the way in):
/// numbers in number columns, text in text columns. A value that still does not fit
/// is left for the engine to refuse, naming the field.
pub fn stored(field: &Field, v: Value) -> Value {
    if field.is_numeric() {
        match value::numeric_affinity(&v) {
            Value::Float(f) => value::float_to_int(f).map_or(Value::Float(f), Value::Int),
            other => other,
        }
    } else {
        value::text_affinity(&v)
    }
}
