//! Schema statements, each one of the engine's schema changes (SPEC §9) — so each is
//! one crash-safe transaction, refused whole (naming table, field and the first
//! offending row) when the rows do not allow it, and written to the tables' schema
//! files, which is how the next opener finds them:
//!
//! - `CREATE TABLE` → `create_table`; `DROP TABLE [IF EXISTS] t [CASCADE]` → `drop_table`.
//! - `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON t (col)` → `alter_field` giving the
//!   field an index; `DROP INDEX [IF EXISTS] t_col` → `alter_field` taking it away.
//!   Bazoola keeps no index names: an index is named `{table}_{column}` (as `.indexes`
//!   shows it), whatever name CREATE INDEX gave.
//! - `ALTER TABLE t ADD [COLUMN] def [DEFAULT v]` → `add_field` (rows already there get
//!   `v`), `DROP COLUMN` → `drop_field`, `RENAME COLUMN a TO b` → `rename_field`,
//!   `RENAME TO u` → `rename_table`, `ALTER COLUMN c SET/DROP NOT NULL` and
//!   `ALTER COLUMN c SET DATA TYPE …` (a size) → `alter_field`.

use bazoola::{AlterError, Field, FieldType, Indexing, TableSchema};
use sqlparser::ast::{self, AlterColumnOperation, AlterTableOperation, ObjectType, TableConstraint};

use super::render::index_name;
use super::scope::{pick, unknown_column, Ctx};
use super::types::{self, stored};
use crate::error::{CliError, Result};
use crate::session::Outcome;

pub fn create_table(ctx: &Ctx, ct: &ast::CreateTable) -> Result<Outcome> {
    if ct.or_replace {
        return Err(ctx.unsupported("CREATE OR REPLACE TABLE", "REPLACE"));
    }
    if ct.temporary {
        return Err(ctx.unsupported("TEMPORARY tables", "TEMPORARY"));
    }
    if ct.query.is_some() {
        return Err(ctx.unsupported("CREATE TABLE … AS SELECT", "AS"));
    }
    if ct.like.is_some() || ct.clone.is_some() {
        return Err(ctx.unsupported("CREATE TABLE … LIKE/CLONE", "LIKE"));
    }
    if ct.without_rowid {
        return Err(ctx.unsupported("WITHOUT ROWID", "WITHOUT"));
    }
    if ct.external
        || ct.engine.is_some()
        || ct.comment.is_some()
        || ct.partition_by.is_some()
        || ct.order_by.is_some()
    {
        return Err(ctx.unsupported("this CREATE TABLE option", ""));
    }
    let name = table_name(ctx, &ct.name)?;
    if let Ok(existing) = ctx.table_named(&name) {
        if ct.if_not_exists {
            return Ok(Outcome::Done);
        }
        return Err(bazoola::Error::from(AlterError::TableExists { table: existing.name }).into());
    }
    let mut specs = Vec::new();
    for def in &ct.columns {
        specs.push(types::column(ctx, def, &name)?);
    }
    for spec in &specs {
        if spec.default.is_some() {
            return Err(ctx.unsupported_at(
                "DEFAULT in CREATE TABLE (Bazoola stores no defaults; a column left out of INSERT is NULL)",
                &[&spec.field.name, "DEFAULT"],
            ));
        }
    }
    let mut fields: Vec<Field> = specs.into_iter().map(|s| s.field).collect();
    let mut primary_key = fields.first().is_some_and(|f| f.ty == FieldType::Pk);
    for constraint in &ct.constraints {
        match constraint {
            TableConstraint::PrimaryKey { columns, characteristics: None, .. }
                if matches!(columns.as_slice(), [c] if c.value.eq_ignore_ascii_case("id")) =>
            {
                let is_id = fields.first().is_some_and(|f| {
                    f.name.eq_ignore_ascii_case("id") && matches!(f.ty, FieldType::Int { size: None } | FieldType::Pk)
                });
                if !is_id {
                    return Err(first_column_error(&name));
                }
                fields[0] = Field::pk();
                primary_key = true;
            }
            TableConstraint::Unique { columns, characteristics: None, .. } if columns.len() == 1 => {
                let i = field_position(&fields, &columns[0].value).ok_or_else(|| unknown_column(&name, &columns[0].value))?;
                fields[i].indexing = Indexing::Unique;
            }
            TableConstraint::ForeignKey { columns, foreign_table, referred_columns, on_delete, characteristics: None, .. }
                if columns.len() == 1 =>
            {
                let i = field_position(&fields, &columns[0].value).ok_or_else(|| unknown_column(&name, &columns[0].value))?;
                if fields[i].ty != (FieldType::Int { size: None }) {
                    return Err(CliError::Usage(format!(
                        "column {}: a foreign key is INTEGER (as wide as the ids it holds)",
                        fields[i].name
                    )));
                }
                let (target, rule) = types::references(ctx, foreign_table, referred_columns, *on_delete, &name)?;
                let nullable = fields[i].nullable;
                let indexing = fields[i].indexing;
                fields[i] = Field::fk(fields[i].name.clone(), target).on_delete(rule);
                fields[i].nullable = nullable;
                fields[i].indexing = indexing;
            }
            TableConstraint::Check { .. } => return Err(ctx.unsupported("CHECK constraints", "CHECK")),
            _ => {
                return Err(ctx.unsupported(
                    format!("the table constraint {constraint} (the subset has PRIMARY KEY (id), UNIQUE (col) and FOREIGN KEY (col) REFERENCES t)"),
                    "",
                ))
            }
        }
    }
    if !primary_key {
        return Err(first_column_error(&name));
    }
    if fields.iter().skip(1).any(|f| f.ty == FieldType::Pk) {
        return Err(first_column_error(&name));
    }
    let schema = TableSchema::from_fields(name, fields).map_err(bazoola::Error::from)?;
    ctx.db.create_table(schema)?;
    Ok(Outcome::Done)
}

fn first_column_error(table: &str) -> CliError {
    CliError::Usage(format!(
        "CREATE TABLE {table}: the first column must be `id INTEGER PRIMARY KEY` (every Bazoola table is keyed by its integer id)"
    ))
}

fn field_position(fields: &[Field], wanted: &str) -> Option<usize> {
    pick(fields.iter().map(|f| f.name.as_str()), wanted)
}

/// A table name as CREATE TABLE gives it (`t` or `main.t`).
fn table_name(ctx: &Ctx, name: &ast::ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [t] => Ok(t.value.clone()),
        [schema, t] if schema.value.eq_ignore_ascii_case("main") => Ok(t.value.clone()),
        _ => Err(ctx.unsupported(format!("the qualified name {name}"), "")),
    }
}

/// `DROP TABLE` and `DROP INDEX`.
pub fn drop(
    ctx: &Ctx,
    object: ObjectType,
    if_exists: bool,
    names: &[ast::ObjectName],
    cascade: bool,
) -> Result<Outcome> {
    match object {
        ObjectType::Table => {
            for name in names {
                match ctx.table(name) {
                    Ok(schema) => ctx.db.drop_table(&schema.name, cascade)?,
                    Err(_) if if_exists => {}
                    Err(e) => return Err(e),
                }
            }
        }
        ObjectType::Index => {
            for name in names {
                let wanted = name.0.last().map_or("", |i| i.value.as_str());
                match find_index(ctx, wanted)? {
                    Some((schema, i)) => {
                        let mut field = schema.fields[i].clone();
                        field.indexing = match field.ty {
                            // An FK's index is there by default: taking it away is `NOINDEX`.
                            FieldType::Fk { .. } if field.indexing != Indexing::Unique => Indexing::Off,
                            _ => Indexing::Default,
                        };
                        ctx.db.alter_field(&schema.name, field)?;
                    }
                    None if if_exists => {}
                    None => {
                        return Err(CliError::Usage(format!(
                            "no such index: {wanted} (indexes are named table_column, as .indexes lists them)"
                        )))
                    }
                }
            }
        }
        other => return Err(ctx.unsupported(format!("DROP {other}"), &other.to_string())),
    }
    Ok(Outcome::Done)
}

/// The table and field of the index named `{table}_{field}`.
fn find_index(ctx: &Ctx, wanted: &str) -> Result<Option<(TableSchema, usize)>> {
    for schema in ctx.db.tables()? {
        for (i, field) in schema.fields.iter().enumerate().skip(1) {
            if index_name(&schema.name, &field.name).eq_ignore_ascii_case(wanted) && field.index().is_some() {
                return Ok(Some((schema, i)));
            }
        }
    }
    Ok(None)
}

pub fn create_index(ctx: &Ctx, ci: &ast::CreateIndex) -> Result<Outcome> {
    if ci.using.is_some()
        || !ci.include.is_empty()
        || ci.nulls_distinct.is_some()
        || !ci.with.is_empty()
        || ci.concurrently
    {
        return Err(ctx.unsupported("this CREATE INDEX option", "INDEX"));
    }
    if ci.predicate.is_some() {
        return Err(ctx.unsupported("partial indexes (CREATE INDEX … WHERE)", "WHERE"));
    }
    let [column] = ci.columns.as_slice() else {
        return Err(ctx.unsupported("an index on several columns (Bazoola indexes one field)", "("));
    };
    let ast::Expr::Identifier(ident) = &column.expr else {
        return Err(ctx.unsupported("an index on an expression", "("));
    };
    if column.nulls_first.is_some() || column.with_fill.is_some() {
        return Err(ctx.unsupported("NULLS FIRST/LAST in an index", "NULLS"));
    }
    let schema = ctx.table(&ci.table_name)?;
    let i = field_position(&schema.fields, &ident.value)
        .ok_or_else(|| unknown_column(&schema.name, &ident.value))?;
    if i == 0 {
        // The primary key is indexed already.
        return Ok(Outcome::Done);
    }
    let mut field = schema.fields[i].clone();
    let has = field.index();
    // An index already there (of that kind at least) is not made twice.
    match (has, ci.unique) {
        (Some(spec), unique) if spec.unique || !unique => return Ok(Outcome::Done),
        _ => {}
    }
    field.indexing = if ci.unique { Indexing::Unique } else { Indexing::Index };
    ctx.db.alter_field(&schema.name, field)?;
    Ok(Outcome::Done)
}

pub fn alter_table(
    ctx: &Ctx,
    name: &ast::ObjectName,
    if_exists: bool,
    operations: &[AlterTableOperation],
) -> Result<Outcome> {
    let schema = match ctx.table(name) {
        Ok(schema) => schema,
        Err(_) if if_exists => return Ok(Outcome::Done),
        Err(e) => return Err(e),
    };
    let [operation] = operations else {
        return Err(ctx.unsupported("several changes in one ALTER TABLE (one at a time)", ","));
    };
    let table = schema.name.as_str();
    let field = |wanted: &str| -> Result<Field> {
        let i = field_position(&schema.fields, wanted).ok_or_else(|| unknown_column(table, wanted))?;
        Ok(schema.fields[i].clone())
    };
    match operation {
        AlterTableOperation::AddColumn { if_not_exists, column_def, column_position: None, .. } => {
            if field_position(&schema.fields, &column_def.name.value).is_some() && *if_not_exists {
                return Ok(Outcome::Done);
            }
            let spec = types::column(ctx, column_def, table)?;
            if spec.primary_key {
                return Err(ctx.unsupported("adding a PRIMARY KEY column", "PRIMARY"));
            }
            let default = spec.default.map(|v| stored(&spec.field, v)).unwrap_or_default();
            ctx.db.add_field(table, spec.field, default)?;
        }
        AlterTableOperation::DropColumn { column_name, if_exists, .. } => {
            match field_position(&schema.fields, &column_name.value) {
                Some(i) => ctx.db.drop_field(table, &schema.fields[i].name)?,
                None if *if_exists => {}
                None => return Err(unknown_column(table, &column_name.value)),
            }
        }
        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
            let old = field(&old_column_name.value)?;
            ctx.db.rename_field(table, &old.name, &new_column_name.value)?;
        }
        AlterTableOperation::RenameTable { table_name } => {
            ctx.db.rename_table(table, &self::table_name(ctx, table_name)?)?;
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let mut changed = field(&column_name.value)?;
            match op {
                AlterColumnOperation::SetNotNull => changed.nullable = false,
                AlterColumnOperation::DropNotNull => changed.nullable = true,
                AlterColumnOperation::SetDataType { data_type, using: None } => {
                    changed.ty = match (&changed.ty, types::field_type(ctx, data_type, &changed.name)?) {
                        // An FK keeps its target: only INTEGER says nothing new.
                        (FieldType::Fk { .. }, FieldType::Int { size: None }) => changed.ty.clone(),
                        (_, ty) => ty,
                    };
                }
                other => return Err(ctx.unsupported(format!("ALTER COLUMN … {other}"), "ALTER")),
            }
            ctx.db.alter_field(table, changed)?;
        }
        other => return Err(ctx.unsupported(format!("ALTER TABLE … {other}"), "ALTER")),
    }
    Ok(Outcome::Done)
}
