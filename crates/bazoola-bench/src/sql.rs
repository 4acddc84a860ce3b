//! The SPEC §7 workload issued as SQL text through the shell's library entry point,
//! [`bazoola_cli::Session`] (`session.execute(sql)`): parsing, lowering onto the planner
//! and running, every call, as `bazoola DIR "SQL"` does. Compared with [`crate::Bazoola`]
//! (the Rust API on the same schema) by `main.rs` as the engine `bazoola-sql`.
//!
//! The values go into the SQL text (the session has no bound parameters). SQL has no
//! case-sensitive substring test in the subset, so the SUBSTR phase uses `LIKE` as the
//! ISUBSTR one does (the titles are such that both count the same rows).

use std::path::{Path, PathBuf};

use bazoola::{OpenOptions, SyncMode, Value};
use bazoola_cli::{Outcome, Session};

use crate::{fill_books, schemas, Engine};

pub struct BazoolaSql {
    dir: PathBuf,
    mode: SyncMode,
    session: Option<Session>,
}

impl BazoolaSql {
    /// Creates the tables with the Rust API (so the schema is exactly [`crate::Bazoola`]'s),
    /// then reopens the directory as a SQL session.
    pub fn open(dir: &Path, mode: SyncMode, year_index: bool) -> BazoolaSql {
        OpenOptions::new().sync(mode).open(dir, schemas(year_index)).expect("create bazoola").close();
        let mut sql = BazoolaSql { dir: dir.to_path_buf(), mode, session: None };
        sql.connect();
        sql
    }

    fn connect(&mut self) {
        let options = OpenOptions::new().sync(self.mode);
        self.session = Some(Session::open_with(&self.dir, options).expect("open session"));
    }

    fn session(&mut self) -> &mut Session {
        self.session.as_mut().expect("open")
    }

    fn exec(&mut self, sql: &str) -> Vec<Outcome> {
        self.session().execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows of the one SELECT in `sql`.
    fn rows(&mut self, sql: &str) -> Vec<Vec<Value>> {
        match self.exec(sql).pop() {
            Some(Outcome::Rows { rows, .. }) => rows,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn count(&mut self, sql: &str) -> usize {
        self.rows(sql)[0][0].as_int().expect("count") as usize
    }

    fn returning_id(&mut self, sql: &str) -> i64 {
        self.rows(sql)[0][0].as_int().expect("id")
    }
}

/// `s` as a SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn year_sql(year: Option<i64>) -> String {
    year.map_or_else(|| "NULL".into(), |y| y.to_string())
}

impl Engine for BazoolaSql {
    fn name(&self) -> String {
        format!("bazoola-sql ({:?})", self.mode).to_lowercase()
    }
    fn insert_author(&mut self, name: &str) -> i64 {
        self.returning_id(&format!("INSERT INTO authors (name) VALUES ({}) RETURNING *", quote(name)))
    }
    fn insert_book(&mut self, title: &str, author_id: i64, year: Option<i64>) -> i64 {
        let sql = format!(
            "INSERT INTO books (title, author_id, year) VALUES ({}, {author_id}, {}) RETURNING *",
            quote(title),
            year_sql(year)
        );
        self.returning_id(&sql)
    }
    fn find_book(&mut self, id: i64) -> bool {
        !self.rows(&format!("SELECT id, title, author_id, year FROM books WHERE id = {id}")).is_empty()
    }
    fn find_book_with_author(&mut self, id: i64) -> bool {
        let sql = format!(
            "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b \
             LEFT JOIN authors a ON a.id = b.author_id WHERE b.id = {id}"
        );
        !self.rows(&sql).is_empty()
    }
    fn books_with_year(&mut self, year: i64) -> usize {
        self.count(&format!("SELECT count(*) FROM books WHERE year = {year}"))
    }
    fn books_after(&mut self, year: i64) -> usize {
        self.count(&format!("SELECT count(*) FROM books WHERE year > {year}"))
    }
    fn titles_containing(&mut self, needle: &str) -> usize {
        self.count(&format!("SELECT count(*) FROM books WHERE title LIKE {}", quote(&format!("%{needle}%"))))
    }
    fn titles_containing_ignore_case(&mut self, needle: &str) -> usize {
        self.count(&format!("SELECT count(*) FROM books WHERE title LIKE {}", quote(&format!("%{needle}%"))))
    }
    fn all_books_with_authors(&mut self) -> usize {
        self.rows(
            "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b \
             LEFT JOIN authors a ON a.id = b.author_id",
        )
        .len()
    }
    fn author_with_books(&mut self, id: i64) -> usize {
        let author = self.rows(&format!("SELECT id, name FROM authors WHERE id = {id}"));
        if author.is_empty() {
            return 0;
        }
        self.rows(&format!("SELECT id, title, author_id, year FROM books WHERE author_id = {id}")).len()
    }
    fn update_book_year(&mut self, id: i64, year: i64) {
        self.exec(&format!("UPDATE books SET year = {year} WHERE id = {id}"));
    }
    fn delete_book(&mut self, id: i64) {
        self.exec(&format!("DELETE FROM books WHERE id = {id}"));
    }
    fn reopen_and_count(&mut self) -> usize {
        self.session = None;
        self.connect();
        self.count("SELECT count(*) FROM books")
    }
    fn insert_authors_in_one_transaction(&mut self, n: usize) {
        self.exec("BEGIN");
        for i in 0..n {
            self.exec(&format!("INSERT INTO authors (name) VALUES ('batch {i}')"));
        }
        self.exec("COMMIT");
    }
    fn newest_books(&mut self, n: usize) -> usize {
        self.rows(&format!("SELECT id, title, author_id, year FROM books ORDER BY year DESC LIMIT {n}")).len()
    }
    fn books_page_by_title(&mut self, page: usize, size: usize) -> usize {
        let sql = format!(
            "SELECT id, title, author_id, year FROM books ORDER BY title LIMIT {size} OFFSET {}",
            page * size
        );
        self.rows(&sql).len()
    }
    fn books_per_author(&mut self) -> usize {
        self.rows("SELECT author_id, count(*) FROM books GROUP BY author_id").len()
    }
    fn author_book_count(&mut self, id: i64) -> i64 {
        let sql = format!(
            "SELECT a.id, a.name, (SELECT count(*) FROM books b WHERE b.author_id = a.id) \
             FROM authors a WHERE a.id = {id}"
        );
        self.rows(&sql)[0][2].as_int().expect("count")
    }
    fn fill_in_one_transaction(&mut self, n: usize) {
        self.exec("BEGIN");
        for i in 0..n {
            self.exec(&format!("INSERT INTO authors (name) VALUES ('Author {i}')"));
        }
        for (title, author, year) in fill_books(n) {
            let sql = format!(
                "INSERT INTO books (title, author_id, year) VALUES ({}, {author}, {})",
                quote(&title),
                year_sql(year)
            );
            self.exec(&sql);
        }
        self.exec("COMMIT");
    }
    fn add_pages(&mut self) {
        self.exec("ALTER TABLE books ADD COLUMN pages INTEGER");
    }
    fn drop_pages(&mut self) {
        self.exec("ALTER TABLE books DROP COLUMN pages");
    }
    fn index_year(&mut self) {
        self.exec("CREATE INDEX books_year ON books(year)");
    }
}
