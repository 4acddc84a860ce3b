//! Names: the tables a statement reads (its FROM clause, joins included) and the
//! columns they bring, laid side by side in a flat row. Names match as SQLite matches
//! them — without regard to case — preferring an exact match when two names differ
//! only in case (the engine's names are case-sensitive).

use std::cell::Cell;

use bazoola::{Database, Field, FieldType, TableSchema, Value};
use sqlparser::ast::{Ident, ObjectName};

use super::parse::Statement;
use super::value::Affinity;
use crate::error::{CliError, Result};

/// What a statement is planned with: the database (for schemas, and subqueries run
/// while planning), the statement (for the positions of errors) and the values bound
/// to its parameters (checked against its parameter count before it runs).
pub struct Ctx<'a> {
    pub db: &'a Database,
    pub stmt: &'a Statement,
    pub params: &'a [Value],
    /// Parameters bound and subqueries run so far (while planning): whether a plan
    /// depends on values only where [`super::select::Select::rebind`] can bind them
    /// again.
    pub params_bound: Cell<usize>,
    pub subqueries: Cell<usize>,
}

impl<'a> Ctx<'a> {
    pub fn new(db: &'a Database, stmt: &'a Statement, params: &'a [Value]) -> Ctx<'a> {
        Ctx { db, stmt, params, params_bound: Cell::new(0), subqueries: Cell::new(0) }
    }
}

impl Ctx<'_> {
    /// An error naming a construct outside the subset, at `word` in the statement.
    pub fn unsupported(&self, construct: impl Into<String>, word: &str) -> CliError {
        self.stmt.unsupported(construct, word)
    }

    /// An error naming a construct, at the tokens `words` in that order.
    pub fn unsupported_at(&self, construct: impl Into<String>, words: &[&str]) -> CliError {
        self.stmt.unsupported_at(construct, words)
    }

    /// The value bound to the parameter spelled `name` in the tree (`?N` or a name).
    /// A NaN is bound as null, as SQLite binds it.
    pub fn parameter(&self, name: &str) -> Result<Value> {
        let expected = self.stmt.parameter_count();
        self.params_bound.set(self.params_bound.get() + 1);
        match self.stmt.parameter_index(name).and_then(|n| self.params.get(n - 1)) {
            Some(Value::Float(f)) if f.is_nan() => Ok(Value::Null),
            Some(v) => Ok(v.clone()),
            None => Err(CliError::ParameterCount { expected, given: self.params.len() }),
        }
    }

    /// The schema of the table `name` names (`t` or `main.t`).
    pub fn table(&self, name: &ObjectName) -> Result<TableSchema> {
        let ident = match name.0.as_slice() {
            [table] => table,
            [schema, table] if schema.value.eq_ignore_ascii_case("main") => table,
            _ => return Err(self.unsupported(format!("the qualified table name {name}"), &name.0[0].value)),
        };
        self.table_named(&ident.value)
    }

    /// The schema of table `name`, matched without regard to case.
    pub fn table_named(&self, name: &str) -> Result<TableSchema> {
        match self.db.schema(name) {
            Ok(schema) => Ok(schema),
            Err(bazoola::Error::Validation(bazoola::ValidationError::UnknownTable { .. })) => {
                let tables = self.db.tables()?;
                match pick(tables.iter().map(|t| t.name.as_str()), name) {
                    Some(i) => Ok(tables[i].clone()),
                    None => Err(unknown_table(name)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

pub fn unknown_table(name: &str) -> CliError {
    bazoola::Error::from(bazoola::ValidationError::UnknownTable { table: name.into() }).into()
}

pub fn unknown_column(table: &str, name: &str) -> CliError {
    bazoola::Error::from(bazoola::ValidationError::UnknownField { table: table.into(), field: name.into() })
        .into()
}

/// The position of `wanted` among `names`: the exact match, else the only one equal
/// without regard to ASCII case.
pub fn pick<'a>(names: impl Iterator<Item = &'a str> + Clone, wanted: &str) -> Option<usize> {
    if let Some(i) = names.clone().position(|n| n == wanted) {
        return Some(i);
    }
    let mut found = names.enumerate().filter(|(_, n)| n.eq_ignore_ascii_case(wanted)).map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

/// The affinity of a field: INTEGER for numbers (PK, INT, FK), TEXT for strings.
pub fn affinity(field: &Field) -> Affinity {
    if field.is_numeric() {
        Affinity::Integer
    } else {
        Affinity::Text
    }
}

/// How a joined table hangs off the one before it in the join tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The first table of FROM.
    Base,
    /// The row the parent's FK field `fk` points at (`parent.fk = this.id`).
    Forward { fk: String },
    /// The rows whose FK field `fk` points at the parent (`this.fk = parent.id`).
    Inverse { fk: String },
}

/// A table of the FROM clause.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name that qualifies its columns: the alias, or the table's name.
    pub name: String,
    pub schema: TableSchema,
    /// The slot of its first column in the flat row.
    pub offset: usize,
    pub parent: Option<usize>,
    pub link: Link,
    /// A LEFT JOIN: a parent row without a match keeps one row, with nulls here.
    pub left: bool,
}

impl Source {
    pub fn table(&self) -> &str {
        &self.schema.name
    }
}

/// A column, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub source: usize,
    pub field: usize,
    pub slot: usize,
    pub affinity: Affinity,
}

/// The tables of a FROM clause, their columns in one flat row.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub sources: Vec<Source>,
    /// Slots taken by the tables' columns (slots after these hold values the SQL layer
    /// attaches).
    pub width: usize,
}

impl Scope {
    pub fn add(
        &mut self,
        name: String,
        schema: TableSchema,
        parent: Option<usize>,
        link: Link,
        left: bool,
    ) -> usize {
        let offset = self.width;
        self.width += schema.fields.len();
        self.sources.push(Source { name, schema, offset, parent, link, left });
        self.sources.len() - 1
    }

    /// The source named `name` (an alias, or a table's name when it has none).
    pub fn source(&self, name: &str) -> Option<usize> {
        pick(self.sources.iter().map(|s| s.name.as_str()), name)
    }

    /// Resolves `[qualifier.]name`. `Ok(None)`: no such column here (the caller may
    /// look further out); an error: a column name two tables share.
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Option<Column>> {
        let column = |source: usize, field: usize| {
            let s = &self.sources[source];
            Column { source, field, slot: s.offset + field, affinity: affinity(&s.schema.fields[field]) }
        };
        let field_of = |s: &Source| {
            pick(s.schema.fields.iter().map(|f| f.name.as_str()), name).or_else(|| {
                // SQLite's names for the integer primary key.
                let rowid = ["rowid", "oid", "_rowid_"].iter().any(|r| r.eq_ignore_ascii_case(name));
                (rowid && s.schema.fields.first().is_some_and(|f| f.ty == FieldType::Pk)).then_some(0)
            })
        };
        if let Some(qualifier) = qualifier {
            let Some(source) = self.source(qualifier) else { return Ok(None) };
            return Ok(field_of(&self.sources[source]).map(|field| column(source, field)));
        }
        let mut found = None;
        for (i, s) in self.sources.iter().enumerate() {
            if let Some(field) = field_of(s) {
                if found.is_some() {
                    return Err(CliError::Usage(format!("ambiguous column name: {name}")));
                }
                found = Some(column(i, field));
            }
        }
        Ok(found)
    }

    /// The children of source `s` in the join tree, in FROM order.
    pub fn children(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        self.sources.iter().enumerate().filter(move |(_, c)| c.parent == Some(s)).map(|(i, _)| i)
    }

    /// Whether `s` or a table joined below it is joined without LEFT (a row with no
    /// match for `s` then cannot be kept with nulls).
    pub fn needs_match_below(&self, s: usize) -> bool {
        self.children(s).any(|c| !self.sources[c].left || self.needs_match_below(c))
    }

    /// The slots of the columns of source `s`.
    pub fn slots(&self, s: usize) -> std::ops::Range<usize> {
        let source = &self.sources[s];
        source.offset..source.offset + source.schema.fields.len()
    }
}

/// An identifier's text.
pub fn name(ident: &Ident) -> &str {
    &ident.value
}
