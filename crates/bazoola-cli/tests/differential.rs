//! The SQL layer against SQLite: the same schema and the same random rows (put in by
//! the same INSERT statements) in a Bazoola directory and in an in-memory SQLite
//! database, then random queries of the subset — filters with nulls, AND/OR/NOT, IN,
//! LIKE, BETWEEN, arithmetic, joins and LEFT JOINs on foreign keys, ORDER BY with a
//! unique tiebreak, LIMIT/OFFSET, GROUP BY with aggregates and HAVING, DISTINCT,
//! counting subqueries and EXISTS — run on both; the results must be equal (AVG within
//! a relative 1e-9).
//!
//! Seeded and reproducible: `BAZOOLA_DIFF_SEED` picks the seed (a fixed one by
//! default), `BAZOOLA_DIFF_QUERIES` how many queries (500 by default; the long mode is
//! a bigger number), `BAZOOLA_DIFF_SHOW=1` prints each query. A mismatch prints the
//! seed, the query, both results and the plan.

use bazoola::Value;
use bazoola_cli::{Outcome, Session};

const DEFAULT_SEED: u64 = 0x5EED_BA20_01A5;
const DEFAULT_QUERIES: usize = 500;

/// splitmix64: small, seedable, good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// AUTOINCREMENT: SQLite then never hands out an id again, as Bazoola's sequence does.
const SCHEMA: &str = "
CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name CHAR(16) NOT NULL, country CHAR(2), born INTEGER);
CREATE TABLE books (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(24) NOT NULL, author_id INTEGER REFERENCES authors ON DELETE SET NULL, year INTEGER, pages INTEGER, blurb TEXT);
CREATE TABLE reviews (id INTEGER PRIMARY KEY AUTOINCREMENT, book_id INTEGER NOT NULL REFERENCES books ON DELETE CASCADE, stars INTEGER, body TEXT);
CREATE INDEX books_year ON books (year);
CREATE INDEX authors_country ON authors (country);
";

const WORDS: &[&str] = &[
    "the",
    "Dune",
    "dune",
    "Solaris",
    "night",
    "NIGHT",
    "Łódź",
    "émile",
    "Émile",
    "50% off",
    "snake_case",
    "a_b",
    "1990",
    "42",
    " 7",
    "x",
    "Zed",
    "zed",
    "ß",
    "İi",
    "KELVIN",
    "\u{212A}elvin",
    "o'hara",
    "",
    "Mars",
    "mars",
];

fn word(rng: &mut Rng) -> String {
    rng.pick(WORDS).to_string()
}

/// A text of at most `max` bytes made of words, never with blanks at its ends.
fn text(rng: &mut Rng, max: usize) -> String {
    let mut out = String::new();
    for _ in 0..=rng.below(3) {
        let w = word(rng);
        if out.len() + w.len() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    let trimmed = out.trim().to_string();
    if trimmed.is_empty() {
        "untitled".into()
    } else {
        trimmed
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn int_or_null(rng: &mut Rng, lo: i64, hi: i64, null_percent: usize) -> String {
    if rng.chance(null_percent) {
        "NULL".into()
    } else {
        rng.range(lo, hi).to_string()
    }
}

/// The statements that fill both databases.
fn data(rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    let authors = 12 + rng.below(12);
    let books = 40 + rng.below(40);
    let reviews = 60 + rng.below(60);
    for _ in 0..authors {
        let country = if rng.chance(20) {
            "NULL".into()
        } else {
            quote(rng.pick::<&str>(&["US", "GB", "PL", "FR", "de"]))
        };
        out.push(format!(
            "INSERT INTO authors (name, country, born) VALUES ({}, {country}, {})",
            quote(&text(rng, 16)),
            int_or_null(rng, 1900, 1990, 20)
        ));
    }
    for _ in 0..books {
        let blurb = if rng.chance(25) { "NULL".into() } else { quote(&text(rng, 40)) };
        out.push(format!(
            "INSERT INTO books (title, author_id, year, pages, blurb) VALUES ({}, {}, {}, {}, {blurb})",
            quote(&text(rng, 24)),
            int_or_null(rng, 1, authors as i64, 10),
            int_or_null(rng, 1950, 2020, 20),
            int_or_null(rng, 10, 900, 10),
        ));
    }
    for _ in 0..reviews {
        let body = if rng.chance(20) { "NULL".into() } else { quote(&text(rng, 30)) };
        out.push(format!(
            "INSERT INTO reviews (book_id, stars, body) VALUES ({}, {}, {body})",
            rng.range(1, books as i64),
            int_or_null(rng, 1, 5, 15),
        ));
    }
    // Gaps in the ids, and rows changed in place.
    out.push(format!("DELETE FROM reviews WHERE id % {} = 0", 5 + rng.below(4)));
    out.push(format!("DELETE FROM books WHERE id % {} = 1", 9 + rng.below(4)));
    out.push(format!("UPDATE books SET pages = pages + 1 WHERE year > {}", rng.range(1960, 2010)));
    out.push(format!("INSERT INTO books (title, year, pages) VALUES ({}, 1999, 100)", quote(&text(rng, 24))));
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Text,
}

/// A column a query may use: its SQL name and type.
#[derive(Clone, Copy)]
struct Col {
    sql: &'static str,
    kind: Kind,
}

const AUTHORS: &[Col] = &[
    Col { sql: "a.id", kind: Kind::Int },
    Col { sql: "a.name", kind: Kind::Text },
    Col { sql: "a.country", kind: Kind::Text },
    Col { sql: "a.born", kind: Kind::Int },
];
const BOOKS: &[Col] = &[
    Col { sql: "b.id", kind: Kind::Int },
    Col { sql: "b.title", kind: Kind::Text },
    Col { sql: "b.author_id", kind: Kind::Int },
    Col { sql: "b.year", kind: Kind::Int },
    Col { sql: "b.pages", kind: Kind::Int },
    Col { sql: "b.blurb", kind: Kind::Text },
];
const REVIEWS: &[Col] = &[
    Col { sql: "r.id", kind: Kind::Int },
    Col { sql: "r.book_id", kind: Kind::Int },
    Col { sql: "r.stars", kind: Kind::Int },
    Col { sql: "r.body", kind: Kind::Text },
];

fn literal(rng: &mut Rng, kind: Kind) -> String {
    match (rng.below(10), kind) {
        (0, _) => "NULL".into(),
        // The other type: affinity converts it (or not).
        (1, Kind::Int) => quote(rng.pick::<&str>(&["1990", " 1975 ", "abc", "3", "2000.0", "1e3"])),
        (1, Kind::Text) => rng.range(-5, 2000).to_string(),
        (2, Kind::Int) => format!("{}.5", rng.range(0, 2000)),
        (_, Kind::Int) => {
            let choices = [rng.range(0, 6), rng.range(1, 80), rng.range(1950, 2020), rng.range(10, 900)];
            rng.pick(&choices).to_string()
        }
        (_, Kind::Text) => quote(&word(rng)),
    }
}

fn like_pattern(rng: &mut Rng) -> String {
    let mut p = String::new();
    for _ in 0..=rng.below(3) {
        match rng.below(5) {
            0 => p.push('%'),
            1 => p.push('_'),
            _ => {
                let w = word(rng);
                let cut: String = w.chars().take(1 + rng.below(3)).collect();
                let cut = if rng.chance(50) { cut.to_uppercase() } else { cut };
                p.push_str(&cut);
            }
        }
    }
    if rng.chance(60) {
        p = format!("%{p}%");
    }
    quote(&p)
}

/// A random predicate over `cols`, `depth` levels of AND/OR/NOT at most.
fn predicate(rng: &mut Rng, cols: &[Col], depth: usize) -> String {
    if depth > 0 && rng.chance(40) {
        let a = predicate(rng, cols, depth - 1);
        let b = predicate(rng, cols, depth - 1);
        return match rng.below(4) {
            0 => format!("({a} AND {b})"),
            1 => format!("({a} OR {b})"),
            2 => format!("NOT ({a})"),
            _ => format!("{a} AND {b}"),
        };
    }
    let c = *rng.pick(cols);
    let not = if rng.chance(25) { "NOT " } else { "" };
    match rng.below(12) {
        0 => format!("{} IS {not}NULL", c.sql),
        1 => {
            let items: Vec<String> = (0..1 + rng.below(4)).map(|_| literal(rng, c.kind)).collect();
            format!("{} {not}IN ({})", c.sql, items.join(", "))
        }
        2 => format!("{} {not}BETWEEN {} AND {}", c.sql, literal(rng, c.kind), literal(rng, c.kind)),
        3 => format!("{} {not}LIKE {}", c.sql, like_pattern(rng)),
        4 => {
            let d = *rng.pick(cols);
            format!("{} {} {}", c.sql, rng.pick(&["=", "<>", "<", ">=", "<="]), d.sql)
        }
        5 if c.kind == Kind::Int => format!(
            "{} {} {} {} {}",
            c.sql,
            rng.pick(&["+", "-", "*", "/", "%"]),
            rng.range(1, 7),
            rng.pick(&["=", ">", "<="]),
            rng.range(0, 60)
        ),
        6 => format!("({} IS {not}DISTINCT FROM {})", c.sql, literal(rng, c.kind)),
        _ => format!(
            "{} {} {}",
            c.sql,
            rng.pick(&["=", "<>", "!=", "<", "<=", ">", ">="]),
            literal(rng, c.kind)
        ),
    }
}

fn limit(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!(" LIMIT {}", rng.below(8)),
        1 => format!(" LIMIT {} OFFSET {}", rng.below(10), rng.below(10)),
        2 => " LIMIT -1 OFFSET 3".into(),
        _ => String::new(),
    }
}

fn order(rng: &mut Rng, cols: &[Col], tiebreak: &str) -> String {
    let mut keys = Vec::new();
    for _ in 0..rng.below(3) {
        let c = rng.pick(cols);
        keys.push(format!("{}{}", c.sql, if rng.chance(40) { " DESC" } else { "" }));
    }
    keys.push(tiebreak.to_string());
    format!(" ORDER BY {}", keys.join(", "))
}

fn columns(rng: &mut Rng, cols: &[Col]) -> String {
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(4) {
        let c = rng.pick(cols);
        out.push(match rng.below(8) {
            0 if c.kind == Kind::Int => format!("{} * 2 + 1", c.sql),
            1 => format!("{} || '!'", c.sql),
            _ => c.sql.to_string(),
        });
    }
    out.join(", ")
}

/// One random query of the subset.
fn query(rng: &mut Rng) -> String {
    let both: Vec<Col> = BOOKS.iter().chain(AUTHORS).copied().collect();
    match rng.below(12) {
        0 | 1 => format!(
            "SELECT {} FROM books b WHERE {}{}{}",
            // `*`: the engine's rows are the result rows as they are.
            if rng.chance(20) { "*".to_string() } else { columns(rng, BOOKS) },
            predicate(rng, BOOKS, 2),
            order(rng, BOOKS, "b.id"),
            limit(rng)
        ),
        2 => format!(
            "SELECT {} FROM authors a WHERE {}{}{}",
            columns(rng, AUTHORS),
            predicate(rng, AUTHORS, 2),
            order(rng, AUTHORS, "a.id"),
            limit(rng)
        ),
        3 => {
            let left = if rng.chance(50) { "LEFT " } else { "" };
            format!(
                "SELECT b.id, {} FROM books b {left}JOIN authors a ON b.author_id = a.id WHERE {}{}{}",
                columns(rng, &both),
                predicate(rng, &both, 2),
                order(rng, &both, "b.id"),
                limit(rng)
            )
        }
        4 => {
            let left = if rng.chance(50) { "LEFT " } else { "" };
            format!(
                "SELECT a.id, b.id, {} FROM authors a {left}JOIN books b ON b.author_id = a.id WHERE {}{}{}",
                columns(rng, &both),
                predicate(rng, &both, 1),
                order(rng, &both, "a.id, b.id"),
                limit(rng)
            )
        }
        5 => {
            let all: Vec<Col> = both.iter().chain(REVIEWS).copied().collect();
            let (l1, l2) = (rng.pick(&["", "LEFT "]), rng.pick(&["", "LEFT "]));
            format!(
                "SELECT b.id, r.id, {} FROM books b {l1}JOIN authors a ON b.author_id = a.id {l2}JOIN reviews r ON r.book_id = b.id WHERE {}{}{}",
                columns(rng, &all),
                predicate(rng, &all, 1),
                order(rng, &all, "b.id, r.id"),
                limit(rng)
            )
        }
        6 => format!(
            "SELECT COUNT(*), COUNT(b.year), SUM(b.pages), MIN(b.title), MAX(b.year), AVG(b.pages), TOTAL(b.pages), MIN(b.blurb) FROM books b WHERE {}",
            predicate(rng, BOOKS, 2)
        ),
        7 => {
            let key = rng.pick(&["b.author_id", "b.year", "b.title", "b.year % 10"]);
            let having = if rng.chance(50) { format!(" HAVING COUNT(*) > {}", rng.below(3)) } else { String::new() };
            format!(
                "SELECT {key} AS k, COUNT(*), SUM(b.pages), MAX(b.title), AVG(b.year) FROM books b WHERE {} GROUP BY {key}{having} ORDER BY k{}",
                predicate(rng, BOOKS, 1),
                limit(rng)
            )
        }
        8 => {
            let key = rng.pick(&["a.country", "a.born", "a.id"]);
            let left = if rng.chance(50) { "LEFT " } else { "" };
            format!(
                "SELECT {key} AS k, COUNT(*), COUNT(b.id), MIN(b.year) AS first, SUM(b.pages) FROM authors a {left}JOIN books b ON b.author_id = a.id WHERE {} GROUP BY {key} HAVING COUNT(b.id) >= {} ORDER BY k",
                predicate(rng, &both, 1),
                rng.below(3)
            )
        }
        9 => {
            let inner = predicate(rng, BOOKS, 1);
            let two_hop = format!(
                "(SELECT COUNT(*) FROM reviews r JOIN books b ON r.book_id = b.id WHERE b.author_id = a.id AND {})",
                predicate(rng, REVIEWS, 0)
            );
            let exists = if rng.chance(50) { "EXISTS" } else { "NOT EXISTS" };
            format!(
                "SELECT a.id, a.name, (SELECT COUNT(*) FROM books b WHERE b.author_id = a.id AND {inner}) AS n, {two_hop} AS m FROM authors a WHERE {} AND {exists} (SELECT 1 FROM books b WHERE b.author_id = a.id AND {}) ORDER BY a.id{}",
                predicate(rng, AUTHORS, 1),
                predicate(rng, BOOKS, 0),
                limit(rng)
            )
        }
        10 => {
            // Counts and groups the engine answers alone (a plain count, counts per
            // value of an indexed field), outputs in either order.
            let key = rng.pick(&["b.year", "b.author_id"]);
            let having = if rng.chance(30) { format!(" HAVING COUNT(*) > {}", rng.below(3)) } else { String::new() };
            match rng.below(4) {
                0 => format!("SELECT COUNT(*) FROM books b WHERE {}", predicate(rng, BOOKS, 1)),
                1 => "SELECT COUNT(*) FROM books b".to_string(),
                2 => format!("SELECT COUNT(*) AS n, {key} FROM books b GROUP BY {key}{having} ORDER BY {key}{}", limit(rng)),
                _ => format!("SELECT {key}, COUNT(*) FROM books b GROUP BY {key}{having} ORDER BY {key}{}", limit(rng)),
            }
        }
        _ => {
            let c = rng.pick(&["a.country", "a.born", "a.country, a.born"]);
            format!("SELECT DISTINCT {c} FROM authors a WHERE {} ORDER BY {c}{}", predicate(rng, AUTHORS, 1), limit(rng))
        }
    }
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Text(format!("<blob {b:?}>")),
    }
}

fn run_sqlite(db: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        out.push((0..n).map(|i| row.get_ref(i).map(sqlite_value).unwrap_or(Value::Null)).collect());
    }
    Ok(out)
}

fn run_bazoola(session: &mut Session, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    match session.execute(sql) {
        Ok(mut outcomes) => match outcomes.pop() {
            Some(Outcome::Rows { rows, .. }) => Ok(rows),
            other => Err(format!("not rows: {other:?}")),
        },
        Err(e) => Err(e.to_string()),
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

fn same(a: &[Vec<Value>], b: &[Vec<Value>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| x.len() == y.len() && x.iter().zip(y).all(|(u, v)| same_value(u, v)))
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[test]
fn random_queries_answer_as_sqlite_does() {
    let seed = env_number("BAZOOLA_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let queries = env_number("BAZOOLA_DIFF_QUERIES").map_or(DEFAULT_QUERIES, |n| n as usize);
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = Session::open(dir.path()).expect("session opens");
    let sqlite = rusqlite::Connection::open_in_memory().expect("sqlite opens");
    sqlite.execute_batch("PRAGMA foreign_keys = ON").expect("pragma");

    for statement in
        SCHEMA.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).chain(data(&mut rng))
    {
        sqlite
            .execute_batch(&statement)
            .unwrap_or_else(|e| panic!("seed {seed:#x}: sqlite refused {statement}: {e}"));
        session
            .execute(&statement)
            .unwrap_or_else(|e| panic!("seed {seed:#x}: bazoola refused {statement}: {e}"));
    }
    for table in ["authors", "books", "reviews"] {
        let sql = format!("SELECT * FROM {table} ORDER BY id");
        let (ours, theirs) = (run_bazoola(&mut session, &sql), run_sqlite(&sqlite, &sql));
        assert!(
            matches!((&ours, &theirs), (Ok(a), Ok(b)) if same(a, b)),
            "seed {seed:#x}: the data differ in {table}\nbazoola: {ours:?}\nsqlite:  {theirs:?}"
        );
    }
    let mut nonempty = 0;
    let show = std::env::var_os("BAZOOLA_DIFF_SHOW").is_some();
    for i in 0..queries {
        let sql = query(&mut rng);
        let ours = run_bazoola(&mut session, &sql);
        if show {
            eprintln!("{sql}\n  -> {} rows", ours.as_ref().map_or(0, Vec::len));
        }
        let theirs = run_sqlite(&sqlite, &sql);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if same(a, b) => nonempty += usize::from(!a.is_empty()),
            _ => {
                let plan = session.execute(&format!("EXPLAIN {sql}"));
                let plan = match plan.as_deref() {
                    Ok([Outcome::Plan(plan)]) => plan.clone(),
                    other => format!("{other:?}"),
                };
                panic!(
                    "seed {seed:#x}, query {i}: results differ\n{sql}\nbazoola: {ours:?}\nsqlite:  {theirs:?}\nplan:\n{plan}\n(rerun with BAZOOLA_DIFF_SEED={seed:#x})"
                )
            }
        }
    }
    // The queries must not all be trivially empty.
    assert!(nonempty * 3 >= queries, "only {nonempty} of {queries} queries returned rows");
}

/// A random constant expression, parenthesized or not (so that operator precedence is
/// tested too).
fn constant(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.chance(30) {
        return match rng.below(9) {
            0 => "NULL".into(),
            1 => rng.pick::<&str>(&["TRUE", "FALSE"]).to_string(),
            2 => rng.pick::<&str>(&["1.5", "2.0", "0.1", "-0.5", "1e3", "3.25"]).to_string(),
            3 | 4 => {
                quote(rng.pick::<&str>(&["abc", "ABC", "12", " 3 ", "1e2", "", "x%y", "2.50", "-7", "Ab_c"]))
            }
            _ => rng.range(-3, 12).to_string(),
        };
    }
    let a = constant(rng, depth - 1);
    let b = constant(rng, depth - 1);
    let e = match rng.below(16) {
        0 => format!("{a} {} {b}", rng.pick::<&str>(&["+", "-", "*", "/", "%"])),
        1 => format!("{a} || {b}"),
        2 | 3 => format!("{a} {} {b}", rng.pick::<&str>(&["=", "<>", "<", "<=", ">", ">=", "==", "!="])),
        4 => format!("{a} AND {b}"),
        5 => format!("{a} OR {b}"),
        6 => format!("NOT {a}"),
        7 => format!("-{a}"),
        8 => format!("{a} IS {}NULL", if rng.chance(50) { "NOT " } else { "" }),
        9 => format!("{a} {}IN ({b}, {})", if rng.chance(30) { "NOT " } else { "" }, constant(rng, 0)),
        10 => format!("{a} {}BETWEEN {b} AND {}", if rng.chance(30) { "NOT " } else { "" }, constant(rng, 0)),
        11 => format!("{a} LIKE {}", quote(rng.pick::<&str>(&["a%", "%B%", "_", "1%", "%", "x!%y"]))),
        12 => format!("({a} IS {}DISTINCT FROM {b})", if rng.chance(50) { "NOT " } else { "" }),
        13 => format!("{a} IS {}", rng.pick::<&str>(&["TRUE", "FALSE", "NOT TRUE", "NOT FALSE"])),
        14 => format!("+{a}"),
        _ => format!("{a} LIKE {} ESCAPE '!'", quote(rng.pick::<&str>(&["x!%y", "x%", "!_%"]))),
    };
    if rng.chance(50) {
        format!("({e})")
    } else {
        e
    }
}

#[test]
fn constant_expressions_evaluate_as_in_sqlite() {
    let seed = env_number("BAZOOLA_DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("BAZOOLA_DIFF_QUERIES").map_or(DEFAULT_QUERIES * 4, |n| n as usize * 4);
    let mut rng = Rng(seed ^ 0xC025_7A27);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut session = Session::open(dir.path()).expect("session opens");
    let sqlite = rusqlite::Connection::open_in_memory().expect("sqlite opens");
    let mut refused = 0;
    for i in 0..count {
        let sql = format!("SELECT {}", constant(&mut rng, 3));
        let (ours, theirs) = (run_bazoola(&mut session, &sql), run_sqlite(&sqlite, &sql));
        let agree = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => same(a, b),
            (Err(_), Err(_)) => true,
            // A construct refused (by name, or by the parser) is never a wrong answer.
            (Err(e), Ok(_)) if e.starts_with("not supported") || e.starts_with("parse error") => {
                refused += 1;
                true
            }
            _ => false,
        };
        assert!(
            agree,
            "seed {seed:#x}, expression {i}: results differ\n{sql}\nbazoola: {ours:?}\nsqlite:  {theirs:?}"
        );
    }
    assert!(refused * 10 <= count, "{refused} of {count} expressions were refused");
}
