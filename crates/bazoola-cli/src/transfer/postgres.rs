//! [`migrate()`]: the whole database into PostgreSQL, in one transaction there.
//!
//! 1. Connect (any libpq-style URL or `key=value` string; see [`connection`]).
//! 2. Read every table inside one transaction of the database (one state of it).
//! 3. In one PostgreSQL transaction: look for tables of the same names in the current
//!    schema — refuse if there are any, or with `replace` drop them; create the tables
//!    bare (columns, types, NOT NULL; `id` an identity column) in FK order; `COPY … FROM
//!    STDIN` each table's rows, streamed; then add the primary keys, UNIQUE and FK
//!    constraints (with their `ON DELETE` rules) and the indexes — built once over all
//!    rows, as `pg_dump` does, and checked against them; set each id sequence past the
//!    largest id; commit. Any failure rolls the whole transaction back, so the target is
//!    left as it was: without the tables, or with the old ones under `replace`.
//!
//! The types and constraints are those of the `postgres` dump dialect
//! ([`super::Dialect`]).

use std::io::Write;
use std::ops::ControlFlow;
use std::time::Duration;

use bazoola::{Database, Indexing, TableSchema, Value};
use postgres::config::Host;
use postgres::{Config, NoTls};

use super::dialect::Dialect;
use super::dump::setval_sql;
use super::error::{Result, TransferError};
use super::order::fk_order;
use super::progress::{Progress, WORTH_SHOWING_ROWS};
use super::txn::Snapshot;

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Default)]
pub struct MigrateOptions {
    /// Drop tables of the same names in the target first (in the same transaction).
    pub replace: bool,
    /// Draw a progress bar on standard error when it is a terminal.
    pub progress: bool,
}

/// What a migration copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    /// The target, without its password.
    pub target: String,
    /// Each table and its rows, in the order they were created.
    pub tables: Vec<(String, u64)>,
    /// Tables of the target that were dropped first (`replace`).
    pub replaced: Vec<String>,
}

impl MigrateReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

impl std::fmt::Display for MigrateReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "copied {} tables, {} rows, to {}", self.tables.len(), self.rows(), self.target)?;
        if !self.replaced.is_empty() {
            write!(f, " (replacing {})", self.replaced.join(", "))?;
        }
        Ok(())
    }
}

/// The connection `url` describes, with libpq's defaults where it is silent: the host
/// from `PGHOST`, else the Unix socket directory `/var/run/postgresql` when there is
/// one, else `localhost`; the port, user, password and database from `PGPORT`,
/// `PGUSER` (else the login name), `PGPASSWORD` and `PGDATABASE`. Also returns the
/// target as it is shown in messages (`user@host:port/db`, no password).
pub fn connection(url: &str) -> Result<(Config, String)> {
    let mut config: Config = url.parse().map_err(|source| TransferError::Postgres {
        target: "(the connection string given)".into(),
        doing: "reading the connection string".into(),
        source,
    })?;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        let socket_dir = std::path::Path::new("/var/run/postgresql");
        let host = env("PGHOST").unwrap_or_else(|| {
            if socket_dir.is_dir() {
                socket_dir.display().to_string()
            } else {
                "localhost".into()
            }
        });
        config.host(&host);
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        if let Some(user) = env("PGUSER").or_else(|| env("USER")).or_else(|| env("LOGNAME")) {
            config.user(&user);
        }
    }
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(db) = env("PGDATABASE") {
            config.dbname(&db);
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let target = describe(&config);
    Ok((config, target))
}

fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(dir)) => dir.display().to_string(),
        None => String::new(),
    };
    let port = config.get_ports().first().map_or(String::new(), |p| format!(":{p}"));
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}{port}/{db}")
}

/// Copies every table of `db` into the PostgreSQL database at `url` (see the module doc).
pub fn migrate(db: &Database, url: &str, options: &MigrateOptions) -> Result<MigrateReport> {
    let (config, target) = connection(url)?;
    let pg_error = |doing: &str| {
        let target = target.clone();
        let doing = doing.to_string();
        move |source| TransferError::Postgres { target, doing, source }
    };
    let mut client = config.connect(NoTls).map_err(pg_error("connecting"))?;
    let _snapshot = Snapshot::begin(db)?;
    let schemas = db.tables()?;
    let order = fk_order(&schemas);
    let ordered: Vec<&TableSchema> = order.tables.iter().map(|&t| &schemas[t]).collect();
    let mut total = 0;
    for schema in &schemas {
        total += db.count(&schema.name, None)?;
    }

    let mut tx = client.transaction().map_err(pg_error("starting a transaction"))?;
    let names: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
    let existing: Vec<String> = tx
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name",
            &[&names],
        )
        .map_err(pg_error("looking for tables of the same names"))?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if !existing.is_empty() {
        if !options.replace {
            return Err(TransferError::TargetExists { target, tables: existing });
        }
        let list: Vec<String> = existing.iter().map(|t| Dialect::Postgres.ident(t)).collect();
        tx.batch_execute(&format!("DROP TABLE {};", list.join(", ")))
            .map_err(pg_error("dropping the tables to replace"))?;
    }

    let d = Dialect::Postgres;
    let mut ddl = String::new();
    for schema in &ordered {
        ddl.push_str(&d.create_table(schema, &|_| false, true));
        ddl.push('\n');
    }
    tx.batch_execute(&ddl).map_err(pg_error("creating the tables"))?;

    let progress = Progress::start_at(options.progress, "migrating", total, WORTH_SHOWING_ROWS);
    let mut copied = Vec::new();
    for schema in &ordered {
        let rows = copy_table(db, &mut tx, schema, &progress, &target)?;
        copied.push((schema.name.clone(), rows));
    }

    let mut constraints = String::new();
    for schema in &ordered {
        let table = d.ident(&schema.name);
        constraints.push_str(&format!("ALTER TABLE {table} ADD PRIMARY KEY ({});\n", d.ident("id")));
        for field in schema.fields.iter().filter(|f| f.indexing == Indexing::Unique) {
            constraints.push_str(&format!("ALTER TABLE {table} ADD UNIQUE ({});\n", d.ident(&field.name)));
        }
    }
    tx.batch_execute(&constraints).map_err(pg_error("adding primary keys and unique constraints"))?;
    for schema in &ordered {
        for field in &schema.fields {
            if let Some(sql) = d.add_foreign_key(schema, field) {
                tx.batch_execute(&sql)
                    .map_err(pg_error(&format!("adding the foreign key {}.{}", schema.name, field.name)))?;
            }
        }
    }
    let mut rest = String::new();
    for schema in &ordered {
        for index in d.create_indexes(schema) {
            rest.push_str(&index);
            rest.push('\n');
        }
        rest.push_str(&setval_sql(schema));
        rest.push('\n');
    }
    tx.batch_execute(&rest).map_err(pg_error("creating the indexes and setting the id sequences"))?;
    tx.commit().map_err(pg_error("committing"))?;
    Ok(MigrateReport { target, tables: copied, replaced: existing })
}

/// `COPY t (…) FROM STDIN` with the table's rows, in PostgreSQL's text format.
fn copy_table(
    db: &Database,
    tx: &mut postgres::Transaction<'_>,
    schema: &TableSchema,
    progress: &Progress,
    target: &str,
) -> Result<u64> {
    let d = Dialect::Postgres;
    let columns: Vec<String> = schema.fields.iter().map(|f| d.ident(&f.name)).collect();
    let statement = format!("COPY {} ({}) FROM STDIN", d.ident(&schema.name), columns.join(", "));
    let doing = format!("copying the rows of {}", schema.name);
    let pg_error =
        |source| TransferError::Postgres { target: target.to_string(), doing: doing.clone(), source };
    let mut writer = tx.copy_in(&statement).map_err(pg_error)?;
    let mut failed = None;
    let mut line = Vec::with_capacity(256);
    db.for_each(&schema.name, None, |row| {
        line.clear();
        for (i, value) in row.values().iter().enumerate() {
            if i > 0 {
                line.push(b'\t');
            }
            match value {
                Value::Null => line.extend_from_slice(b"\\N"),
                Value::Int(n) => {
                    let _ = write!(line, "{n}");
                }
                Value::Text(text) => {
                    if text.contains('\0') {
                        failed = Some(TransferError::Unsupported {
                            dialect: "postgres",
                            table: schema.name.clone(),
                            field: Some(schema.fields[i].name.clone()),
                            id: Some(row.id()),
                            problem: "the text holds a NUL character, which PostgreSQL cannot store".into(),
                        });
                        return ControlFlow::Break(());
                    }
                    copy_escape(&mut line, text);
                }
                other => copy_escape(&mut line, &other.to_string()),
            }
        }
        line.push(b'\n');
        if let Err(source) = writer.write_all(&line) {
            failed = Some(TransferError::Write { what: "COPY data", source });
            return ControlFlow::Break(());
        }
        progress.advance(1);
        ControlFlow::Continue(())
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    writer.finish().map_err(|source| TransferError::Postgres {
        target: target.to_string(),
        doing: format!("copying the rows of {}", schema.name),
        source,
    })
}

/// Text as a field of COPY's text format: backslash, tab, newline and carriage return
/// escaped.
fn copy_escape(out: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_directories_and_defaults_come_from_the_url() {
        let (config, target) = connection("postgresql:///shop?host=/tmp/pg%20sock&user=postgres").unwrap();
        assert_eq!(config.get_hosts(), &[Host::Unix("/tmp/pg sock".into())]);
        assert_eq!(target, "postgres@/tmp/pg sock/shop");
        let (config, target) = connection("postgresql://ann:secret@db.example:6543/shop").unwrap();
        assert_eq!(config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        assert!(!target.contains("secret"), "{target}");
        assert_eq!(target, "ann@db.example:6543/shop");
        let (_, target) = connection("host=/run/pg user=bob dbname=x").unwrap();
        assert_eq!(target, "bob@/run/pg/x");
    }

    #[test]
    fn a_bad_url_is_named_without_echoing_it() {
        let error = connection("postgresql://ann:secret@host:notaport/db").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("reading the connection string"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn copy_text_escapes() {
        let mut out = Vec::new();
        copy_escape(&mut out, "a\tb\nc\\d\re ü");
        assert_eq!(out, b"a\\tb\\nc\\\\d\\re \xC3\xBC");
    }
}
