//! The planner: which access path a condition can use (SPEC §8), and how joins run.
//!
//! The condition's conjuncts (the parts an AND, or the pairs of one `EQ(a=1, b=2)`,
//! hold together) are looked at in this order of preference:
//!
//! 1. `id = v` or `id IN (…)`: the PK index.
//! 2. `f = v`, `f IN (…)` or `f IS NULL` on an indexed field: that index (a unique one first).
//! 3. `<`, `<=`, `>`, `>=` on an indexed field, every bound on one field combined: an
//!    index range.
//! 4. Otherwise every row is read.
//!
//! The chosen path only has to yield a superset of the answer: the whole condition is
//! checked again on every row it yields. So a bound the index cannot represent exactly (a
//! CHAR value with trailing spaces, which stored values never keep) is left open rather
//! than guessed at.

use std::ops::Bound;
use std::sync::Arc;

use super::node::{Access, Counters, JoinPlan, OrderKey, Ordering, Plan, Via};
use super::QuerySpec;
use crate::db::cond::{Cond, Predicate};
use crate::db::engine::Engine;
use crate::db::join::{Join, JoinKind};
use crate::error::{Result, ValidationError};
use crate::format::schema::FieldType;
use crate::table::Table;
use crate::value::{Columns, Value};

/// One comparison the whole condition requires.
enum Conjunct<'c> {
    Eq(&'c str, &'c Value),
    In(&'c str, &'c [Value]),
    Lt(&'c str, &'c Value, bool),
    Gt(&'c str, &'c Value, bool),
}

/// The conjuncts of `cond` that an access path could use, and whether they are all of
/// it (nothing else, such as a substring test or an OR, must also hold).
fn conjuncts(cond: &Cond) -> (Vec<Conjunct<'_>>, bool) {
    let mut out = Vec::new();
    let mut complete = true;
    let mut stack = vec![cond];
    while let Some(cond) = stack.pop() {
        match cond {
            Cond::And(list) => stack.extend(list.iter()),
            Cond::Eq(pairs) => out.extend(pairs.iter().map(|(f, v)| Conjunct::Eq(f, v))),
            Cond::IsNull(f) => out.push(Conjunct::Eq(f, &Value::Null)),
            Cond::In(f, values) => out.push(Conjunct::In(f, values)),
            Cond::Lt(pairs) => out.extend(pairs.iter().map(|(f, v)| Conjunct::Lt(f, v, false))),
            Cond::Le(pairs) => out.extend(pairs.iter().map(|(f, v)| Conjunct::Lt(f, v, true))),
            Cond::Gt(pairs) => out.extend(pairs.iter().map(|(f, v)| Conjunct::Gt(f, v, false))),
            Cond::Ge(pairs) => out.extend(pairs.iter().map(|(f, v)| Conjunct::Gt(f, v, true))),
            _ => complete = false,
        }
    }
    (out, complete)
}

/// Whether `value` can be an exact bound in an index of field `field` (a key of the
/// same kind, and for CHAR, a value as stored values are read back).
fn exact_bound(table: &Table, field: usize, value: &Value) -> bool {
    match (&table.schema.fields[field].ty, value) {
        (FieldType::Char { size }, Value::Text(text)) => {
            text.len() <= *size && !text.ends_with(|c: char| c.is_ascii_whitespace())
        }
        (FieldType::Char { .. }, _) => false,
        (_, Value::Int(_)) => true,
        _ => false,
    }
}

impl Engine {
    /// The plan for reading table `t`'s rows that satisfy `cond`, with `joins` applied.
    pub fn plan(&self, t: usize, cond: Option<&Cond>, joins: &[Join]) -> Result<Plan> {
        let spec = QuerySpec { cond: cond.cloned().map(Arc::new), ..QuerySpec::default() };
        self.plan_with_joins(t, &spec, joins)
    }

    /// The plan for a whole query on table `t`.
    pub fn plan_query(&self, t: usize, spec: &QuerySpec) -> Result<Plan> {
        self.plan_with_joins(t, spec, &spec.joins)
    }

    /// The plan for `spec`, with `joins` in place of its own (which are not copied).
    fn plan_with_joins(&self, t: usize, spec: &QuerySpec, joins: &[Join]) -> Result<Plan> {
        let table = &self.tables[t];
        let cond = spec.cond.as_deref();
        if spec.limit == Some(0) {
            return Err(
                ValidationError::BadLimit { table: table.name().into(), what: "limit", value: 0 }.into()
            );
        }
        let filter = match &spec.cond {
            Some(shared) => Some((Predicate::compile(shared, table)?, Arc::clone(shared))),
            None => None,
        };
        let order = spec
            .order
            .iter()
            .map(|(name, descending)| {
                Ok(OrderKey { field: self.field(t, name)?, name: name.clone(), descending: *descending })
            })
            .collect::<Result<Vec<_>>>()?;
        let (access, covered) = cond.map_or((Access::FullScan, true), |cond| self.choose_access(t, cond));
        let ordering = match order.first() {
            None => Ordering::Slots,
            Some(first) if first.field == 0 && matches!(access, Access::FullScan) => Ordering::Ids,
            Some(first) => match table.indexes.iter().position(|i| i.field == first.field) {
                Some(index) if matches!(access, Access::FullScan) => Ordering::Index { index },
                Some(index) if matches!(access, Access::IndexRange { index: i, .. } if i == index) => {
                    Ordering::Index { index }
                }
                _ => Ordering::Sort,
            },
        };
        let fields = match &spec.fields {
            None => None,
            Some(names) => {
                let mut positions = vec![0];
                for name in names {
                    positions.push(self.field(t, name)?);
                }
                // A forward join needs its FK's value: it is returned too.
                for join in joins.iter().filter(|j| j.kind == JoinKind::Forward) {
                    positions.push(self.field(t, &join.fk_field)?);
                }
                positions.sort_unstable();
                positions.dedup();
                let columns: Columns =
                    positions.iter().map(|&i| table.schema.fields[i].name.as_str().into()).collect();
                Some((positions, columns))
            }
        };
        let access_field = match &access {
            Access::IndexLookup { index, .. } | Access::IndexRange { index, .. } => {
                Some(table.schema.fields[table.indexes[*index].field].name.clone())
            }
            Access::PkLookup { .. } => Some("id".into()),
            Access::FullScan => None,
        };
        Ok(Plan {
            table: t,
            table_name: table.name().into(),
            access,
            access_field,
            filter,
            order,
            ordering,
            offset: spec.offset,
            limit: spec.limit,
            fields,
            covered,
            joins: self.plan_joins(t, joins)?,
            aggregate: None,
            access_counters: Counters::default(),
            filter_counters: Counters::default(),
            order_counters: Counters::default(),
            limit_counters: Counters::default(),
            estimate: Default::default(),
        })
    }

    /// The access path for `cond`, and whether it answers `cond` exactly (every row it
    /// yields satisfies it, so the filter need not run and a count need not read rows).
    fn choose_access(&self, t: usize, cond: &Cond) -> (Access, bool) {
        let table = &self.tables[t];
        let (parts, complete) = conjuncts(cond);
        let alone = complete && parts.len() == 1;
        let field_of = |name: &str| table.schema.field_index(name);
        // 1. The primary key.
        for part in &parts {
            match part {
                Conjunct::Eq("id", Value::Int(id)) => return (Access::PkLookup { ids: vec![*id] }, alone),
                Conjunct::In("id", values) if values.iter().all(|v| matches!(v, Value::Int(_))) => {
                    let mut ids: Vec<i64> = values.iter().filter_map(Value::as_int).collect();
                    ids.sort_unstable();
                    ids.dedup();
                    return (Access::PkLookup { ids }, alone);
                }
                _ => {}
            }
        }
        // 2. Equality on an indexed field, a unique index first.
        let mut best: Option<(bool, Access)> = None;
        for part in &parts {
            let (name, values): (&str, Vec<Value>) = match part {
                Conjunct::Eq(f, v) => (f, vec![(*v).clone()]),
                Conjunct::In(f, vs) => (f, vs.to_vec()),
                _ => continue,
            };
            let Some(field) = field_of(name) else { continue };
            let Some(i) = table.indexes.iter().position(|x| x.field == field) else { continue };
            if !values.iter().all(|v| v.is_null() || exact_bound(table, field, v)) {
                continue;
            }
            let unique = table.indexes[i].tree.unique;
            if best.as_ref().is_none_or(|(u, _)| unique && !u) {
                let mut keys = values;
                keys.dedup();
                best = Some((unique, Access::IndexLookup { index: i, keys }));
            }
        }
        if let Some((_, access)) = best {
            return (access, alone);
        }
        // 3. A range on an indexed field: the tightest bounds given for one field.
        for (i, index) in table.indexes.iter().enumerate() {
            let mut lower = Bound::Unbounded;
            let mut upper = Bound::Unbounded;
            let mut exact = complete;
            for part in &parts {
                let (Conjunct::Gt(f, v, inclusive) | Conjunct::Lt(f, v, inclusive)) = part else {
                    exact = false;
                    continue;
                };
                if field_of(f) != Some(index.field) || !exact_bound(table, index.field, v) {
                    exact = false;
                    continue;
                }
                let bound =
                    if *inclusive { Bound::Included((*v).clone()) } else { Bound::Excluded((*v).clone()) };
                match part {
                    Conjunct::Gt(..) if tighter_lower(&lower, v) => lower = bound,
                    Conjunct::Lt(..) if tighter_upper(&upper, v) => upper = bound,
                    _ => {}
                }
            }
            if !matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return (Access::IndexRange { index: i, lower, upper }, exact);
            }
        }
        (Access::FullScan, false)
    }

    /// Plans `joins` applied to rows of table `t`.
    pub fn plan_joins(&self, t: usize, joins: &[Join]) -> Result<Vec<JoinPlan>> {
        joins.iter().map(|join| self.plan_join(t, join)).collect()
    }

    fn plan_join(&self, t: usize, join: &Join) -> Result<JoinPlan> {
        let other = self.table(&join.table)?;
        let (field, via) = match join.kind {
            JoinKind::Forward => (self.field(t, &join.fk_field)?, Via::PkIndex),
            JoinKind::Inverse | JoinKind::Count => {
                let field = self.field(other, &join.fk_field)?;
                let via = match self.tables[other].indexes.iter().position(|i| i.field == field) {
                    Some(index) => Via::FkIndex { index },
                    None => Via::FkScan,
                };
                (field, via)
            }
        };
        let filter = match &join.cond {
            Some(cond) if join.kind == JoinKind::Count => {
                Some((Predicate::compile(cond, &self.tables[other])?, cond.clone()))
            }
            _ => None,
        };
        let through = match &join.through {
            Some(inner) if join.kind == JoinKind::Count && inner.kind == JoinKind::Count => {
                Some(Box::new(self.plan_join(other, inner)?))
            }
            Some(_) => {
                let problem =
                    "`through` joins a count to a count (InverseCount inside InverseCount)".to_string();
                return Err(crate::error::SchemaError::Invalid { table: join.table.clone(), problem }.into());
            }
            None => None,
        };
        Ok(JoinPlan {
            kind: join.kind,
            key: join.key.clone(),
            table: other,
            table_name: join.table.clone(),
            field,
            field_name: join.fk_field.clone(),
            via,
            filter,
            through,
            joins: self.plan_joins(other, &join.joins)?,
            counters: Counters::default(),
            estimate: Default::default(),
        })
    }
}

fn tighter_lower(current: &Bound<Value>, candidate: &Value) -> bool {
    match current {
        Bound::Unbounded => true,
        Bound::Included(v) | Bound::Excluded(v) => order(candidate, v) == Some(std::cmp::Ordering::Greater),
    }
}

fn tighter_upper(current: &Bound<Value>, candidate: &Value) -> bool {
    match current {
        Bound::Unbounded => true,
        Bound::Included(v) | Bound::Excluded(v) => order(candidate, v) == Some(std::cmp::Ordering::Less),
    }
}

fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (Value::Text(a), Value::Text(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        _ => None,
    }
}
