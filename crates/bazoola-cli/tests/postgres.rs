//! PostgreSQL for real: each test starts a throwaway server (Debian's `postgresql`
//! package, installed by `scripts/test.d/15-postgres` when missing — run from here too,
//! so a plain `cargo test` works on a fresh machine), `initdb` in a temporary directory
//! and a Unix socket there only, run as the unprivileged `postgres` user when the tests
//! run as root (the server refuses root). The server is stopped when its guard drops —
//! at the end of the test, or when it panics. A machine where PostgreSQL cannot be
//! installed fails these tests; it never skips them.
//!
//! Checked after `.dump --dialect postgres` is loaded with `psql`, and after `migrate`:
//! every row of every table, the types, every constraint (a bad FK, a duplicate unique
//! value, a null in a NOT NULL column, a restricted delete each fail in PostgreSQL too;
//! CASCADE and SET NULL deletes do what ours do), the indexes, and each id sequence (an
//! insert without an id gets the largest id + 1).

#[path = "data/fixture.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bazoola::{Database, Field, TableSchema, Value};
use bazoola_cli::transfer::{dump, migrate, Dialect, DumpOptions, MigrateOptions, TransferError};
use postgres::types::Type;
use postgres::{Client, NoTls};

/// A PostgreSQL server of this test's own.
struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Whether the server's commands run as `postgres` (the tests run as root).
    as_postgres: bool,
}

/// The directory of the newest installed server's binaries, installing PostgreSQL
/// first if there is none.
fn server_bin() -> PathBuf {
    let find = || -> Option<PathBuf> {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(_, bin): &(u32, PathBuf)| bin.join("pg_ctl").exists())
            .collect();
        found.sort();
        found.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = find() {
        return bin;
    }
    // The tests of this file run in parallel: one of them installs, the others wait.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(bin) = find() {
        return bin;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test.d/15-postgres");
    let status = Command::new(&script).status();
    find().unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server is not installed and {} could not install it ({status:?}): \
             these tests need it (apt-get install postgresql)",
            script.display()
        )
    })
}

fn check(output: std::io::Result<Output>, what: &str) -> Output {
    let output = output.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl Server {
    fn start() -> Server {
        let bin = server_bin();
        let dir = tempfile::Builder::new().prefix("bazoola-pg").tempdir().expect("temporary directory");
        // SAFETY: geteuid has no preconditions and cannot fail.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        if as_postgres {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("give the directory to postgres");
        }
        let server = Server { dir, bin, as_postgres };
        std::fs::create_dir(server.socket_dir()).expect("socket directory");
        if as_postgres {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(server.socket_dir(), Some(uid), Some(gid))
                .expect("chown socket directory");
        }
        let data = server.data_dir();
        check(
            server
                .command("initdb")
                .args(["-D"])
                .arg(&data)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N"])
                .output(),
            "initdb",
        );
        let options = format!(
            "-c listen_addresses='' -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            server.socket_dir().display()
        );
        let log = server.dir.path().join("server.log");
        let started = server
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "120", "-o", &options, "start"])
            .output();
        if !started.as_ref().is_ok_and(|o| o.status.success()) {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("pg_ctl start failed: {started:?}\n{log}");
        }
        server
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    /// A server program, run as `postgres` when the tests run as root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn url(&self, db: &str) -> String {
        format!("postgresql:///{db}?host={}&user=postgres", self.socket_dir().display())
    }

    fn client(&self, db: &str) -> Client {
        Client::connect(&self.url(db), NoTls).unwrap_or_else(|e| panic!("connect to {db}: {e}"))
    }

    fn create_db(&self, name: &str) {
        self.client("postgres")
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("create database");
    }

    /// Runs `psql -f file` on database `db`, stopping at the first error.
    fn psql_file(&self, db: &str, file: &Path) -> Output {
        let psql = self.bin.join("psql");
        let psql = if psql.exists() { psql } else { PathBuf::from("psql") };
        Command::new(psql)
            .arg("-h")
            .arg(self.socket_dir())
            .args(["-U", "postgres", "-d", db, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(file)
            .output()
            .expect("run psql")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn postgres_user() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    let line = passwd
        .lines()
        .find(|l| l.starts_with("postgres:"))
        .expect("the postgres user exists once the postgresql package is installed");
    let fields: Vec<&str> = line.split(':').collect();
    (fields[2].parse().expect("uid"), fields[3].parse().expect("gid"))
}

/// Tables' rows in id order, from PostgreSQL, as our values.
fn pg_contents(client: &mut Client, tables: &[TableSchema]) -> BTreeMap<String, Vec<Vec<Value>>> {
    let mut out = BTreeMap::new();
    for schema in tables {
        let rows =
            client.query(&format!("SELECT * FROM \"{}\" ORDER BY id", schema.name), &[]).expect("select");
        let rows = rows
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        let ty = row.columns()[i].type_().clone();
                        if ty == Type::INT4 {
                            row.get::<_, Option<i32>>(i).map_or(Value::Null, |n| Value::Int(n.into()))
                        } else if ty == Type::INT8 {
                            row.get::<_, Option<i64>>(i).map_or(Value::Null, Value::Int)
                        } else {
                            row.get::<_, Option<String>>(i).map_or(Value::Null, Value::Text)
                        }
                    })
                    .collect()
            })
            .collect();
        out.insert(schema.name.clone(), rows);
    }
    out
}

fn sqlstate(result: Result<u64, postgres::Error>) -> String {
    match result {
        Ok(n) => format!("no error ({n} rows)"),
        Err(e) => e.code().map_or_else(|| e.to_string(), |c| c.code().to_string()),
    }
}

/// Compares database `name` with `db` row for row, then checks its types, constraints,
/// indexes and sequences — deleting the same rows on both sides to compare the rules.
fn check_target(server: &Server, name: &str, db: &Database) {
    let tables = db.tables().unwrap();
    let mut client = server.client(name);
    assert_eq!(pg_contents(&mut client, &tables), fixture::by_id(db), "rows in {name}");

    let types: Vec<(String, String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text, \
             data_type || coalesce('(' || character_maximum_length || ')', '') \
             FROM information_schema.columns WHERE table_name IN ('books', 'authors') \
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let expect = |t: &str, c: &str, ty: &str| (t.to_string(), c.to_string(), ty.to_string());
    assert_eq!(
        types,
        vec![
            expect("authors", "id", "bigint"),
            expect("authors", "name", "character varying(40)"),
            expect("authors", "bio", "text"),
            expect("authors", "born", "integer"),
            expect("books", "id", "bigint"),
            expect("books", "title", "character varying(60)"),
            expect("books", "author_id", "bigint"),
            expect("books", "shelf_id", "bigint"),
            expect("books", "editor_id", "bigint"),
            expect("books", "year", "integer"),
            expect("books", "isbn", "bigint"),
            expect("books", "blurb", "text"),
        ]
    );
    let rules: Vec<(String, String, String)> = client
        .query(
            "SELECT conrelid::regclass::text, a.attname::text, confdeltype::text FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE contype = 'f' ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        rules,
        vec![
            expect("books", "author_id", "r"),
            expect("books", "editor_id", "a"),
            expect("books", "shelf_id", "n"),
            expect("reviews", "book_id", "c"),
            expect("topics", "parent_id", "c"),
        ]
    );
    let indexes: Vec<String> = client
        .query("SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for index in [
        "books_author_id_idx",
        "books_shelf_id_idx",
        "books_year_idx",
        "reviews_book_id_idx",
        "shelves_code_idx",
        "topics_parent_id_idx",
    ] {
        assert!(indexes.iter().any(|i| i == index), "{index} missing from {indexes:?}");
    }
    assert!(
        !indexes.iter().any(|i| i.starts_with("books_editor_id")),
        "a NOINDEX FK got an index: {indexes:?}"
    );
    assert_eq!(indexes.iter().filter(|i| i.ends_with("_pkey")).count(), 5, "{indexes:?}");
    assert_eq!(indexes.iter().filter(|i| i.ends_with("_key")).count(), 2, "unique constraints: {indexes:?}");

    // Each sequence hands out the largest id + 1 (checked first: a failed insert uses
    // up a value). The rows go again with the transaction.
    let inserts = [
        ("authors", "INSERT INTO authors (name) VALUES ('New') RETURNING id"),
        ("books", "INSERT INTO books (title, author_id) VALUES ('New', 1) RETURNING id"),
        ("reviews", "INSERT INTO reviews (book_id, body, stars) VALUES (2, 'new', 1) RETURNING id"),
        ("shelves", "INSERT INTO shelves DEFAULT VALUES RETURNING id"),
        ("topics", "INSERT INTO topics (name) VALUES ('new') RETURNING id"),
    ];
    for (table, sql) in inserts {
        let largest = fixture::by_id(db)[table].iter().filter_map(|r| r[0].as_int()).max().unwrap_or(0);
        let mut txn = client.transaction().unwrap();
        let id: i64 = txn.query_one(sql, &[]).unwrap().get(0);
        txn.rollback().unwrap();
        assert_eq!(id, largest + 1, "next id of {table}");
    }

    // Violations fail there as here: 23503 foreign key, 23505 unique, 23502 not null.
    let refused = [
        ("INSERT INTO books (title, author_id) VALUES ('x', 999)", "23503"),
        ("INSERT INTO books (title, author_id, isbn) VALUES ('x', 1, 2)", "23505"),
        ("INSERT INTO authors (name) VALUES ('Stanisław Lem')", "23505"),
        ("INSERT INTO books (author_id) VALUES (1)", "23502"),
        ("INSERT INTO topics (name, parent_id) VALUES ('x', 77)", "23503"),
        ("DELETE FROM authors WHERE id = 2", "23503"),
    ];
    for (sql, code) in refused {
        assert_eq!(sqlstate(client.execute(sql, &[])), code, "{sql}");
    }
    assert!(db.insert("books", [("title", Value::from("x")), ("author_id", 999.into())]).is_err());
    assert!(db.delete_by_id("authors", 2).is_err());
    // CASCADE (to another table, and within one) and SET NULL delete the same rows.
    for (table, id) in [("books", 1i64), ("shelves", 1), ("topics", 50)] {
        db.delete_by_id(table, id).unwrap();
        assert_eq!(client.execute(&format!("DELETE FROM \"{table}\" WHERE id = $1"), &[&id]).unwrap(), 1);
    }
    assert_eq!(pg_contents(&mut client, &tables), fixture::by_id(db), "rows of {name} after the deletes");
}

fn quiet() -> MigrateOptions {
    MigrateOptions { replace: false, progress: false }
}

#[test]
fn a_postgres_dump_loads_with_psql_and_keeps_rows_constraints_and_sequences() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("dump.sql");
    let mut file = std::fs::File::create(&path).unwrap();
    dump(&db, &DumpOptions { dialect: Dialect::Postgres, ..DumpOptions::default() }, &mut file).unwrap();
    server.create_db("dumped");
    check(Ok(server.psql_file("dumped", &path)), "psql -f dump.sql");
    check_target(&server, "dumped", &db);
}

#[test]
fn migrate_copies_everything_in_one_transaction_and_refuses_what_it_would_overwrite() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    server.create_db("moved");
    let report = migrate(&db, &server.url("moved"), &quiet()).unwrap();
    assert_eq!(report.rows(), fixture::by_id(&db).values().map(|rows| rows.len() as u64).sum::<u64>());
    let created: Vec<&str> = report.tables.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(created, vec!["authors", "shelves", "books", "reviews", "topics"], "FK order");
    check_target(&server, "moved", &db);

    // The tables are there now: refused, and nothing changes.
    let before = pg_contents(&mut server.client("moved"), &db.tables().unwrap());
    let error = migrate(&db, &server.url("moved"), &quiet()).unwrap_err();
    match &error {
        TransferError::TargetExists { tables, .. } => {
            assert_eq!(tables, &["authors", "books", "reviews", "shelves", "topics"])
        }
        other => panic!("{other}"),
    }
    assert!(error.to_string().contains("migrate with replace"), "{error}");
    assert_eq!(pg_contents(&mut server.client("moved"), &db.tables().unwrap()), before);
    // With replace, they are dropped and copied again, in the same transaction.
    let report =
        migrate(&db, &server.url("moved"), &MigrateOptions { replace: true, progress: false }).unwrap();
    assert_eq!(report.replaced.len(), 5);
    assert_eq!(pg_contents(&mut server.client("moved"), &db.tables().unwrap()), fixture::by_id(&db));

    // A migration that fails half-way leaves the target as it was: a dangling reference
    // (NO ACTION let its row go) fails the FK check after the rows were copied.
    db.insert("authors", [("id", Value::from(30)), ("name", "Editor".into())]).unwrap();
    db.update_by_id("books", 2, [("editor_id", 30)]).unwrap();
    db.delete_by_id("authors", 30).unwrap();
    server.create_db("failed");
    let error = migrate(&db, &server.url("failed"), &quiet()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("adding the foreign key books.editor_id"), "{message}");
    assert!(message.contains("(editor_id)=(30) is not present"), "{message}");
    let tables: i64 = server
        .client("failed")
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[])
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "a failed migration left tables behind");
    let error =
        migrate(&db, &server.url("moved"), &MigrateOptions { replace: true, progress: false }).unwrap_err();
    assert!(matches!(error, TransferError::Postgres { .. }), "{error}");
    assert_eq!(
        pg_contents(&mut server.client("moved"), &db.tables().unwrap())["authors"].len(),
        fixture::by_id(&db)["authors"].len(),
        "a failed replace keeps the old tables"
    );

    // A NUL character cannot go into PostgreSQL text: refused before anything commits.
    let nul_dir = tempfile::tempdir().unwrap();
    let nul = Database::open(nul_dir.path(), [TableSchema::new("notes").field(Field::text("body"))]).unwrap();
    nul.insert("notes", [("body", "a\0b")]).unwrap();
    let error = migrate(&nul, &server.url("failed"), &quiet()).unwrap_err();
    assert_eq!((error.table(), error.field()), (Some("notes"), Some("body")), "{error}");
    let tables: i64 = server
        .client("failed")
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[])
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);

    // A server that refuses: no such database, no such user.
    let error = migrate(&db, &server.url("nope"), &quiet()).unwrap_err();
    assert!(error.to_string().contains("database \"nope\" does not exist"), "{error}");
    let url = server.url("moved").replace("user=postgres", "user=ghost");
    let error = migrate(&db, &url, &quiet()).unwrap_err();
    assert!(error.to_string().contains("role \"ghost\" does not exist"), "{error}");
    assert!(error.to_string().contains("connecting"), "{error}");
}

#[test]
fn an_unreachable_server_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    let nowhere = tempfile::tempdir().unwrap();
    let url = format!("postgresql:///x?host={}&user=postgres", nowhere.path().display());
    let error = migrate(&db, &url, &quiet()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("PostgreSQL at postgres@{}/x: connecting:", nowhere.path().display())),
        "{message}"
    );
    // Port 1 on the loopback address: nothing listens there.
    let error = migrate(&db, "postgresql://postgres@127.0.0.1:1/x", &quiet()).unwrap_err();
    assert!(error.to_string().contains("127.0.0.1:1/x: connecting"), "{error}");
    let error = migrate(&db, "postgresql://host:port/x", &quiet()).unwrap_err();
    assert!(error.to_string().contains("reading the connection string"), "{error}");
}

/// `bazoola migrate DIR URL` as a user runs it: the report on standard output, a target
/// that already has the tables refused with status 1 and the way out named, `--replace`
/// copying again; a directory that is not a database is refused before connecting.
#[test]
fn the_migrate_subcommand_copies_and_refuses_to_overwrite() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let db = fixture::build(dir.path());
    drop(db);
    server.create_db("cli");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bazoola")).arg("migrate").args(args).output().expect("run bazoola")
    };
    let dir_arg = dir.path().to_str().unwrap();
    let url = server.url("cli");
    let out = run(&[dir_arg, &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("copied 5 tables,"), "{stdout}");
    let db = Database::open_existing(dir.path()).unwrap();
    check_target(&server, "cli", &db);
    drop(db);

    let out = run(&[dir_arg, &url]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Error: ") && stderr.contains("replace"), "{stderr}");
    let out = run(&[dir_arg, &url, "--replace"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(replacing "),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let empty = tempfile::tempdir().unwrap();
    let out = run(&[empty.path().join("nothing").to_str().unwrap(), &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such database directory"));
    assert!(!empty.path().join("nothing").exists(), "a missing source is not created");
    let out = run(&[empty.path().to_str().unwrap(), &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to migrate"));
    let out = run(&[dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: bazoola migrate"));
}
