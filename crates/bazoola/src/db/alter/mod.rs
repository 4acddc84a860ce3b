//! Schema changes (SPEC §9): create and drop tables, add, drop, rename and alter fields,
//! rename tables — and migrations at open, which apply the safe differences between a
//! declared schema and the stored one.
//!
//! Every change is first described as a [`Reshape`]: the tables after it, and where
//! each of their tables and fields comes from (an old table and field, or a value for
//! the rows already there). [`run`] then validates the rows against it, and makes it
//! happen as one journaled [`FileChange`](crate::storage::change::FileChange): tables
//! whose row layout changes are rewritten into new files, every row in its slot; the
//! rest is renames, removals and new schema files.

pub mod migrate;
pub mod run;

use crate::error::{AlterError, Result, SchemaError, ValidationError};
use crate::format::constants::LEGACY_WIDTH;
use crate::format::schema::{Field, FieldType, Indexing, TableSchema};
use crate::format::schema_file::render_field;
use crate::value::Value;

/// One change to the schema of a database.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaChange {
    /// A new, empty table. Its FKs must point at tables that exist.
    CreateTable(TableSchema),
    /// Removes a table and its files. Refused while another table's FK refers to it,
    /// unless `cascade`: those FK fields then become plain INT fields (same width, same
    /// values, their index kept) — as PostgreSQL's `DROP TABLE … CASCADE` drops the
    /// constraints and keeps the columns.
    DropTable {
        /// The table to drop.
        table: String,
        /// Whether to turn other tables' FKs to it into plain INT fields instead of refusing.
        cascade: bool,
    },
    /// A field added at the end of the table; the rows already there get `default`
    /// (null by default, which a field that is not nullable refuses if there are rows).
    AddField {
        /// The table to add the field to.
        table: String,
        /// The new field.
        field: Field,
        /// The value the rows already there get.
        default: Value,
    },
    /// Removes a field and its values (and its index) from every row. `id` cannot be dropped.
    DropField {
        /// The table the field is in.
        table: String,
        /// The field to drop.
        field: String,
    },
    /// Renames a field; the values stay. `id` cannot be renamed.
    RenameField {
        /// The table the field is in.
        table: String,
        /// The field's name now.
        from: String,
        /// Its new name, which no other field of the table may have.
        to: String,
    },
    /// Renames a table and its files; FKs of other tables follow.
    RenameTable {
        /// The table's name now.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Gives an existing field (named by `field.name`) a new definition: another size
    /// of CHAR or INT, NULL or NOT NULL, an index added or dropped, unique or not,
    /// another ON DELETE rule. Its type and FK target stay.
    AlterField {
        /// The table the field is in.
        table: String,
        /// The field's new definition.
        field: Field,
    },
}

/// Where a field of a table after a change gets its values from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Field `i` of the old table.
    Old(usize),
    /// This value, in every row (a new field).
    Value(Value),
}

/// A table after a change, and what it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Reshaped {
    /// The table before the change (its position in the old list); `None` for a new one.
    pub from: Option<usize>,
    /// For each field, where its values come from.
    pub fields: Vec<Source>,
}

/// The tables after a change (in the order the handle lists them), each with what it
/// comes from. Old tables no new one comes from are dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Reshape {
    pub new: Vec<TableSchema>,
    pub tables: Vec<Reshaped>,
}

impl Reshape {
    /// No change: every table from itself.
    pub fn identity(old: &[TableSchema]) -> Reshape {
        Reshape {
            new: old.to_vec(),
            tables: old
                .iter()
                .enumerate()
                .map(|(i, t)| Reshaped {
                    from: Some(i),
                    fields: (0..t.fields.len()).map(Source::Old).collect(),
                })
                .collect(),
        }
    }

    /// The tables after `change` is made to `old`; `width` is the format width of a new
    /// table not declared in the original's (6). Checks everything the schemas alone
    /// decide; the rows are checked when the change runs.
    pub fn of(old: &[TableSchema], change: &SchemaChange, width: usize) -> Result<Reshape> {
        let mut r = Reshape::identity(old);
        match change {
            SchemaChange::CreateTable(schema) => {
                if r.position(&schema.name).is_some() {
                    return Err(AlterError::TableExists { table: schema.name.clone() }.into());
                }
                let mut schema = schema.clone();
                if schema.width != LEGACY_WIDTH {
                    schema.width = width;
                }
                schema.validate()?;
                let fields = vec![Source::Value(Value::Null); schema.fields.len()];
                r.new.push(schema);
                r.tables.push(Reshaped { from: None, fields });
            }
            SchemaChange::DropTable { table, cascade } => {
                let t = r.find(table)?;
                for (i, other) in r.new.iter_mut().enumerate() {
                    if i == t {
                        continue;
                    }
                    for field in other.fields.iter_mut() {
                        if field.reference().is_none_or(|(target, _)| target != table) {
                            continue;
                        }
                        if !cascade {
                            return Err(AlterError::Referenced {
                                table: table.clone(),
                                referrer: other.name.clone(),
                                field: field.name.clone(),
                            }
                            .into());
                        }
                        field.indexing = match field.index() {
                            Some(spec) if spec.unique => Indexing::Unique,
                            Some(_) => Indexing::Index,
                            None => Indexing::Default,
                        };
                        field.ty = FieldType::Int { size: None };
                    }
                }
                r.new.remove(t);
                r.tables.remove(t);
            }
            SchemaChange::AddField { table, field, default } => {
                let t = r.find(table)?;
                if r.new[t].field_index(&field.name).is_some() {
                    return Err(
                        AlterError::FieldExists { table: table.clone(), field: field.name.clone() }.into()
                    );
                }
                if field.ty == FieldType::Pk {
                    return Err(AlterError::PrimaryKey { table: table.clone(), what: "added twice" }.into());
                }
                r.new[t].fields.push(field.clone());
                r.tables[t].fields.push(Source::Value(default.clone()));
                r.new[t].validate()?;
                if !default.is_null() {
                    crate::db::validate::check_field_value(table, field, r.new[t].width, default)?;
                }
            }
            SchemaChange::DropField { table, field } => {
                let (t, i) = r.find_field(table, field, "dropped")?;
                r.new[t].fields.remove(i);
                r.tables[t].fields.remove(i);
            }
            SchemaChange::RenameField { table, from, to } => {
                let (t, i) = r.find_field(table, from, "renamed")?;
                if r.new[t].field_index(to).is_some() {
                    return Err(AlterError::FieldExists { table: table.clone(), field: to.clone() }.into());
                }
                r.new[t].fields[i].name = to.clone();
                r.new[t].validate()?;
            }
            SchemaChange::RenameTable { from, to } => {
                let t = r.find(from)?;
                if r.position(to).is_some() {
                    return Err(AlterError::TableExists { table: to.clone() }.into());
                }
                r.new[t].name = to.clone();
                r.new[t].validate()?;
                for schema in r.new.iter_mut() {
                    for field in schema.fields.iter_mut() {
                        if let FieldType::Fk { table, .. } = &mut field.ty {
                            if table == from {
                                *table = to.clone();
                            }
                        }
                    }
                }
            }
            SchemaChange::AlterField { table, field } => {
                let (t, i) = r.find_field(table, &field.name, "altered")?;
                let old = &r.new[t].fields[i];
                let same_kind = match (&old.ty, &field.ty) {
                    (FieldType::Int { .. }, FieldType::Int { .. })
                    | (FieldType::Char { .. }, FieldType::Char { .. })
                    | (FieldType::Text, FieldType::Text) => true,
                    (FieldType::Fk { table: a, .. }, FieldType::Fk { table: b, .. }) => a == b,
                    _ => false,
                };
                if !same_kind {
                    let width = r.new[t].width;
                    return Err(AlterError::TypeChange {
                        table: table.clone(),
                        field: field.name.clone(),
                        from: render_field(old, width),
                        to: render_field(field, width),
                    }
                    .into());
                }
                r.new[t].fields[i] = field.clone();
                r.new[t].validate()?;
            }
        }
        check_targets(&r.new)?;
        Ok(r)
    }

    fn position(&self, table: &str) -> Option<usize> {
        self.new.iter().position(|t| t.name == table)
    }

    fn find(&self, table: &str) -> Result<usize> {
        self.position(table).ok_or_else(|| ValidationError::UnknownTable { table: table.into() }.into())
    }

    /// The table and position of a field other than `id`, which cannot be `what`.
    fn find_field(&self, table: &str, field: &str, what: &'static str) -> Result<(usize, usize)> {
        let t = self.find(table)?;
        let i = self.new[t]
            .field_index(field)
            .ok_or_else(|| ValidationError::UnknownField { table: table.into(), field: field.into() })?;
        if i == 0 {
            return Err(AlterError::PrimaryKey { table: table.into(), what }.into());
        }
        Ok((t, i))
    }
}

/// Every FK points at a table of the list.
fn check_targets(schemas: &[TableSchema]) -> Result<(), SchemaError> {
    for schema in schemas {
        for (field, target, _) in schema.references() {
            if !schemas.iter().any(|s| s.name == target) {
                return Err(SchemaError::UnknownTarget {
                    table: schema.name.clone(),
                    field: schema.fields[field].name.clone(),
                    target: target.to_string(),
                });
            }
        }
    }
    Ok(())
}
