//! Aggregates: `COUNT()`, `COUNT(f)`, `SUM(f)`, `MIN(f)`, `MAX(f)`, `AVG(f)`, over all
//! rows or per group of `group_by` values, as SQLite computes them: `COUNT(f)` and the
//! others skip nulls, `SUM`/`MIN`/`MAX`/`AVG` of no values is null, `AVG` is a float,
//! groups come out in group order (nulls first), and without `group_by` there is always
//! one row.
//!
//! Rows stream through; memory holds one accumulator per group. The index answers alone
//! where it can: counts per value of an indexed field (runs of equal keys, no row read)
//! and `MIN`/`MAX` of an indexed field (its first and last non-null entries), when there
//! is no condition.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::ControlFlow;

use super::node::{Counters, OrderKey, Plan};
use super::order::sort_key;
use crate::db::engine::Engine;
use crate::error::{Result, ValidationError};
use crate::index::From;
use crate::storage::txn::Io;
use crate::value::{Columns, Row, Value};

/// An aggregate function, over a field named by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agg {
    /// `COUNT()`: rows.
    Count,
    /// `COUNT(f)`: rows where `f` is not null.
    CountOf(String),
    /// `SUM(f)`: the total of `f`'s non-null values (a float past `i64`'s range); null when
    /// there are none.
    Sum(String),
    /// `MIN(f)`: the least non-null value of `f`; null when there is none.
    Min(String),
    /// `MAX(f)`: the greatest non-null value of `f`; null when there is none.
    Max(String),
    /// `AVG(f)`: the mean of `f`'s non-null values, as a float; null when there are none.
    Avg(String),
}

impl Agg {
    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            Agg::Count => None,
            Agg::CountOf(f) | Agg::Sum(f) | Agg::Min(f) | Agg::Max(f) | Agg::Avg(f) => Some(f),
        }
    }
}

impl fmt::Display for Agg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Agg::Count => f.write_str("COUNT()"),
            Agg::CountOf(x) => write!(f, "COUNT({x})"),
            Agg::Sum(x) => write!(f, "SUM({x})"),
            Agg::Min(x) => write!(f, "MIN({x})"),
            Agg::Max(x) => write!(f, "MAX({x})"),
            Agg::Avg(x) => write!(f, "AVG({x})"),
        }
    }
}

/// How an aggregate is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggPath {
    /// From the rows the access path and filter yield.
    Rows,
    /// Counting runs of equal keys in index `index` (counts grouped by its field).
    IndexRuns { index: usize },
    /// From the first and last entries of index `index` (MIN and MAX of its field).
    IndexEnds { index: usize },
}

/// A planned aggregate: the groups, the functions (with their fields' positions) and
/// how they are computed.
#[derive(Debug)]
pub struct Aggregate {
    pub group_by: Vec<OrderKey>,
    pub aggs: Vec<(String, Agg, Option<usize>)>,
    pub path: AggPath,
    pub counters: Counters,
}

impl Aggregate {
    pub fn describe(&self) -> String {
        let aggs: Vec<String> = self.aggs.iter().map(|(key, agg, _)| format!("{agg} AS {key}")).collect();
        let mut text = format!("aggregate {}", aggs.join(", "));
        if !self.group_by.is_empty() {
            let names: Vec<&str> = self.group_by.iter().map(|k| k.name.as_str()).collect();
            text.push_str(&format!(" GROUP BY {}", names.join(", ")));
        }
        match self.path {
            AggPath::Rows => {}
            AggPath::IndexRuns { .. } => text.push_str(": counted from index runs, no row read"),
            AggPath::IndexEnds { .. } => text.push_str(": from the index's first and last entries"),
        }
        text
    }
}

/// One function's running state.
#[derive(Debug, Clone)]
enum Acc {
    Count(u64),
    Sum(Option<i128>),
    Best(Option<Value>),
    Avg(i128, u64),
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
        _ => std::cmp::Ordering::Equal,
    }
}

impl Acc {
    fn new(agg: &Agg) -> Acc {
        match agg {
            Agg::Count | Agg::CountOf(_) => Acc::Count(0),
            Agg::Sum(_) => Acc::Sum(None),
            Agg::Min(_) | Agg::Max(_) => Acc::Best(None),
            Agg::Avg(_) => Acc::Avg(0, 0),
        }
    }

    fn add(&mut self, agg: &Agg, value: Option<&Value>) {
        match (self, value) {
            (Acc::Count(n), None) => *n += 1,
            (Acc::Count(n), Some(v)) if !v.is_null() => *n += 1,
            (Acc::Sum(sum), Some(Value::Int(v))) => *sum = Some(sum.unwrap_or(0) + i128::from(*v)),
            (Acc::Avg(sum, n), Some(Value::Int(v))) => {
                *sum += i128::from(*v);
                *n += 1;
            }
            (Acc::Best(best), Some(v)) if !v.is_null() => {
                let better = match best {
                    None => true,
                    Some(b) => match agg {
                        Agg::Min(_) => compare(v, b).is_lt(),
                        _ => compare(v, b).is_gt(),
                    },
                };
                if better {
                    *best = Some(v.clone());
                }
            }
            _ => {}
        }
    }

    fn value(self) -> Value {
        match self {
            Acc::Count(n) => Value::Int(n as i64),
            Acc::Sum(None) | Acc::Best(None) | Acc::Avg(_, 0) => Value::Null,
            Acc::Sum(Some(s)) => i64::try_from(s).map_or(Value::Float(s as f64), Value::Int),
            Acc::Best(Some(v)) => v,
            Acc::Avg(sum, n) => Value::Float(sum as f64 / n as f64),
        }
    }
}

impl Engine {
    /// Plans an aggregate over `plan`'s rows: checks the fields, picks the index paths.
    pub fn plan_aggregate(
        &self,
        plan: &Plan,
        group_by: &[String],
        aggs: &[(String, Agg)],
    ) -> Result<Aggregate> {
        let t = plan.table;
        let table = &self.tables[t];
        let group_by = group_by
            .iter()
            .map(|name| Ok(OrderKey { field: self.field(t, name)?, name: name.clone(), descending: false }))
            .collect::<Result<Vec<_>>>()?;
        let aggs = aggs
            .iter()
            .map(|(key, agg)| {
                let field = agg.field().map(|name| self.field(t, name)).transpose()?;
                if let (Agg::Sum(name) | Agg::Avg(name), Some(f)) = (agg, field) {
                    if !table.schema.fields[f].is_numeric() {
                        let (table, field) = (table.name().into(), name.clone());
                        return Err(ValidationError::BadCondition {
                            table,
                            field,
                            repr: format!("{agg} needs a number field"),
                        }
                        .into());
                    }
                }
                Ok((key.clone(), agg.clone(), field))
            })
            .collect::<Result<Vec<_>>>()?;
        let unfiltered = plan.filter.is_none();
        let index_on = |field: usize| table.indexes.iter().position(|i| i.field == field);
        let path = match (group_by.as_slice(), unfiltered) {
            ([group], true)
                if aggs.iter().all(|(_, a, f)| {
                    *a == Agg::Count || (matches!(a, Agg::CountOf(_)) && *f == Some(group.field))
                }) =>
            {
                index_on(group.field).map_or(AggPath::Rows, |index| AggPath::IndexRuns { index })
            }
            ([], true) => {
                let fields: Vec<Option<usize>> = aggs.iter().map(|(_, _, f)| *f).collect();
                let single =
                    fields.first().copied().flatten().filter(|f| fields.iter().all(|x| *x == Some(*f)));
                match single.and_then(index_on) {
                    Some(index) if aggs.iter().all(|(_, a, _)| matches!(a, Agg::Min(_) | Agg::Max(_))) => {
                        AggPath::IndexEnds { index }
                    }
                    _ => AggPath::Rows,
                }
            }
            _ => AggPath::Rows,
        };
        Ok(Aggregate { group_by, aggs, path, counters: Counters::default() })
    }

    /// Computes the aggregate: one row per group, in group order.
    pub fn aggregate(&self, io: &mut Io, plan: &Plan, agg: &Aggregate) -> Result<Vec<Row>> {
        let started = std::time::Instant::now();
        self.prepare(io, plan)?;
        let table = &self.tables[plan.table];
        let mut names: Vec<Box<str>> = agg.group_by.iter().map(|k| k.name.as_str().into()).collect();
        names.extend(agg.aggs.iter().map(|(key, _, _)| key.as_str().into()));
        let columns: Columns = names.into();
        let fresh = || agg.aggs.iter().map(|(_, a, _)| Acc::new(a)).collect::<Vec<_>>();
        // Group key (sort order) → the group's values and accumulators.
        let mut groups: BTreeMap<Vec<u8>, (Vec<Value>, Vec<Acc>)> = BTreeMap::new();
        // Only counts of rows and no groups: the plan's count, which reads index entries
        // instead of rows where the access path answers the condition exactly.
        let counts_only = agg.aggs.iter().all(|(_, a, _)| *a == Agg::Count);
        let whole = plan.offset == 0 && plan.limit.is_none();
        if matches!(agg.path, AggPath::Rows) && agg.group_by.is_empty() && counts_only && whole {
            let n = self.count_rows(io, plan)?;
            agg.counters.examine(n);
            let n = Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
            let values = agg.aggs.iter().map(|_| n.clone()).collect();
            agg.counters.pass(1);
            agg.counters.spend(started.elapsed());
            return Ok(vec![Row::new(columns, values)]);
        }
        match agg.path {
            AggPath::Rows => {
                let wanted: Vec<usize> = agg
                    .group_by
                    .iter()
                    .map(|k| k.field)
                    .chain(agg.aggs.iter().filter_map(|(_, _, f)| *f))
                    .collect();
                self.produce(io, plan, &mut |io, slot, row| {
                    agg.counters.examine(1);
                    let mut key = sort_key(table, io, slot, row, &agg.group_by)?;
                    key.truncate(key.len() - 8);
                    let mut values: Vec<(usize, Value)> = Vec::with_capacity(wanted.len());
                    for &f in &wanted {
                        if !values.iter().any(|(x, _)| *x == f) {
                            values.push((f, table.decode_field(io, slot, row, f)?));
                        }
                    }
                    let of = |f: usize| values.iter().find(|(x, _)| *x == f).map(|(_, v)| v);
                    let (_, accs) = groups.entry(key).or_insert_with(|| {
                        let group: Vec<Value> =
                            agg.group_by.iter().map(|k| of(k.field).cloned().unwrap_or_default()).collect();
                        (group, fresh())
                    });
                    for ((_, a, f), acc) in agg.aggs.iter().zip(accs.iter_mut()) {
                        acc.add(a, f.and_then(of));
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
            }
            AggPath::IndexRuns { index } => {
                // Entries arrive sorted: each run of one key is one group, finished when
                // the key changes — no map, no allocation per entry.
                let index = &table.indexes[index];
                let header = self.fresh_index(io, plan.table, index)?;
                let kind = index.tree.kind;
                let k = kind.key_len();
                let mut rows = Vec::new();
                // The current run: its key bytes and its value (`None` before the first
                // entry), and its accumulators — the same buffers for every run.
                let mut key: Vec<u8> = Vec::with_capacity(k);
                let mut current: Option<Value> = None;
                let mut accs = fresh();
                let width = 1 + agg.aggs.len();
                let finish = |rows: &mut Vec<Row>, value: Value, accs: &mut [Acc]| {
                    let mut values = Vec::with_capacity(width);
                    values.push(value);
                    for ((_, a, _), acc) in agg.aggs.iter().zip(accs.iter_mut()) {
                        values.push(std::mem::replace(acc, Acc::new(a)).value());
                    }
                    rows.push(Row::new(columns.clone(), values));
                };
                index.tree.scan(io, &header, From::End, false, &mut |_, entry| {
                    agg.counters.examine(1);
                    let entry_key = &entry[..k];
                    if current.is_none() || key.as_slice() != entry_key {
                        if let Some(done) = current.take() {
                            finish(&mut rows, done, &mut accs);
                        }
                        key.clear();
                        key.extend_from_slice(entry_key);
                        current = Some(kind.decode(entry_key));
                    }
                    let value = current.as_ref();
                    for ((_, a, _), acc) in agg.aggs.iter().zip(accs.iter_mut()) {
                        acc.add(a, value.filter(|_| *a != Agg::Count));
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
                if let Some(done) = current.take() {
                    finish(&mut rows, done, &mut accs);
                }
                agg.counters.pass(rows.len() as u64);
                agg.counters.spend(started.elapsed());
                return Ok(rows);
            }
            AggPath::IndexEnds { index } => {
                let index = &table.indexes[index];
                let header = self.fresh_index(io, plan.table, index)?;
                let kind = index.tree.kind;
                let k = kind.key_len();
                let mut ends = [None, None];
                for (reverse, end) in [(false, 0), (true, 1)] {
                    index.tree.scan(io, &header, From::End, reverse, &mut |_, entry| {
                        agg.counters.examine(1);
                        let value = kind.decode(&entry[..k]);
                        if value.is_null() {
                            return Ok(if reverse {
                                ControlFlow::Break(())
                            } else {
                                ControlFlow::Continue(())
                            });
                        }
                        ends[end] = Some(value);
                        Ok(ControlFlow::Break(()))
                    })?;
                }
                let values = agg
                    .aggs
                    .iter()
                    .map(|(_, a, _)| match a {
                        Agg::Min(_) => ends[0].clone().unwrap_or_default(),
                        _ => ends[1].clone().unwrap_or_default(),
                    })
                    .collect();
                agg.counters.pass(1);
                agg.counters.spend(started.elapsed());
                return Ok(vec![Row::new(columns, values)]);
            }
        }
        if groups.is_empty() && agg.group_by.is_empty() {
            groups.insert(Vec::new(), (Vec::new(), fresh()));
        }
        let rows: Vec<Row> = groups
            .into_values()
            .map(|(mut values, accs)| {
                values.extend(accs.into_iter().map(Acc::value));
                Row::new(columns.clone(), values)
            })
            .collect();
        agg.counters.pass(rows.len() as u64);
        agg.counters.spend(started.elapsed());
        Ok(rows)
    }
}
