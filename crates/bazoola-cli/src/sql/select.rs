//! SELECT, planned. A query is split between the engine and the SQL layer, deciding in
//! one place what each does:
//!
//! 1. The FROM clause becomes a scope ([`super::from`]): the first table, and the
//!    tables joined to it through foreign keys, which the engine joins.
//! 2. Every expression is bound ([`super::bind`]). Correlated counting subqueries
//!    become relation counts the engine computes per row ([`super::subquery`]).
//! 3. The conjuncts of WHERE that read only the first table go to the planner
//!    ([`super::pushdown`]), so indexes serve them; the rest (conditions on joined
//!    tables, on counts) is checked by the SQL layer on each joined row.
//! 4. ORDER BY on the first table's columns goes to the planner too (an index walk, or
//!    a top-k sort when there is a limit), and so do LIMIT and OFFSET when nothing after
//!    the engine can drop or multiply rows. Otherwise the SQL layer sorts and cuts.
//! 5. Aggregates run in the engine when it can compute all of them (one table, plain
//!    columns, the whole WHERE pushed down), else in the SQL layer over the joined rows.
//!
//! [`super::run`] executes a [`Select`]; EXPLAIN prints the engine's plan and then the
//! steps the SQL layer adds.

use std::sync::Arc;

use bazoola::{Agg, Cond, FieldType, Join, Value};
use sqlparser::ast::{self, Distinct, GroupByExpr, SelectItem, SetExpr};

use super::bind::{self, AggFunc, Aggregate, Binder, CountJoin, Groups};
use super::expr::Expr;
use super::from;
use super::pushdown;
use super::scope::{Ctx, Link, Scope};
use super::value;
use crate::error::{CliError, Result};

/// A planned SELECT.
pub struct Select {
    pub scope: Scope,
    /// What the engine runs, when there is a FROM clause.
    pub base: Option<Base>,
    /// Relation counts hung off the tables (slots after the tables' columns).
    pub counts: Vec<CountJoin>,
    /// The WHERE conjuncts the SQL layer checks on each joined row.
    pub residual: Option<Expr>,
    pub aggregate: Option<AggregatePlan>,
    /// The result's column names, and their expressions (over the flat row, or the
    /// group row of an aggregate query).
    pub columns: Arc<[String]>,
    pub outputs: Vec<Expr>,
    pub distinct: bool,
    /// The sort the SQL layer does (empty when the engine orders, or nothing does).
    pub order: Vec<SortKey>,
    pub offset: u64,
    pub limit: Option<u64>,
    /// The engine applies offset and limit itself.
    pub cut_by_engine: bool,
    /// A name of the statement around it was used: the caller plans it otherwise.
    pub correlated: bool,
    /// The affinity of each output (a plain column keeps its own), for `IN (SELECT …)`.
    pub affinities: Vec<value::Affinity>,
    /// How the SQL layer's steps read, for EXPLAIN.
    pub steps: Vec<String>,
    /// How its rows are laid out: worked out by [`super::run`] on the first run.
    pub layout: std::cell::OnceCell<super::run::Layout>,
    /// The plan can run again with other parameter values after [`Select::rebind`]:
    /// its parameters are all in WHERE, LIMIT and OFFSET, and no subquery was run
    /// while planning it.
    pub reusable: bool,
    /// `WHERE column = ?` (or `<`, `<=`, `>`, `>=`) with that one parameter, lowered to
    /// the engine's comparison of the column with the value bound (`WHERE id = ?`, its
    /// point lookup): the parameter's index in the bound values. A run with an integer
    /// there only puts it into the comparison (see [`Select::rebind`]).
    pub lone_parameter: Option<usize>,
}

/// The engine's part: one table's rows, filtered, joined, ordered and cut.
pub struct Base {
    pub table: String,
    pub cond: Option<Cond>,
    /// The SQL text of the condition's custom parts.
    pub customs: Vec<String>,
    pub joins: Vec<Join>,
    pub order: Vec<(String, bool)>,
    pub offset: u64,
    pub limit: Option<u64>,
    /// The first table's fields the SQL layer reads (`None`: all).
    pub fields: Option<Vec<String>>,
}

/// Aggregation: by the engine (one table), or by the SQL layer.
pub struct AggregatePlan {
    /// GROUP BY keys over the flat row.
    pub keys: Vec<Expr>,
    pub aggregates: Vec<Aggregate>,
    /// Over the group row: keys, then aggregates.
    pub having: Option<Expr>,
    /// Set when the engine computes it: its GROUP BY fields and aggregates.
    pub engine: Option<EngineAggregate>,
}

/// The engine's GROUP BY fields, and its aggregates under their keys.
pub type EngineAggregate = (Vec<String>, Vec<(String, Agg)>);

/// One ORDER BY term the SQL layer sorts by.
pub struct SortKey {
    pub by: SortBy,
    pub descending: bool,
    /// Nulls first (SQLite's default when ascending) or last.
    pub nulls_first: bool,
}

pub enum SortBy {
    /// The result's column `i`.
    Output(usize),
    /// An expression over the row the outputs are computed from.
    Expr(Expr),
}

/// Plans `query`; `outer` is the scope of the statement around a subquery.
pub fn plan(ctx: &Ctx, query: &ast::Query, outer: Option<&Scope>) -> Result<Select> {
    check_query(ctx, query)?;
    let select = match &*query.body {
        SetExpr::Select(select) => select,
        SetExpr::SetOperation { op, .. } => {
            return Err(ctx.unsupported(format!("{op} (compound SELECT)"), &op.to_string()))
        }
        SetExpr::Values(_) => return Err(ctx.unsupported("VALUES as a query", "VALUES")),
        SetExpr::Query(_) => return Err(ctx.unsupported("a parenthesized SELECT as a query", "(")),
        _ => return Err(ctx.unsupported("this kind of query", "")),
    };
    check_select(ctx, select)?;
    let (params_at_start, subqueries_at_start) = (ctx.params_bound.get(), ctx.subqueries.get());
    let scope = from::scope(ctx, &select.from)?;
    let mut binder = Binder::new(ctx, &scope, outer);
    binder.aliases = aliases(select);

    // WHERE, bound to the joined row, split into its conjuncts.
    let params_before_where = ctx.params_bound.get();
    let conjuncts = match &select.selection {
        Some(e) => conjuncts(binder.bind_row(e)?),
        None => Vec::new(),
    };
    let params_after_where = ctx.params_bound.get();

    // GROUP BY keys and whether this is an aggregate query.
    let group_exprs: &[ast::Expr] = match &select.group_by {
        GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => exprs,
        _ => return Err(ctx.unsupported("this form of GROUP BY", "GROUP")),
    };
    let order_exprs: &[ast::OrderByExpr] = query.order_by.as_ref().map_or(&[], |o| o.exprs.as_slice());
    let aggregating = !group_exprs.is_empty()
        || select.projection.iter().any(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => bind::has_aggregate(e),
            _ => false,
        })
        || select.having.as_ref().is_some_and(bind::has_aggregate)
        || order_exprs.iter().any(|o| bind::has_aggregate(&o.expr));
    if select.having.is_some() && !aggregating {
        return Err(CliError::Usage("HAVING clause on a non-aggregate query".into()));
    }
    if aggregating {
        let mut keys = Vec::new();
        for e in group_exprs {
            let e = group_term(ctx, select, e)?;
            keys.push((e.clone(), binder.bind_row(&e)?));
        }
        binder.groups = Some(Groups { keys });
    }

    // The result's columns.
    let mut columns = Vec::new();
    let mut outputs = Vec::new();
    let mut output_asts = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::Wildcard(options) => {
                check_wildcard(ctx, options)?;
                for s in 0..scope.sources.len() {
                    star(&mut binder, s, &mut columns, &mut outputs, &mut output_asts)?;
                }
                if scope.sources.is_empty() {
                    return Err(CliError::Usage("no tables specified".into()));
                }
            }
            SelectItem::QualifiedWildcard(name, options) => {
                check_wildcard(ctx, options)?;
                let wanted = name.0.last().map_or("", |i| i.value.as_str());
                let s =
                    scope.source(wanted).ok_or_else(|| CliError::Usage(format!("no such table: {name}")))?;
                star(&mut binder, s, &mut columns, &mut outputs, &mut output_asts)?;
            }
            SelectItem::UnnamedExpr(e) => {
                columns.push(column_name(e));
                outputs.push(binder.bind(e)?);
                output_asts.push(Some(e.clone()));
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                columns.push(alias.value.clone());
                outputs.push(binder.bind(expr)?);
                output_asts.push(Some(expr.clone()));
            }
        }
    }
    let having = select.having.as_ref().map(|h| binder.bind(h)).transpose()?;
    let distinct = matches!(select.distinct, Some(Distinct::Distinct));

    // ORDER BY: a result column (by number, alias or the same expression), or any
    // expression.
    let mut order = Vec::new();
    for (n, term) in order_exprs.iter().enumerate() {
        if term.with_fill.is_some() {
            return Err(ctx.unsupported("ORDER BY … WITH FILL", "FILL"));
        }
        let by = order_term(&mut binder, n + 1, &term.expr, &columns, &output_asts, distinct)?;
        let descending = term.asc == Some(false);
        order.push(SortKey { by, descending, nulls_first: term.nulls_first.unwrap_or(!descending) });
    }
    let params_before_limits = ctx.params_bound.get();
    let (offset, limit) = limits(ctx, query)?;
    let reusable = outer.is_none()
        && params_before_where == params_at_start
        && params_before_limits == params_after_where
        && ctx.subqueries.get() == subqueries_at_start;

    let correlated = binder.saw_outer;
    let counts = std::mem::take(&mut binder.counts);
    let aggregates = std::mem::take(&mut binder.aggregates);
    let groups = binder.groups.take();
    let affinities = outputs.iter().map(Expr::affinity).collect();

    let mut plan = Select {
        scope,
        base: None,
        counts,
        residual: None,
        aggregate: None,
        columns: columns.into(),
        outputs,
        distinct,
        order,
        offset,
        limit,
        cut_by_engine: false,
        correlated,
        affinities,
        steps: Vec::new(),
        layout: std::cell::OnceCell::new(),
        reusable,
        lone_parameter: None,
    };
    plan.divide(conjuncts, groups.map(|g| (g, aggregates, having)))?;
    if reusable && ctx.params_bound.get() == params_at_start + 1 {
        plan.lone_parameter = lone_parameter(ctx, select.selection.as_ref(), &plan);
    }
    Ok(plan)
}

/// The index of the one parameter of a plan whose WHERE is `column = ?` (or another
/// comparison, either way round) and whose engine condition is that comparison of the
/// column with the integer bound to it, as it was bound (no conversion, nothing
/// folded, nothing left to the SQL layer): a later run binding another integer there
/// compares with that one instead, with nothing else of the plan changed, as binding
/// and dividing WHERE again would leave it.
fn lone_parameter(ctx: &Ctx, selection: Option<&ast::Expr>, plan: &Select) -> Option<usize> {
    use ast::BinaryOperator::{Eq, Gt, GtEq, Lt, LtEq};
    let Some(ast::Expr::BinaryOp { left, op: Eq | Gt | GtEq | Lt | LtEq, right }) = selection else {
        return None;
    };
    let is_column = |e: &ast::Expr| matches!(e, ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_));
    let name = match (&**left, &**right) {
        (column, ast::Expr::Value(ast::Value::Placeholder(p))) if is_column(column) => p,
        (ast::Expr::Value(ast::Value::Placeholder(p)), column) if is_column(column) => p,
        _ => return None,
    };
    let index = ctx.stmt.parameter_index(name)?.checked_sub(1)?;
    let bound = ctx.params.get(index)?;
    let base = plan.base.as_ref()?;
    let compared = match base.cond.as_ref().and_then(comparison) {
        Some([(_, value)]) => value == bound && matches!(bound, Value::Int(_)),
        _ => false,
    };
    (compared && plan.residual.is_none() && base.customs.is_empty()).then_some(index)
}

/// The (field, value) pairs of an engine comparison.
fn comparison(cond: &Cond) -> Option<&[(String, Value)]> {
    match cond {
        Cond::Eq(pairs) | Cond::Lt(pairs) | Cond::Le(pairs) | Cond::Gt(pairs) | Cond::Ge(pairs) => {
            Some(pairs)
        }
        _ => None,
    }
}

impl Select {
    /// Decides what the engine does and what is left to the SQL layer (steps 3 to 5).
    fn divide(
        &mut self,
        conjuncts: Vec<Expr>,
        aggregate: Option<(Groups, Vec<Aggregate>, Option<Expr>)>,
    ) -> Result<()> {
        let scope = &self.scope;
        let Some(first) = scope.sources.first() else {
            self.residual = and(conjuncts);
            if let Some((groups, aggregates, having)) = aggregate {
                let keys = groups.keys.into_iter().map(|(_, k)| k).collect();
                self.aggregate = Some(AggregatePlan { keys, aggregates, having, engine: None });
            }
            return Ok(());
        };
        let fields = first.schema.fields.len();
        let names: Vec<String> = first.schema.fields.iter().map(|f| f.name.clone()).collect();
        let (lowered, residual) = self.split_where(conjuncts);
        self.residual = residual;

        // A result column that is a column of the first table sorts as that column.
        if aggregate.is_none() {
            for key in &mut self.order {
                if let SortBy::Output(i) = key.by {
                    if self.outputs[i].as_slot().is_some_and(|s| s < fields) {
                        key.by = SortBy::Expr(self.outputs[i].clone());
                    }
                }
            }
        }
        let engine_orders = !self.order.is_empty()
            && aggregate.is_none()
            && self.order.iter().all(|k| {
                k.nulls_first != k.descending
                    && matches!(&k.by, SortBy::Expr(e) if e.as_slot().is_some_and(|s| s < fields))
            });

        let mut base = Base {
            table: first.table().to_string(),
            cond: lowered.as_ref().map(|l| l.cond.clone()),
            customs: lowered.map(|l| l.customs).unwrap_or_default(),
            joins: self.joins(0),
            order: Vec::new(),
            offset: 0,
            limit: None,
            fields: None,
        };
        if engine_orders {
            for key in self.order.drain(..) {
                if let SortBy::Expr(e) = key.by {
                    let slot = e.as_slot().unwrap_or_default();
                    base.order.push((names[slot].clone(), key.descending));
                }
            }
        }
        if let Some((groups, aggregates, having)) = aggregate {
            let keys: Vec<Expr> = groups.keys.into_iter().map(|(_, k)| k).collect();
            let engine = if self.residual.is_none() && scope.sources.len() == 1 && self.counts.is_empty() {
                engine_aggregate(&keys, &aggregates, &first.schema, fields)
            } else {
                None
            };
            self.aggregate = Some(AggregatePlan { keys, aggregates, having, engine });
        }
        base.fields = self.fields_read(fields, &names);
        self.base = Some(base);
        self.place_cut();
        self.describe();
        Ok(())
    }

    /// The conjuncts of WHERE divided: those reading only the first table lowered for
    /// the planner, the rest left for the SQL layer to check on each joined row. Which
    /// side a conjunct goes to depends on the columns it reads, not on any value.
    fn split_where(&self, conjuncts: Vec<Expr>) -> (Option<pushdown::Lowered>, Option<Expr>) {
        let Some(first) = self.scope.sources.first() else {
            return (None, and(conjuncts));
        };
        let fields = &first.schema.fields;
        let render = |slot: usize| fields.get(slot).map_or_else(|| format!("#{slot}"), |f| f.name.clone());
        let (pushed, rest): (Vec<Expr>, Vec<Expr>) =
            conjuncts.into_iter().partition(|c| c.slots_all(|s| s < fields.len()));
        (and(pushed).map(|e| pushdown::lower(&e, &render)), and(rest))
    }

    /// Whether the engine applies OFFSET and LIMIT: when rows come out of it one for
    /// one and in their final order — nothing after it sorts, drops or multiplies them.
    fn place_cut(&mut self) {
        // No join can drop a row or make several of one.
        let one_for_one =
            self.scope.sources.iter().skip(1).all(|s| s.left && matches!(s.link, Link::Forward { .. }));
        let cut = self.limit != Some(0) && (self.limit.is_some() || self.offset > 0);
        self.cut_by_engine = cut
            && self.aggregate.is_none()
            && self.order.is_empty()
            && !self.distinct
            && self.residual.is_none()
            && one_for_one;
        if let Some(base) = &mut self.base {
            base.offset = if self.cut_by_engine { self.offset } else { 0 };
            base.limit = if self.cut_by_engine { self.limit } else { None };
        }
    }

    /// Makes a [`reusable`](Select::reusable) plan of `query` run with the values now
    /// bound to its parameters: WHERE, LIMIT and OFFSET are bound and divided again,
    /// the rest stays. `false` when the new values would change more than those (a
    /// conjunct folded away, so that the SQL layer's share of WHERE appears or goes):
    /// then the caller plans afresh. EXPLAIN's steps are not redone (EXPLAIN plans
    /// every time).
    pub fn rebind(&mut self, ctx: &Ctx, query: &ast::Query) -> Result<bool> {
        let SetExpr::Select(select) = &*query.body else { return Ok(false) };
        if !self.reusable || self.base.is_none() {
            return Ok(false);
        }
        if let Some(index) = self.lone_parameter {
            if let (
                Some(Value::Int(new)),
                Some(Cond::Eq(pairs) | Cond::Lt(pairs) | Cond::Le(pairs) | Cond::Gt(pairs) | Cond::Ge(pairs)),
            ) = (ctx.params.get(index), self.base.as_mut().and_then(|b| b.cond.as_mut()))
            {
                if let [(_, value)] = pairs.as_mut_slice() {
                    *value = Value::Int(*new);
                    return Ok(true);
                }
            }
        }
        let mut binder = Binder::new(ctx, &self.scope, None);
        binder.aliases = aliases(select);
        let conjuncts = match &select.selection {
            Some(e) => conjuncts(binder.bind_row(e)?),
            None => Vec::new(),
        };
        if !binder.counts.is_empty() {
            // A counting subquery in WHERE: its count is a join of the plan, made with
            // the values of the first run.
            return Ok(false);
        }
        let (offset, limit) = limits(ctx, query)?;
        let (lowered, residual) = self.split_where(conjuncts);
        let same_slots = match (&residual, &self.residual) {
            (None, None) => true,
            (Some(new), Some(old)) => new.slots() == old.slots(),
            _ => false,
        };
        if !same_slots || lowered.is_some() != self.base.as_ref().is_some_and(|b| b.cond.is_some()) {
            return Ok(false);
        }
        self.residual = residual;
        if let Some(base) = &mut self.base {
            (base.cond, base.customs) = match lowered {
                Some(l) => (Some(l.cond), l.customs),
                None => (None, Vec::new()),
            };
        }
        (self.offset, self.limit) = (offset, limit);
        self.place_cut();
        Ok(true)
    }

    /// The engine joins hanging off source `s`: the tables joined to it, and the
    /// relation counts asked of its rows.
    fn joins(&self, s: usize) -> Vec<Join> {
        let mut joins = Vec::new();
        for c in self.scope.children(s) {
            let source = &self.scope.sources[c];
            let key = source_key(&source.name);
            let mut join = match &source.link {
                Link::Forward { fk } => Join::forward(fk.clone(), key, source.table()),
                Link::Inverse { fk } => Join::inverse(fk.clone(), key, source.table()),
                Link::Base => continue,
            };
            join.joins = self.joins(c);
            joins.push(join);
        }
        for (i, count) in self.counts.iter().enumerate().filter(|(_, c)| c.source == s) {
            let mut join = count.join.clone();
            join.key = count_key(i);
            joins.push(join);
        }
        joins
    }

    /// The first table's fields the SQL layer reads, if not all of them.
    fn fields_read(&self, fields: usize, names: &[String]) -> Option<Vec<String>> {
        let mut read = vec![false; fields];
        let mut mark = |e: &Expr| {
            for s in e.slots() {
                if s < fields {
                    read[s] = true;
                }
            }
        };
        match &self.aggregate {
            Some(agg) => {
                agg.keys.iter().for_each(&mut mark);
                agg.aggregates.iter().filter_map(|a| a.arg.as_ref()).for_each(&mut mark);
            }
            None => {
                self.outputs.iter().for_each(&mut mark);
                for key in &self.order {
                    if let SortBy::Expr(e) = &key.by {
                        mark(e);
                    }
                }
            }
        }
        if let Some(r) = &self.residual {
            mark(r);
        }
        if read.iter().all(|r| *r) {
            return None;
        }
        Some(names.iter().zip(&read).filter(|(_, r)| **r).map(|(n, _)| n.clone()).collect())
    }

    /// The steps the SQL layer adds to the engine's plan, as EXPLAIN prints them.
    fn describe(&mut self) {
        let mut steps = Vec::new();
        let name = |slot: usize| self.slot_name(slot);
        if let Some(base) = &self.base {
            for (i, text) in base.customs.iter().enumerate() {
                steps.push(format!(
                    "<custom> #{}: {text} (evaluated by the SQL layer on the decoded row)",
                    i + 1
                ));
            }
        }
        for s in self.scope.sources.iter().skip(1) {
            if !s.left {
                steps.push(format!("inner join: rows without a match in {} are dropped", s.name));
            }
        }
        if let Some(r) = &self.residual {
            steps.push(format!("filter: {}", r.render(&name)));
        }
        // Names of the slots of a group row: the keys, then the aggregates.
        let (keys, aggs): (Vec<String>, Vec<String>) = match &self.aggregate {
            Some(agg) => (
                agg.keys.iter().map(|k| k.render(&name)).collect(),
                agg.aggregates.iter().map(|a| a.ast.to_string()).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let group_name = |slot: usize| match slot.checked_sub(keys.len()) {
            Some(i) => aggs.get(i).cloned().unwrap_or_default(),
            None => keys[slot].clone(),
        };
        if let Some(agg) = &self.aggregate {
            let by = if keys.is_empty() { String::new() } else { format!(" GROUP BY {}", keys.join(", ")) };
            if agg.engine.is_none() {
                steps.push(format!("aggregate {}{by}", aggs.join(", ")));
            }
            if let Some(h) = &agg.having {
                steps.push(format!("having: {}", h.render(&group_name)));
            }
        }
        if self.distinct {
            steps.push("distinct rows".into());
        }
        if !self.order.is_empty() {
            let keys: Vec<String> = self
                .order
                .iter()
                .map(|k| {
                    let by = match &k.by {
                        SortBy::Output(i) => self.columns[*i].clone(),
                        SortBy::Expr(e) if self.aggregate.is_some() => e.render(&group_name),
                        SortBy::Expr(e) => e.render(&name),
                    };
                    if k.descending {
                        format!("{by} DESC")
                    } else {
                        by
                    }
                })
                .collect();
            steps.push(format!("sort by {}", keys.join(", ")));
        }
        if !self.cut_by_engine && (self.limit.is_some() || self.offset > 0) {
            match self.limit {
                Some(l) => steps.push(format!("limit {l} offset {}", self.offset)),
                None => steps.push(format!("offset {}", self.offset)),
            }
        }
        self.steps = steps;
    }

    /// A slot of the flat row, named as `table.column` (or a relation count).
    pub fn slot_name(&self, slot: usize) -> String {
        for s in &self.scope.sources {
            if (s.offset..s.offset + s.schema.fields.len()).contains(&slot) {
                return format!("{}.{}", s.name, s.schema.fields[slot - s.offset].name);
            }
        }
        match self.counts.get(slot - self.scope.width.min(slot)) {
            Some(c) => c.text.clone(),
            None => format!("#{slot}"),
        }
    }

    /// The width of the flat row: the tables' columns, then the counts.
    pub fn width(&self) -> usize {
        self.scope.width + self.counts.len()
    }
}

/// The key a joined table's rows are put under: its name in FROM, marked so that it is
/// never a field's name (those are plain identifiers).
pub fn source_key(name: &str) -> String {
    format!("@{name}")
}

/// The key of the `i`-th relation count.
pub fn count_key(i: usize) -> String {
    format!("@count{}", i + 1)
}

/// The engine's aggregate, when it computes every one asked: GROUP BY plain columns,
/// aggregates of plain columns (SUM and AVG of numbers, at most 9 digits wide so that
/// no sum overflows on the way, as SQLite would report).
fn engine_aggregate(
    keys: &[Expr],
    aggregates: &[Aggregate],
    schema: &bazoola::TableSchema,
    fields: usize,
) -> Option<EngineAggregate> {
    let field = |e: &Expr| e.as_slot().filter(|s| *s < fields).map(|s| &schema.fields[s]);
    let group_by = keys.iter().map(|k| field(k).map(|f| f.name.clone())).collect::<Option<Vec<_>>>()?;
    if aggregates.is_empty() {
        return None;
    }
    let mut aggs = Vec::new();
    for (i, a) in aggregates.iter().enumerate() {
        if a.distinct {
            return None;
        }
        let arg = match &a.arg {
            Some(e) => Some(field(e)?),
            None => None,
        };
        let narrow =
            |f: &bazoola::Field| f.is_numeric() && f.width(schema.width) <= 9 && f.ty != FieldType::Text;
        let agg = match (a.func, arg) {
            (AggFunc::CountRows, _) => Agg::Count,
            (AggFunc::Count, Some(f)) => Agg::CountOf(f.name.clone()),
            (AggFunc::Sum, Some(f)) if narrow(f) => Agg::Sum(f.name.clone()),
            (AggFunc::Avg, Some(f)) if narrow(f) => Agg::Avg(f.name.clone()),
            (AggFunc::Min, Some(f)) => Agg::Min(f.name.clone()),
            (AggFunc::Max, Some(f)) => Agg::Max(f.name.clone()),
            _ => return None,
        };
        aggs.push((format!("a{i}"), agg));
    }
    Some((group_by, aggs))
}

/// The conjuncts of a WHERE (its top-level ANDs).
/// The SELECT list's aliases, and what each stands for.
fn aliases(select: &ast::Select) -> Vec<(String, ast::Expr)> {
    select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { expr, alias } => Some((alias.value.clone(), expr.clone())),
            _ => None,
        })
        .collect()
}

fn conjuncts(e: Expr) -> Vec<Expr> {
    match e {
        Expr::And(list) => list.into_iter().flat_map(conjuncts).collect(),
        other => vec![other],
    }
}

fn and(mut list: Vec<Expr>) -> Option<Expr> {
    match list.len() {
        0 => None,
        1 => list.pop(),
        _ => Some(Expr::And(list)),
    }
}

/// `*` or `t.*`: every column of source `s`.
fn star(
    binder: &mut Binder,
    s: usize,
    columns: &mut Vec<String>,
    outputs: &mut Vec<Expr>,
    asts: &mut Vec<Option<ast::Expr>>,
) -> Result<()> {
    let source = binder.scope.sources[s].clone();
    for field in &source.schema.fields {
        let e =
            ast::Expr::CompoundIdentifier(vec![ast::Ident::new(&source.name), ast::Ident::new(&field.name)]);
        columns.push(field.name.clone());
        outputs.push(binder.bind(&e)?);
        asts.push(None);
    }
    Ok(())
}

fn check_wildcard(ctx: &Ctx, options: &ast::WildcardAdditionalOptions) -> Result<()> {
    if *options != ast::WildcardAdditionalOptions::default() {
        return Err(ctx.unsupported("options on `*` (EXCLUDE, REPLACE, …)", "*"));
    }
    Ok(())
}

/// The name of an unaliased result column: a column's own name, or the expression.
pub fn column_name(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Identifier(i) => i.value.clone(),
        ast::Expr::CompoundIdentifier(parts) => parts.last().map_or_else(String::new, |i| i.value.clone()),
        other => other.to_string(),
    }
}

/// A GROUP BY term: a number names a result column.
fn group_term(ctx: &Ctx, select: &ast::Select, e: &ast::Expr) -> Result<ast::Expr> {
    if let ast::Expr::Value(ast::Value::Number(n, _)) = bind::strip(e) {
        let items: Vec<&ast::Expr> = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                _ => None,
            })
            .collect();
        return match n.parse::<usize>() {
            Ok(i) if i >= 1 && i <= items.len() && items.len() == select.projection.len() => {
                Ok(items[i - 1].clone())
            }
            Ok(i) if i >= 1 && i <= select.projection.len() => {
                Err(ctx.unsupported("GROUP BY a column number where the SELECT list has `*`", n))
            }
            _ => Err(CliError::Usage(format!(
                "GROUP BY term out of range - should be between 1 and {}",
                select.projection.len()
            ))),
        };
    }
    Ok(e.clone())
}

/// An ORDER BY term: a result column by number, by alias, or as the same expression;
/// else an expression of its own (not with DISTINCT, which sorts its result rows).
fn order_term(
    binder: &mut Binder,
    term: usize,
    e: &ast::Expr,
    columns: &[String],
    outputs: &[Option<ast::Expr>],
    distinct: bool,
) -> Result<SortBy> {
    let plain = bind::strip(e);
    if let ast::Expr::Value(ast::Value::Number(n, _)) = plain {
        return match n.parse::<usize>() {
            Ok(i) if i >= 1 && i <= columns.len() => Ok(SortBy::Output(i - 1)),
            _ => Err(CliError::Usage(format!(
                "{} ORDER BY term out of range - should be between 1 and {}",
                ordinal(term),
                columns.len()
            ))),
        };
    }
    if let ast::Expr::Identifier(ident) = plain {
        let aliased: Vec<(usize, &str)> = outputs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_some())
            .map(|(i, _)| (i, columns[i].as_str()))
            .collect();
        let is_alias = binder.aliases.iter().any(|(a, _)| a.eq_ignore_ascii_case(&ident.value));
        if is_alias {
            if let Some(&(i, _)) = aliased.iter().find(|(_, c)| c.eq_ignore_ascii_case(&ident.value)) {
                return Ok(SortBy::Output(i));
            }
        }
    }
    if let Some(i) = outputs.iter().position(|o| o.as_ref().is_some_and(|o| bind::strip(o) == plain)) {
        return Ok(SortBy::Output(i));
    }
    if distinct {
        return Err(binder.ctx.unsupported(
            "ORDER BY an expression that is not a result column, with SELECT DISTINCT",
            "ORDER",
        ));
    }
    Ok(SortBy::Expr(binder.bind(e)?))
}

/// `1st`, `2nd`, `3rd`, `4th`… as SQLite numbers terms in its messages.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// OFFSET and LIMIT, as SQLite reads them: a negative limit is none, a negative offset
/// is zero; each must be an integer.
fn limits(ctx: &Ctx, query: &ast::Query) -> Result<(u64, Option<u64>)> {
    let value = |e: &ast::Expr| -> Result<i64> {
        let empty = Scope::default();
        let mut binder = Binder::new(ctx, &empty, None);
        let bound = binder.bind_row(e)?;
        match value::numeric_affinity(&bound.eval(&[])) {
            Value::Int(n) => Ok(n),
            _ => Err(CliError::Usage("datatype mismatch: LIMIT and OFFSET take integers".into())),
        }
    };
    let limit = query.limit.as_ref().map(value).transpose()?;
    let offset = query.offset.as_ref().map(|o| value(&o.value)).transpose()?;
    Ok((offset.map_or(0, |o| o.max(0) as u64), limit.and_then(|l| u64::try_from(l).ok())))
}

fn check_query(ctx: &Ctx, q: &ast::Query) -> Result<()> {
    if q.with.is_some() {
        return Err(ctx.unsupported("WITH (common table expressions)", "WITH"));
    }
    if q.fetch.is_some() {
        return Err(ctx.unsupported("FETCH", "FETCH"));
    }
    if !q.locks.is_empty() {
        return Err(ctx.unsupported("FOR UPDATE/SHARE", "FOR"));
    }
    if !q.limit_by.is_empty() || q.for_clause.is_some() || q.settings.is_some() || q.format_clause.is_some() {
        return Err(ctx.unsupported("this clause of SELECT", ""));
    }
    if q.order_by.as_ref().is_some_and(|o| o.interpolate.is_some()) {
        return Err(ctx.unsupported("INTERPOLATE", "INTERPOLATE"));
    }
    Ok(())
}

fn check_select(ctx: &Ctx, s: &ast::Select) -> Result<()> {
    if let Some(Distinct::On(_)) = s.distinct {
        return Err(ctx.unsupported("DISTINCT ON", "ON"));
    }
    if s.top.is_some() {
        return Err(ctx.unsupported("TOP", "TOP"));
    }
    if s.into.is_some() {
        return Err(ctx.unsupported("SELECT INTO", "INTO"));
    }
    if !s.named_window.is_empty() {
        return Err(ctx.unsupported("WINDOW", "WINDOW"));
    }
    if s.qualify.is_some() {
        return Err(ctx.unsupported("QUALIFY", "QUALIFY"));
    }
    if !s.lateral_views.is_empty()
        || s.prewhere.is_some()
        || !s.cluster_by.is_empty()
        || !s.distribute_by.is_empty()
        || !s.sort_by.is_empty()
        || s.value_table_mode.is_some()
        || s.connect_by.is_some()
    {
        return Err(ctx.unsupported("this clause of SELECT", ""));
    }
    Ok(())
}
