//! Aggregates the SQL layer computes (when the engine cannot: joined rows, expressions,
//! DISTINCT, TOTAL), as SQLite computes them: COUNT(*) counts rows, the others skip
//! nulls; SUM of integers is an integer (an overflow is an error, "integer overflow"),
//! of anything else a REAL, of nothing NULL; TOTAL is SUM as a REAL, 0.0 for nothing;
//! AVG is a REAL; MIN and MAX compare as ORDER BY does. Groups are kept in key order
//! (nulls first), which is the order they come out in without an ORDER BY.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use bazoola::Value;

use super::bind::{AggFunc, Aggregate};
use super::expr::Expr;
use super::value;
use crate::error::{CliError, Result};

/// A value ordered (and made equal) as SQLite's ORDER BY, GROUP BY and DISTINCT do.
#[derive(Debug, Clone)]
pub struct Ordered(pub Value);

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> Ordering {
        value::order(&self.0, &other.0)
    }
}

/// A row of values ordered column by column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderedRow(pub Vec<Ordered>);

impl OrderedRow {
    pub fn new(values: &[Value]) -> OrderedRow {
        OrderedRow(values.iter().cloned().map(Ordered).collect())
    }
}

/// One aggregate's running state.
#[derive(Debug, Clone)]
enum State {
    Count(i64),
    /// Integers summed exactly while they fit; anything else (or an overflow) moves the
    /// sum to a REAL.
    Sum {
        int: i64,
        real: f64,
        approx: bool,
        overflow: bool,
        values: i64,
    },
    Best(Option<Value>),
}

#[derive(Debug, Clone)]
struct Acc {
    state: State,
    seen: Option<BTreeSet<Ordered>>,
}

impl Acc {
    fn new(a: &Aggregate) -> Acc {
        let state = match a.func {
            AggFunc::CountRows | AggFunc::Count => State::Count(0),
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                State::Sum { int: 0, real: 0.0, approx: false, overflow: false, values: 0 }
            }
            AggFunc::Min | AggFunc::Max => State::Best(None),
        };
        Acc { state, seen: a.distinct.then(BTreeSet::new) }
    }

    fn add(&mut self, func: AggFunc, v: Option<Value>) {
        let Some(v) = v else {
            if let State::Count(n) = &mut self.state {
                *n += 1;
            }
            return;
        };
        if v.is_null() {
            return;
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(Ordered(v.clone())) {
                return;
            }
        }
        match &mut self.state {
            State::Count(n) => *n += 1,
            State::Sum { int, real, approx, overflow, values } => {
                *values += 1;
                match value::numeric_affinity(&v) {
                    Value::Int(i) if !*approx => match int.checked_add(i) {
                        Some(sum) => *int = sum,
                        None => {
                            *overflow = true;
                            *approx = true;
                            *real = *int as f64 + i as f64;
                        }
                    },
                    Value::Int(i) => *real += i as f64,
                    _ => {
                        let x = match value::as_number(&v) {
                            Value::Int(i) => i as f64,
                            Value::Float(f) => f,
                            _ => 0.0,
                        };
                        if !*approx {
                            *approx = true;
                            *real = *int as f64;
                        }
                        *real += x;
                    }
                }
            }
            State::Best(best) => {
                let better = match best {
                    None => true,
                    Some(b) => {
                        let o = value::order(&v, b);
                        if func == AggFunc::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if better {
                    *best = Some(v);
                }
            }
        }
    }

    fn finish(self, func: AggFunc) -> Result<Value> {
        Ok(match self.state {
            State::Count(n) => Value::Int(n),
            State::Best(best) => best.unwrap_or_default(),
            State::Sum { int, real, approx, overflow, values } => {
                let total = if approx { real } else { int as f64 };
                match func {
                    AggFunc::Total => Value::Float(total),
                    _ if values == 0 => Value::Null,
                    AggFunc::Avg => Value::Float(total / values as f64),
                    _ if overflow => return Err(CliError::Usage("integer overflow".into())),
                    _ if approx => Value::Float(real),
                    _ => Value::Int(int),
                }
            }
        })
    }
}

/// Groups being aggregated.
pub struct Grouping<'p> {
    keys: &'p [Expr],
    aggregates: &'p [Aggregate],
    groups: BTreeMap<OrderedRow, Vec<Acc>>,
}

impl<'p> Grouping<'p> {
    pub fn new(keys: &'p [Expr], aggregates: &'p [Aggregate]) -> Grouping<'p> {
        Grouping { keys, aggregates, groups: BTreeMap::new() }
    }

    /// Adds one input row.
    pub fn add(&mut self, row: &[Value]) {
        let key: Vec<Value> = self.keys.iter().map(|k| k.eval(row)).collect();
        let aggregates = self.aggregates;
        let accs = self
            .groups
            .entry(OrderedRow::new(&key))
            .or_insert_with(|| aggregates.iter().map(Acc::new).collect());
        for (a, acc) in aggregates.iter().zip(accs.iter_mut()) {
            acc.add(a.func, a.arg.as_ref().map(|e| e.eval(row)));
        }
    }

    /// The group rows: key values, then aggregate values. Without GROUP BY there is one
    /// row even when no row came in.
    pub fn finish(mut self) -> Result<Vec<Vec<Value>>> {
        if self.keys.is_empty() && self.groups.is_empty() {
            let aggregates = self.aggregates;
            self.groups.insert(OrderedRow(Vec::new()), aggregates.iter().map(Acc::new).collect());
        }
        let mut rows = Vec::with_capacity(self.groups.len());
        for (key, accs) in self.groups {
            let mut row: Vec<Value> = key.0.into_iter().map(|o| o.0).collect();
            for (a, acc) in self.aggregates.iter().zip(accs) {
                row.push(acc.finish(a.func)?);
            }
            rows.push(row);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast;

    fn agg(func: AggFunc, distinct: bool) -> Aggregate {
        let arg = (func != AggFunc::CountRows).then(|| Expr::column(0, value::Affinity::Integer));
        Aggregate { func, arg, distinct, ast: ast::Expr::Value(ast::Value::Null) }
    }

    fn run(func: AggFunc, distinct: bool, values: &[Value]) -> Result<Value> {
        let aggs = [agg(func, distinct)];
        let mut g = Grouping::new(&[], &aggs);
        for v in values {
            g.add(std::slice::from_ref(v));
        }
        Ok(g.finish()?.remove(0).remove(0))
    }

    #[test]
    fn aggregates_of_nothing_are_null_except_counts_and_total() {
        assert_eq!(run(AggFunc::Sum, false, &[]).unwrap(), Value::Null);
        assert_eq!(run(AggFunc::Avg, false, &[Value::Null]).unwrap(), Value::Null);
        assert_eq!(run(AggFunc::CountRows, false, &[Value::Null]).unwrap(), Value::Int(1));
        assert_eq!(run(AggFunc::Count, false, &[Value::Null]).unwrap(), Value::Int(0));
        assert_eq!(run(AggFunc::Total, false, &[]).unwrap(), Value::Float(0.0));
    }

    #[test]
    fn sums_stay_integers_until_they_overflow() {
        let v = [Value::Int(2), Value::Int(3), Value::Null];
        assert_eq!(run(AggFunc::Sum, false, &v).unwrap(), Value::Int(5));
        assert_eq!(run(AggFunc::Avg, false, &v).unwrap(), Value::Float(2.5));
        let big = [Value::Int(i64::MAX), Value::Int(1)];
        assert!(run(AggFunc::Sum, false, &big).unwrap_err().to_string().contains("integer overflow"));
        assert_eq!(run(AggFunc::Sum, true, &[Value::Int(2), Value::Int(2)]).unwrap(), Value::Int(2));
    }
}
