//! Running a planned [`Select`]: the engine's rows (joined rows nested in them) are
//! flattened into rows of the join — one per combination of joined rows, a LEFT JOIN
//! without a match keeping one with nulls — then filtered, grouped, projected, made
//! distinct, sorted and cut by the SQL layer, as the plan says. Rows stream from the
//! engine; when nothing needs sorting the stream stops as soon as the limit is reached.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

use bazoola::{Columns, Database, Query, Row, Value};

use super::aggregate::{Grouping, OrderedRow};
use super::select::{count_key, source_key, Base, Select, SortBy};
use super::value;
use crate::error::Result;

/// The result rows of `plan`.
pub fn rows(db: &Database, plan: &Select) -> Result<Vec<Vec<Value>>> {
    Ok(execute(db, plan, false)?.0)
}

/// EXPLAIN (and, with `analyze`, EXPLAIN ANALYZE) of `plan`: the engine's plan tree,
/// then the steps the SQL layer adds.
pub fn explain(db: &Database, plan: &Select, analyze: bool) -> Result<String> {
    let (rows, engine) = if analyze {
        let (rows, engine) = execute(db, plan, true)?;
        (Some(rows.len()), engine)
    } else {
        let engine = match &plan.base {
            Some(base) => Some(engine_query(db, plan, base).explain()?.to_string()),
            None => None,
        };
        (None, engine)
    };
    let mut text = engine.unwrap_or_else(|| "constant row (no table)\n".into());
    for step in &plan.steps {
        text.push_str(&format!("sql: {step}\n"));
    }
    if let Some(n) = rows {
        text.push_str(&format!("sql: result: {n} row{}\n", if n == 1 { "" } else { "s" }));
    }
    Ok(text.trim_end().to_string())
}

/// Runs `plan`; with `analyze`, the engine's rows are collected by its ANALYZE, whose
/// plan text comes back too.
fn execute(db: &Database, plan: &Select, analyze: bool) -> Result<(Vec<Vec<Value>>, Option<String>)> {
    if plan.limit == Some(0) && !analyze {
        return Ok((Vec::new(), None));
    }
    let mut sink = Sink::new(plan);
    let Some(base) = &plan.base else {
        let _ = sink.push_flat(vec![Value::Null; plan.width()])?;
        return Ok((sink.finish()?, None));
    };
    let query = engine_query(db, plan, base);
    let engine_aggregate = plan.aggregate.as_ref().is_some_and(|a| a.engine.is_some());
    let mut text = None;
    if analyze {
        let (rows, engine_plan) = query.analyze()?;
        text = Some(engine_plan.to_string());
        for row in rows {
            if engine_aggregate {
                sink.push_group(row.into_values());
            } else if sink.push_base(&row)?.is_break() {
                break;
            }
        }
    } else if engine_aggregate {
        for row in query.aggregate()? {
            sink.push_group(row.into_values());
        }
    } else {
        let mut failed = None;
        query.for_each(|row| match sink.push_base(&row) {
            Ok(flow) => flow,
            Err(e) => {
                failed = Some(e);
                ControlFlow::Break(())
            }
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok((sink.finish()?, text))
}

/// The engine's query for the plan's first table.
fn engine_query<'d>(db: &'d Database, plan: &Select, base: &Base) -> Query<'d> {
    let mut q = db.query(&base.table);
    if let Some(cond) = &base.cond {
        q = q.filter(cond.clone());
    }
    for join in &base.joins {
        q = q.join(join.clone());
    }
    for (field, descending) in &base.order {
        q = if *descending { q.order_by_desc(field) } else { q.order_by(field) };
    }
    if base.offset > 0 {
        q = q.offset(base.offset);
    }
    if let Some(limit) = base.limit.filter(|l| *l > 0) {
        q = q.limit(limit);
    }
    if let Some(fields) = &base.fields {
        let names: Vec<&str> = fields.iter().map(String::as_str).collect();
        q = q.fields(&names);
    }
    if let Some((group_by, aggs)) = plan.aggregate.as_ref().and_then(|a| a.engine.as_ref()) {
        let names: Vec<&str> = group_by.iter().map(String::as_str).collect();
        let aggs: Vec<(&str, bazoola::Agg)> = aggs.iter().map(|(k, a)| (k.as_str(), a.clone())).collect();
        q = q.group_by(&names).aggregates(&aggs);
    }
    q
}

/// Where each column of a source's engine rows goes in the flat row.
struct ColumnMap {
    columns: Columns,
    slots: Vec<Option<usize>>,
}

/// The SQL layer's end of the stream.
struct Sink<'p> {
    plan: &'p Select,
    maps: Vec<Option<ColumnMap>>,
    grouping: Option<Grouping<'p>>,
    /// Result rows, each with its sort key when the SQL layer sorts.
    out: Vec<(Vec<Value>, Vec<Value>)>,
    seen: BTreeSet<OrderedRow>,
    /// Rows skipped for OFFSET so far (when cutting as rows stream).
    skipped: u64,
    /// Whether rows come out in their final order (nothing left to sort).
    streaming: bool,
}

impl<'p> Sink<'p> {
    fn new(plan: &'p Select) -> Sink<'p> {
        let grouping = match &plan.aggregate {
            Some(agg) if agg.engine.is_none() => Some(Grouping::new(&agg.keys, &agg.aggregates)),
            _ => None,
        };
        Sink {
            plan,
            maps: (0..plan.scope.sources.len()).map(|_| None).collect(),
            grouping,
            out: Vec::new(),
            seen: BTreeSet::new(),
            skipped: 0,
            streaming: plan.order.is_empty() && !plan.cut_by_engine,
        }
    }

    /// One row of the first table, its joined rows nested in it.
    fn push_base(&mut self, row: &Row) -> Result<ControlFlow<()>> {
        let flat = vec![Value::Null; self.plan.width()];
        for flat in self.expand(0, Some(row), vec![flat]) {
            if self.push_flat(flat)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// One row of the join.
    fn push_flat(&mut self, flat: Vec<Value>) -> Result<ControlFlow<()>> {
        if let Some(residual) = &self.plan.residual {
            if !residual.holds(&flat) {
                return Ok(ControlFlow::Continue(()));
            }
        }
        match &mut self.grouping {
            Some(grouping) => {
                grouping.add(&flat);
                Ok(ControlFlow::Continue(()))
            }
            None if self.plan.aggregate.is_some() => Ok(ControlFlow::Continue(())),
            None => self.emit(&flat),
        }
    }

    /// One group row the engine computed.
    fn push_group(&mut self, row: Vec<Value>) {
        self.out.push((row, Vec::new()));
    }

    /// A row the outputs are computed from (a join row, or a group row).
    fn emit(&mut self, row: &[Value]) -> Result<ControlFlow<()>> {
        let outputs: Vec<Value> = self.plan.outputs.iter().map(|e| e.eval(row)).collect();
        if self.plan.distinct && !self.seen.insert(OrderedRow::new(&outputs)) {
            return Ok(ControlFlow::Continue(()));
        }
        if !self.streaming {
            let keys = self
                .plan
                .order
                .iter()
                .map(|k| match &k.by {
                    SortBy::Output(i) => outputs[*i].clone(),
                    SortBy::Expr(e) => e.eval(row),
                })
                .collect();
            self.out.push((outputs, keys));
            return Ok(ControlFlow::Continue(()));
        }
        if self.plan.limit == Some(0) {
            return Ok(ControlFlow::Break(()));
        }
        if self.skipped < self.plan.offset {
            self.skipped += 1;
            return Ok(ControlFlow::Continue(()));
        }
        self.out.push((outputs, Vec::new()));
        let full = self.plan.limit.is_some_and(|l| self.out.len() as u64 >= l);
        Ok(if full { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    }

    /// The result rows.
    fn finish(mut self) -> Result<Vec<Vec<Value>>> {
        let plan = self.plan;
        if let Some(agg) = &plan.aggregate {
            let groups = match self.grouping.take() {
                Some(grouping) => grouping.finish()?,
                None => std::mem::take(&mut self.out).into_iter().map(|(row, _)| row).collect(),
            };
            for group in groups {
                if agg.having.as_ref().is_some_and(|h| !h.holds(&group)) {
                    continue;
                }
                if self.emit(&group)?.is_break() {
                    break;
                }
            }
        }
        if self.streaming {
            return Ok(self.out.into_iter().map(|(row, _)| row).collect());
        }
        let mut out = self.out;
        if !plan.order.is_empty() {
            out.sort_by(|(_, a), (_, b)| {
                for (k, (x, y)) in plan.order.iter().zip(a.iter().zip(b)) {
                    let o = match (x.is_null(), y.is_null()) {
                        (true, true) => Ordering::Equal,
                        (true, false) if k.nulls_first => Ordering::Less,
                        (true, false) => Ordering::Greater,
                        (false, true) if k.nulls_first => Ordering::Greater,
                        (false, true) => Ordering::Less,
                        (false, false) if k.descending => value::order(y, x),
                        (false, false) => value::order(x, y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        let rows = out.into_iter().map(|(row, _)| row);
        let rows: Vec<Vec<Value>> = if plan.cut_by_engine {
            rows.collect()
        } else {
            let rows = rows.skip(usize::try_from(plan.offset).unwrap_or(usize::MAX));
            match plan.limit {
                Some(l) => rows.take(usize::try_from(l).unwrap_or(usize::MAX)).collect(),
                None => rows.collect(),
            }
        };
        Ok(rows)
    }

    /// The join rows source `s`'s row (`None`: no match, nulls) makes out of each of
    /// `partials` (rows with the tables before it filled in).
    fn expand(&mut self, s: usize, row: Option<&Row>, mut partials: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
        for partial in partials.iter_mut() {
            self.fill(s, row, partial);
        }
        let children: Vec<usize> = self.plan.scope.children(s).collect();
        for c in children {
            let key = source_key(&self.plan.scope.sources[c].name);
            let matches: Vec<&Row> = match row.and_then(|r| r.get(&key)) {
                Some(Value::Row(r)) => vec![&**r],
                Some(Value::Rows(rows)) => rows.iter().collect(),
                _ => Vec::new(),
            };
            let source = &self.plan.scope.sources[c];
            let keep_unmatched = source.left && !self.plan.scope.needs_match_below(c);
            let mut next = Vec::new();
            for partial in partials {
                if matches.is_empty() {
                    if keep_unmatched {
                        next.extend(self.expand(c, None, vec![partial]));
                    }
                    continue;
                }
                for m in &matches {
                    next.extend(self.expand(c, Some(m), vec![partial.clone()]));
                }
            }
            partials = next;
        }
        partials
    }

    /// Puts the values of source `s`'s row (and its relation counts) in place.
    fn fill(&mut self, s: usize, row: Option<&Row>, flat: &mut [Value]) {
        let Some(row) = row else {
            // No row: its columns stay null, and counts of what refers to it are 0.
            for (i, count) in self.plan.counts.iter().enumerate() {
                if count.source == s {
                    flat[self.plan.scope.width + i] = Value::Int(0);
                }
            }
            return;
        };
        let stale = self.maps[s].as_ref().is_none_or(|m| !std::sync::Arc::ptr_eq(&m.columns, row.columns()));
        if stale {
            self.maps[s] = Some(self.column_map(s, row.columns()));
        }
        if let Some(map) = &self.maps[s] {
            for (value, slot) in row.values().iter().zip(&map.slots) {
                if let Some(slot) = slot {
                    flat[*slot] = value.clone();
                }
            }
        }
    }

    fn column_map(&self, s: usize, columns: &Columns) -> ColumnMap {
        let source = &self.plan.scope.sources[s];
        let slots = columns
            .iter()
            .map(|name| {
                if let Some(f) = source.schema.field_index(name) {
                    return Some(source.offset + f);
                }
                (0..self.plan.counts.len())
                    .find(|i| self.plan.counts[*i].source == s && count_key(*i) == **name)
                    .map(|i| self.plan.scope.width + i)
            })
            .collect();
        ColumnMap { columns: columns.clone(), slots }
    }
}
