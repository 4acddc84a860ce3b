//! "How this page was built": a database handle that records every call a request makes.
//!
//! [`Traced`] wraps a [`Database`] for the length of one request and exposes the calls
//! the pages use, under the API's own names. Each call is recorded as an [`Op`]: the
//! table, the condition and joins written as in the API (`ISUBSTR(name='web')`,
//! `Join(owner_id → owner, users)`), the rows returned and the time — and for a read,
//! the plan the engine ran (`Query::analyze`: which index, how many rows each step
//! examined).

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::time::Instant;

use bazoola::{Cond, Database, Join, JoinKind, Plan, Result, Row, Value};
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

    fn query(&self, table: &str, cond: Option<&Cond>, joins: &[Join]) -> bazoola::Query<'a> {
        let mut query = self.db.query(table);
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
        let query = self.query(table, Some(&Cond::eq("id", id)), joins);
        self.read(
            "find_by_id",
            table,
            detail,
            || query.analyze().map(|(rows, plan)| (rows.into_iter().next(), plan)),
            |row| u64::from(row.is_some()),
        )
    }

    pub fn find_all(&self, table: &str, joins: &[Join]) -> Result<Vec<Row>> {
        let detail = with_joins(String::new(), joins);
        let query = self.query(table, None, joins);
        self.read("find_all", table, detail, || query.analyze(), |rows| rows.len() as u64)
    }

    pub fn find_by_cond(&self, table: &str, cond: &Cond, joins: &[Join]) -> Result<Vec<Row>> {
        let detail = with_joins(describe_cond(cond), joins);
        let query = self.query(table, Some(cond), joins);
        self.read("find_by_cond", table, detail, || query.analyze(), |rows| rows.len() as u64)
    }

    pub fn count(&self, table: &str, cond: Option<&Cond>) -> Result<u64> {
        let detail = cond.map(describe_cond).unwrap_or_default();
        let query = self.query(table, cond, &[]);
        self.read("count", table, detail, || query.analyze_count(), |n| *n)
    }

    /// Streams every row of `table` to `visit` without collecting them.
    pub fn for_each(&self, table: &str, mut visit: impl FnMut(&Row)) -> Result<u64> {
        let mut seen = 0;
        let run = || {
            self.db.for_each(table, None, |row| {
                seen += 1;
                visit(&row);
                ControlFlow::Continue(())
            })
        };
        self.record("for_each", table, String::new(), run, |()| None)?;
        let last = self.ops.borrow().len() - 1;
        self.ops.borrow_mut()[last].returned = Some(seen);
        Ok(seen)
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
