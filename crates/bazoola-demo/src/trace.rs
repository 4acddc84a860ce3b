//! "How this page was built": a database handle that records every call a request makes.
//!
//! [`Traced`] wraps a [`Database`] for the length of one request and exposes the calls
//! the pages use, under the API's own names. Each call is recorded as an [`Op`]: the
//! table, the condition and joins written as in the API (`ISUBSTR(name='web')`,
//! `Join(owner_id → owner, users)`), the rows returned and the time — and for a read,
//! the plan the engine ran (`Query::analyze`: which index, how many rows each step
//! examined).
//!
//! Besides the `Database` calls, [`Traced::query`] puts a [`bazoola::Query`] together
//! step by step — filter, joins, order, limit, offset, fields, groups, aggregates — and
//! runs it as rows, a count or an aggregate. A `Query` does not show what it was asked,
//! so [`TracedQuery`] writes each step down as it is added, in the SQL-like words of
//! the plan: `EQ(status='todo'), Join(…) ORDER BY due_date, id LIMIT 20 OFFSET 20`.

use std::cell::RefCell;
use std::time::Instant;

use bazoola::{Agg, Cond, Database, Join, JoinKind, Plan, Result, Row, Value};
use serde::Serialize;

/// One recorded database call.
#[derive(Debug, Clone, Serialize)]
pub struct Op {
    /// The API method: `find_by_cond`, `insert`, `transaction`…
    pub call: &'static str,
    pub table: String,
    /// Arguments as the API spells them: id, condition, joins, fields written.
    pub detail: String,
    /// Rows the engine read to answer (reads only: their plan counts them).
    pub examined: Option<u64>,
    /// The plan the engine ran, with what each step did (reads only).
    pub plan: Option<String>,
    /// Rows handed back (or written); `None` where that means nothing.
    pub returned: Option<u64>,
    pub micros: u64,
    /// The error's message, when the call failed.
    pub error: Option<String>,
}

/// A database handle that records what it is asked to do.
pub struct Traced<'a> {
    db: &'a Database,
    ops: RefCell<Vec<Op>>,
}

impl<'a> Traced<'a> {
    pub fn new(db: &'a Database) -> Traced<'a> {
        Traced { db, ops: RefCell::new(Vec::new()) }
    }

    pub fn into_ops(self) -> Vec<Op> {
        self.ops.into_inner()
    }

    /// A query on `table`, recorded with its plan when it runs.
    pub fn query<'t>(&'t self, table: &str) -> TracedQuery<'t, 'a> {
        TracedQuery {
            traced: self,
            table: table.to_string(),
            query: self.db.query(table),
            cond: None,
            joins: Vec::new(),
            order: Vec::new(),
            limit: None,
            offset: 0,
            fields: None,
            group_by: Vec::new(),
            aggs: Vec::new(),
        }
    }

    fn record<T>(
        &self,
        call: &'static str,
        table: &str,
        detail: String,
        run: impl FnOnce() -> Result<T>,
        returned: impl FnOnce(&T) -> Option<u64>,
    ) -> Result<T> {
        let started = Instant::now();
        let outcome = run();
        let micros = started.elapsed().as_micros() as u64;
        let (returned, error) = match &outcome {
            Ok(value) => (returned(value), None),
            Err(e) => (None, Some(e.to_string())),
        };
        self.ops.borrow_mut().push(Op {
            call,
            table: table.into(),
            detail,
            examined: None,
            plan: None,
            returned,
            micros,
            error,
        });
        outcome
    }

    /// Runs a read as `Query::analyze` and records it with its plan.
    fn read<T>(
        &self,
        call: &'static str,
        table: &str,
        detail: String,
        run: impl FnOnce() -> Result<(T, Plan)>,
        returned: impl FnOnce(&T) -> u64,
    ) -> Result<T> {
        let started = Instant::now();
        let outcome = run();
        let micros = started.elapsed().as_micros() as u64;
        let (examined, plan, returned, error) = match &outcome {
            Ok((value, plan)) => {
                (Some(plan.rows_examined()), Some(plan.to_string()), Some(returned(value)), None)
            }
            Err(e) => (None, None, None, Some(e.to_string())),
        };
        self.ops.borrow_mut().push(Op {
            call,
            table: table.into(),
            detail,
            examined,
            plan,
            returned,
            micros,
            error,
        });
        outcome.map(|(value, _)| value)
    }

    /// `query(table)` with `cond` and `joins`.
    fn query_with<'t>(&'t self, table: &str, cond: Option<&Cond>, joins: &[Join]) -> TracedQuery<'t, 'a> {
        let mut query = self.query(table);
        if let Some(cond) = cond {
            query = query.filter(cond.clone());
        }
        for join in joins {
            query = query.join(join.clone());
        }
        query
    }

    pub fn find_by_id(&self, table: &str, id: i64, joins: &[Join]) -> Result<Option<Row>> {
        let detail = with_joins(format!("id={id}"), joins);
        let query = self.query_with(table, Some(&Cond::eq("id", id)), joins);
        let rows = query.rows_as("find_by_id", detail, |rows| u64::from(!rows.is_empty()))?;
        Ok(rows.into_iter().next())
    }

    pub fn find_all(&self, table: &str, joins: &[Join]) -> Result<Vec<Row>> {
        let detail = with_joins(String::new(), joins);
        self.query_with(table, None, joins).rows_as("find_all", detail, |rows| rows.len() as u64)
    }

    pub fn find_by_cond(&self, table: &str, cond: &Cond, joins: &[Join]) -> Result<Vec<Row>> {
        let detail = with_joins(describe_cond(cond), joins);
        self.query_with(table, Some(cond), joins).rows_as("find_by_cond", detail, |rows| rows.len() as u64)
    }

    pub fn count(&self, table: &str, cond: Option<&Cond>) -> Result<u64> {
        let query = self.query_with(table, cond, &[]);
        let detail = query.describe();
        self.read("count", table, detail, || query.query.analyze_count(), |n| *n)
    }

    pub fn insert(&self, table: &str, values: Vec<(&str, Value)>) -> Result<Row> {
        let detail = field_names(&values);
        self.record("insert", table, detail, || self.db.insert(table, values), |_| Some(1))
    }

    pub fn update_by_id(&self, table: &str, id: i64, values: Vec<(&str, Value)>) -> Result<Row> {
        let detail = format!("id={id}, {}", field_names(&values));
        self.record("update_by_id", table, detail, || self.db.update_by_id(table, id, values), |_| Some(1))
    }

    pub fn delete_by_id(&self, table: &str, id: i64) -> Result<()> {
        self.record("delete_by_id", table, format!("id={id}"), || self.db.delete_by_id(table, id), |()| None)
    }

    /// Runs `f` as one transaction; its calls are recorded as they happen, then the
    /// transaction itself (commit or rollback).
    pub fn transaction<R>(&self, f: impl FnOnce(&Traced<'a>) -> Result<R>) -> Result<R> {
        let started = Instant::now();
        let outcome = self.db.transaction(|_| f(self));
        let (detail, error) = match &outcome {
            Ok(_) => ("commit".to_string(), None),
            Err(e) => ("rollback".to_string(), Some(e.to_string())),
        };
        let micros = started.elapsed().as_micros() as u64;
        let op = Op {
            call: "transaction",
            table: String::new(),
            detail,
            examined: None,
            plan: None,
            returned: None,
            micros,
            error,
        };
        self.ops.borrow_mut().push(op);
        outcome
    }
}

/// A [`bazoola::Query`] being put together through [`Traced::query`], with what it is
/// asked written down for the panel. Cloning it gives a second query with the same steps
/// so far (a page's rows and the count of all of them, say).
#[derive(Clone)]
pub struct TracedQuery<'t, 'a> {
    traced: &'t Traced<'a>,
    table: String,
    query: bazoola::Query<'a>,
    cond: Option<Cond>,
    joins: Vec<Join>,
    /// `due_date`, `id DESC`.
    order: Vec<String>,
    limit: Option<u64>,
    offset: u64,
    fields: Option<Vec<String>>,
    group_by: Vec<String>,
    /// `COUNT() AS n`.
    aggs: Vec<String>,
}

impl<'a> TracedQuery<'_, 'a> {
    /// Keeps the rows satisfying `cond` (ANDed with any condition already given).
    pub fn filter(mut self, cond: Cond) -> Self {
        self.query = self.query.filter(cond.clone());
        self.cond = Some(match self.cond.take() {
            Some(first) => first.and(cond),
            None => cond,
        });
        self
    }

    /// Adds a join or a relation count ([`Join::count`]).
    pub fn join(mut self, join: Join) -> Self {
        self.query = self.query.join(join.clone());
        self.joins.push(join);
        self
    }

    /// Orders by `field` ascending (nulls first); later calls order ties.
    pub fn order_by(mut self, field: &str) -> Self {
        self.query = self.query.order_by(field);
        self.order.push(field.to_string());
        self
    }

    /// Orders by `field` descending (nulls last); later calls order ties.
    pub fn order_by_desc(mut self, field: &str) -> Self {
        self.query = self.query.order_by_desc(field);
        self.order.push(format!("{field} DESC"));
        self
    }

    pub fn limit(mut self, n: u64) -> Self {
        self.query = self.query.limit(n);
        self.limit = Some(n);
        self
    }

    pub fn offset(mut self, n: u64) -> Self {
        self.query = self.query.offset(n);
        self.offset = n;
        self
    }

    /// Returns only these fields (and `id`).
    pub fn fields(mut self, names: &[&str]) -> Self {
        self.query = self.query.fields(names);
        self.fields = Some(names.iter().map(|n| n.to_string()).collect());
        self
    }

    /// Groups the aggregate by these fields.
    pub fn group_by(mut self, fields: &[&str]) -> Self {
        self.query = self.query.group_by(fields);
        self.group_by = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// The aggregates to compute, each under its key.
    pub fn aggregates(mut self, aggs: &[(&str, Agg)]) -> Self {
        self.query = self.query.aggregates(aggs);
        self.aggs = aggs.iter().map(|(key, agg)| format!("{agg} AS {key}")).collect();
        self
    }

    /// What the query was asked, as the panel shows it: the condition and joins as the
    /// API names them, then `FIELDS`, `GROUP BY`, `ORDER BY`, `LIMIT`, `OFFSET`; an
    /// aggregate starts with its functions (`COUNT() AS n WHERE … GROUP BY status`).
    pub fn describe(&self) -> String {
        let mut detail = with_joins(self.cond.as_ref().map(describe_cond).unwrap_or_default(), &self.joins);
        if !self.aggs.is_empty() {
            let aggs = self.aggs.join(", ");
            detail = if detail.is_empty() { aggs } else { format!("{aggs} WHERE {detail}") };
        }
        let mut clause = |words: String| {
            if !detail.is_empty() {
                detail.push(' ');
            }
            detail.push_str(&words);
        };
        if let Some(fields) = &self.fields {
            clause(format!("FIELDS {}", fields.join(", ")));
        }
        if !self.group_by.is_empty() {
            clause(format!("GROUP BY {}", self.group_by.join(", ")));
        }
        if !self.order.is_empty() {
            clause(format!("ORDER BY {}", self.order.join(", ")));
        }
        if let Some(limit) = self.limit {
            clause(format!("LIMIT {limit}"));
        }
        if self.offset > 0 {
            clause(format!("OFFSET {}", self.offset));
        }
        detail
    }

    /// The rows, in order (`Query::rows`).
    pub fn rows(self) -> Result<Vec<Row>> {
        let detail = self.describe();
        self.rows_as("query.rows", detail, |rows| rows.len() as u64)
    }

    /// The rows, recorded as `call` with `detail`.
    fn rows_as(self, call: &'static str, detail: String, returned: fn(&[Row]) -> u64) -> Result<Vec<Row>> {
        self.traced.read(call, &self.table, detail, || self.query.analyze(), |rows| returned(rows))
    }

    /// The number of rows, offset and limit applied (`Query::count`).
    pub fn count(self) -> Result<u64> {
        let detail = self.describe();
        self.traced.read("query.count", &self.table, detail, || self.query.analyze_count(), |n| *n)
    }

    /// One row per group, holding the group's values and the aggregates
    /// (`Query::aggregate`).
    pub fn aggregate(self) -> Result<Vec<Row>> {
        let detail = self.describe();
        self.traced.read(
            "query.aggregate",
            &self.table,
            detail,
            || self.query.analyze(),
            |rows| rows.len() as u64,
        )
    }
}

fn field_names(values: &[(&str, Value)]) -> String {
    values.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

fn with_joins(mut detail: String, joins: &[Join]) -> String {
    for join in joins {
        if !detail.is_empty() {
            detail.push_str(", ");
        }
        detail.push_str(&describe_join(join));
    }
    detail
}

/// A join as the API builds it: `Join(owner_id → owner, users)`.
pub fn describe_join(join: &Join) -> String {
    let name = match join.kind {
        JoinKind::Forward => "Join",
        JoinKind::Inverse => "InverseJoin",
        JoinKind::Count => "InverseCount",
    };
    let mut nested: String = join.joins.iter().map(|j| format!(".with({})", describe_join(j))).collect();
    if let Some(cond) = &join.cond {
        nested.push_str(&format!(".filter({})", describe_cond(cond)));
    }
    if let Some(through) = &join.through {
        nested.push_str(&format!(".through({})", describe_join(through)));
    }
    format!("{name}({} → {}, {}){nested}", join.fk_field, join.key, join.table)
}

/// A condition as the API names it: `EQ(project_id=3)`, `OR(ISUBSTR(name='web'), …)`.
pub fn describe_cond(cond: &Cond) -> String {
    let pairs = |name: &str, pairs: &[(String, Value)]| {
        let body: Vec<String> = pairs.iter().map(|(f, v)| format!("{f}={}", v.repr())).collect();
        format!("{name}({})", body.join(", "))
    };
    let texts = |name: &str, pairs: &[(String, String)]| {
        let body: Vec<String> =
            pairs.iter().map(|(f, v)| format!("{f}={}", Value::from(v.as_str()).repr())).collect();
        format!("{name}({})", body.join(", "))
    };
    let list = |name: &str, conds: &[Cond]| {
        let body: Vec<String> = conds.iter().map(describe_cond).collect();
        format!("{name}({})", body.join(", "))
    };
    match cond {
        Cond::Eq(p) => pairs("EQ", p),
        Cond::Ne(p) => pairs("NE", p),
        Cond::Lt(p) => pairs("LT", p),
        Cond::Gt(p) => pairs("GT", p),
        Cond::Le(p) => pairs("LE", p),
        Cond::Ge(p) => pairs("GE", p),
        Cond::Substr(p) => texts("SUBSTR", p),
        Cond::ISubstr(p) => texts("ISUBSTR", p),
        Cond::In(field, values) => {
            let body: Vec<String> = values.iter().map(Value::repr).collect();
            format!("IN({field}=[{}])", body.join(", "))
        }
        Cond::IsNull(field) => format!("IS_NULL({field})"),
        Cond::And(c) => list("AND", c),
        Cond::Or(c) => list("OR", c),
        Cond::Not(c) => format!("NOT({})", describe_cond(c)),
        Cond::Custom(_) => "Custom(…)".into(),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(Cond::eq("project_id", 3), "EQ(project_id=3)")]
    #[case(Cond::isubstr("name", "it's"), "ISUBSTR(name='it\\'s')")]
    #[case(Cond::isubstr("name", "web").or(Cond::isubstr("description", "web")), "OR(ISUBSTR(name='web'), ISUBSTR(description='web'))")]
    #[case(Cond::is_in("task_id", [1, 2]), "IN(task_id=[1, 2])")]
    #[case(!Cond::is_null("due_date"), "NOT(IS_NULL(due_date))")]
    fn conditions_are_named_as_in_the_api(#[case] cond: Cond, #[case] expected: &str) {
        assert_eq!(describe_cond(&cond), expected);
    }

    #[test]
    fn joins_are_named_as_in_the_api() {
        let join = Join::forward("task_id", "task", "tasks").with(Join::forward(
            "project_id",
            "project",
            "projects",
        ));
        assert_eq!(
            with_joins("id=1".into(), &[join, Join::inverse("task_id", "comments", "comments")]),
            "id=1, Join(task_id → task, tasks).with(Join(project_id → project, projects)), \
             InverseJoin(task_id → comments, comments)"
        );
    }

    #[test]
    fn queries_are_described_as_they_are_built_and_recorded_with_their_plans() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path(), crate::schema::tables()).unwrap();
        crate::sample::fill(&db).unwrap();
        let traced = Traced::new(&db);
        let todo = traced.query("tasks").filter(Cond::eq("status", "todo"));
        let page = todo
            .clone()
            .join(Join::forward("project_id", "project", "projects"))
            .order_by("due_date")
            .order_by_desc("id")
            .limit(20)
            .offset(20);
        assert_eq!(
            page.describe(),
            "EQ(status='todo'), Join(project_id → project, projects) ORDER BY due_date, id DESC LIMIT 20 OFFSET 20"
        );
        let total = todo.clone().count().unwrap();
        let second = page.rows().unwrap();
        let titles = traced.query("tasks").fields(&["title"]).order_by("title").limit(3).rows().unwrap();
        let per_status = traced
            .query("tasks")
            .filter(Cond::eq("project_id", 1))
            .group_by(&["status"])
            .aggregates(&[("n", Agg::Count), ("hours", Agg::Sum("estimated_hours".into()))])
            .aggregate()
            .unwrap();
        let ops = traced.into_ops();

        assert_eq!(total, 23);
        assert_eq!(second.len(), 3);
        assert!(second
            .iter()
            .all(|t| t["status"].as_str() == Some("todo") && matches!(t["project"], Value::Row(_))));
        assert_eq!(titles.len(), 3);
        assert_eq!(titles[0].len(), 2, "id and title only");
        let in_progress = per_status.iter().find(|g| g["status"].as_str() == Some("in_progress")).unwrap();
        assert_eq!((in_progress["n"].clone(), in_progress["hours"].clone()), (Value::Int(1), Value::Int(40)));

        let summary: Vec<(&str, &str, Option<u64>)> =
            ops.iter().map(|op| (op.call, op.detail.as_str(), op.returned)).collect();
        assert_eq!(
            summary,
            [
                ("query.count", "EQ(status='todo')", Some(23)),
                (
                    "query.rows",
                    "EQ(status='todo'), Join(project_id → project, projects) ORDER BY due_date, id DESC LIMIT 20 \
                     OFFSET 20",
                    Some(3)
                ),
                ("query.rows", "FIELDS title ORDER BY title LIMIT 3", Some(3)),
                (
                    "query.aggregate",
                    "COUNT() AS n, SUM(estimated_hours) AS hours WHERE EQ(project_id=1) GROUP BY status",
                    Some(3)
                ),
            ]
        );
        assert!(ops.iter().all(|op| op.plan.is_some() && op.examined.is_some() && op.error.is_none()));
        assert!(
            ops[0].plan.as_deref().unwrap().starts_with("tasks via index on status"),
            "{:?}",
            ops[0].plan
        );
        assert!(ops[1].plan.as_deref().unwrap().contains("limit 20 offset 20"), "{:?}", ops[1].plan);
        assert!(ops[3].plan.as_deref().unwrap().contains("aggregate COUNT() AS n"), "{:?}", ops[3].plan);
    }

    #[test]
    fn a_query_the_engine_refuses_is_recorded_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path(), crate::schema::tables()).unwrap();
        let traced = Traced::new(&db);
        assert!(traced.query("tasks").order_by("nope").rows().is_err());
        let ops = traced.into_ops();
        assert_eq!(
            (ops[0].call, ops[0].detail.as_str(), ops[0].plan.as_deref()),
            ("query.rows", "ORDER BY nope", None)
        );
        assert!(ops[0].error.as_deref().unwrap().contains("nope"), "{:?}", ops[0].error);
    }

    #[test]
    fn every_call_is_recorded_with_rows_examined_and_returned() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path(), crate::schema::tables()).unwrap();
        crate::sample::fill(&db).unwrap();
        let traced = Traced::new(&db);
        let users = traced.find_all("users", &[]).unwrap();
        let missing = traced.find_by_id("users", 999, &[]).unwrap();
        let refused = traced.insert("users", vec![("username", "x".repeat(21).into())]);
        let ops = traced.into_ops();
        assert_eq!(users.len(), 4);
        assert!(missing.is_none());
        assert!(refused.is_err());
        assert_eq!(ops.len(), 3);
        assert_eq!(
            (ops[0].call, ops[0].table.as_str(), ops[0].examined, ops[0].returned),
            ("find_all", "users", Some(4), Some(4))
        );
        assert_eq!((ops[1].call, ops[1].detail.as_str(), ops[1].returned), ("find_by_id", "id=999", Some(0)));
        assert_eq!(ops[2].error.as_deref(), Some("'username': The value is too long"));
    }
}
