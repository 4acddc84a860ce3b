//! INSERT, UPDATE and DELETE. Each statement is atomic: its rows change together or
//! not at all (one engine transaction; inside BEGIN … COMMIT, the user's).
//!
//! - INSERT takes constant rows (`VALUES (…), (…)`) or a SELECT's; a column left out
//!   is NULL, and `id` left out (or NULL) is the next id. Values follow the column's
//!   affinity. `RETURNING` gives the rows as stored.
//! - UPDATE and DELETE find their rows as SELECT would (`SELECT id, <new values> FROM
//!   t WHERE …`, so WHERE uses the planner and its indexes, and SET sees the old row),
//!   then change them one by one by id. DELETE applies each FK's delete rule; a row a
//!   cascade removed first is not counted again.

use std::sync::{Arc, OnceLock};

use bazoola::{Database, Row, TableSchema, Value};
use sqlparser::ast::{self, AssignmentTarget, FromTable, SelectItem, SetExpr, TableFactor, TableWithJoins};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use super::bind::Binder;
use super::scope::{pick, unknown_column, Ctx, Link, Scope};
use super::select::{self, column_name};
use super::session::with_plan;
use super::types::{constant, stored};
use super::{expr::Expr, run};
use crate::error::{CliError, Result};
use crate::session::Outcome;

/// Runs `f` as one transaction — or, inside the user's BEGIN, as part of theirs. `f`
/// sets its flag once it has changed a row. A statement that fails after changing rows
/// inside the user's transaction aborts that transaction (it cannot undo only itself:
/// the engine has no savepoints), so that COMMIT cannot keep half a statement.
pub fn atomic<R>(db: &Database, in_transaction: bool, f: impl FnOnce(&mut bool) -> Result<R>) -> Result<R> {
    let mut wrote = false;
    if in_transaction {
        let outcome = f(&mut wrote);
        if outcome.is_err() && wrote {
            // Closing a nested level without committing marks the transaction aborted.
            db.begin()?;
            db.rollback()?;
        }
        return outcome;
    }
    db.begin()?;
    match f(&mut wrote) {
        Ok(value) => {
            db.commit()?;
            Ok(value)
        }
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}

pub fn insert(ctx: &Ctx, ins: &ast::Insert, in_transaction: bool) -> Result<Outcome> {
    if let Some(or) = &ins.or {
        return Err(ctx.unsupported(format!("INSERT OR {or}"), "OR"));
    }
    if ins.replace_into {
        return Err(ctx.unsupported("REPLACE", "REPLACE"));
    }
    if ins.on.is_some() {
        return Err(ctx.unsupported("ON CONFLICT (upsert)", "ON"));
    }
    if ins.ignore
        || ins.overwrite
        || ins.partitioned.is_some()
        || !ins.after_columns.is_empty()
        || ins.table
        || ins.priority.is_some()
        || ins.insert_alias.is_some()
        || ins.table_alias.is_some()
    {
        return Err(ctx.unsupported("this form of INSERT", "INSERT"));
    }
    // Everything under the statement's one transaction: the schema read under its
    // write lock, without a read lock of its own first.
    atomic(ctx.db, in_transaction, |wrote| {
        let schema = ctx.table(&ins.table_name)?;
        let columns: Vec<usize> = if ins.columns.is_empty() {
            (0..schema.fields.len()).collect()
        } else {
            let mut columns = Vec::new();
            for ident in &ins.columns {
                let i = pick(schema.fields.iter().map(|f| f.name.as_str()), &ident.value)
                    .ok_or_else(|| unknown_column(&schema.name, &ident.value))?;
                if columns.contains(&i) {
                    return Err(CliError::Usage(format!("column {} is given twice", schema.fields[i].name)));
                }
                columns.push(i);
            }
            columns
        };
        let returning =
            ins.returning.as_ref().map(|items| Returning::new(ctx, &schema, items)).transpose()?;
        let rows = source_rows(ctx, ins, columns.len())?;
        let mut returned = Vec::new();
        let mut n = 0;
        for row in rows {
            let pairs: Vec<(String, Value)> = columns
                .iter()
                .zip(row)
                .filter(|(i, v)| !(**i == 0 && v.is_null()))
                .map(|(&i, v)| (schema.fields[i].name.clone(), stored(&schema.fields[i], v)))
                .collect();
            let inserted = ctx.db.insert(&schema.name, pairs)?;
            *wrote = true;
            n += 1;
            if let Some(r) = &returning {
                returned.push(r.eval(&inserted));
            }
        }
        Ok(match returning {
            Some(r) => Outcome::Rows { columns: r.columns.into(), rows: returned },
            None => Outcome::Changed { rows: n },
        })
    })
}

/// The rows an INSERT inserts, each with one value per column named.
fn source_rows(ctx: &Ctx, ins: &ast::Insert, width: usize) -> Result<Vec<Vec<Value>>> {
    let Some(source) = &ins.source else {
        // DEFAULT VALUES: every column null.
        return Ok(vec![vec![Value::Null; width]]);
    };
    let rows = match &*source.body {
        SetExpr::Values(values)
            if source.order_by.is_none() && source.limit.is_none() && source.with.is_none() =>
        {
            let mut rows = Vec::with_capacity(values.rows.len());
            for exprs in &values.rows {
                rows.push(exprs.iter().map(|e| constant(ctx, e)).collect::<Result<Vec<_>>>()?);
            }
            rows
        }
        _ => {
            let plan = select::plan(ctx, source, None)?;
            run::rows(ctx.db, &plan)?
        }
    };
    if let Some(row) = rows.iter().find(|r| r.len() != width) {
        return Err(CliError::Usage(format!("{} values for {width} columns", row.len())));
    }
    Ok(rows)
}

pub fn update(
    ctx: &Ctx,
    table: &TableWithJoins,
    assignments: &[ast::Assignment],
    from: Option<&TableWithJoins>,
    selection: Option<&ast::Expr>,
    returning: Option<&[SelectItem]>,
    in_transaction: bool,
) -> Result<Outcome> {
    if from.is_some() {
        return Err(ctx.unsupported("UPDATE … FROM", "FROM"));
    }
    // Everything under the statement's one transaction: the schema read under its
    // write lock, without a read lock of its own first.
    atomic(ctx.db, in_transaction, |wrote| {
        let (schema, alias) = single_table(ctx, table)?;
        let mut targets = Vec::new();
        let mut values = Vec::new();
        for assignment in assignments {
            let AssignmentTarget::ColumnName(name) = &assignment.target else {
                return Err(ctx.unsupported("SET (a, b) = …", "SET"));
            };
            let wanted = name.0.last().map_or("", |i| i.value.as_str());
            let i = pick(schema.fields.iter().map(|f| f.name.as_str()), wanted)
                .ok_or_else(|| unknown_column(&schema.name, wanted))?;
            targets.push(i);
            values.push(SelectItem::UnnamedExpr(assignment.value.clone()));
        }
        let pair = |i: usize, v: Value| (schema.fields[i].name.clone(), stored(&schema.fields[i], v));
        let returning = returning.map(|items| Returning::new(ctx, &schema, items)).transpose()?;
        if returning.is_none() {
            if let Some(new_values) = constant_values(ctx, &values) {
                let pairs: Vec<(String, Value)> =
                    targets.iter().zip(new_values).map(|(&i, v)| pair(i, v)).collect();
                let mut n = 0;
                for id in target_ids(ctx, targets_query(ctx, alias.as_deref(), &schema, table, selection)?)? {
                    match ctx.db.update_by_id(&schema.name, id, pairs.clone()) {
                        Ok(_) => *wrote = true,
                        // Only for a row not read first (`WHERE id = N`): not there.
                        Err(bazoola::Error::NotFound { id: missing, .. }) if missing == id => continue,
                        Err(e) => return Err(e.into()),
                    }
                    n += 1;
                }
                return Ok(Outcome::Changed { rows: n });
            }
        }
        let query =
            select_ast(id_item(alias.as_deref(), &schema), values, table.clone(), selection.cloned())?;
        let plan = select::plan(ctx, &query, None)?;
        let mut returned = Vec::new();
        let mut n = 0;
        for row in run::rows(ctx.db, &plan)? {
            let Some(Value::Int(id)) = row.first().cloned() else { continue };
            let pairs: Vec<(String, Value)> =
                targets.iter().zip(row.into_iter().skip(1)).map(|(&i, v)| pair(i, v)).collect();
            let updated = ctx.db.update_by_id(&schema.name, id, pairs)?;
            *wrote = true;
            n += 1;
            if let Some(r) = &returning {
                returned.push(r.eval(&updated));
            }
        }
        Ok(match returning {
            Some(r) => Outcome::Rows { columns: r.columns.into(), rows: returned },
            None => Outcome::Changed { rows: n },
        })
    })
}

pub fn delete(ctx: &Ctx, del: &ast::Delete, in_transaction: bool) -> Result<Outcome> {
    if !del.tables.is_empty() || del.using.is_some() {
        return Err(ctx.unsupported("DELETE from several tables", "DELETE"));
    }
    if !del.order_by.is_empty() || del.limit.is_some() {
        return Err(ctx.unsupported("DELETE … ORDER BY/LIMIT", "LIMIT"));
    }
    let from = match &del.from {
        FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from) => from,
    };
    let [table] = from.as_slice() else {
        return Err(ctx.unsupported("DELETE from several tables", "DELETE"));
    };
    // Everything under the statement's one transaction (see `update`).
    atomic(ctx.db, in_transaction, |wrote| {
        let (schema, alias) = single_table(ctx, table)?;
        let Some(returning) = &del.returning else {
            let query = targets_query(ctx, alias.as_deref(), &schema, table, del.selection.as_ref())?;
            let mut n = 0;
            for id in target_ids(ctx, query)? {
                n += u64::from(delete_row(ctx, &schema.name, id, wrote)?);
            }
            return Ok(Outcome::Changed { rows: n });
        };
        let query = select_ast(
            id_item(alias.as_deref(), &schema),
            returning.clone(),
            table.clone(),
            del.selection.clone(),
        )?;
        let plan = select::plan(ctx, &query, None)?;
        let columns: Arc<[String]> = plan.columns[1..].into();
        let mut returned = Vec::new();
        for mut row in run::rows(ctx.db, &plan)? {
            let Some(Value::Int(id)) = row.first().cloned() else { continue };
            if delete_row(ctx, &schema.name, id, wrote)? {
                row.remove(0);
                returned.push(row);
            }
        }
        Ok(Outcome::Rows { columns, rows: returned })
    })
}

/// Deletes row `id` of `table`; `false` when it is not there: removed already, by a
/// cascade from a row deleted before it, or (for a row not read first, `WHERE id = N`)
/// never there.
fn delete_row(ctx: &Ctx, table: &str, id: i64, wrote: &mut bool) -> Result<bool> {
    match ctx.db.delete_by_id(table, id) {
        Ok(()) => {
            *wrote = true;
            Ok(true)
        }
        Err(bazoola::Error::NotFound { id: missing, .. }) if missing == id => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The ids of the rows an UPDATE or DELETE changes, found by `query` (`SELECT t.id
/// FROM t WHERE …`) on the statement's kept plan, as a prepared SELECT runs: `WHERE id
/// = ?` costs no planning and no read (the change finds the row, or that it is not
/// there).
fn target_ids(ctx: &Ctx, query: &ast::Query) -> Result<Vec<i64>> {
    with_plan(ctx, query, |plan| match run::point_target(plan) {
        Some(id) => Ok(vec![id]),
        None => Ok(run::rows(ctx.db, plan)?.into_iter().filter_map(|row| row.first()?.as_int()).collect()),
    })
}

/// `SELECT t.id FROM t WHERE …` of an UPDATE or DELETE, made the first time its
/// statement runs and kept with it (its parts come from the statement alone).
fn targets_query<'s>(
    ctx: &Ctx<'s>,
    alias: Option<&str>,
    schema: &TableSchema,
    table: &TableWithJoins,
    selection: Option<&ast::Expr>,
) -> Result<&'s ast::Query> {
    if let Some(query) = ctx.stmt.targets.get() {
        return Ok(query);
    }
    let query = select_ast(id_item(alias, schema), Vec::new(), table.clone(), selection.cloned())?;
    Ok(ctx.stmt.targets.get_or_init(|| query))
}

/// The values of an UPDATE's SET expressions when none of them reads the row (or runs
/// a subquery): constants and parameters, the same for every row it changes. `None`
/// otherwise, and for one that does not bind: the general path reports it, in its
/// order (WHERE first).
fn constant_values(ctx: &Ctx, items: &[SelectItem]) -> Option<Vec<Value>> {
    // No table in scope: an expression naming a column does not bind.
    let scope = Scope::default();
    let subqueries = ctx.subqueries.get();
    let mut binder = Binder::new(ctx, &scope, None);
    let mut exprs = Vec::with_capacity(items.len());
    for item in items {
        let SelectItem::UnnamedExpr(e) = item else { return None };
        exprs.push(binder.bind(e).ok()?);
    }
    let constant = binder.counts.is_empty()
        && ctx.subqueries.get() == subqueries
        && exprs.iter().all(|e| e.slots().is_empty());
    constant.then(|| exprs.iter().map(|e| e.eval(&[])).collect())
}

/// The one table an UPDATE or DELETE names, and its alias.
fn single_table(ctx: &Ctx, table: &TableWithJoins) -> Result<(TableSchema, Option<String>)> {
    if !table.joins.is_empty() {
        return Err(ctx.unsupported("a join in UPDATE or DELETE", "JOIN"));
    }
    let TableFactor::Table { name, alias, args: None, .. } = &table.relation else {
        return Err(ctx.unsupported("this kind of table in UPDATE or DELETE", ""));
    };
    Ok((ctx.table(name)?, alias.as_ref().map(|a| a.name.value.clone())))
}

/// `t.id`, as the first item of the SELECT that finds an UPDATE's or DELETE's rows.
fn id_item(alias: Option<&str>, schema: &TableSchema) -> SelectItem {
    let qualifier = alias.unwrap_or(&schema.name);
    SelectItem::UnnamedExpr(ast::Expr::CompoundIdentifier(vec![
        ast::Ident::new(qualifier),
        ast::Ident::new("id"),
    ]))
}

/// `SELECT first, items… FROM table WHERE selection`.
fn select_ast(
    first: SelectItem,
    items: Vec<SelectItem>,
    table: TableWithJoins,
    selection: Option<ast::Expr>,
) -> Result<ast::Query> {
    // Parsed once: parsing it cost an UPDATE by id more than the change itself.
    static TEMPLATE: OnceLock<Option<ast::Query>> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        match Parser::parse_sql(&SQLiteDialect {}, "SELECT 1 FROM t").ok()?.into_iter().next()? {
            ast::Statement::Query(query) => Some(*query),
            _ => None,
        }
    });
    let Some(mut query) = template.clone() else {
        return Err(CliError::Usage("internal template: not a query".into()));
    };
    if let SetExpr::Select(select) = &mut *query.body {
        select.projection = std::iter::once(first).chain(items).collect();
        select.from = vec![table];
        select.selection = selection;
    }
    Ok(query)
}

/// `RETURNING …` over a table's rows as stored.
struct Returning {
    columns: Vec<String>,
    exprs: Vec<Expr>,
}

impl Returning {
    fn new(ctx: &Ctx, schema: &TableSchema, items: &[SelectItem]) -> Result<Returning> {
        let mut scope = Scope::default();
        scope.add(schema.name.clone(), schema.clone(), None, Link::Base, false);
        let mut binder = Binder::new(ctx, &scope, None);
        let mut columns = Vec::new();
        let mut exprs = Vec::new();
        for item in items {
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    for (i, field) in schema.fields.iter().enumerate() {
                        columns.push(field.name.clone());
                        exprs.push(Expr::column(i, super::scope::affinity(field)));
                    }
                }
                SelectItem::UnnamedExpr(e) => {
                    columns.push(column_name(e));
                    exprs.push(binder.bind_row(e)?);
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    columns.push(alias.value.clone());
                    exprs.push(binder.bind_row(expr)?);
                }
            }
        }
        if !binder.counts.is_empty() {
            return Err(ctx.unsupported("a correlated subquery in RETURNING", "RETURNING"));
        }
        Ok(Returning { columns, exprs })
    }

    fn eval(&self, row: &Row) -> Vec<Value> {
        self.exprs.iter().map(|e| e.eval(row.values())).collect()
    }
}
