//! The cartesian trap of SPEC §7, from the original author's write-up: 2 stores, 10
//! departments a store, 500 employees a department, 2,500 products a store; for each
//! store, the number of products and of employees. Bazoola counts each relation through
//! its FK index (`InverseCount`, two hops for employees); SQLite runs the same as
//! correlated subqueries, and as the naive three-way `LEFT JOIN` with `COUNT(DISTINCT …)`
//! that walks the 25,000,000-row product.

use std::path::Path;
use std::time::{Duration, Instant};

use bazoola::{Database, Field, Join, TableSchema};
use rusqlite::Connection;

const STORES: i64 = 2;
const DEPARTMENTS: i64 = 10;
const EMPLOYEES: i64 = 500;
const PRODUCTS: i64 = 2500;

/// The counts per store, as (store, products, employees).
pub type Counts = Vec<(i64, i64, i64)>;

pub fn bazoola(dir: &Path, repeats: u32) -> (Duration, Counts) {
    let db = Database::open(
        dir,
        [
            TableSchema::new("stores").field(Field::char("name", 8)),
            TableSchema::new("departments").field(Field::fk("store_id", "stores")),
            TableSchema::new("employees").field(Field::fk("department_id", "departments")),
            TableSchema::new("products").field(Field::fk("store_id", "stores")),
        ],
    )
    .expect("open");
    db.transaction(|db| {
        for s in 1..=STORES {
            db.insert("stores", [("name", format!("s{s}"))])?;
            for _ in 0..DEPARTMENTS {
                let d = db.insert("departments", [("store_id", s)])?.id();
                for _ in 0..EMPLOYEES {
                    db.insert("employees", [("department_id", d)])?;
                }
            }
            for _ in 0..PRODUCTS {
                db.insert("products", [("store_id", s)])?;
            }
        }
        Ok(())
    })
    .expect("fill");
    let query = db.query("stores").join(Join::count("store_id", "products", "products")).join(
        Join::count("store_id", "employees", "departments").through(Join::count(
            "department_id",
            "n",
            "employees",
        )),
    );
    let mut counts = Vec::new();
    let start = Instant::now();
    for _ in 0..repeats {
        counts = query
            .rows()
            .expect("counts")
            .iter()
            .map(|s| (s.id(), s["products"].as_int().unwrap_or(-1), s["employees"].as_int().unwrap_or(-1)))
            .collect();
    }
    (start.elapsed(), counts)
}

/// SQLite with the same indexes (each FK indexed), correlated subqueries or the naive join.
pub fn sqlite(dir: &Path, naive: bool, repeats: u32) -> (Duration, Counts) {
    let conn = Connection::open(dir.join("trap.sqlite")).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE departments (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores(id));
         CREATE TABLE employees (id INTEGER PRIMARY KEY, department_id INTEGER REFERENCES departments(id));
         CREATE TABLE products (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores(id));
         CREATE INDEX departments_store ON departments(store_id);
         CREATE INDEX employees_department ON employees(department_id);
         CREATE INDEX products_store ON products(store_id);
         BEGIN;",
    )
    .expect("schema");
    for s in 1..=STORES {
        conn.execute("INSERT INTO stores (name) VALUES (?1)", [format!("s{s}")]).expect("store");
        for _ in 0..DEPARTMENTS {
            conn.execute("INSERT INTO departments (store_id) VALUES (?1)", [s]).expect("department");
            let d = conn.last_insert_rowid();
            for _ in 0..EMPLOYEES {
                conn.execute("INSERT INTO employees (department_id) VALUES (?1)", [d]).expect("employee");
            }
        }
        for _ in 0..PRODUCTS {
            conn.execute("INSERT INTO products (store_id) VALUES (?1)", [s]).expect("product");
        }
    }
    conn.execute_batch("COMMIT;").expect("commit");
    let sql = if naive {
        "SELECT s.id, count(DISTINCT p.id), count(DISTINCT e.id) FROM stores s
         LEFT JOIN products p ON p.store_id = s.id
         LEFT JOIN departments d ON d.store_id = s.id
         LEFT JOIN employees e ON e.department_id = d.id
         GROUP BY s.id ORDER BY s.id"
    } else {
        "SELECT s.id,
            (SELECT count(*) FROM products p WHERE p.store_id = s.id),
            (SELECT count(*) FROM employees e JOIN departments d ON e.department_id = d.id WHERE d.store_id = s.id)
         FROM stores s ORDER BY s.id"
    };
    let mut stmt = conn.prepare(sql).expect("prepare");
    let mut counts = Vec::new();
    let start = Instant::now();
    for _ in 0..repeats {
        counts = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
    }
    (start.elapsed(), counts)
}
