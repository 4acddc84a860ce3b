//! FROM and JOIN: the first table is the one the planner reads; every joined table hangs
//! off one already there through a foreign key, as the engine joins: `JOIN a ON
//! b.author_id = a.id` fetches the row an FK points at (a forward join), `JOIN b ON
//! b.author_id = a.id` the rows pointing at this one (an inverse join). Any other join
//! condition is outside the subset.

use sqlparser::ast::{self, JoinConstraint, JoinOperator, TableFactor};

use super::bind::strip;
use super::scope::{name, Column, Ctx, Link, Scope};
use crate::error::{CliError, Result};

/// The scope of a FROM clause (empty without one).
pub fn scope(ctx: &Ctx, from: &[ast::TableWithJoins]) -> Result<Scope> {
    let mut scope = Scope::default();
    let Some(first) = from.first() else { return Ok(scope) };
    if from.len() > 1 {
        return Err(ctx.unsupported(
            "several tables in FROM separated by commas (join them with JOIN … ON fk = id)",
            ",",
        ));
    }
    let (table, alias) = table(ctx, &first.relation)?;
    let schema = ctx.table(table)?;
    let source_name =
        alias.unwrap_or_else(|| table.0.last().map_or(schema.name.clone(), |i| i.value.clone()));
    scope.add(source_name, schema, None, Link::Base, false);
    for join in &first.joins {
        let (constraint, left) = match &join.join_operator {
            JoinOperator::Inner(c) => (c, false),
            JoinOperator::LeftOuter(c) => (c, true),
            JoinOperator::RightOuter(_) => return Err(ctx.unsupported("RIGHT JOIN", "RIGHT")),
            JoinOperator::FullOuter(_) => return Err(ctx.unsupported("FULL JOIN", "FULL")),
            JoinOperator::CrossJoin => return Err(ctx.unsupported("CROSS JOIN", "CROSS")),
            _ => return Err(ctx.unsupported("this kind of JOIN", "JOIN")),
        };
        let on = match constraint {
            JoinConstraint::On(on) => on,
            JoinConstraint::Using(_) => {
                return Err(ctx.unsupported("JOIN … USING (join ON fk = id)", "USING"))
            }
            JoinConstraint::Natural => return Err(ctx.unsupported("NATURAL JOIN", "NATURAL")),
            JoinConstraint::None => return Err(ctx.unsupported("JOIN without ON", "JOIN")),
        };
        let (table, alias) = self::table(ctx, &join.relation)?;
        let schema = ctx.table(table)?;
        let source_name =
            alias.unwrap_or_else(|| table.0.last().map_or(schema.name.clone(), |i| i.value.clone()));
        if scope.source(&source_name).is_some() {
            return Err(CliError::Usage(format!(
                "the name {source_name} stands for two tables in FROM: give one an alias"
            )));
        }
        let new = scope.add(source_name, schema, None, Link::Base, left);
        let (parent, link) = link(ctx, &scope, new, on)?;
        scope.sources[new].parent = Some(parent);
        scope.sources[new].link = link;
    }
    Ok(scope)
}

/// The table a FROM item names, and its alias.
fn table<'t>(ctx: &Ctx, factor: &'t TableFactor) -> Result<(&'t ast::ObjectName, Option<String>)> {
    match factor {
        TableFactor::Table {
            name,
            alias,
            args: None,
            with_hints,
            version: None,
            with_ordinality: false,
            partitions,
        } if with_hints.is_empty() && partitions.is_empty() => {
            let alias = match alias {
                Some(a) if !a.columns.is_empty() => {
                    return Err(ctx.unsupported("column names in a table alias", &a.name.value))
                }
                Some(a) => Some(a.name.value.clone()),
                None => None,
            };
            Ok((name, alias))
        }
        TableFactor::Table { name, .. } => {
            Err(ctx.unsupported(format!("this form of table reference ({name})"), ""))
        }
        TableFactor::Derived { .. } => Err(ctx.unsupported_at("a subquery in FROM", &["FROM", "("])),
        TableFactor::NestedJoin { .. } => Err(ctx.unsupported("parenthesized joins", "(")),
        _ => Err(ctx.unsupported("this kind of FROM item (only tables)", "FROM")),
    }
}

/// How table `new` joins the ones before it, from its ON condition.
fn link(ctx: &Ctx, scope: &Scope, new: usize, on: &ast::Expr) -> Result<(usize, Link)> {
    let refuse = || {
        ctx.unsupported(
            "JOIN ON a condition other than fk = id (a foreign key of one table equal to the id of the other)",
            "ON",
        )
    };
    let ast::Expr::BinaryOp { left, op: ast::BinaryOperator::Eq, right } = strip(on) else {
        return Err(refuse());
    };
    let (Some(a), Some(b)) = (column(scope, left)?, column(scope, right)?) else { return Err(refuse()) };
    let (mine, theirs) = match (a.source == new, b.source == new) {
        (true, false) => (a, b),
        (false, true) => (b, a),
        _ => return Err(refuse()),
    };
    let points_at = |from: Column, to: usize| {
        let field = &scope.sources[from.source].schema.fields[from.field];
        field.reference().is_some_and(|(target, _)| target == scope.sources[to].table())
    };
    if mine.field == 0 && points_at(theirs, new) {
        let fk = scope.sources[theirs.source].schema.fields[theirs.field].name.clone();
        return Ok((theirs.source, Link::Forward { fk }));
    }
    if theirs.field == 0 && points_at(mine, theirs.source) {
        let fk = scope.sources[new].schema.fields[mine.field].name.clone();
        return Ok((theirs.source, Link::Inverse { fk }));
    }
    Err(refuse())
}

/// The column an ON side names, if it is a column.
fn column(scope: &Scope, e: &ast::Expr) -> Result<Option<Column>> {
    match strip(e) {
        ast::Expr::Identifier(column) => scope.resolve(None, name(column)),
        ast::Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            scope.resolve(Some(name(&parts[0])), name(&parts[1]))
        }
        _ => Ok(None),
    }
}
