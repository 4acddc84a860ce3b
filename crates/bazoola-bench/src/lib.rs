//! The benchmark workload of SPEC §7, run against Bazoola and SQLite through one trait so
//! both do exactly the same calls with the same random choices.

pub mod sql;
pub mod trap;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bazoola::{Agg, Cond, Database, Field, Join, OpenOptions, SyncMode, TableSchema, Value};
use rusqlite::{params, Connection};

/// One implementation under test. Every method is one call of the workload.
pub trait Engine {
    fn name(&self) -> String;
    fn insert_author(&mut self, name: &str) -> i64;
    fn insert_book(&mut self, title: &str, author_id: i64, year: Option<i64>) -> i64;
    fn find_book(&mut self, id: i64) -> bool;
    fn find_book_with_author(&mut self, id: i64) -> bool;
    fn books_with_year(&mut self, year: i64) -> usize;
    fn books_after(&mut self, year: i64) -> usize;
    fn titles_containing(&mut self, needle: &str) -> usize;
    fn titles_containing_ignore_case(&mut self, needle: &str) -> usize;
    fn all_books_with_authors(&mut self) -> usize;
    fn author_with_books(&mut self, id: i64) -> usize;
    fn update_book_year(&mut self, id: i64, year: i64);
    fn delete_book(&mut self, id: i64);
    /// Closes, reopens, and counts the books.
    fn reopen_and_count(&mut self) -> usize;
    /// Inserts `n` authors in one transaction.
    fn insert_authors_in_one_transaction(&mut self, n: usize);
    /// The `n` newest books: `ORDER BY year DESC LIMIT n`.
    fn newest_books(&mut self, n: usize) -> usize;
    /// Page `page` of the books by title, `size` a page.
    fn books_page_by_title(&mut self, page: usize, size: usize) -> usize;
    /// How many books each author has (`GROUP BY author_id`); returns the groups.
    fn books_per_author(&mut self) -> usize;
    /// How many books author `id` has, without reading them.
    fn author_book_count(&mut self, id: i64) -> i64;
    /// Fills `n` authors and `n` books (the random choices of [`fill`]) in one transaction.
    fn fill_in_one_transaction(&mut self, n: usize);
    /// Adds a nullable INT field `pages` to books (`ALTER TABLE … ADD COLUMN`).
    fn add_pages(&mut self);
    /// Drops it again (`ALTER TABLE … DROP COLUMN`).
    fn drop_pages(&mut self);
    /// Builds an index on `books.year` over the rows there (`CREATE INDEX`).
    fn index_year(&mut self);
}

/// The books [`fill`] inserts: (title, author, year).
fn fill_books(n: usize) -> Vec<(String, i64, Option<i64>)> {
    let mut rng = Rng::new(42);
    (0..n)
        .map(|i| {
            let author = 1 + rng.below(n as u64) as i64;
            let year = if rng.below(10) == 0 { None } else { Some(1900 + rng.below(120) as i64) };
            (format!("Book {i} of Tales"), author, year)
        })
        .collect()
}

/// The tables of SPEC §7; with `year_index`, `books.year` is indexed (the `+idx` phases).
pub fn schemas(year_index: bool) -> Vec<TableSchema> {
    let year = Field::int("year").nullable();
    vec![
        TableSchema::new("authors").field(Field::char("name", 20)),
        TableSchema::new("books")
            .field(Field::char("title", 20))
            .field(Field::fk("author_id", "authors"))
            .field(if year_index { year.indexed() } else { year }),
    ]
}

pub struct Bazoola {
    dir: PathBuf,
    mode: SyncMode,
    year_index: bool,
    db: Database,
    /// The joins of the phases, made once (as the SQLite side prepares its statements
    /// once).
    author: [Join; 1],
    books: [Join; 1],
    book_count: [Join; 1],
}

impl Bazoola {
    pub fn open(dir: &Path, mode: SyncMode, year_index: bool) -> Bazoola {
        let db = OpenOptions::new().sync(mode).open(dir, schemas(year_index)).expect("open bazoola");
        let author = [Join::forward("author_id", "author", "authors")];
        let books = [Join::inverse("author_id", "books", "books")];
        let book_count = [Join::count("author_id", "books", "books")];
        Bazoola { dir: dir.to_path_buf(), mode, year_index, db, author, books, book_count }
    }
}

impl Engine for Bazoola {
    fn name(&self) -> String {
        format!("bazoola ({:?})", self.mode).to_lowercase()
    }
    fn insert_author(&mut self, name: &str) -> i64 {
        self.db.insert("authors", [("name", name)]).expect("insert").id()
    }
    fn insert_book(&mut self, title: &str, author_id: i64, year: Option<i64>) -> i64 {
        let row: [(&str, Value); 3] =
            [("title", title.into()), ("author_id", author_id.into()), ("year", year.into())];
        self.db.insert("books", row).expect("insert").id()
    }
    fn find_book(&mut self, id: i64) -> bool {
        self.db.find_by_id("books", id, &[]).expect("find").is_some()
    }
    fn find_book_with_author(&mut self, id: i64) -> bool {
        self.db.find_by_id("books", id, &self.author).expect("find").is_some()
    }
    fn books_with_year(&mut self, year: i64) -> usize {
        self.db.count("books", Some(&Cond::eq("year", year))).expect("scan") as usize
    }
    fn books_after(&mut self, year: i64) -> usize {
        self.db.count("books", Some(&Cond::gt("year", year))).expect("scan") as usize
    }
    fn titles_containing(&mut self, needle: &str) -> usize {
        self.db.count("books", Some(&Cond::substr("title", needle))).expect("scan") as usize
    }
    fn titles_containing_ignore_case(&mut self, needle: &str) -> usize {
        self.db.count("books", Some(&Cond::isubstr("title", needle))).expect("scan") as usize
    }
    fn all_books_with_authors(&mut self) -> usize {
        self.db.find_all("books", &self.author).expect("find_all").len()
    }
    fn author_with_books(&mut self, id: i64) -> usize {
        let author = self.db.find_by_id("authors", id, &self.books).expect("find");
        author.and_then(|a| a["books"].as_rows().map(<[_]>::len)).unwrap_or_default()
    }
    fn update_book_year(&mut self, id: i64, year: i64) {
        self.db.update_by_id("books", id, [("year", year)]).expect("update");
    }
    fn delete_book(&mut self, id: i64) {
        self.db.delete_by_id("books", id).expect("delete");
    }
    fn reopen_and_count(&mut self) -> usize {
        self.db.close();
        self.db =
            OpenOptions::new().sync(self.mode).open(&self.dir, schemas(self.year_index)).expect("reopen");
        self.db.count("books", None).expect("count") as usize
    }
    fn insert_authors_in_one_transaction(&mut self, n: usize) {
        self.db
            .transaction(|db| {
                for i in 0..n {
                    db.insert("authors", [("name", format!("batch {i}"))])?;
                }
                Ok(())
            })
            .expect("transaction");
    }
    fn newest_books(&mut self, n: usize) -> usize {
        self.db.query("books").order_by_desc("year").limit(n as u64).rows().expect("newest").len()
    }
    fn books_page_by_title(&mut self, page: usize, size: usize) -> usize {
        let query = self.db.query("books").order_by("title").offset((page * size) as u64).limit(size as u64);
        query.rows().expect("page").len()
    }
    fn books_per_author(&mut self) -> usize {
        let query = self.db.query("books").group_by(&["author_id"]).aggregates(&[("n", Agg::Count)]);
        query.aggregate().expect("group by").len()
    }
    fn fill_in_one_transaction(&mut self, n: usize) {
        self.db
            .transaction(|db| {
                for i in 0..n {
                    db.insert("authors", [("name", format!("Author {i}"))])?;
                }
                for (title, author, year) in fill_books(n) {
                    let row: [(&str, Value); 3] =
                        [("title", title.into()), ("author_id", author.into()), ("year", year.into())];
                    db.insert("books", row)?;
                }
                Ok(())
            })
            .expect("fill");
    }
    fn add_pages(&mut self) {
        self.db.add_field("books", Field::int("pages").nullable(), Value::Null).expect("add field");
    }
    fn drop_pages(&mut self) {
        self.db.drop_field("books", "pages").expect("drop field");
    }
    fn index_year(&mut self) {
        self.db.alter_field("books", Field::int("year").nullable().indexed()).expect("add index");
    }
    fn author_book_count(&mut self, id: i64) -> i64 {
        // The author with its count, as `bench/workload.py` asks (`find_by_id` with an
        // `InverseCount` join).
        let author = self.db.find_by_id("authors", id, &self.book_count).expect("count");
        author.and_then(|a| a["books"].as_int()).unwrap_or_default()
    }
}

/// SQLite as the issue asks: WAL and synchronous=NORMAL (or DELETE and FULL for the
/// durable comparison), prepared statements, autocommit, an index on books.author_id.
pub struct Sqlite {
    path: PathBuf,
    full: bool,
    conn: Option<Connection>,
}

impl Sqlite {
    pub fn open(dir: &Path, full: bool, year_index: bool) -> Sqlite {
        let path = dir.join("bench.sqlite");
        let mut sqlite = Sqlite { path, full, conn: None };
        sqlite.connect();
        sqlite
            .conn()
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS books (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
                     author_id INTEGER NOT NULL REFERENCES authors(id), year INTEGER);
                 CREATE INDEX IF NOT EXISTS books_author ON books(author_id);",
            )
            .expect("schema");
        if year_index {
            sqlite
                .conn()
                .execute_batch("CREATE INDEX IF NOT EXISTS books_year ON books(year);")
                .expect("index");
        }
        sqlite
    }

    fn connect(&mut self) {
        let conn = Connection::open(&self.path).expect("open sqlite");
        let pragmas = if self.full {
            "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"
        } else {
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        };
        conn.execute_batch(pragmas).expect("pragmas");
        conn.set_prepared_statement_cache_capacity(64);
        self.conn = Some(conn);
    }

    fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("connected")
    }

    fn count(&self, sql: &str, param: impl rusqlite::ToSql) -> usize {
        let mut stmt = self.conn().prepare_cached(sql).expect("prepare");
        stmt.query_row([param], |r| r.get::<_, i64>(0)).expect("count") as usize
    }
}

impl Engine for Sqlite {
    fn name(&self) -> String {
        if self.full {
            "sqlite (delete, full)".into()
        } else {
            "sqlite (wal, normal)".into()
        }
    }
    fn insert_author(&mut self, name: &str) -> i64 {
        let mut stmt = self.conn().prepare_cached("INSERT INTO authors (name) VALUES (?1)").expect("prepare");
        stmt.insert([name]).expect("insert")
    }
    fn insert_book(&mut self, title: &str, author_id: i64, year: Option<i64>) -> i64 {
        let mut stmt = self
            .conn()
            .prepare_cached("INSERT INTO books (title, author_id, year) VALUES (?1, ?2, ?3)")
            .expect("prepare");
        stmt.insert(params![title, author_id, year]).expect("insert")
    }
    fn find_book(&mut self, id: i64) -> bool {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, title, author_id, year FROM books WHERE id = ?1")
            .expect("prepare");
        let mut rows = stmt.query([id]).expect("query");
        let row = rows.next().expect("step");
        row.map(|r| (r.get::<_, i64>(0).ok(), r.get::<_, String>(1).ok(), r.get::<_, Option<i64>>(3).ok()))
            .is_some()
    }
    fn find_book_with_author(&mut self, id: i64) -> bool {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b
                 LEFT JOIN authors a ON a.id = b.author_id WHERE b.id = ?1",
            )
            .expect("prepare");
        let mut rows = stmt.query([id]).expect("query");
        let row = rows.next().expect("step");
        row.map(|r| (r.get::<_, String>(1).ok(), r.get::<_, Option<String>>(5).ok())).is_some()
    }
    fn books_with_year(&mut self, year: i64) -> usize {
        self.count("SELECT count(*) FROM books WHERE year = ?1", year)
    }
    fn books_after(&mut self, year: i64) -> usize {
        self.count("SELECT count(*) FROM books WHERE year > ?1", year)
    }
    fn titles_containing(&mut self, needle: &str) -> usize {
        self.count("SELECT count(*) FROM books WHERE instr(title, ?1) > 0", needle)
    }
    fn titles_containing_ignore_case(&mut self, needle: &str) -> usize {
        self.count("SELECT count(*) FROM books WHERE title LIKE '%' || ?1 || '%'", needle)
    }
    fn all_books_with_authors(&mut self) -> usize {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT b.id, b.title, b.author_id, b.year, a.id, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id",
            )
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(5)?))
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().len()
    }
    fn author_with_books(&mut self, id: i64) -> usize {
        let conn = self.conn();
        let mut author = conn.prepare_cached("SELECT id, name FROM authors WHERE id = ?1").expect("prepare");
        let _name: Option<String> = author.query_row([id], |r| r.get(1)).ok();
        let mut books = conn
            .prepare_cached("SELECT id, title, author_id, year FROM books WHERE author_id = ?1")
            .expect("prepare");
        let rows =
            books.query_map([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().len()
    }
    fn update_book_year(&mut self, id: i64, year: i64) {
        let mut stmt =
            self.conn().prepare_cached("UPDATE books SET year = ?1 WHERE id = ?2").expect("prepare");
        stmt.execute([year, id]).expect("update");
    }
    fn delete_book(&mut self, id: i64) {
        let mut stmt = self.conn().prepare_cached("DELETE FROM books WHERE id = ?1").expect("prepare");
        stmt.execute([id]).expect("delete");
    }
    fn reopen_and_count(&mut self) -> usize {
        self.conn = None;
        self.connect();
        self.count("SELECT count(*) FROM books WHERE ?1", 1)
    }
    fn insert_authors_in_one_transaction(&mut self, n: usize) {
        let conn = self.conn.as_mut().expect("connected");
        let tx = conn.transaction().expect("begin");
        {
            let mut stmt = tx.prepare_cached("INSERT INTO authors (name) VALUES (?1)").expect("prepare");
            for i in 0..n {
                stmt.insert([format!("batch {i}")]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    fn newest_books(&mut self, n: usize) -> usize {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, title, author_id, year FROM books ORDER BY year DESC LIMIT ?1")
            .expect("prepare");
        let rows =
            stmt.query_map([n as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().len()
    }
    fn books_page_by_title(&mut self, page: usize, size: usize) -> usize {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id, title, author_id, year FROM books ORDER BY title LIMIT ?1 OFFSET ?2")
            .expect("prepare");
        let rows = stmt
            .query_map([size as i64, (page * size) as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().len()
    }
    fn books_per_author(&mut self) -> usize {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT author_id, count(*) FROM books GROUP BY author_id")
            .expect("prepare");
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))).expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().len()
    }
    fn author_book_count(&mut self, id: i64) -> i64 {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT a.id, a.name, (SELECT count(*) FROM books b WHERE b.author_id = a.id) FROM authors a WHERE a.id = ?1")
            .expect("prepare");
        stmt.query_row([id], |r| r.get::<_, i64>(2)).expect("count")
    }
    fn fill_in_one_transaction(&mut self, n: usize) {
        let conn = self.conn.as_mut().expect("connected");
        let tx = conn.transaction().expect("begin");
        {
            let mut authors = tx.prepare_cached("INSERT INTO authors (name) VALUES (?1)").expect("prepare");
            for i in 0..n {
                authors.execute([format!("Author {i}")]).expect("insert");
            }
            let mut books = tx
                .prepare_cached("INSERT INTO books (title, author_id, year) VALUES (?1, ?2, ?3)")
                .expect("prepare");
            for (title, author, year) in fill_books(n) {
                books.execute(params![title, author, year]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    fn add_pages(&mut self) {
        self.conn().execute_batch("ALTER TABLE books ADD COLUMN pages INTEGER").expect("add column");
    }
    fn drop_pages(&mut self) {
        self.conn().execute_batch("ALTER TABLE books DROP COLUMN pages").expect("drop column");
    }
    fn index_year(&mut self) {
        self.conn().execute_batch("CREATE INDEX books_year ON books(year)").expect("create index");
    }
}

/// xorshift64*, so every engine sees the same sequence.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// One measured phase: how many calls, how long.
pub struct Phase {
    pub name: &'static str,
    pub calls: usize,
    pub elapsed: Duration,
}

impl Phase {
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64()
    }
}

fn timed(name: &'static str, calls: usize, f: impl FnOnce()) -> Phase {
    let start = Instant::now();
    f();
    Phase { name, calls, elapsed: start.elapsed() }
}

/// Peak resident memory of this process so far, in MiB: `VmHWM` of `/proc/self/status`
/// (`getrusage`'s `ru_maxrss` would carry over the peak of the process that spawned this
/// one, across `exec`).
pub fn max_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Fills authors and books (`n` each, the same random choices as [`run_workload`]):
/// the start of the `+idx` runs.
pub fn fill(engine: &mut dyn Engine, n: usize) -> Vec<Phase> {
    let mut rng = Rng::new(42);
    let titles: Vec<String> = (0..n).map(|i| format!("Book {i} of Tales")).collect();
    let mut phases = vec![timed("insert authors (+idx)", n, || {
        for i in 0..n {
            engine.insert_author(&format!("Author {i}"));
        }
    })];
    let books: Vec<(i64, Option<i64>)> = (0..n)
        .map(|_| {
            (
                1 + rng.below(n as u64) as i64,
                if rng.below(10) == 0 { None } else { Some(1900 + rng.below(120) as i64) },
            )
        })
        .collect();
    phases.push(timed("insert books (+idx)", n, || {
        for (i, (author, year)) in books.iter().enumerate() {
            engine.insert_book(&titles[i], *author, *year);
        }
    }));
    phases
}

/// The phases SPEC §7 adds with the query features, on tables filled by [`fill`] with
/// `books.year` indexed in both engines.
pub fn run_query_phases(engine: &mut dyn Engine, n: usize, scans: usize, counts: usize) -> Vec<Phase> {
    let mut phases = Vec::new();
    // Enough calls for each phase to take milliseconds (at 100 calls, as before, an
    // indexed EQ took under half a millisecond, and a first call's one-time costs, a
    // statement's parse for one, were half of it): every year ten times, 100 GTs, 1,000
    // newest tens, at every N.
    phases.push(timed("find_by_cond EQ year +idx", EQ_CALLS, || {
        for i in 0..EQ_CALLS {
            engine.books_with_year(1900 + (i % 120) as i64);
        }
    }));
    phases.push(timed("find_by_cond GT year +idx", GT_CALLS, || {
        for i in 0..GT_CALLS {
            engine.books_after(2015 + (i % 4) as i64);
        }
    }));
    phases.push(timed("10 newest books (year DESC LIMIT 10)", NEWEST_CALLS, || {
        for _ in 0..NEWEST_CALLS {
            assert_eq!(engine.newest_books(10), 10);
        }
    }));
    phases.push(timed("page 100 by title (20 a page)", scans, || {
        for _ in 0..scans {
            assert_eq!(engine.books_page_by_title(99, 20), 20);
        }
    }));
    phases.push(timed("count of books per author (GROUP BY)", scans, || {
        for _ in 0..scans {
            assert!(engine.books_per_author() > n / 2);
        }
    }));
    phases.push(timed("InverseCount books of an author", counts, || {
        for i in 0..counts {
            engine.author_book_count(1 + (i * 97 % n) as i64);
        }
    }));
    phases
}

/// Calls of the indexed point-like phases of [`run_query_phases`] (and of
/// `bench/workload.py`'s).
pub const EQ_CALLS: usize = 1200;
pub const GT_CALLS: usize = 100;
pub const NEWEST_CALLS: usize = 1000;

/// Runs SPEC §7 at size `n` against `engine`.
pub fn run_workload(engine: &mut dyn Engine, n: usize, scans: usize, inverse_joins: usize) -> Vec<Phase> {
    let mut rng = Rng::new(42);
    let titles: Vec<String> = (0..n).map(|i| format!("Book {i} of Tales")).collect();
    let mut phases = Vec::new();
    phases.push(timed("insert authors", n, || {
        for i in 0..n {
            engine.insert_author(&format!("Author {i}"));
        }
    }));
    let books: Vec<(i64, Option<i64>)> = (0..n)
        .map(|_| {
            (
                1 + rng.below(n as u64) as i64,
                if rng.below(10) == 0 { None } else { Some(1900 + rng.below(120) as i64) },
            )
        })
        .collect();
    phases.push(timed("insert books", n, || {
        for (i, (author, year)) in books.iter().enumerate() {
            engine.insert_book(&titles[i], *author, *year);
        }
    }));
    let ids: Vec<i64> = (0..n).map(|_| 1 + rng.below(n as u64) as i64).collect();
    phases.push(timed("find_by_id", n, || {
        for id in &ids {
            assert!(engine.find_book(*id));
        }
    }));
    phases.push(timed("find_by_id + Join", n / 10, || {
        for id in &ids[..n / 10] {
            assert!(engine.find_book_with_author(*id));
        }
    }));
    phases.push(timed("find_by_cond EQ year", scans, || {
        for i in 0..scans {
            engine.books_with_year(1900 + i as i64);
        }
    }));
    phases.push(timed("find_by_cond GT year", scans, || {
        for i in 0..scans {
            engine.books_after(2000 + i as i64);
        }
    }));
    phases.push(timed("find_by_cond SUBSTR title", scans, || {
        for i in 0..scans {
            engine.titles_containing(&format!("{i}7 of"));
        }
    }));
    phases.push(timed("find_by_cond ISUBSTR title", scans, || {
        for i in 0..scans {
            engine.titles_containing_ignore_case(&format!("{i}7 OF"));
        }
    }));
    // Scans stream rows through one read buffer: memory must not grow with the table.
    phases.push(Phase {
        name: "peak memory after the scans (MiB)",
        calls: 0,
        elapsed: Duration::from_secs_f64(max_rss_mib()),
    });
    // As many calls as a scan phase: one call of a few milliseconds measured mostly
    // the machine's noise and first-touch costs.
    phases.push(timed("find_all + Join", scans, || {
        for _ in 0..scans {
            assert_eq!(engine.all_books_with_authors(), n);
        }
    }));
    phases.push(timed("find_by_id + InverseJoin", inverse_joins, || {
        for i in 0..inverse_joins {
            engine.author_with_books(1 + (i * 97 % n) as i64);
        }
    }));
    let half: Vec<i64> = (1..=n as i64).filter(|id| id % 2 == 0).collect();
    phases.push(timed("update_by_id", half.len(), || {
        for id in &half {
            engine.update_book_year(*id, 2024);
        }
    }));
    phases.push(timed("delete_by_id", half.len(), || {
        for id in &half {
            engine.delete_book(*id);
        }
    }));
    phases.push(timed("re-insert", half.len(), || {
        for (i, id) in half.iter().enumerate() {
            engine.insert_book(&titles[i], *id, Some(1999));
        }
    }));
    phases.push(timed("close + reopen + count", 1, || {
        assert_eq!(engine.reopen_and_count(), n);
    }));
    phases
}
