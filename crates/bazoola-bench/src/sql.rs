//! The SPEC §7 workload issued as SQL text through the shell's library entry point,
//! [`bazoola_cli::Session`] (`session.execute(sql)`): parsing, lowering onto the planner
//! and running, every call, as `bazoola DIR "SQL"` does. Compared with [`crate::Bazoola`]
//! (the Rust API on the same schema) by `main.rs` as the engine `bazoola-sql`.
//!
//! Each statement is prepared once ([`Session::prepare`]) and run with its values bound
//! to parameters ([`Session::run_with`]), as a program using SQLite does. SQL has no
//! case-sensitive substring test in the subset, so the SUBSTR phase uses `LIKE` as the
//! ISUBSTR one does (the titles are such that both count the same rows).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bazoola::{OpenOptions, SyncMode, Value};
use bazoola_cli::{Outcome, Session, Statement};

use crate::{fill_books, schemas, Engine};

pub struct BazoolaSql {
    dir: PathBuf,
    mode: SyncMode,
    session: Option<Session>,
    /// The statements prepared so far, by the address of their text: each is a
    /// literal at its call site, so this finds it without hashing the SQL, as a
    /// program holding its prepared statements would (kept across a reopen: a
    /// statement does not depend on the session that prepared it).
    prepared: HashMap<usize, Statement>,
}

impl BazoolaSql {
    /// Creates the tables with the Rust API (so the schema is exactly [`crate::Bazoola`]'s),
    /// then reopens the directory as a SQL session.
    pub fn open(dir: &Path, mode: SyncMode, year_index: bool) -> BazoolaSql {
        OpenOptions::new().sync(mode).open(dir, schemas(year_index)).expect("create bazoola").close();
        let mut sql = BazoolaSql { dir: dir.to_path_buf(), mode, session: None, prepared: HashMap::new() };
        sql.connect();
        sql
    }

    fn connect(&mut self) {
        let options = OpenOptions::new().sync(self.mode);
        self.session = Some(Session::open_with(&self.dir, options).expect("open session"));
    }

    /// Runs `sql` (prepared the first time) with `params` bound.
    fn exec(&mut self, sql: &'static str, params: &[Value]) -> Outcome {
        let session = self.session.as_mut().expect("open");
        let statement = match self.prepared.entry(sql.as_ptr() as usize) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(session.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}")))
            }
        };
        session.run_with(statement, params).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows of the SELECT `sql`.
    fn rows(&mut self, sql: &'static str, params: &[Value]) -> Vec<Vec<Value>> {
        match self.exec(sql, params) {
            Outcome::Rows { rows, .. } => rows,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn count(&mut self, sql: &'static str, params: &[Value]) -> usize {
        self.rows(sql, params)[0][0].as_int().expect("count") as usize
    }

    fn returning_id(&mut self, sql: &'static str, params: &[Value]) -> i64 {
        self.rows(sql, params)[0][0].as_int().expect("id")
    }
}

fn year_value(year: Option<i64>) -> Value {
    year.map_or(Value::Null, Value::Int)
}

impl Engine for BazoolaSql {
    fn name(&self) -> String {
        format!("bazoola-sql ({:?})", self.mode).to_lowercase()
    }
    fn insert_author(&mut self, name: &str) -> i64 {
        self.returning_id("INSERT INTO authors (name) VALUES (?) RETURNING *", &[name.into()])
    }
    fn insert_book(&mut self, title: &str, author_id: i64, year: Option<i64>) -> i64 {
        let sql = "INSERT INTO books (title, author_id, year) VALUES (?, ?, ?) RETURNING *";
        self.returning_id(sql, &[title.into(), author_id.into(), year_value(year)])
    }
    fn find_book(&mut self, id: i64) -> bool {
        !self.rows("SELECT id, title, author_id, year FROM books WHERE id = ?", &[id.into()]).is_empty()
    }
    fn find_book_with_author(&mut self, id: i64) -> bool {
        let sql = "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b \
                   LEFT JOIN authors a ON a.id = b.author_id WHERE b.id = ?";
        !self.rows(sql, &[id.into()]).is_empty()
    }
    fn books_with_year(&mut self, year: i64) -> usize {
        self.count("SELECT count(*) FROM books WHERE year = ?", &[year.into()])
    }
    fn books_after(&mut self, year: i64) -> usize {
        self.count("SELECT count(*) FROM books WHERE year > ?", &[year.into()])
    }
    fn titles_containing(&mut self, needle: &str) -> usize {
        self.count("SELECT count(*) FROM books WHERE title LIKE ?", &[format!("%{needle}%").into()])
    }
    fn titles_containing_ignore_case(&mut self, needle: &str) -> usize {
        self.count("SELECT count(*) FROM books WHERE title LIKE ?", &[format!("%{needle}%").into()])
    }
    fn all_books_with_authors(&mut self) -> usize {
        let sql = "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b \
                   LEFT JOIN authors a ON a.id = b.author_id";
        self.rows(sql, &[]).len()
    }
    fn author_with_books(&mut self, id: i64) -> usize {
        // The author and its books in one statement: an inverse join (a LEFT JOIN, so
        // that an author without books is still found).
        let sql = "SELECT a.id, a.name, b.id, b.title, b.author_id, b.year FROM authors a \
                   LEFT JOIN books b ON b.author_id = a.id WHERE a.id = ?";
        self.rows(sql, &[id.into()]).iter().filter(|row| !row[2].is_null()).count()
    }
    fn update_book_year(&mut self, id: i64, year: i64) {
        self.exec("UPDATE books SET year = ? WHERE id = ?", &[year.into(), id.into()]);
    }
    fn delete_book(&mut self, id: i64) {
        self.exec("DELETE FROM books WHERE id = ?", &[id.into()]);
    }
    fn reopen_and_count(&mut self) -> usize {
        self.session = None;
        self.connect();
        self.count("SELECT count(*) FROM books", &[])
    }
    fn insert_authors_in_one_transaction(&mut self, n: usize) {
        self.exec("BEGIN", &[]);
        for i in 0..n {
            self.exec("INSERT INTO authors (name) VALUES (?)", &[format!("batch {i}").into()]);
        }
        self.exec("COMMIT", &[]);
    }
    fn newest_books(&mut self, n: usize) -> usize {
        let sql = "SELECT id, title, author_id, year FROM books ORDER BY year DESC LIMIT ?";
        self.rows(sql, &[(n as i64).into()]).len()
    }
    fn books_page_by_title(&mut self, page: usize, size: usize) -> usize {
        let sql = "SELECT id, title, author_id, year FROM books ORDER BY title LIMIT ? OFFSET ?";
        self.rows(sql, &[(size as i64).into(), ((page * size) as i64).into()]).len()
    }
    fn books_per_author(&mut self) -> usize {
        self.rows("SELECT author_id, count(*) FROM books GROUP BY author_id", &[]).len()
    }
    fn author_book_count(&mut self, id: i64) -> i64 {
        let sql = "SELECT a.id, a.name, (SELECT count(*) FROM books b WHERE b.author_id = a.id) \
                   FROM authors a WHERE a.id = ?";
        self.rows(sql, &[id.into()])[0][2].as_int().expect("count")
    }
    fn fill_in_one_transaction(&mut self, n: usize) {
        self.exec("BEGIN", &[]);
        for i in 0..n {
            self.exec("INSERT INTO authors (name) VALUES (?)", &[format!("Author {i}").into()]);
        }
        for (title, author, year) in fill_books(n) {
            let sql = "INSERT INTO books (title, author_id, year) VALUES (?, ?, ?)";
            self.exec(sql, &[title.into(), author.into(), year_value(year)]);
        }
        self.exec("COMMIT", &[]);
    }
    fn add_pages(&mut self) {
        self.exec("ALTER TABLE books ADD COLUMN pages INTEGER", &[]);
    }
    fn drop_pages(&mut self) {
        self.exec("ALTER TABLE books DROP COLUMN pages", &[]);
    }
    fn index_year(&mut self) {
        self.exec("CREATE INDEX books_year ON books(year)", &[]);
    }
}
