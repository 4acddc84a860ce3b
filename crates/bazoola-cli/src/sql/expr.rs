//! Bound expressions: SQL expressions whose names are resolved to slots of a flat row
//! (the columns of every table of the FROM clause side by side, then the values the SQL
//! layer attaches: relation counts, groups, aggregates), evaluated with SQL's
//! three-valued logic. A predicate is true, false or NULL (unknown); WHERE and HAVING
//! keep a row only when it is true.

use std::cmp::Ordering;

use bazoola::Value;

use super::like::Pattern;
use super::value::{self, Affinity, Arith};

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// The operator that holds exactly when this one is false (for non-null operands).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    pub fn holds(self, ordering: Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering == Ordering::Equal,
            CmpOp::Ne => ordering != Ordering::Equal,
            CmpOp::Lt => ordering == Ordering::Less,
            CmpOp::Le => ordering != Ordering::Greater,
            CmpOp::Gt => ordering == Ordering::Greater,
            CmpOp::Ge => ordering != Ordering::Less,
        }
    }
}

/// An expression bound to the slots of a flat row.
#[derive(Debug, Clone)]
pub enum Expr {
    /// Slot `slot` of the row; a table column carries its affinity.
    Slot {
        slot: usize,
        affinity: Affinity,
    },
    Literal(Value),
    Neg(Box<Expr>),
    /// Unary `+`: the value, without its affinity.
    Plus(Box<Expr>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `a IS [NOT] DISTINCT FROM b`: equality in which null equals null, never unknown.
    Distinct {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    /// `x IS [NOT] TRUE` / `x IS [NOT] FALSE`.
    IsTruth {
        expr: Box<Expr>,
        truth: bool,
        negated: bool,
    },
    /// `x IN (…)`; the items' affinity is that of a subquery's column (none for a list).
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        item_affinity: Affinity,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: LikePattern,
        negated: bool,
    },
}

/// The right side of a LIKE: compiled once when it is a constant.
#[derive(Debug, Clone)]
pub enum LikePattern {
    Constant(Option<Pattern>),
    Dynamic { pattern: Box<Expr>, escape: Option<char> },
}

impl Expr {
    pub fn column(slot: usize, affinity: Affinity) -> Expr {
        Expr::Slot { slot, affinity }
    }

    pub fn affinity(&self) -> Affinity {
        match self {
            Expr::Slot { affinity, .. } => *affinity,
            _ => Affinity::None,
        }
    }

    /// The slot this expression reads, when it is nothing but a slot.
    pub fn as_slot(&self) -> Option<usize> {
        match self {
            Expr::Slot { slot, .. } => Some(*slot),
            _ => None,
        }
    }

    /// The expression's value for `row`.
    pub fn eval(&self, row: &[Value]) -> Value {
        match self {
            Expr::Slot { slot, .. } => row.get(*slot).cloned().unwrap_or_default(),
            Expr::Literal(v) => v.clone(),
            Expr::Neg(e) => value::negate(&e.eval(row)),
            Expr::Plus(e) => e.eval(row),
            Expr::Not(e) => value::from_truth(e.truth(row).map(|t| !t)),
            Expr::And(_) | Expr::Or(_) => value::from_truth(self.truth(row)),
            Expr::Compare(op, a, b) => {
                let ordering = value::compare(&a.eval(row), a.affinity(), &b.eval(row), b.affinity());
                value::from_truth(ordering.map(|o| op.holds(o)))
            }
            Expr::Arith(op, a, b) => value::arith(*op, &a.eval(row), &b.eval(row)),
            Expr::Concat(a, b) => match (value::as_text(&a.eval(row)), value::as_text(&b.eval(row))) {
                (Some(a), Some(b)) => Value::Text(a + &b),
                _ => Value::Null,
            },
            Expr::IsNull { expr, negated } => Value::Int(i64::from(expr.eval(row).is_null() != *negated)),
            Expr::Distinct { left, right, negated } => {
                let (a, b) = (left.eval(row), right.eval(row));
                let same = match (a.is_null(), b.is_null()) {
                    (true, true) => true,
                    (false, false) => {
                        value::compare(&a, left.affinity(), &b, right.affinity()) == Some(Ordering::Equal)
                    }
                    _ => false,
                };
                // IS DISTINCT FROM holds when they are not the same; IS NOT DISTINCT when they are.
                Value::Int(i64::from(same == *negated))
            }
            Expr::IsTruth { expr, truth, negated } => {
                let is = value::truth(&expr.eval(row)) == Some(*truth);
                Value::Int(i64::from(is != *negated))
            }
            Expr::InList { expr, list, negated, item_affinity } => {
                let found = in_list(&expr.eval(row), expr.affinity(), list, *item_affinity, row);
                value::from_truth(found.map(|f| f != *negated))
            }
            Expr::Between { expr, low, high, negated } => {
                let v = expr.eval(row);
                let aff = expr.affinity();
                let lo = value::compare(&v, aff, &low.eval(row), low.affinity()).map(|o| o != Ordering::Less);
                let hi =
                    value::compare(&v, aff, &high.eval(row), high.affinity()).map(|o| o != Ordering::Greater);
                let within = and(lo, hi);
                value::from_truth(within.map(|w| w != *negated))
            }
            Expr::Like { expr, pattern, negated } => {
                let Some(text) = value::as_text(&expr.eval(row)) else { return Value::Null };
                let matched = match pattern {
                    LikePattern::Constant(None) => None,
                    LikePattern::Constant(Some(p)) => Some(p.matches(&text)),
                    LikePattern::Dynamic { pattern, escape } => {
                        value::as_text(&pattern.eval(row)).map(|p| Pattern::new(&p, *escape).matches(&text))
                    }
                };
                value::from_truth(matched.map(|m| m != *negated))
            }
        }
    }

    /// The expression as a truth value: `None` when it is unknown (null).
    pub fn truth(&self, row: &[Value]) -> Option<bool> {
        match self {
            Expr::And(list) => {
                let mut result = Some(true);
                for e in list {
                    result = and(result, e.truth(row));
                    if result == Some(false) {
                        break;
                    }
                }
                result
            }
            Expr::Or(list) => {
                let mut result = Some(false);
                for e in list {
                    result = or(result, e.truth(row));
                    if result == Some(true) {
                        break;
                    }
                }
                result
            }
            Expr::Not(e) => e.truth(row).map(|t| !t),
            other => value::truth(&other.eval(row)),
        }
    }

    /// Whether a WHERE or HAVING holding this expression keeps the row.
    pub fn holds(&self, row: &[Value]) -> bool {
        self.truth(row) == Some(true)
    }

    /// Visits this expression and every one inside it.
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::Slot { .. } | Expr::Literal(_) => {}
            Expr::Neg(e) | Expr::Plus(e) | Expr::Not(e) => e.walk(visit),
            Expr::IsNull { expr, .. } | Expr::IsTruth { expr, .. } => expr.walk(visit),
            Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| e.walk(visit)),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b) | Expr::Concat(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Distinct { left, right, .. } => {
                left.walk(visit);
                right.walk(visit);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk(visit);
                list.iter().for_each(|e| e.walk(visit));
            }
            Expr::Between { expr, low, high, .. } => {
                expr.walk(visit);
                low.walk(visit);
                high.walk(visit);
            }
            Expr::Like { expr, pattern, .. } => {
                expr.walk(visit);
                if let LikePattern::Dynamic { pattern, .. } = pattern {
                    pattern.walk(visit);
                }
            }
        }
    }

    /// The expression as SQL text, slots named by `name` (for plans).
    pub fn render(&self, name: &dyn Fn(usize) -> String) -> String {
        let r = |e: &Expr| e.render(name);
        let not = |negated: bool| if negated { "NOT " } else { "" };
        match self {
            Expr::Slot { slot, .. } => name(*slot),
            Expr::Literal(v) => literal(v),
            Expr::Neg(e) => format!("-{}", r(e)),
            Expr::Plus(e) => format!("+{}", r(e)),
            Expr::Not(e) => format!("NOT {}", r(e)),
            Expr::And(list) | Expr::Or(list) => {
                let sep = if matches!(self, Expr::And(_)) { " AND " } else { " OR " };
                let parts: Vec<String> = list.iter().map(r).collect();
                format!("({})", parts.join(sep))
            }
            Expr::Compare(op, a, b) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                format!("{} {op} {}", r(a), r(b))
            }
            Expr::Arith(op, a, b) => {
                let op = match op {
                    Arith::Add => "+",
                    Arith::Sub => "-",
                    Arith::Mul => "*",
                    Arith::Div => "/",
                    Arith::Rem => "%",
                };
                format!("({} {op} {})", r(a), r(b))
            }
            Expr::Concat(a, b) => format!("({} || {})", r(a), r(b)),
            Expr::IsNull { expr, negated } => format!("{} IS {}NULL", r(expr), not(*negated)),
            Expr::Distinct { left, right, negated } => {
                format!("{} IS {}DISTINCT FROM {}", r(left), not(*negated), r(right))
            }
            Expr::IsTruth { expr, truth, negated } => {
                format!("{} IS {}{}", r(expr), not(*negated), if *truth { "TRUE" } else { "FALSE" })
            }
            Expr::InList { expr, list, negated, .. } => {
                let items: Vec<String> = list.iter().map(r).collect();
                format!("{} {}IN ({})", r(expr), not(*negated), items.join(", "))
            }
            Expr::Between { expr, low, high, negated } => {
                format!("{} {}BETWEEN {} AND {}", r(expr), not(*negated), r(low), r(high))
            }
            Expr::Like { expr, pattern, negated } => {
                let pattern = match pattern {
                    LikePattern::Constant(None) => "NULL".to_string(),
                    LikePattern::Constant(Some(p)) => literal(&Value::Text(p.source().to_string())),
                    LikePattern::Dynamic { pattern, .. } => r(pattern),
                };
                format!("{} {}LIKE {pattern}", r(expr), not(*negated))
            }
        }
    }

    /// The expression with every slot `s` read from `f(s)` instead.
    pub fn map_slots(&self, f: &dyn Fn(usize) -> usize) -> Expr {
        let m = |e: &Expr| Box::new(e.map_slots(f));
        let all = |list: &[Expr]| list.iter().map(|e| e.map_slots(f)).collect();
        match self {
            Expr::Slot { slot, affinity } => Expr::Slot { slot: f(*slot), affinity: *affinity },
            Expr::Literal(v) => Expr::Literal(v.clone()),
            Expr::Neg(e) => Expr::Neg(m(e)),
            Expr::Plus(e) => Expr::Plus(m(e)),
            Expr::Not(e) => Expr::Not(m(e)),
            Expr::And(list) => Expr::And(all(list)),
            Expr::Or(list) => Expr::Or(all(list)),
            Expr::Compare(op, a, b) => Expr::Compare(*op, m(a), m(b)),
            Expr::Arith(op, a, b) => Expr::Arith(*op, m(a), m(b)),
            Expr::Concat(a, b) => Expr::Concat(m(a), m(b)),
            Expr::IsNull { expr, negated } => Expr::IsNull { expr: m(expr), negated: *negated },
            Expr::Distinct { left, right, negated } => {
                Expr::Distinct { left: m(left), right: m(right), negated: *negated }
            }
            Expr::IsTruth { expr, truth, negated } => {
                Expr::IsTruth { expr: m(expr), truth: *truth, negated: *negated }
            }
            Expr::InList { expr, list, negated, item_affinity } => Expr::InList {
                expr: m(expr),
                list: all(list),
                negated: *negated,
                item_affinity: *item_affinity,
            },
            Expr::Between { expr, low, high, negated } => {
                Expr::Between { expr: m(expr), low: m(low), high: m(high), negated: *negated }
            }
            Expr::Like { expr, pattern, negated } => {
                let pattern = match pattern {
                    LikePattern::Dynamic { pattern, escape } => {
                        LikePattern::Dynamic { pattern: m(pattern), escape: *escape }
                    }
                    constant => constant.clone(),
                };
                Expr::Like { expr: m(expr), pattern, negated: *negated }
            }
        }
    }

    /// The slots the expression reads.
    pub fn slots(&self) -> Vec<usize> {
        let mut slots = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Slot { slot, .. } = e {
                slots.push(*slot);
            }
        });
        slots
    }

    /// Whether every slot the expression reads satisfies `keep` (without collecting them).
    pub fn slots_all(&self, keep: impl Fn(usize) -> bool) -> bool {
        let mut all = true;
        self.walk(&mut |e| {
            if let Expr::Slot { slot, .. } = e {
                all &= keep(*slot);
            }
        });
        all
    }

    /// Whether the expression reads no slot (a constant).
    pub fn is_constant(&self) -> bool {
        self.slots().is_empty()
    }
}

/// A value as an SQL literal.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Float(f) => value::format_real(*f),
        other => other.to_string(),
    }
}

/// `x IN (list)`: true if an item equals `x`, else unknown if `x` or an item is null,
/// else false. Items have no affinity of their own; `x`'s applies.
fn in_list(v: &Value, aff: Affinity, list: &[Expr], item_aff: Affinity, row: &[Value]) -> Option<bool> {
    if v.is_null() {
        return if list.is_empty() { Some(false) } else { None };
    }
    let mut unknown = false;
    for item in list {
        let item = item.eval(row);
        match value::compare(v, aff, &item, item_aff) {
            Some(Ordering::Equal) => return Some(true),
            None => unknown = true,
            Some(_) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(false)
    }
}

/// Three-valued AND.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued OR.
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(v: impl Into<Value>) -> Box<Expr> {
        Box::new(Expr::Literal(v.into()))
    }

    #[test]
    fn null_comparisons_are_unknown_and_not_of_unknown_is_unknown() {
        let eq = Expr::Compare(CmpOp::Eq, lit(Value::Null), lit(1));
        assert_eq!(eq.truth(&[]), None);
        assert_eq!(Expr::Not(Box::new(eq.clone())).truth(&[]), None);
        assert_eq!(Expr::Or(vec![eq.clone(), Expr::Literal(1.into())]).truth(&[]), Some(true));
        assert_eq!(Expr::And(vec![eq, Expr::Literal(0.into())]).truth(&[]), Some(false));
    }

    #[test]
    fn in_lists_with_null_are_unknown_when_nothing_matches() {
        let list = vec![Expr::Literal(1.into()), Expr::Literal(Value::Null)];
        let none = Affinity::None;
        let e = Expr::InList { expr: lit(2), list: list.clone(), negated: false, item_affinity: none };
        assert_eq!(e.truth(&[]), None);
        let e = Expr::InList { expr: lit(1), list, negated: true, item_affinity: none };
        assert_eq!(e.truth(&[]), Some(false));
        let e = Expr::InList { expr: lit(Value::Null), list: vec![], negated: false, item_affinity: none };
        assert_eq!(e.truth(&[]), Some(false));
    }

    #[test]
    fn columns_convert_literals_by_their_affinity() {
        let row = [Value::Int(1990)];
        let year = || Box::new(Expr::column(0, Affinity::Integer));
        assert_eq!(Expr::Compare(CmpOp::Eq, year(), lit("1990")).truth(&row), Some(true));
        assert_eq!(Expr::Compare(CmpOp::Lt, year(), lit("abc")).truth(&row), Some(true));
        let plain = Expr::Compare(CmpOp::Eq, Box::new(Expr::Plus(year())), lit("1990"));
        assert_eq!(plain.truth(&row), Some(false));
    }
}
