//! Subqueries. One that does not refer to the statement around it is run once, while
//! planning, and becomes a constant (a scalar, a truth for EXISTS, a list for IN). One
//! that does is in the subset only as a count over a foreign key — the shape that
//! counts each relation on its own instead of joining them all (the "cartesian trap"):
//!
//! ```sql
//! (SELECT COUNT(*) FROM products p WHERE p.store_id = s.id [AND …])
//! (SELECT COUNT(*) FROM employees e JOIN departments d ON e.department_id = d.id
//!   WHERE d.store_id = s.id [AND …])
//! EXISTS (SELECT … FROM products p WHERE p.store_id = s.id [AND …])
//! ```
//!
//! It becomes the engine's relation count (`Join::count`, with `through` for the second
//! form) hung off the outer table, the other conditions filtering the rows it counts;
//! `COUNT(col)` also requires `col` not null, EXISTS is `count > 0`.

use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, SelectItem, SetExpr};

use super::bind::{strip, Binder, CountJoin};
use super::expr::{CmpOp, Expr};
use super::scope::{name, Link, Scope};
use super::value::Affinity;
use super::{pushdown, run, select};
use crate::error::{CliError, Result};
use bazoola::{Join, Value};

/// Where an error about a subquery points: the first `SELECT` after a parenthesis.
const SUBQUERY: &[&str] = &["(", "SELECT"];

/// `(SELECT …)` as a value.
pub fn scalar(b: &mut Binder, q: &ast::Query) -> Result<Expr> {
    if let Some(count) = correlated_count(b, q, false)? {
        return Ok(count);
    }
    let plan = uncorrelated(b, q)?;
    if plan.columns.len() != 1 {
        return Err(CliError::Usage(format!(
            "sub-select returns {} columns - expected 1",
            plan.columns.len()
        )));
    }
    let rows = run::rows(b.ctx.db, &plan)?;
    Ok(Expr::Literal(rows.into_iter().next().and_then(|r| r.into_iter().next()).unwrap_or_default()))
}

/// `[NOT] EXISTS (SELECT …)`.
pub fn exists(b: &mut Binder, q: &ast::Query, negated: bool) -> Result<Expr> {
    if let Some(count) = correlated_count(b, q, true)? {
        let op = if negated { CmpOp::Eq } else { CmpOp::Gt };
        return Ok(Expr::Compare(op, Box::new(count), Box::new(Expr::Literal(Value::Int(0)))));
    }
    let plan = uncorrelated(b, q)?;
    let found = !run::rows(b.ctx.db, &plan)?.is_empty();
    Ok(Expr::Literal(Value::Int(i64::from(found != negated))))
}

/// `x [NOT] IN (SELECT …)`.
pub fn in_subquery(b: &mut Binder, left: Expr, q: &ast::Query, negated: bool) -> Result<Expr> {
    let plan = uncorrelated(b, q)?;
    if plan.columns.len() != 1 {
        return Err(CliError::Usage(format!(
            "sub-select returns {} columns - expected 1",
            plan.columns.len()
        )));
    }
    let item_affinity = plan.affinities.first().copied().unwrap_or(Affinity::None);
    let list = run::rows(b.ctx.db, &plan)?
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .map(Expr::Literal)
        .collect();
    Ok(Expr::InList { expr: Box::new(left), list, negated, item_affinity })
}

/// Plans a subquery that must not refer to the statement around it (and is run while
/// the statement is planned: its rows become part of the plan, which therefore cannot
/// be kept for another run).
fn uncorrelated(b: &Binder, q: &ast::Query) -> Result<select::Select> {
    b.ctx.subqueries.set(b.ctx.subqueries.get() + 1);
    let plan = select::plan(b.ctx, q, Some(b.scope))?;
    if plan.correlated {
        return Err(b.ctx.unsupported_at(
            "a correlated subquery other than COUNT(*) or EXISTS over a foreign key (… WHERE child.fk = outer.id)",
            SUBQUERY,
        ));
    }
    Ok(plan)
}

/// The relation count a correlated counting subquery is, registered with `b` (its
/// slot in the flat row); `None` when the subquery is not correlated.
fn correlated_count(b: &mut Binder, q: &ast::Query, exists: bool) -> Result<Option<Expr>> {
    let Some(select) = count_shape(q, exists) else { return Ok(None) };
    let ctx = b.ctx;
    let inner = super::from::scope(ctx, &select.from)?;
    let (counted, middle) = match inner.sources.len() {
        1 => (0, None),
        2 if !inner.sources[1].left => match &inner.sources[1].link {
            Link::Forward { .. } => (0, Some(1)),
            Link::Inverse { .. } => (1, Some(0)),
            Link::Base => return Ok(None),
        },
        _ => return Ok(None),
    };
    let correlated_on = middle.unwrap_or(counted);
    let mut correlation: Option<(usize, String)> = None;
    // Conditions on the counted rows, and on the rows counted across.
    let mut on_counted = Vec::new();
    let mut on_middle = Vec::new();
    let mut pending: Vec<&ast::Expr> = select.selection.iter().collect();
    while let Some(e) = pending.pop() {
        if let ast::Expr::BinaryOp { left, op: ast::BinaryOperator::And, right } = strip(e) {
            pending.push(right);
            pending.push(left);
            continue;
        }
        let mut binder = Binder::new(ctx, &inner, Some(b.scope));
        let bound = binder.bind_row(e)?;
        if !binder.counts.is_empty() {
            return Err(ctx.unsupported_at("a subquery inside a correlated counting subquery", SUBQUERY));
        }
        if binder.saw_outer {
            let link = self::correlation(&inner, b.scope, e, correlated_on).ok_or_else(|| {
                ctx.unsupported_at(
                    "a correlated subquery whose link to the outer row is not `fk = outer.id` (a foreign key of the counted table equal to the id of the outer one)",
                    SUBQUERY,
                )
            })?;
            if correlation.replace(link).is_some() {
                return Err(
                    ctx.unsupported_at("a correlated subquery with two links to the outer row", SUBQUERY)
                );
            }
            continue;
        }
        let sources: Vec<usize> = binder.used.iter().copied().collect();
        match sources.as_slice() {
            [] | [_] if sources.first().is_none_or(|s| *s == counted) => on_counted.push(bound),
            [s] if Some(*s) == middle => on_middle.push(bound),
            _ => {
                return Err(
                    ctx.unsupported("a condition on both tables of a two-table counting subquery", "WHERE")
                )
            }
        }
    }
    let Some((outer_source, fk)) = correlation else { return Ok(None) };
    // COUNT(col) counts rows where col is not null.
    if let Some(arg) = count_argument(select) {
        let mut binder = Binder::new(ctx, &inner, None);
        let bound = binder.bind_row(arg)?;
        let not_null = Expr::IsNull { expr: Box::new(bound), negated: true };
        match binder.used.iter().next() {
            Some(s) if Some(*s) == middle => on_middle.push(not_null),
            _ => on_counted.push(not_null),
        }
    }
    let filter = |s: usize, conds: Vec<Expr>| -> Option<bazoola::Cond> {
        let source = &inner.sources[s];
        let offset = source.offset;
        let names: Vec<String> = source.schema.fields.iter().map(|f| f.name.clone()).collect();
        let conds: Vec<Expr> = conds.iter().map(|c| c.map_slots(&|slot| slot - offset.min(slot))).collect();
        let e = match conds.len() {
            0 => return None,
            1 => conds.into_iter().next()?,
            _ => Expr::And(conds),
        };
        let render = |slot: usize| names.get(slot).cloned().unwrap_or_default();
        Some(pushdown::lower(&e, &render).cond)
    };
    let with_filter = |join: Join, cond: Option<bazoola::Cond>| match cond {
        Some(cond) => join.filter(cond),
        None => join,
    };
    let counted_cond = filter(counted, on_counted);
    let join = match middle {
        None => with_filter(Join::count(fk, "n", inner.sources[counted].table()), counted_cond),
        Some(m) => {
            let hop = match (&inner.sources[1].link, counted) {
                (Link::Forward { fk }, _) | (Link::Inverse { fk }, _) => fk.clone(),
                (Link::Base, _) => return Ok(None),
            };
            let inner_count =
                with_filter(Join::count(hop, "n", inner.sources[counted].table()), counted_cond);
            with_filter(Join::count(fk, "n", inner.sources[m].table()), filter(m, on_middle))
                .through(inner_count)
        }
    };
    let text = format!("({q})");
    b.counts.push(CountJoin { source: outer_source, join, text });
    b.used.insert(outer_source);
    Ok(Some(Expr::column(b.scope.width + b.counts.len() - 1, Affinity::None)))
}

/// The SELECT of a subquery shaped like a count (`SELECT COUNT(*) FROM … [WHERE …]`,
/// any select list for EXISTS), if it is one.
fn count_shape(q: &ast::Query, exists: bool) -> Option<&ast::Select> {
    if q.with.is_some()
        || q.order_by.is_some()
        || q.limit.is_some()
        || q.offset.is_some()
        || q.fetch.is_some()
    {
        return None;
    }
    let SetExpr::Select(select) = &*q.body else { return None };
    let plain = select.distinct.is_none()
        && matches!(&select.group_by, ast::GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty())
        && select.having.is_none()
        && select.from.len() == 1;
    if !plain {
        return None;
    }
    if exists {
        return Some(select);
    }
    match select.projection.as_slice() {
        [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] => match strip(e) {
            ast::Expr::Function(f)
                if f.name.to_string().eq_ignore_ascii_case("count")
                    && f.over.is_none()
                    && f.filter.is_none() =>
            {
                match &f.args {
                    FunctionArguments::List(list)
                        if list.duplicate_treatment.is_none() && list.clauses.is_empty() =>
                    {
                        Some(select)
                    }
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    }
}

/// The column of `COUNT(col)`, if the count names one.
fn count_argument(select: &ast::Select) -> Option<&ast::Expr> {
    let [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] =
        select.projection.as_slice()
    else {
        return None;
    };
    let ast::Expr::Function(f) = strip(e) else { return None };
    if !f.name.to_string().eq_ignore_ascii_case("count") {
        return None;
    }
    match &f.args {
        FunctionArguments::List(list) => match list.args.as_slice() {
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => Some(arg),
            _ => None,
        },
        _ => None,
    }
}

/// `inner.fk = outer.id` (either way round), `fk` a foreign key of inner source `on`
/// pointing at the outer source's table: the outer source and the FK's name.
fn correlation(inner: &Scope, outer: &Scope, e: &ast::Expr, on: usize) -> Option<(usize, String)> {
    let ast::Expr::BinaryOp { left, op: ast::BinaryOperator::Eq, right } = strip(e) else { return None };
    let resolve = |scope: &Scope, e: &ast::Expr| match strip(e) {
        ast::Expr::Identifier(c) => scope.resolve(None, name(c)).ok().flatten(),
        ast::Expr::CompoundIdentifier(p) if p.len() == 2 => {
            scope.resolve(Some(name(&p[0])), name(&p[1])).ok().flatten()
        }
        _ => None,
    };
    let pairs = [(left, right), (right, left)];
    for (i, o) in pairs {
        let (Some(ic), Some(oc)) = (resolve(inner, i), resolve(outer, o)) else { continue };
        // The inner side must not also be a name of the outer scope read as inner.
        if ic.source != on || oc.field != 0 {
            continue;
        }
        let field = &inner.sources[on].schema.fields[ic.field];
        if field.reference().is_some_and(|(target, _)| target == outer.sources[oc.source].table()) {
            return Some((oc.source, field.name.clone()));
        }
    }
    None
}
