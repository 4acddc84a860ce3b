//! Binding: an sqlparser expression becomes an [`Expr`] over the slots of a flat row.
//! Columns resolve through the [`Scope`] (then, as SQLite allows, through the aliases
//! of the SELECT list); in an aggregate query, expressions above the aggregation bind
//! to the group row instead — a GROUP BY key, or an aggregate whose argument is bound
//! to the input row; subqueries are handed to [`super::subquery`]. Anything the subset
//! does not have is refused here, naming it.

use std::collections::BTreeSet;

use bazoola::Value;
use sqlparser::ast::{self, BinaryOperator, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator};

use super::expr::{CmpOp, Expr, LikePattern};
use super::like::Pattern;
use super::scope::{name, unknown_column, Column, Ctx, Scope};
use super::subquery;
use super::value::{Affinity, Arith};
use crate::error::{CliError, Result};

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    CountRows,
    Count,
    Sum,
    Total,
    Avg,
    Min,
    Max,
}

/// One aggregate of an aggregate query: its function, its argument (bound to the input
/// row), and whether it takes each distinct value once.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub func: AggFunc,
    pub arg: Option<Expr>,
    pub distinct: bool,
    /// As written, to find it again (`HAVING COUNT(*) > 1` reuses the SELECT's).
    pub ast: ast::Expr,
}

/// A relation count a correlated subquery asks for: a join to hang off source `source`.
#[derive(Debug, Clone)]
pub struct CountJoin {
    pub source: usize,
    pub join: bazoola::Join,
    /// How it reads in a plan.
    pub text: String,
}

/// The GROUP BY keys of an aggregate query, as written and bound to the input row.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    pub keys: Vec<(ast::Expr, Expr)>,
}

/// Binds expressions of one SELECT (or UPDATE, DELETE) against its scope.
pub struct Binder<'a, 'c> {
    pub ctx: &'a Ctx<'c>,
    pub scope: &'a Scope,
    /// The scope of the statement around a subquery: a name found only there makes the
    /// subquery correlated.
    pub outer: Option<&'a Scope>,
    pub saw_outer: bool,
    /// The sources the bound expressions read.
    pub used: BTreeSet<usize>,
    /// The SELECT list's aliases and what they stand for.
    pub aliases: Vec<(String, ast::Expr)>,
    /// Relation counts found in correlated subqueries; count `i` is in slot
    /// `scope.width + i` of the flat row.
    pub counts: Vec<CountJoin>,
    /// `Some` while binding above the aggregation of an aggregate query.
    pub groups: Option<Groups>,
    pub aggregates: Vec<Aggregate>,
    /// Aliases being expanded (an alias cannot stand for itself).
    expanding: Vec<String>,
}

impl<'a, 'c> Binder<'a, 'c> {
    pub fn new(ctx: &'a Ctx<'c>, scope: &'a Scope, outer: Option<&'a Scope>) -> Binder<'a, 'c> {
        Binder {
            ctx,
            scope,
            outer,
            saw_outer: false,
            used: BTreeSet::new(),
            aliases: Vec::new(),
            counts: Vec::new(),
            groups: None,
            aggregates: Vec::new(),
            expanding: Vec::new(),
        }
    }

    /// Binds `e` to the input row (WHERE, GROUP BY, aggregate arguments).
    pub fn bind_row(&mut self, e: &ast::Expr) -> Result<Expr> {
        let groups = self.groups.take();
        let bound = self.bind(e);
        self.groups = groups;
        bound
    }

    /// Binds `e` where it stands: to the group row in an aggregate query's SELECT list,
    /// HAVING and ORDER BY, to the input row otherwise.
    pub fn bind(&mut self, e: &ast::Expr) -> Result<Expr> {
        if let Some(groups) = &self.groups {
            let plain = strip(e);
            if let Some(i) = groups.keys.iter().position(|(key, _)| strip(key) == plain) {
                return Ok(Expr::column(i, groups.keys[i].1.affinity()));
            }
        }
        match e {
            ast::Expr::Identifier(ident) => self.column(None, ident),
            ast::Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [table, column] => self.column(Some(table), column),
                [schema, table, column] if schema.value.eq_ignore_ascii_case("main") => {
                    self.column(Some(table), column)
                }
                _ => Err(self.ctx.unsupported(format!("the name {e}"), &parts[0].value)),
            },
            ast::Expr::Value(v) => self.literal(v),
            ast::Expr::Nested(inner) => self.bind(inner),
            ast::Expr::UnaryOp { op, expr } => self.unary(*op, expr),
            ast::Expr::BinaryOp { op: BinaryOperator::And | BinaryOperator::Or, .. } => self.chain(e),
            ast::Expr::BinaryOp { left, op, right } => self.binary(left, op, right),
            ast::Expr::IsNull(x) | ast::Expr::IsUnknown(x) => {
                Ok(Expr::IsNull { expr: Box::new(self.bind(x)?), negated: false })
            }
            ast::Expr::IsNotNull(x) | ast::Expr::IsNotUnknown(x) => {
                Ok(Expr::IsNull { expr: Box::new(self.bind(x)?), negated: true })
            }
            ast::Expr::IsTrue(x) => self.is_truth(x, true, false),
            ast::Expr::IsNotTrue(x) => self.is_truth(x, true, true),
            ast::Expr::IsFalse(x) => self.is_truth(x, false, false),
            ast::Expr::IsNotFalse(x) => self.is_truth(x, false, true),
            ast::Expr::IsDistinctFrom(a, b) => self.distinct(a, b, false),
            ast::Expr::IsNotDistinctFrom(a, b) => self.distinct(a, b, true),
            ast::Expr::InList { expr, list, negated } => {
                let expr = Box::new(self.bind(expr)?);
                let list = list.iter().map(|item| self.bind(item)).collect::<Result<Vec<_>>>()?;
                Ok(Expr::InList { expr, list, negated: *negated, item_affinity: Affinity::None })
            }
            ast::Expr::Between { expr, negated, low, high } => Ok(Expr::Between {
                expr: Box::new(self.bind(expr)?),
                low: Box::new(self.bind(low)?),
                high: Box::new(self.bind(high)?),
                negated: *negated,
            }),
            ast::Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                self.like(expr, pattern, escape_char.as_deref(), *negated)
            }
            ast::Expr::Function(f) => self.function(e, f),
            ast::Expr::Subquery(query) => self.subquery(|b| subquery::scalar(b, query)),
            ast::Expr::Exists { subquery: query, negated } => {
                self.subquery(|b| subquery::exists(b, query, *negated))
            }
            ast::Expr::InSubquery { expr, subquery: query, negated } => {
                let left = self.bind(expr)?;
                self.subquery(|b| subquery::in_subquery(b, left, query, *negated))
            }
            other => Err(self.refuse(other)),
        }
    }

    /// A subquery: correlated ones only where a row is being bound.
    fn subquery(&mut self, f: impl FnOnce(&mut Binder<'a, 'c>) -> Result<Expr>) -> Result<Expr> {
        let groups = self.groups.take();
        let was = self.counts.len();
        let bound = f(self);
        self.groups = groups;
        if self.groups.is_some() && self.counts.len() != was {
            return Err(self.ctx.unsupported_at(
                "a correlated subquery above the aggregation of an aggregate query (use it inside an aggregate, or without GROUP BY)",
                &["(", "SELECT"],
            ));
        }
        bound
    }

    /// The error for an expression outside the subset, naming it.
    fn refuse(&self, e: &ast::Expr) -> CliError {
        let (construct, word) = match e {
            ast::Expr::Case { .. } => ("CASE expressions".to_string(), "CASE"),
            ast::Expr::Cast { .. } => ("CAST".to_string(), "CAST"),
            ast::Expr::Collate { .. } => ("COLLATE".to_string(), "COLLATE"),
            ast::Expr::ILike { .. } => {
                ("ILIKE (LIKE is already case-insensitive for ASCII)".to_string(), "ILIKE")
            }
            ast::Expr::SimilarTo { .. } => ("SIMILAR TO".to_string(), "SIMILAR"),
            ast::Expr::RLike { .. } => ("REGEXP".to_string(), "REGEXP"),
            ast::Expr::Like { .. } => ("LIKE ANY".to_string(), "ANY"),
            ast::Expr::Tuple(_) => ("row values (a, b)".to_string(), "("),
            ast::Expr::Wildcard | ast::Expr::QualifiedWildcard(_) => ("`*` here".to_string(), "*"),
            ast::Expr::AnyOp { .. } | ast::Expr::AllOp { .. } => ("ANY/ALL".to_string(), "ANY"),
            other => (format!("the expression {other}"), ""),
        };
        self.ctx.unsupported(construct, word)
    }

    fn column(&mut self, qualifier: Option<&ast::Ident>, column: &ast::Ident) -> Result<Expr> {
        let qualifier = qualifier.map(name);
        if let Some(col) = self.scope.resolve(qualifier, name(column))? {
            return self.column_ref(col);
        }
        if qualifier.is_none() {
            if let Some(target) = self.alias(name(column)) {
                self.expanding.push(name(column).to_string());
                let bound = self.bind(&target);
                self.expanding.pop();
                return bound;
            }
        }
        if let Some(outer) = self.outer {
            if outer.resolve(qualifier, name(column))?.is_some() {
                // Stands in for the outer row's value: a correlated subquery is planned
                // as a relation count instead (see `subquery`).
                self.saw_outer = true;
                return Ok(Expr::Literal(Value::Null));
            }
        }
        Err(match (qualifier, self.scope.sources.as_slice()) {
            (None, [only]) => unknown_column(only.table(), name(column)),
            (Some(q), _) => match self.scope.source(q) {
                Some(s) => unknown_column(self.scope.sources[s].table(), name(column)),
                None => CliError::Usage(format!("no such column: {q}.{}", name(column))),
            },
            (None, _) => CliError::Usage(format!("no such column: {}", name(column))),
        })
    }

    /// A column of the input row, or, above the aggregation, the GROUP BY key it is.
    fn column_ref(&mut self, col: Column) -> Result<Expr> {
        self.used.insert(col.source);
        let Some(groups) = &self.groups else { return Ok(Expr::column(col.slot, col.affinity)) };
        match groups.keys.iter().position(|(_, key)| key.as_slot() == Some(col.slot)) {
            Some(i) => Ok(Expr::column(i, col.affinity)),
            None => {
                let source = &self.scope.sources[col.source];
                let field = &source.schema.fields[col.field].name;
                Err(self.ctx.unsupported(
                    format!(
                        "the column {}.{field} outside an aggregate in an aggregate query (it is not in GROUP BY)",
                        source.name
                    ),
                    field,
                ))
            }
        }
    }

    /// What an alias of the SELECT list stands for (not while it is being expanded).
    fn alias(&self, wanted: &str) -> Option<ast::Expr> {
        if self.expanding.iter().any(|a| a.eq_ignore_ascii_case(wanted)) {
            return None;
        }
        let names = self.aliases.iter().map(|(a, _)| a.as_str());
        super::scope::pick(names, wanted).map(|i| self.aliases[i].1.clone())
    }

    fn literal(&self, v: &ast::Value) -> Result<Expr> {
        Ok(Expr::Literal(match v {
            ast::Value::Number(text, _) => number(text),
            ast::Value::SingleQuotedString(s) => Value::Text(s.clone()),
            ast::Value::Boolean(b) => Value::Int(i64::from(*b)),
            ast::Value::Null => Value::Null,
            ast::Value::Placeholder(p) => self.ctx.parameter(p)?,
            other => return Err(self.ctx.unsupported(format!("the literal {other}"), "")),
        }))
    }

    fn unary(&mut self, op: UnaryOperator, e: &ast::Expr) -> Result<Expr> {
        match op {
            UnaryOperator::Minus => {
                // `-9223372036854775808` is the smallest integer, not a REAL.
                if let ast::Expr::Value(ast::Value::Number(text, _)) = e {
                    if text == "9223372036854775808" {
                        return Ok(Expr::Literal(Value::Int(i64::MIN)));
                    }
                }
                Ok(match self.bind(e)? {
                    Expr::Literal(v) => Expr::Literal(super::value::negate(&v)),
                    bound => Expr::Neg(Box::new(bound)),
                })
            }
            UnaryOperator::Plus => Ok(Expr::Plus(Box::new(self.bind(e)?))),
            UnaryOperator::Not => Ok(Expr::Not(Box::new(self.bind(e)?))),
            other => Err(self.ctx.unsupported(format!("the operator {other}"), &other.to_string())),
        }
    }

    /// A run of ANDs (or ORs) as one list, walked without recursion along the chain.
    fn chain(&mut self, e: &ast::Expr) -> Result<Expr> {
        let ast::Expr::BinaryOp { op: chain_op, .. } = e else { return self.bind(e) };
        let mut operands = Vec::new();
        let mut pending = vec![e];
        while let Some(next) = pending.pop() {
            match next {
                ast::Expr::BinaryOp { left, op, right } if op == chain_op => {
                    pending.push(right);
                    pending.push(left);
                }
                other => operands.push(self.bind(other)?),
            }
        }
        Ok(if *chain_op == BinaryOperator::And { Expr::And(operands) } else { Expr::Or(operands) })
    }

    fn binary(&mut self, left: &ast::Expr, op: &BinaryOperator, right: &ast::Expr) -> Result<Expr> {
        if let Some(what) = misread(left, op) {
            return Err(self.ctx.unsupported(
                format!(
                    "{what} without parentheses (sqlparser 0.52 groups it unlike SQLite): add parentheses"
                ),
                &op.to_string(),
            ));
        }
        let compare = |op| Some(Err(op));
        let kind: Option<Result<Arith, CmpOp>> = match op {
            BinaryOperator::Plus => Some(Ok(Arith::Add)),
            BinaryOperator::Minus => Some(Ok(Arith::Sub)),
            BinaryOperator::Multiply => Some(Ok(Arith::Mul)),
            BinaryOperator::Divide => Some(Ok(Arith::Div)),
            BinaryOperator::Modulo => Some(Ok(Arith::Rem)),
            BinaryOperator::Eq => compare(CmpOp::Eq),
            BinaryOperator::NotEq => compare(CmpOp::Ne),
            BinaryOperator::Lt => compare(CmpOp::Lt),
            BinaryOperator::LtEq => compare(CmpOp::Le),
            BinaryOperator::Gt => compare(CmpOp::Gt),
            BinaryOperator::GtEq => compare(CmpOp::Ge),
            BinaryOperator::StringConcat => None,
            other => return Err(self.ctx.unsupported(format!("the operator {other}"), &other.to_string())),
        };
        let (l, r) = (Box::new(self.bind(left)?), Box::new(self.bind(right)?));
        Ok(match kind {
            Some(Ok(arith)) => Expr::Arith(arith, l, r),
            Some(Err(cmp)) => Expr::Compare(cmp, l, r),
            None => Expr::Concat(l, r),
        })
    }

    fn is_truth(&mut self, e: &ast::Expr, truth: bool, negated: bool) -> Result<Expr> {
        Ok(Expr::IsTruth { expr: Box::new(self.bind(e)?), truth, negated })
    }

    fn distinct(&mut self, a: &ast::Expr, b: &ast::Expr, negated: bool) -> Result<Expr> {
        // sqlparser 0.52 reads everything after `IS [NOT] DISTINCT FROM` into its right
        // side (`a IS DISTINCT FROM b OR c` as `a IS DISTINCT FROM (b OR c)`), which
        // SQLite does not: refused rather than answered differently.
        if swallowed(b) {
            return Err(self.ctx.unsupported(
                "IS [NOT] DISTINCT FROM followed by an operator that binds less tightly (AND, OR, a comparison): put its right side in parentheses",
                "DISTINCT",
            ));
        }
        // SQLite reads `x IS [NOT] [DISTINCT FROM] TRUE` as a truth test, not an equality.
        if let ast::Expr::Value(ast::Value::Boolean(truth)) = strip(b) {
            return self.is_truth(a, *truth, !negated);
        }
        Ok(Expr::Distinct { left: Box::new(self.bind(a)?), right: Box::new(self.bind(b)?), negated })
    }

    fn like(
        &mut self,
        e: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&str>,
        negated: bool,
    ) -> Result<Expr> {
        let escape = match escape {
            None => None,
            Some(text) => {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => return Err(CliError::Usage("ESCAPE expression must be a single character".into())),
                }
            }
        };
        let mut spine = pattern;
        loop {
            spine = match spine {
                ast::Expr::BinaryOp { op: BinaryOperator::Eq | BinaryOperator::NotEq, .. }
                | ast::Expr::InList { .. }
                | ast::Expr::InSubquery { .. }
                | ast::Expr::Between { .. } => {
                    return Err(self.ctx.unsupported(
                        "LIKE followed by =, <>, IN or BETWEEN without parentheses (sqlparser 0.52 reads them into the pattern, SQLite applies them to the LIKE): add parentheses",
                        "LIKE",
                    ))
                }
                ast::Expr::BinaryOp { left, .. } => left,
                _ => break,
            };
        }
        let expr = Box::new(self.bind(e)?);
        let pattern = self.bind(pattern)?;
        let pattern = if pattern.is_constant() {
            let text = super::value::as_text(&pattern.eval(&[]));
            LikePattern::Constant(text.map(|p| Pattern::new(&p, escape)))
        } else {
            LikePattern::Dynamic { pattern: Box::new(pattern), escape }
        };
        Ok(Expr::Like { expr, pattern, negated })
    }

    fn function(&mut self, whole: &ast::Expr, f: &ast::Function) -> Result<Expr> {
        let fname = f.name.to_string();
        let word = f.name.0.last().map_or("", |i| i.value.as_str());
        if f.over.is_some() {
            return Err(self.ctx.unsupported("window functions (OVER)", "OVER"));
        }
        if f.filter.is_some() {
            return Err(self.ctx.unsupported("FILTER on an aggregate", "FILTER"));
        }
        if !f.within_group.is_empty()
            || f.null_treatment.is_some()
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return Err(self.ctx.unsupported(format!("this form of {fname}()"), word));
        }
        let Some(func) = aggregate_function(&fname, f) else {
            return Err(self.ctx.unsupported(
                format!("the function {fname}() (the subset has COUNT, SUM, TOTAL, AVG, MIN and MAX)"),
                word,
            ));
        };
        let FunctionArguments::List(list) = &f.args else {
            return Err(self.ctx.unsupported(format!("{fname} without an argument list"), word));
        };
        if !list.clauses.is_empty() {
            return Err(self.ctx.unsupported(format!("clauses inside {fname}()"), word));
        }
        let distinct = matches!(list.duplicate_treatment, Some(ast::DuplicateTreatment::Distinct));
        let arg = match (func, list.args.as_slice()) {
            (AggFunc::CountRows, _) if distinct => {
                return Err(CliError::Usage("COUNT(DISTINCT *) is not SQL: name a column".into()))
            }
            (AggFunc::CountRows, _) => None,
            (_, [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))]) => Some(arg),
            _ => {
                return Err(CliError::Usage(format!("wrong number of arguments to function {fname}()")));
            }
        };
        let Some(groups) = self.groups.take() else {
            return Err(CliError::Usage(format!("misuse of aggregate function {fname}()")));
        };
        // The argument binds to the input row; an aggregate inside it finds no groups
        // and is refused as SQLite refuses it.
        let arg = arg.map(|a| self.bind(a)).transpose();
        self.groups = Some(groups);
        let arg = arg?;
        let slot = match self.aggregates.iter().position(|a| strip(&a.ast) == strip(whole)) {
            Some(i) => i,
            None => {
                self.aggregates.push(Aggregate { func, arg, distinct, ast: whole.clone() });
                self.aggregates.len() - 1
            }
        };
        let keys = self.groups.as_ref().map_or(0, |g| g.keys.len());
        Ok(Expr::column(keys + slot, Affinity::None))
    }
}

/// Which aggregate `name(args)` is, if it is one (MIN and MAX with several arguments
/// are SQLite's scalar functions, not in the subset).
fn aggregate_function(name: &str, f: &ast::Function) -> Option<AggFunc> {
    let args = match &f.args {
        FunctionArguments::List(list) => list.args.as_slice(),
        _ => &[],
    };
    let star = matches!(args, [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]) || args.is_empty();
    Some(match name.to_ascii_lowercase().as_str() {
        "count" if star => AggFunc::CountRows,
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "total" => AggFunc::Total,
        "avg" => AggFunc::Avg,
        "min" if args.len() == 1 => AggFunc::Min,
        "max" if args.len() == 1 => AggFunc::Max,
        _ => return None,
    })
}

/// Whether `e` calls an aggregate function outside any subquery.
pub fn has_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if let ast::Expr::Function(f) = x {
            if f.over.is_none() && aggregate_function(&f.name.to_string(), f).is_some() {
                found = true;
            }
        }
    });
    found
}

/// Visits `e` and the expressions in it that bind where it binds (not into subqueries).
pub fn visit(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    f(e);
    match e {
        ast::Expr::Nested(x)
        | ast::Expr::UnaryOp { expr: x, .. }
        | ast::Expr::IsNull(x)
        | ast::Expr::IsNotNull(x)
        | ast::Expr::IsTrue(x)
        | ast::Expr::IsNotTrue(x)
        | ast::Expr::IsFalse(x)
        | ast::Expr::IsNotFalse(x)
        | ast::Expr::IsUnknown(x)
        | ast::Expr::IsNotUnknown(x) => visit(x, f),
        ast::Expr::BinaryOp { left, right, .. }
        | ast::Expr::IsDistinctFrom(left, right)
        | ast::Expr::IsNotDistinctFrom(left, right) => {
            // Left spines of long chains are walked in a loop.
            let mut rights = vec![&**right];
            let mut current = &**left;
            while let ast::Expr::BinaryOp { left, right, .. } = current {
                f(current);
                rights.push(right);
                current = left;
            }
            visit(current, f);
            for r in rights.into_iter().rev() {
                visit(r, f);
            }
        }
        ast::Expr::InList { expr, list, .. } => {
            visit(expr, f);
            list.iter().for_each(|x| visit(x, f));
        }
        ast::Expr::InSubquery { expr, .. } => visit(expr, f),
        ast::Expr::Between { expr, low, high, .. } => {
            visit(expr, f);
            visit(low, f);
            visit(high, f);
        }
        ast::Expr::Like { expr, pattern, .. } => {
            visit(expr, f);
            visit(pattern, f);
        }
        ast::Expr::Function(func) => {
            if let FunctionArguments::List(list) = &func.args {
                for arg in &list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x))
                    | FunctionArg::Named { arg: FunctionArgExpr::Expr(x), .. } = arg
                    {
                        visit(x, f);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The construct, when `left op …` is a tree sqlparser 0.52 builds from text SQLite
/// groups otherwise (its precedences differ): `a = b < c` (SQLite: `a = (b < c)`),
/// `a * b || c` (SQLite: `a * (b || c)`), `… ESCAPE e || c` (SQLite: the escape is
/// `e || c`, and takes `<` too).
fn misread(left: &ast::Expr, op: &BinaryOperator) -> Option<&'static str> {
    use BinaryOperator::*;
    match (op, left) {
        (Lt | LtEq | Gt | GtEq, ast::Expr::BinaryOp { op: Eq | NotEq, .. }) => {
            Some("`=` or `<>` followed by `<`, `<=`, `>` or `>=`")
        }
        (Lt | LtEq | Gt | GtEq, ast::Expr::Between { .. }) => {
            Some("BETWEEN followed by `<`, `<=`, `>` or `>=`")
        }
        (
            Lt | LtEq | Gt | GtEq | StringConcat | Multiply | Divide | Modulo | Plus | Minus,
            ast::Expr::IsNull(_)
            | ast::Expr::IsNotNull(_)
            | ast::Expr::IsTrue(_)
            | ast::Expr::IsNotTrue(_)
            | ast::Expr::IsFalse(_)
            | ast::Expr::IsNotFalse(_)
            | ast::Expr::IsUnknown(_)
            | ast::Expr::IsNotUnknown(_),
        ) => Some("IS [NOT] NULL/TRUE/FALSE followed by an operator that binds more tightly than IS"),
        (StringConcat, ast::Expr::BinaryOp { op: Multiply | Divide | Modulo, .. }) => {
            Some("`*`, `/` or `%` followed by `||`")
        }
        (
            Lt | LtEq | Gt | GtEq | StringConcat | Multiply | Divide | Modulo | Plus | Minus,
            ast::Expr::Like { escape_char: Some(_), .. },
        ) => Some("LIKE … ESCAPE followed by an operator that binds more tightly than LIKE"),
        _ => None,
    }
}

/// Whether `e`, as the right side of IS [NOT] DISTINCT FROM, holds an operator SQLite
/// would have applied to the whole IS expression instead (one on its left spine that
/// binds no tighter than IS).
fn swallowed(e: &ast::Expr) -> bool {
    let mut e = e;
    loop {
        e = match e {
            ast::Expr::BinaryOp { left, op, .. } => {
                use BinaryOperator::*;
                if matches!(op, And | Or | Xor | Eq | NotEq | Lt | LtEq | Gt | GtEq | Spaceship) {
                    return true;
                }
                left
            }
            ast::Expr::IsNull(_)
            | ast::Expr::IsNotNull(_)
            | ast::Expr::IsTrue(_)
            | ast::Expr::IsNotTrue(_)
            | ast::Expr::IsFalse(_)
            | ast::Expr::IsNotFalse(_)
            | ast::Expr::IsUnknown(_)
            | ast::Expr::IsNotUnknown(_)
            | ast::Expr::IsDistinctFrom(..)
            | ast::Expr::IsNotDistinctFrom(..)
            | ast::Expr::InList { .. }
            | ast::Expr::InSubquery { .. }
            | ast::Expr::Between { .. }
            | ast::Expr::Like { .. }
            | ast::Expr::ILike { .. } => return true,
            _ => return false,
        };
    }
}

/// `e` without the parentheses around it.
pub fn strip(mut e: &ast::Expr) -> &ast::Expr {
    while let ast::Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// A numeric literal: an INTEGER when it is one and fits, else a REAL.
pub fn number(text: &str) -> Value {
    match super::value::parse_number(text) {
        Some((v, len)) if len == text.len() => v,
        _ => Value::Text(text.to_string()),
    }
}
