//! Running a planned [`Select`]: the engine's rows (joined rows nested in them) are
//! flattened into rows of the join — one per combination of joined rows, a LEFT JOIN
//! without a match keeping one with nulls — then filtered, grouped, projected, made
//! distinct, sorted and cut by the SQL layer, as the plan says. Rows stream from the
//! engine; when nothing needs sorting the stream stops as soon as the limit is reached.

use std::cell::{RefCell, RefMut};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use bazoola::{Columns, Cond, Database, Query, Row, Value};

use super::aggregate::{Grouping, OrderedRow};
use super::expr::Expr;
use super::scope::Link;
use super::select::{count_key, source_key, Base, Select, SortBy, SortKey};
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
    // Built where it is used: a point lookup needs none.
    let query = || engine_query(db, plan, base);
    let engine_aggregate = plan.aggregate.as_ref().is_some_and(|a| a.engine.is_some());
    let mut text = None;
    if analyze {
        let (rows, engine_plan) = query().analyze()?;
        text = Some(engine_plan.to_string());
        for row in rows {
            if engine_aggregate {
                sink.push_group(row.into_values());
            } else if sink.push_base(row)?.is_break() {
                break;
            }
        }
    } else if let Some(cond) = plain_count(plan, base) {
        // `SELECT count(*) FROM t [WHERE …]`: the engine's own count, as the Rust API's
        // `count` is, without building a query for one number.
        let count = db.count(&base.table, cond)?;
        sink.push_group(vec![Value::Int(i64::try_from(count).unwrap_or(i64::MAX))]);
    } else if engine_aggregate {
        // Collected in place: the engine's list of rows becomes the list of their values.
        sink.groups = query().aggregate()?.into_iter().map(Row::into_values).collect();
    } else if let Some(id) = point_lookup(base) {
        // `WHERE id = N`, which the planner answers with one PK lookup anyway: the
        // engine's own point lookup, without planning a query for it.
        if let Some(row) = db.find_by_id(&base.table, id, &base.joins)? {
            let _ = sink.push_base(row)?;
        }
    } else {
        // Streamed, each batch of the engine's rows made into result rows and freed
        // before the next: collecting them all first held both lists at once (twice
        // the memory at a million rows, and a heap that grew and shrank by megabytes
        // each call, a thousand page faults a call at 20,000 rows).
        let mut failed = None;
        query().for_each(|row| match sink.push_base(row) {
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

/// The id of a query that reads the one row `WHERE id = N` names (no offset to skip
/// it): a point lookup.
fn point_lookup(base: &Base) -> Option<i64> {
    match &base.cond {
        Some(Cond::Eq(pairs)) if base.offset == 0 => match pairs.as_slice() {
            [(field, Value::Int(id))] if field == "id" => Some(*id),
            _ => None,
        },
        _ => None,
    }
}

/// The condition of a plan that only counts the rows of one table satisfying it
/// (`Some(None)`: all of them): one `count(*)`, no GROUP BY, joins or cut.
fn plain_count<'p>(plan: &Select, base: &'p Base) -> Option<Option<&'p Cond>> {
    let (group_by, aggs) = plan.aggregate.as_ref()?.engine.as_ref()?;
    let only_count = group_by.is_empty() && matches!(aggs.as_slice(), [(_, bazoola::Agg::Count)]);
    let whole_table =
        base.joins.is_empty() && base.order.is_empty() && base.offset == 0 && base.limit.is_none();
    (only_count && whole_table).then_some(base.cond.as_ref())
}

/// The id of the one row a plan can find when it reads one table `WHERE id = N` and
/// nothing else: an UPDATE or DELETE changes that row by id without reading it first
/// (the change itself finds it, or finds that it is not there).
pub fn point_target(plan: &Select) -> Option<i64> {
    let base = plan.base.as_ref()?;
    let only_the_lookup = plan.scope.sources.len() == 1
        && plan.residual.is_none()
        && plan.aggregate.is_none()
        && plan.counts.is_empty()
        && plan.offset == 0
        && plan.limit != Some(0);
    point_lookup(base).filter(|_| only_the_lookup)
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

/// Where each column of a source's engine rows goes in the flat row, and where the
/// rows joined to it are nested.
struct ColumnMap {
    columns: Columns,
    slots: Vec<Option<usize>>,
    /// For each table joined to the source: its column in the source's rows.
    nested: Vec<Option<usize>>,
    /// The source's rows are the flat row as they are (one table, every column in
    /// order): their value lists become flat rows without a copy.
    whole: bool,
}

/// A table joined to a source: its index, its key in the source's rows, and whether a
/// source row without a match keeps its place (with nulls).
struct Child {
    source: usize,
    key: String,
    keep_unmatched: bool,
}

/// How a plan's rows are laid out, worked out on its first run and kept with it (a
/// prepared statement runs it again and again).
#[derive(Default)]
pub struct Layout {
    /// The tables joined to each source.
    children: Vec<Vec<Child>>,
    /// Every join is forward (at most one match a row): rows are placed in one flat
    /// row, moving their values, without copies for several matches.
    forward_only: bool,
    /// The outputs are distinct plain columns: their values are moved out of the flat
    /// row instead of copied.
    taken: Option<Vec<usize>>,
    /// The outputs are the flat row itself, column for column (`SELECT *`).
    identity: bool,
    /// Where the engine's columns go, per source (kept while the engine gives rows of
    /// the same columns).
    maps: RefCell<Vec<Option<ColumnMap>>>,
}

impl Layout {
    fn of(plan: &Select) -> Layout {
        let scope = &plan.scope;
        Layout {
            children: (0..scope.sources.len())
                .map(|s| {
                    scope
                        .children(s)
                        .map(|c| Child {
                            source: c,
                            key: source_key(&scope.sources[c].name),
                            keep_unmatched: scope.sources[c].left && !scope.needs_match_below(c),
                        })
                        .collect()
                })
                .collect(),
            forward_only: scope.sources.iter().skip(1).all(|s| matches!(s.link, Link::Forward { .. })),
            taken: taken_slots(plan),
            identity: taken_slots(plan).is_some_and(|t| {
                t.len() == emitted_width(plan) && t.iter().enumerate().all(|(i, s)| i == *s)
            }),
            maps: RefCell::new((0..scope.sources.len()).map(|_| None).collect()),
        }
    }
}

/// The SQL layer's end of the stream.
struct Sink<'p> {
    plan: &'p Select,
    layout: &'p Layout,
    maps: RefMut<'p, Vec<Option<ColumnMap>>>,
    grouping: Option<Grouping<'p>>,
    /// Result rows with their sort keys, when the SQL layer sorts.
    out: Vec<(Vec<Value>, Vec<Value>)>,
    /// The engine's group rows, before they are emitted.
    groups: Vec<Vec<Value>>,
    /// Result rows, when they come in their final order.
    rows: Vec<Vec<Value>>,
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
        let layout = plan.layout.get_or_init(|| Layout::of(plan));
        Sink {
            plan,
            layout,
            maps: layout.maps.borrow_mut(),
            grouping,
            out: Vec::new(),
            groups: Vec::new(),
            rows: Vec::new(),
            seen: BTreeSet::new(),
            skipped: 0,
            streaming: plan.order.is_empty(),
        }
    }

    /// One row of the first table, its joined rows nested in it.
    fn push_base(&mut self, mut row: Row) -> Result<ControlFlow<()>> {
        if self.whole(&row) {
            return self.push_flat(row.into_values());
        }
        self.push_base_mut(&mut row)
    }

    /// Whether `row` of the first table is a flat row as it is (see [`ColumnMap`]).
    fn whole(&mut self, row: &Row) -> bool {
        self.map_columns(0, row.columns());
        self.maps[0].as_ref().is_some_and(|m| m.whole)
    }

    /// [`Sink::push_base`] of a row that is not a result row as it is: its values are
    /// moved out into one (or, with inverse joins, copied into several).
    fn push_base_mut(&mut self, row: &mut Row) -> Result<ControlFlow<()>> {
        let mut flat = nulls(self.plan.width());
        if self.layout.forward_only {
            if !self.place(0, Some(row), &mut flat) {
                return Ok(ControlFlow::Continue(()));
            }
            return self.push_flat(flat);
        }
        for flat in self.expand(0, Some(row), vec![flat]) {
            if self.push_flat(flat)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Moves the values of source `s`'s row (`None`: no match, nulls) and of the rows
    /// joined below it into `flat`, when every join is forward, leaving nulls in their
    /// place. `false` when a join without LEFT finds no match, and the row drops out.
    fn place(&mut self, s: usize, row: Option<&mut Row>, flat: &mut [Value]) -> bool {
        let Some(row) = row else {
            self.fill(s, None, flat);
            for c in 0..self.layout.children[s].len() {
                let child = &self.layout.children[s][c];
                if !child.keep_unmatched {
                    return false;
                }
                let source = child.source;
                self.place(source, None, flat);
            }
            return true;
        };
        self.map_columns(s, row.columns());
        let values = row.values_mut();
        // The joined rows first: they are taken out of this row's values.
        for c in 0..self.layout.children[s].len() {
            let at = self.maps[s].as_ref().and_then(|m| m.nested[c]);
            let child = &self.layout.children[s][c];
            let (source, keep_unmatched) = (child.source, child.keep_unmatched);
            let placed = match at.map(|i| &mut values[i]) {
                // A target this row alone refers to: its values move.
                Some(Value::Row(r)) if Arc::strong_count(r) == 1 && Arc::weak_count(r) == 0 => {
                    self.place(source, Arc::get_mut(r), flat)
                }
                // A target other rows share: its values are copied.
                Some(Value::Row(r)) => self.place_shared(source, r, flat),
                _ if keep_unmatched => self.place(source, None, flat),
                _ => false,
            };
            if !placed {
                return false;
            }
        }
        if let Some(map) = &self.maps[s] {
            for (value, slot) in values.iter_mut().zip(&map.slots) {
                if let Some(slot) = slot {
                    // A swap, not an assignment: the null it replaces needs no drop.
                    std::mem::swap(&mut flat[*slot], value);
                }
            }
        }
        true
    }

    /// [`place`](Self::place) for a joined row that other rows of the result share: its
    /// values, and those of the rows joined below it, are copied instead of moved.
    fn place_shared(&mut self, s: usize, row: &Row, flat: &mut [Value]) -> bool {
        self.fill(s, Some(row), flat);
        for c in 0..self.layout.children[s].len() {
            let at = self.maps[s].as_ref().and_then(|m| m.nested[c]);
            let child = &self.layout.children[s][c];
            let (source, keep_unmatched) = (child.source, child.keep_unmatched);
            let placed = match at.map(|i| &row.values()[i]) {
                Some(Value::Row(r)) => self.place_shared(source, r, flat),
                _ if keep_unmatched => self.place(source, None, flat),
                _ => false,
            };
            if !placed {
                return false;
            }
        }
        true
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
            None => self.emit(flat),
        }
    }

    /// One group row the engine computed.
    fn push_group(&mut self, row: Vec<Value>) {
        self.groups.push(row);
    }

    /// A row the outputs are computed from (a join row, or a group row); its values
    /// may be moved out.
    fn emit(&mut self, mut row: Vec<Value>) -> Result<ControlFlow<()>> {
        // Sort keys first: they may read columns the outputs take.
        let mut keys: Vec<Value> = if self.streaming {
            Vec::new()
        } else {
            let key = |k: &SortKey| match &k.by {
                SortBy::Output(_) => Value::Null,
                SortBy::Expr(e) => e.eval(&row),
            };
            self.plan.order.iter().map(key).collect()
        };
        let outputs: Vec<Value> = match &self.layout.taken {
            // The row is the result row (`SELECT *` of the tables, in order).
            Some(_) if self.layout.identity => row,
            Some(slots) => slots.iter().map(|&s| std::mem::take(&mut row[s])).collect(),
            None => self.plan.outputs.iter().map(|e| e.eval(&row)).collect(),
        };
        if self.plan.distinct && !self.seen.insert(OrderedRow::new(&outputs)) {
            return Ok(ControlFlow::Continue(()));
        }
        if !self.streaming {
            for (key, k) in keys.iter_mut().zip(&self.plan.order) {
                if let SortBy::Output(i) = k.by {
                    *key = outputs[i].clone();
                }
            }
            self.out.push((outputs, keys));
            return Ok(ControlFlow::Continue(()));
        }
        // The engine's rows come cut already when it applies LIMIT and OFFSET.
        if !self.plan.cut_by_engine {
            if self.plan.limit == Some(0) {
                return Ok(ControlFlow::Break(()));
            }
            if self.skipped < self.plan.offset {
                self.skipped += 1;
                return Ok(ControlFlow::Continue(()));
            }
        }
        self.rows.push(outputs);
        let full = self.plan.limit.is_some_and(|l| self.rows.len() as u64 >= l);
        Ok(if full { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    }

    /// The result rows.
    fn finish(mut self) -> Result<Vec<Vec<Value>>> {
        let plan = self.plan;
        if let Some(agg) = &plan.aggregate {
            let groups = match self.grouping.take() {
                Some(grouping) => grouping.finish()?,
                None => std::mem::take(&mut self.groups),
            };
            let every_group = self.streaming && agg.having.is_none() && !plan.distinct;
            if every_group && plan.limit.is_none() && plan.offset == 0 {
                if self.layout.identity {
                    // `SELECT key, count(*) … GROUP BY key`: the group rows are the result.
                    return Ok(groups);
                }
                self.rows.reserve_exact(groups.len());
            }
            for group in groups {
                if agg.having.as_ref().is_some_and(|h| !h.holds(&group)) {
                    continue;
                }
                if self.emit(group)?.is_break() {
                    break;
                }
            }
        }
        if self.streaming {
            return Ok(self.rows);
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
        // Sorted here, so not cut by the engine (which cuts only rows in their order).
        let rows =
            out.into_iter().map(|(row, _)| row).skip(usize::try_from(plan.offset).unwrap_or(usize::MAX));
        Ok(match plan.limit {
            Some(l) => rows.take(usize::try_from(l).unwrap_or(usize::MAX)).collect(),
            None => rows.collect(),
        })
    }

    /// The join rows source `s`'s row (`None`: no match, nulls) makes out of each of
    /// `partials` (rows with the tables before it filled in).
    fn expand(&mut self, s: usize, row: Option<&Row>, mut partials: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
        for partial in partials.iter_mut() {
            self.fill(s, row, partial);
        }
        for i in 0..self.layout.children[s].len() {
            let (c, keep_unmatched) =
                (self.layout.children[s][i].source, self.layout.children[s][i].keep_unmatched);
            let matches: Vec<&Row> = match row.and_then(|r| r.get(&self.layout.children[s][i].key)) {
                Some(Value::Row(r)) => vec![&**r],
                Some(Value::Rows(rows)) => rows.iter().collect(),
                _ => Vec::new(),
            };
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
            let map = self.column_map(s, row.columns());
            self.maps[s] = Some(map);
        }
        if let Some(map) = &self.maps[s] {
            for (value, slot) in row.values().iter().zip(&map.slots) {
                if let Some(slot) = slot {
                    flat[*slot] = value.clone();
                }
            }
        }
    }

    /// Makes source `s`'s column map for rows with `columns`, unless it has it.
    fn map_columns(&mut self, s: usize, columns: &Columns) {
        let stale = self.maps[s].as_ref().is_none_or(|m| !std::sync::Arc::ptr_eq(&m.columns, columns));
        if stale {
            let map = self.column_map(s, columns);
            self.maps[s] = Some(map);
        }
    }

    fn column_map(&self, s: usize, columns: &Columns) -> ColumnMap {
        let source = &self.plan.scope.sources[s];
        let slots: Vec<Option<usize>> = columns
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
        let nested =
            self.layout.children[s].iter().map(|c| columns.iter().position(|n| **n == c.key)).collect();
        let whole = self.layout.children[s].is_empty()
            && slots.len() == self.plan.width()
            && slots.iter().enumerate().all(|(i, slot)| *slot == Some(i));
        ColumnMap { columns: columns.clone(), slots, nested, whole }
    }
}

/// A row of `width` nulls (without cloning one: `vec![Null; n]` calls `Value::clone`
/// for each).
fn nulls(width: usize) -> Vec<Value> {
    std::iter::repeat_with(|| Value::Null).take(width).collect()
}

/// How many values each row the outputs are computed from has: a group row's keys
/// and aggregates, or the flat row of the join.
fn emitted_width(plan: &Select) -> usize {
    match &plan.aggregate {
        Some(agg) => agg.keys.len() + agg.aggregates.len(),
        None => plan.width(),
    }
}

/// The slots of the outputs (in the flat row, or in the group row), when each is a
/// different column: their values can be moved out of the row rather than copied.
fn taken_slots(plan: &Select) -> Option<Vec<usize>> {
    let slots: Vec<usize> = plan.outputs.iter().map(Expr::as_slot).collect::<Option<_>>()?;
    let distinct: BTreeSet<usize> = slots.iter().copied().collect();
    (distinct.len() == slots.len()).then_some(slots)
}
