//! [`Session`]: an open database directory and the SQL run against it, statement by
//! statement, with the transaction state BEGIN … COMMIT leaves between them.

use std::path::Path;

use bazoola::{Database, OpenOptions, Value};
use sqlparser::ast;

use super::parse::{self, CachedPlan, Statement, StatementText};
use super::scope::Ctx;
use super::shape::{self, ShapeCache};
use super::{ddl, dml, run, select};
use crate::error::{CliError, Result};
use crate::session::Outcome;

/// SQL over one database directory.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// use bazoola_cli::{Outcome, Session};
/// let mut session = Session::open(dir.path())?;
/// session.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t (name) VALUES ('a'), (NULL)")?;
/// let outcome = session.execute("SELECT count(name) AS n FROM t")?.pop();
/// assert_eq!(outcome, Some(Outcome::Rows { columns: vec!["n".to_string()].into(), rows: vec![vec![1.into()]] }));
/// # Ok::<(), bazoola_cli::CliError>(())
/// ```
pub struct Session {
    db: Database,
    in_transaction: bool,
    /// The INSERTs parsed from their shapes, for the next statements of the same shape.
    shapes: ShapeCache,
}

impl Session {
    /// Opens `dir` (creating it, as `sqlite3` creates its file) with the tables its
    /// schema files describe.
    pub fn open(dir: &Path) -> Result<Session> {
        Session::open_with(dir, OpenOptions::new())
    }

    pub fn open_with(dir: &Path, options: OpenOptions) -> Result<Session> {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Io { path: dir.to_path_buf(), source })?;
        let db = options.open_existing(dir)?;
        Ok(Session { db, in_transaction: false, shapes: ShapeCache::default() })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Whether a BEGIN is waiting for its COMMIT or ROLLBACK.
    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Runs every statement of `sql` in order; stops at the first error (the statements
    /// before it have run).
    pub fn execute(&mut self, sql: &str) -> Result<Vec<Outcome>> {
        let mut outcomes = Vec::new();
        self.execute_each(sql, &mut |outcome| {
            outcomes.push(outcome);
            Ok(())
        })?;
        Ok(outcomes)
    }

    /// Runs every statement of `sql` in order, handing each outcome over as it comes;
    /// stops at the first error (of a statement, or of `on_outcome`).
    pub fn execute_each(
        &mut self,
        sql: &str,
        on_outcome: &mut dyn FnMut(Outcome) -> Result<()>,
    ) -> Result<()> {
        for piece in parse::split_statements(sql) {
            let outcome = match self.run_by_shape(&piece)? {
                Some(outcome) => outcome,
                None => {
                    let statement = parse::parse_statement(piece)?;
                    self.run(&statement)?
                }
            };
            on_outcome(outcome)?;
        }
        Ok(())
    }

    /// Runs an INSERT as the statement parsed from its shape (see [`shape`]) with its
    /// own values, parsing the shape only the first time. `None` when the statement has
    /// no shape, or when running it so gives an error that points into the text (those
    /// come before anything is written): the caller then parses the statement as
    /// written, for the same outcome and the error's true position.
    fn run_by_shape(&mut self, piece: &StatementText<'_>) -> Result<Option<Outcome>> {
        let Some(shape) = shape::of(piece.text) else { return Ok(None) };
        let statement = match self.shapes.get(&shape.text) {
            Some(statement) => statement,
            None => {
                let text = StatementText { text: &shape.text, start: piece.start, offset: piece.offset };
                match parse::parse_statement(text) {
                    Ok(s)
                        if matches!(s.ast, ast::Statement::Insert(_))
                            && s.parameter_count() == shape.values.len() =>
                    {
                        self.shapes.insert(shape.text.clone(), s)
                    }
                    _ => return Ok(None),
                }
            }
        };
        let ctx = Ctx::new(&self.db, statement, &shape.values);
        let ast::Statement::Insert(insert) = &statement.ast else { return Ok(None) };
        match dml::insert(&ctx, insert, self.in_transaction) {
            Err(CliError::Parse { .. } | CliError::Unsupported { .. }) => Ok(None),
            outcome => outcome.map(Some),
        }
    }

    /// Parses one statement, to run any number of times ([`Session::run_with`] binds
    /// values to its parameters: `?`, `?NNN`, `:name`, `@name`, `$name`).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use bazoola_cli::{Outcome, Session};
    /// let mut session = Session::open(dir.path())?;
    /// session.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")?;
    /// let insert = session.prepare("INSERT INTO t (name) VALUES (:name)")?;
    /// for name in ["a", "b"] {
    ///     session.run_with(&insert, &[name.into()])?;
    /// }
    /// let find = session.prepare("SELECT name FROM t WHERE id = ?")?;
    /// let outcome = session.run_with(&find, &[2.into()])?;
    /// assert_eq!(outcome, Outcome::Rows { columns: vec!["name".to_string()].into(), rows: vec![vec!["b".into()]] });
    /// # Ok::<(), bazoola_cli::CliError>(())
    /// ```
    pub fn prepare(&self, sql: &str) -> Result<Statement> {
        parse::parse_one(sql)
    }

    /// Runs a prepared statement that has no parameters.
    pub fn run(&mut self, statement: &Statement) -> Result<Outcome> {
        self.run_with(statement, &[])
    }

    /// Runs a prepared statement, `params[0]` bound to its parameter 1 and so on: as
    /// many values as [`Statement::parameter_count`], each a null, an integer, a real
    /// or a text. A bound value is a literal, never SQL: `'; DROP TABLE t` is a string.
    pub fn run_with(&mut self, statement: &Statement, params: &[Value]) -> Result<Outcome> {
        let expected = statement.parameter_count();
        if params.len() != expected {
            return Err(CliError::ParameterCount { expected, given: params.len() });
        }
        if let Some(bad) = params
            .iter()
            .position(|v| !matches!(v, Value::Null | Value::Int(_) | Value::Float(_) | Value::Text(_)))
        {
            return Err(CliError::ParameterValue { number: bad + 1 });
        }
        let ctx = Ctx::new(&self.db, statement, params);
        let txn = self.in_transaction;
        match &statement.ast {
            ast::Statement::Query(query) => self.select(&ctx, query),
            ast::Statement::Insert(insert) => dml::insert(&ctx, insert, txn),
            ast::Statement::Update { table, assignments, from, selection, returning } => dml::update(
                &ctx,
                table,
                assignments,
                from.as_ref(),
                selection.as_ref(),
                returning.as_deref(),
                txn,
            ),
            ast::Statement::Delete(delete) => dml::delete(&ctx, delete, txn),
            ast::Statement::CreateTable(create) => ddl::create_table(&ctx, create),
            ast::Statement::CreateIndex(create) => ddl::create_index(&ctx, create),
            ast::Statement::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                temporary: false,
                purge: false,
                ..
            } => ddl::drop(&ctx, *object_type, *if_exists, names, *cascade),
            ast::Statement::AlterTable {
                name,
                if_exists,
                only: false,
                operations,
                location: None,
                on_cluster: None,
            } => ddl::alter_table(&ctx, name, *if_exists, operations),
            ast::Statement::StartTransaction { modes, .. } if modes.is_empty() => self.begin(),
            ast::Statement::Commit { chain: false } => self.end(true),
            ast::Statement::Rollback { chain: false, savepoint: None } => self.end(false),
            ast::Statement::Rollback { savepoint: Some(_), .. } | ast::Statement::Savepoint { .. } => {
                Err(statement.unsupported("savepoints", "SAVEPOINT"))
            }
            ast::Statement::Explain {
                describe_alias: ast::DescribeAlias::Explain,
                analyze,
                statement: inner,
                format: None,
                options: None,
                ..
            } => {
                let ast::Statement::Query(query) = &**inner else {
                    return Err(statement.unsupported("EXPLAIN of a statement other than SELECT", "EXPLAIN"));
                };
                let plan = select::plan(&ctx, query, None)?;
                Ok(Outcome::Plan(run::explain(&self.db, &plan, *analyze)?))
            }
            _ => {
                let word = statement.sql().split_whitespace().next().unwrap_or_default().to_string();
                let words: Vec<&str> = statement.sql().split_whitespace().take(2).collect();
                Err(statement.unsupported(format!("the statement {}", words.join(" ").to_uppercase()), &word))
            }
        }
    }

    /// A SELECT, run on the statement's kept plan (see [`with_plan`]).
    fn select(&self, ctx: &Ctx, query: &ast::Query) -> Result<Outcome> {
        let (columns, rows) =
            with_plan(ctx, query, |plan| Ok((plan.columns.clone(), run::rows(&self.db, plan)?)))?;
        Ok(Outcome::Rows { columns, rows })
    }

    fn begin(&mut self) -> Result<Outcome> {
        if self.in_transaction {
            return Err(CliError::Usage("cannot start a transaction within a transaction".into()));
        }
        self.db.begin()?;
        self.in_transaction = true;
        Ok(Outcome::Done)
    }

    fn end(&mut self, commit: bool) -> Result<Outcome> {
        if !self.in_transaction {
            let what = if commit { "commit" } else { "rollback" };
            return Err(CliError::Usage(format!("cannot {what} - no transaction is active")));
        }
        // The engine closes the transaction either way (a failed commit rolls back).
        self.in_transaction = false;
        if commit {
            self.db.commit()?;
        } else {
            self.db.rollback()?;
        }
        Ok(Outcome::Done)
    }
}

/// Runs `f` on a plan of `query`: the statement's plan from its last run with this
/// run's values bound, when the schemas are the same and the plan allows that; else
/// planned afresh (and kept for the next run). If `f` found schemas another handle or
/// process changed (and perhaps failed on them), the plan was made with the old ones:
/// `f` runs again on a new plan. So `f` must not change anything before its reads.
pub(super) fn with_plan<R>(
    ctx: &Ctx,
    query: &ast::Query,
    mut f: impl FnMut(&select::Select) -> Result<R>,
) -> Result<R> {
    let db = ctx.db;
    let generation = db.schema_generation();
    let mut cached = ctx.stmt.plan.borrow_mut();
    // The kept plan runs where it is kept: a plan is large, and moving it out and back
    // in on every run was a tenth of a prepared point lookup.
    if let Some(c) = cached.as_mut().filter(|c| c.generation == generation) {
        if c.select.rebind(ctx, query)? {
            let outcome = f(&c.select);
            if db.schema_generation() == generation {
                return outcome;
            }
        }
    }
    // Planned afresh, with the schemas as they are now.
    *cached = None;
    let generation = db.schema_generation();
    let plan = select::plan(ctx, query, None)?;
    let outcome = f(&plan);
    let (plan, outcome, made_with) = if db.schema_generation() == generation {
        (plan, outcome?, generation)
    } else {
        let generation = db.schema_generation();
        let plan = select::plan(ctx, query, None)?;
        let outcome = f(&plan)?;
        (plan, outcome, generation)
    };
    // Kept only if made with the schemas the handle still has.
    if plan.reusable && db.schema_generation() == made_with {
        *cached = Some(CachedPlan { generation: made_with, select: plan });
    }
    Ok(outcome)
}

/// A session dropped inside a transaction rolls it back, as closing `sqlite3` does.
impl Drop for Session {
    fn drop(&mut self) {
        if self.in_transaction {
            let _ = self.db.rollback();
        }
    }
}
