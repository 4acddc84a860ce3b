//! WHERE on the planner: a predicate over one table's columns becomes a [`Cond`] that
//! holds exactly for the rows where the predicate is TRUE — so the planner can pick an
//! index for it, and test rows on their raw bytes.
//!
//! The engine's conditions are two-valued (`NOT (year = 1990)` holds for a null year),
//! SQL's three-valued (it is unknown, and the row is left out). So a predicate is
//! lowered twice over: `when(e, true)` holds where `e` is true, `when(e, false)` where
//! it is false, and NOT swaps them, AND and OR follow De Morgan; neither holds where
//! `e` is unknown. Leaves:
//!
//! | predicate (x a column, v a constant) | true | false |
//! |---|---|---|
//! | `x = v` | `Eq(x, v)` | `NOT IsNull(x) AND Ne(x, v)` |
//! | `x < v` (and `<=`, `>`, `>=`) | `Lt(x, v)` | `Ge(x, v)` |
//! | `x IS NULL` | `IsNull(x)` | `NOT IsNull(x)` |
//! | `x IN (v…)` | `In(x, v…)` | `NOT IsNull(x) AND NOT In(x, v…)`; nothing if a v is null |
//! | `x LIKE '%run%'` (ASCII run without `i`, `k`) | `ISubstr(x, run)` | `<custom>` |
//! | `x LIKE p` | `ISubstr(x, run) AND <custom>` | `<custom>` |
//!
//! `v` is first converted by `x`'s affinity (SQLite's rule): `year = '1990'` is
//! `Eq(year, 1990)`; `year < 'abc'` holds for every non-null year (numbers sort before
//! text). A comparison with null holds neither way. Whatever the engine cannot say
//! exactly (two columns compared, arithmetic, LIKE) becomes a custom condition that
//! evaluates the SQL expression on the decoded row — inside the engine's filter, so
//! limits and counts still apply after it.

use bazoola::{Cond, Value};

use super::expr::{CmpOp, Expr, LikePattern};
use super::value::{self, Affinity};

/// A condition for the engine, and the SQL text of its custom parts (for EXPLAIN).
pub struct Lowered {
    pub cond: Cond,
    pub customs: Vec<String>,
}

/// Lowers `e` (reading only the base table's columns, slot = field position) to the
/// rows where it is true. `render` names slots for the plan text.
pub fn lower(e: &Expr, render: &dyn Fn(usize) -> String) -> Lowered {
    let mut lowering = Lowering { customs: Vec::new(), render };
    let cond = lowering.when(e, true);
    Lowered { cond, customs: lowering.customs }
}

fn always() -> Cond {
    Cond::And(Vec::new())
}

fn never() -> Cond {
    Cond::Or(Vec::new())
}

fn not_null(field: &str) -> Cond {
    !Cond::is_null(field)
}

struct Lowering<'r> {
    customs: Vec<String>,
    render: &'r dyn Fn(usize) -> String,
}

impl Lowering<'_> {
    /// The rows where `e` is `want`.
    fn when(&mut self, e: &Expr, want: bool) -> Cond {
        if e.is_constant() {
            return if e.truth(&[]) == Some(want) { always() } else { never() };
        }
        match e {
            Expr::And(list) | Expr::Or(list) => {
                let parts: Vec<Cond> = list.iter().map(|x| self.when(x, want)).collect();
                // AND is true when all are; false when any is (OR the reverse).
                if matches!(e, Expr::And(_)) == want {
                    Cond::And(parts)
                } else {
                    Cond::Or(parts)
                }
            }
            Expr::Not(x) => self.when(x, !want),
            Expr::IsNull { expr, negated } => match expr.as_slot() {
                Some(slot) => {
                    let is_null = Cond::is_null((self.render)(slot));
                    if want != *negated {
                        is_null
                    } else {
                        !is_null
                    }
                }
                None => self.custom(e, want),
            },
            Expr::Compare(op, a, b) => match (&**a, &**b) {
                (Expr::Slot { slot, affinity }, Expr::Literal(v)) => {
                    self.compare(*slot, *affinity, *op, v, want)
                }
                (Expr::Literal(v), Expr::Slot { slot, affinity }) => {
                    self.compare(*slot, *affinity, op.flipped(), v, want)
                }
                _ => self.custom(e, want),
            },
            Expr::Between { expr, low, high, negated } => {
                let within = Expr::And(vec![
                    Expr::Compare(CmpOp::Ge, expr.clone(), low.clone()),
                    Expr::Compare(CmpOp::Le, expr.clone(), high.clone()),
                ]);
                self.when(&within, want != *negated)
            }
            Expr::InList { expr, list, negated, item_affinity } => {
                match (&**expr, list.iter().all(|i| matches!(i, Expr::Literal(_)))) {
                    // Items of INTEGER affinity against a TEXT column convert the column's
                    // values instead: left to the custom path.
                    (Expr::Slot { slot, affinity }, true)
                        if !(*affinity == Affinity::Text && *item_affinity == Affinity::Integer) =>
                    {
                        let values: Vec<&Value> = list
                            .iter()
                            .filter_map(|i| if let Expr::Literal(v) = i { Some(v) } else { None })
                            .collect();
                        self.in_list(*slot, *affinity, &values, want != *negated)
                    }
                    _ => self.custom(e, want),
                }
            }
            Expr::Like { expr, pattern: LikePattern::Constant(Some(pattern)), negated }
                if expr.as_slot().is_some() =>
            {
                let field = (self.render)(expr.as_slot().unwrap_or_default());
                if want != *negated {
                    if let Some(run) = pattern.ascii_run().filter(|r| isubstr_is_like(r)) {
                        return Cond::isubstr(field, run);
                    }
                }
                let custom = self.custom(e, want);
                match pattern.ascii_needle() {
                    // Every match contains the run (ASCII case folded): the engine's
                    // substring test on raw bytes keeps a superset, cheaply.
                    Some(needle) if want != *negated => Cond::And(vec![Cond::isubstr(field, needle), custom]),
                    _ => custom,
                }
            }
            _ => self.custom(e, want),
        }
    }

    /// `column op v` where `column` is field `slot`.
    fn compare(&mut self, slot: usize, affinity: Affinity, op: CmpOp, v: &Value, want: bool) -> Cond {
        let field = (self.render)(slot);
        let v = match affinity {
            Affinity::Integer => value::numeric_affinity(v),
            _ => value::text_affinity(v),
        };
        let v = match v {
            Value::Null => return never(),
            Value::Float(f) => match value::float_to_int(f) {
                Some(i) => Value::Int(i),
                None => {
                    let e = Expr::Compare(
                        op,
                        Box::new(Expr::column(slot, affinity)),
                        Box::new(Expr::Literal(Value::Float(f))),
                    );
                    return self.custom(&e, want);
                }
            },
            // Every number sorts before every text: the answer is the same for all
            // non-null values of the column.
            Value::Text(_) if affinity == Affinity::Integer => {
                return if op.holds(std::cmp::Ordering::Less) == want { not_null(&field) } else { never() };
            }
            v => v,
        };
        let op = if want { op } else { op.negated() };
        match op {
            CmpOp::Eq => Cond::eq(field, v),
            CmpOp::Ne => Cond::And(vec![not_null(&field), Cond::ne(field, v)]),
            CmpOp::Lt => Cond::lt(field, v),
            CmpOp::Le => Cond::le(field, v),
            CmpOp::Gt => Cond::gt(field, v),
            CmpOp::Ge => Cond::ge(field, v),
        }
    }

    /// `column IN (values)` is `want`.
    fn in_list(&mut self, slot: usize, affinity: Affinity, values: &[&Value], want: bool) -> Cond {
        // `x IN ()` is false, even for a null x (SQLite's rule).
        if values.is_empty() {
            return if want { never() } else { always() };
        }
        let field = (self.render)(slot);
        let mut has_null = false;
        let mut keys = Vec::new();
        for v in values {
            let v = match affinity {
                Affinity::Integer => value::numeric_affinity(v),
                _ => value::text_affinity(v),
            };
            match v {
                Value::Null => has_null = true,
                Value::Int(i) => keys.push(Value::Int(i)),
                Value::Float(f) => keys.extend(value::float_to_int(f).map(Value::Int)),
                Value::Text(t) if affinity != Affinity::Integer => keys.push(Value::Text(t)),
                // Text never equals a number.
                _ => {}
            }
        }
        if want {
            if keys.is_empty() {
                never()
            } else {
                Cond::is_in(field, keys)
            }
        } else if has_null {
            // Not found among the others is unknown, never false.
            never()
        } else if keys.is_empty() {
            not_null(&field)
        } else {
            Cond::And(vec![not_null(&field), !Cond::is_in(field, keys)])
        }
    }

    /// `e` evaluated by the SQL layer on each decoded row the engine considers.
    fn custom(&mut self, e: &Expr, want: bool) -> Cond {
        let text = e.render(self.render);
        self.customs.push(if want { text } else { format!("NOT ({text})") });
        let e = e.clone();
        Cond::custom(move |row| Ok(e.truth(row.values()) == Some(want)))
    }
}

/// Whether the engine's `ISubstr` on `run` (plain ASCII) holds exactly where `LIKE
/// '%run%'` does. It folds case by Unicode rules, LIKE only within ASCII: they differ
/// only on a text holding a character outside ASCII whose lower case is an ASCII
/// letter — KELVIN SIGN (`k`) and LATIN CAPITAL LETTER I WITH DOT ABOVE (`i` and a
/// combining dot) — so a run without `i` or `k` is answered exactly, on raw bytes.
fn isubstr_is_like(run: &str) -> bool {
    !run.bytes().any(|b| matches!(b.to_ascii_lowercase(), b'i' | b'k'))
}
