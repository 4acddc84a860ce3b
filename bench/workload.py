#!/usr/bin/env python3
"""The benchmark workload of SPEC §7, from Python, side by side:

- ``bazoola (ours)``: this repository's package (``crates/bazoola-py``, sync="normal"),
- ``bazoola 0.0.7``: the original pure-Python package, in its own virtual environment,
- ``sqlite3``: the standard library's, WAL, synchronous=NORMAL, autocommit, an index on
  ``books.author_id`` only.

Each implementation runs in its own process (``--run NAME``), one operation per call,
with the same random choices (the xorshift generator and seed 42 of
``crates/bazoola-bench``, so the Rust and Python runs pick the same ids and years). The
parent prints one table of operations per second for every phase, and each process's
peak memory (``ru_maxrss``).

Then the phases SPEC §7 adds with the query features of §8, as ``crates/bazoola-bench``
runs them (same names, same calls), ours against ``sqlite3`` with a ratio column
(ours / sqlite3, above 1 when ours is faster):

- the ``+idx`` phases, with ``books.year`` indexed on both sides (ours: ``INT(null=True,
  index=True)``; SQLite: ``CREATE INDEX books_year ON books(year)``), each in a process
  and directory of its own (``ours-idx``, ``sqlite3-idx``) since the table declaration
  differs: the tables filled again, EQ and GT on the indexed year, the 10 newest books,
  page 100 of the books by title (20 a page), the count of books per author (group by)
  and ``InverseCount`` of the books of N/100 authors;
- the cartesian trap: 2 stores, 10 departments a store, 500 employees a department,
  2,500 products a store; for each store the number of products and of employees. Ours
  with ``InverseCount`` (two hops, ``through=``, for employees), SQLite with correlated
  subqueries, 20 times each (``--trap-repeats``); and SQLite's naive three-way ``LEFT
  JOIN`` with ``COUNT(DISTINCT …)``, which walks the 25,000,000-row product, once.

The original package 0.0.7 has no indexes on plain fields, ``order_by``/``limit``/
``offset``, ``aggregate`` or ``InverseCount``: it is left out of these phases (shown
as "—").

    python3 bench/workload.py                      # N = 20,000, all three
    python3 bench/workload.py --n 1000000 --impls ours,sqlite3
    python3 bench/workload.py --no-query-phases    # the base workload only

It expects ``.venv`` (with this package) and ``.venv-orig`` (with ``bazoola==0.0.7``) at
the repository root, as ``scripts/test.d/20-python`` makes them; ``--python-ours`` and
``--python-orig`` point elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 42
MASK = (1 << 64) - 1


class Rng:
    """xorshift64*, as `bazoola_bench::Rng`."""

    def __init__(self, seed: int) -> None:
        self.state = ((seed * 0x9E3779B97F4A7C15) & MASK) | 1

    def below(self, n: int) -> int:
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.state = x
        return ((x * 0x2545F4914F6CDD1D) & MASK) % max(n, 1)


# --- the implementations: one method per call of the workload ----------------------


class Bazoola:
    """The original package's API: ours and 0.0.7 run exactly this code. The query
    phases (``year_index`` and the methods after ``count``) are ours only."""

    def __init__(self, base_dir: str, year_index: bool = False) -> None:
        import bazoola
        from bazoola import CHAR, DB, FK, INT, PK, Field, Schema, Table

        self.bazoola = bazoola
        self.ours = hasattr(bazoola, "TEXT")
        # The +idx phases: `books.year` indexed (the original has no such argument).
        year = INT(null=True, index=True) if year_index else INT(null=True)

        class Authors(Table):
            name = "authors"
            schema = Schema([Field("id", PK()), Field("name", CHAR(20))])

        class Books(Table):
            name = "books"
            schema = Schema(
                [
                    Field("id", PK()),
                    Field("title", CHAR(20)),
                    Field("author_id", FK("authors")),
                    Field("year", year),
                ]
            )

        self.tables = [Authors, Books]
        self.base_dir = base_dir
        self.db = DB(self.tables, base_dir)
        self.join = [bazoola.Join("author_id", "author", "authors")]
        self.inverse = [bazoola.InverseJoin("author_id", "books", "books")]
        if year_index:
            self.inverse_count = [bazoola.InverseCount("author_id", "books", "books")]
            self.per_author = {"n": bazoola.COUNT()}

    def insert_author(self, name):
        return self.db.insert("authors", {"name": name})["id"]

    def insert_book(self, title, author_id, year):
        return self.db.insert("books", {"title": title, "author_id": author_id, "year": year})["id"]

    def find_book(self, id_):
        return self.db.find_by_id("books", id_) is not None

    def find_book_with_author(self, id_):
        return self.db.find_by_id("books", id_, joins=self.join) is not None

    def books_with_year(self, year):
        return len(self.db.find_by_cond("books", self.bazoola.EQ(year=year)))

    def books_after(self, year):
        return len(self.db.find_by_cond("books", self.bazoola.GT(year=year)))

    def titles_containing(self, needle):
        return len(self.db.find_by_cond("books", self.bazoola.SUBSTR(title=needle)))

    def titles_containing_ignore_case(self, needle):
        return len(self.db.find_by_cond("books", self.bazoola.ISUBSTR(title=needle)))

    def all_books_with_authors(self):
        return len(self.db.find_all("books", joins=self.join))

    def author_with_books(self, id_):
        return len(self.db.find_by_id("authors", id_, joins=self.inverse)["books"])

    def update_book_year(self, id_, year):
        self.db.update_by_id("books", id_, {"year": year})

    def delete_book(self, id_):
        self.db.delete_by_id("books", id_)

    def reopen(self):
        self.db.close()
        self.db = self.bazoola.DB(self.tables, self.base_dir)

    def count(self):
        # Ours counts without building rows; the original has only find_all.
        return self.db.count("books") if self.ours else len(self.db.find_all("books"))

    def newest_books(self, n):
        return len(self.db.find_all("books", order_by="-year", limit=n))

    def books_page_by_title(self, page, size):
        return len(self.db.find_all("books", order_by="title", limit=size, offset=page * size))

    def books_per_author(self):
        return len(self.db.aggregate("books", group_by="author_id", **self.per_author))

    def author_book_count(self, id_):
        return self.db.find_by_id("authors", id_, joins=self.inverse_count)["books"]

    def close(self):
        self.db.close()


class Sqlite:
    def __init__(self, base_dir: str, year_index: bool = False) -> None:
        os.makedirs(base_dir, exist_ok=True)
        self.path = os.path.join(base_dir, "bench.sqlite")
        self.connect()
        self.conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS books (id INTEGER PRIMARY KEY, title TEXT NOT NULL,
                author_id INTEGER NOT NULL REFERENCES authors(id), year INTEGER);
            CREATE INDEX IF NOT EXISTS books_author ON books(author_id);
            """
        )
        if year_index:
            self.conn.execute("CREATE INDEX IF NOT EXISTS books_year ON books(year)")

    def connect(self):
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")

    def insert_author(self, name):
        return self.conn.execute("INSERT INTO authors (name) VALUES (?)", (name,)).lastrowid

    def insert_book(self, title, author_id, year):
        return self.conn.execute(
            "INSERT INTO books (title, author_id, year) VALUES (?, ?, ?)", (title, author_id, year)
        ).lastrowid

    def find_book(self, id_):
        return self.conn.execute("SELECT * FROM books WHERE id = ?", (id_,)).fetchone() is not None

    def find_book_with_author(self, id_):
        return (
            self.conn.execute(
                "SELECT b.*, a.id, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id WHERE b.id = ?",
                (id_,),
            ).fetchone()
            is not None
        )

    def _rows(self, sql, param):
        return len(self.conn.execute(sql, (param,)).fetchall())

    def books_with_year(self, year):
        return self._rows("SELECT * FROM books WHERE year = ?", year)

    def books_after(self, year):
        return self._rows("SELECT * FROM books WHERE year > ?", year)

    def titles_containing(self, needle):
        return self._rows("SELECT * FROM books WHERE instr(title, ?) > 0", needle)

    def titles_containing_ignore_case(self, needle):
        return self._rows("SELECT * FROM books WHERE title LIKE '%' || ? || '%'", needle)

    def all_books_with_authors(self):
        sql = "SELECT b.*, a.id, a.name FROM books b LEFT JOIN authors a ON a.id = b.author_id"
        return len(self.conn.execute(sql).fetchall())

    def author_with_books(self, id_):
        self.conn.execute("SELECT * FROM authors WHERE id = ?", (id_,)).fetchone()
        return self._rows("SELECT * FROM books WHERE author_id = ?", id_)

    def update_book_year(self, id_, year):
        self.conn.execute("UPDATE books SET year = ? WHERE id = ?", (year, id_))

    def delete_book(self, id_):
        self.conn.execute("DELETE FROM books WHERE id = ?", (id_,))

    def reopen(self):
        self.conn.close()
        self.connect()

    def count(self):
        return self.conn.execute("SELECT count(*) FROM books").fetchone()[0]

    def newest_books(self, n):
        return self._rows("SELECT * FROM books ORDER BY year DESC LIMIT ?", n)

    def books_page_by_title(self, page, size):
        sql = "SELECT * FROM books ORDER BY title LIMIT ? OFFSET ?"
        return len(self.conn.execute(sql, (size, page * size)).fetchall())

    def books_per_author(self):
        return len(self.conn.execute("SELECT author_id, count(*) FROM books GROUP BY author_id").fetchall())

    def author_book_count(self, id_):
        sql = "SELECT a.*, (SELECT count(*) FROM books b WHERE b.author_id = a.id) FROM authors a WHERE a.id = ?"
        return self.conn.execute(sql, (id_,)).fetchone()[2]

    def close(self):
        self.conn.close()


# --- the workload -----------------------------------------------------------------


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workload(engine, n: int, scans: int, inverse_joins: int) -> list[tuple[str, int, float]]:
    rng = Rng(SEED)
    titles = [f"Book {i} of Tales" for i in range(n)]
    phases: list[tuple[str, int, float]] = []

    def timed(name: str, calls: int, body) -> None:
        start = time.perf_counter()
        body()
        phases.append((name, calls, time.perf_counter() - start))

    def insert_authors():
        for i in range(n):
            engine.insert_author(f"Author {i}")

    timed("insert authors", n, insert_authors)
    books = [(1 + rng.below(n), None if rng.below(10) == 0 else 1900 + rng.below(120)) for _ in range(n)]

    def insert_books():
        for i, (author, year) in enumerate(books):
            engine.insert_book(titles[i], author, year)

    timed("insert books", n, insert_books)
    ids = [1 + rng.below(n) for _ in range(n)]

    def find():
        for id_ in ids:
            assert engine.find_book(id_)

    timed("find_by_id", n, find)

    def find_join():
        for id_ in ids[: n // 10]:
            assert engine.find_book_with_author(id_)

    timed("find_by_id + Join", n // 10, find_join)
    timed("find_by_cond EQ year", scans, lambda: [engine.books_with_year(1900 + i) for i in range(scans)])
    timed("find_by_cond GT year", scans, lambda: [engine.books_after(2000 + i) for i in range(scans)])
    timed("find_by_cond SUBSTR title", scans, lambda: [engine.titles_containing(f"{i}7 of") for i in range(scans)])
    timed(
        "find_by_cond ISUBSTR title",
        scans,
        lambda: [engine.titles_containing_ignore_case(f"{i}7 OF") for i in range(scans)],
    )

    # Scans stream rows: memory must not grow with the table here.
    rss_after_scans = max_rss_mib()

    def find_all_join():
        # As many calls as a scan phase: one call of a few milliseconds measured
        # mostly the machine's noise and first-touch costs.
        for _ in range(scans):
            assert engine.all_books_with_authors() == n

    timed("find_all + Join", scans, find_all_join)
    timed(
        "find_by_id + InverseJoin",
        inverse_joins,
        lambda: [engine.author_with_books(1 + (i * 97 % n)) for i in range(inverse_joins)],
    )
    half = list(range(2, n + 1, 2))
    timed("update_by_id", len(half), lambda: [engine.update_book_year(id_, 2024) for id_ in half])
    timed("delete_by_id", len(half), lambda: [engine.delete_book(id_) for id_ in half])

    def reinsert():
        for i, id_ in enumerate(half):
            engine.insert_book(titles[i], id_, 1999)

    timed("re-insert", len(half), reinsert)
    timed("close + reopen", 1, engine.reopen)

    def count():
        assert engine.count() == n

    timed("count", 1, count)
    engine.close()
    return phases, rss_after_scans


def fill(engine, n: int) -> list[tuple[str, int, float]]:
    """Fills authors and books (``n`` each, the same random choices as ``workload``):
    the start of the ``+idx`` runs, as ``bazoola_bench::fill``."""
    rng = Rng(SEED)
    titles = [f"Book {i} of Tales" for i in range(n)]
    phases: list[tuple[str, int, float]] = []

    start = time.perf_counter()
    for i in range(n):
        engine.insert_author(f"Author {i}")
    phases.append(("insert authors (+idx)", n, time.perf_counter() - start))
    books = [(1 + rng.below(n), None if rng.below(10) == 0 else 1900 + rng.below(120)) for _ in range(n)]
    start = time.perf_counter()
    for i, (author, year) in enumerate(books):
        engine.insert_book(titles[i], author, year)
    phases.append(("insert books (+idx)", n, time.perf_counter() - start))
    return phases


def query_phases(engine, n: int, scans: int, counts: int) -> list[tuple[str, int, float]]:
    """The phases SPEC §7 adds with the query features, on tables filled by ``fill``
    with ``books.year`` indexed on both sides, as ``bazoola_bench::run_query_phases``."""
    phases: list[tuple[str, int, float]] = []

    def timed(name: str, calls: int, body) -> None:
        start = time.perf_counter()
        body()
        phases.append((name, calls, time.perf_counter() - start))

    # As many calls as crates/bazoola-bench's EQ_CALLS, GT_CALLS and NEWEST_CALLS.
    eq_calls, gt_calls, newest_calls = 1200, 100, 1000
    timed(
        "find_by_cond EQ year +idx",
        eq_calls,
        lambda: [engine.books_with_year(1900 + i % 120) for i in range(eq_calls)],
    )
    timed("find_by_cond GT year +idx", gt_calls, lambda: [engine.books_after(2015 + i % 4) for i in range(gt_calls)])

    def newest():
        for _ in range(newest_calls):
            assert engine.newest_books(10) == 10

    timed("10 newest books (year DESC LIMIT 10)", newest_calls, newest)

    def page():
        # Offset 1,980: a full page from N = 2,000 on.
        for _ in range(scans):
            assert engine.books_page_by_title(99, 20) == min(20, max(n - 99 * 20, 0))

    timed("page 100 by title (20 a page)", scans, page)

    def per_author():
        for _ in range(scans):
            assert engine.books_per_author() > n // 2

    timed("count of books per author (GROUP BY)", scans, per_author)
    timed(
        "InverseCount books of an author",
        counts,
        lambda: [engine.author_book_count(1 + (i * 97 % n)) for i in range(counts)],
    )
    engine.close()
    return phases


# --- the cartesian trap (SPEC §7; `crates/bazoola-bench/src/trap.rs`) -------------

STORES = 2
DEPARTMENTS = 10
EMPLOYEES = 500
PRODUCTS = 2500
TRAP_COUNTS = [(s, PRODUCTS, DEPARTMENTS * EMPLOYEES) for s in range(1, STORES + 1)]
TRAP_PHASE = "cartesian trap: products and employees per store"


def trap_ours(base_dir: str, repeats: int) -> tuple[float, list[tuple[int, int, int]]]:
    """Counts each relation through its FK index: ``InverseCount``, two hops (``through=``)
    for the employees. Returns the seconds of ``repeats`` reads and the counts."""
    from bazoola import CHAR, DB, FK, PK, Field, InverseCount, Schema, Table

    class Stores(Table):
        name = "stores"
        schema = Schema([Field("id", PK()), Field("name", CHAR(8))])

    class Departments(Table):
        name = "departments"
        schema = Schema([Field("id", PK()), Field("store_id", FK("stores"))])

    class Employees(Table):
        name = "employees"
        schema = Schema([Field("id", PK()), Field("department_id", FK("departments"))])

    class Products(Table):
        name = "products"
        schema = Schema([Field("id", PK()), Field("store_id", FK("stores"))])

    db = DB([Stores, Departments, Employees, Products], base_dir)
    with db.transaction():
        for s in range(1, STORES + 1):
            db.insert("stores", {"name": f"s{s}"})
            for _ in range(DEPARTMENTS):
                d = db.insert("departments", {"store_id": s})["id"]
                for _ in range(EMPLOYEES):
                    db.insert("employees", {"department_id": d})
            for _ in range(PRODUCTS):
                db.insert("products", {"store_id": s})
    joins = [
        InverseCount("store_id", "products", "products"),
        InverseCount("store_id", "employees", "departments", through=InverseCount("department_id", "n", "employees")),
    ]
    counts: list[tuple[int, int, int]] = []
    start = time.perf_counter()
    for _ in range(repeats):
        counts = [(s["id"], s["products"], s["employees"]) for s in db.find_all("stores", joins=joins)]
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed, counts


def trap_sqlite(base_dir: str, naive: bool, repeats: int) -> tuple[float, list[tuple[int, int, int]]]:
    """SQLite with the same indexes (each FK indexed): correlated subqueries, or the naive
    three-way ``LEFT JOIN`` with ``COUNT(DISTINCT …)``."""
    os.makedirs(base_dir, exist_ok=True)
    conn = sqlite3.connect(os.path.join(base_dir, "trap.sqlite"), isolation_level=None)
    conn.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE stores (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE departments (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores(id));
        CREATE TABLE employees (id INTEGER PRIMARY KEY, department_id INTEGER REFERENCES departments(id));
        CREATE TABLE products (id INTEGER PRIMARY KEY, store_id INTEGER REFERENCES stores(id));
        CREATE INDEX departments_store ON departments(store_id);
        CREATE INDEX employees_department ON employees(department_id);
        CREATE INDEX products_store ON products(store_id);
        """
    )
    conn.execute("BEGIN")
    for s in range(1, STORES + 1):
        conn.execute("INSERT INTO stores (name) VALUES (?)", (f"s{s}",))
        for _ in range(DEPARTMENTS):
            d = conn.execute("INSERT INTO departments (store_id) VALUES (?)", (s,)).lastrowid
            for _ in range(EMPLOYEES):
                conn.execute("INSERT INTO employees (department_id) VALUES (?)", (d,))
        for _ in range(PRODUCTS):
            conn.execute("INSERT INTO products (store_id) VALUES (?)", (s,))
    conn.execute("COMMIT")
    if naive:
        sql = """SELECT s.id, count(DISTINCT p.id), count(DISTINCT e.id) FROM stores s
            LEFT JOIN products p ON p.store_id = s.id
            LEFT JOIN departments d ON d.store_id = s.id
            LEFT JOIN employees e ON e.department_id = d.id
            GROUP BY s.id ORDER BY s.id"""
    else:
        sql = """SELECT s.id,
            (SELECT count(*) FROM products p WHERE p.store_id = s.id),
            (SELECT count(*) FROM employees e JOIN departments d ON e.department_id = d.id WHERE d.store_id = s.id)
            FROM stores s ORDER BY s.id"""
    counts: list[tuple[int, int, int]] = []
    start = time.perf_counter()
    for _ in range(repeats):
        counts = [tuple(row) for row in conn.execute(sql).fetchall()]
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, counts


def run_one(name: str, n: int, scans: int, inverse_joins: int, trap_repeats: int = 20) -> None:
    """Runs the workload in this process and prints its result as JSON. ``NAME`` is an
    implementation (``ours``, ``original``, ``sqlite3``), or ``ours-idx``/``sqlite3-idx``
    (the ``+idx`` phases), ``ours-trap``/``sqlite3-trap``/``sqlite3-naive-trap``."""
    base_dir = tempfile.mkdtemp(prefix=f"bench-{name}-", dir=os.environ.get("BENCH_TMP"))
    try:
        if name.endswith("-trap"):
            calls = 1 if name == "sqlite3-naive-trap" else trap_repeats
            if name == "ours-trap":
                elapsed, counts = trap_ours(os.path.join(base_dir, "db"), calls)
            else:
                elapsed, counts = trap_sqlite(base_dir, name == "sqlite3-naive-trap", calls)
            assert counts == TRAP_COUNTS, (name, counts)
            print(json.dumps({"name": name, "phases": [(TRAP_PHASE, calls, elapsed)], "max_rss_mib": max_rss_mib()}))
            return
        if name.endswith("-idx"):
            if name == "sqlite3-idx":
                engine = Sqlite(base_dir, year_index=True)
            else:
                engine = Bazoola(os.path.join(base_dir, "db"), year_index=True)
            phases = fill(engine, n) + query_phases(engine, n, scans, max(n // 100, 1))
            print(json.dumps({"name": name, "phases": phases, "max_rss_mib": max_rss_mib()}))
            return
        engine = Sqlite(base_dir) if name == "sqlite3" else Bazoola(os.path.join(base_dir, "db"))
        phases, rss_after_scans = workload(engine, n, scans, inverse_joins)
        version = sqlite3.sqlite_version if name == "sqlite3" else engine.bazoola.__name__
        if name != "sqlite3":
            from importlib.metadata import version as package_version

            version = package_version("bazoola")
        print(
            json.dumps(
                {
                    "name": name,
                    "version": version,
                    "phases": phases,
                    "rss_after_scans_mib": rss_after_scans,
                    "max_rss_mib": max_rss_mib(),
                }
            )
        )
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


IMPLEMENTATIONS = {
    "ours": ("bazoola (ours)", "python_ours"),
    "original": ("bazoola 0.0.7", "python_orig"),
    "sqlite3": ("sqlite3 (WAL, NORMAL)", "python_sqlite"),
}


def fmt_rate(calls: int, seconds: float) -> str:
    rate = calls / seconds if seconds > 0 else float("inf")
    if rate >= 100:
        return f"{rate:,.0f}"
    return f"{rate:,.2f}"


def fmt_ratio(ours: list | None, theirs: list | None) -> str:
    """ours / sqlite3 in calls per second (above 1: ours is faster), or "—"; each a
    phase ``[name, calls, seconds]`` as a child reports it."""
    if ours is None or theirs is None or ours[2] <= 0 or theirs[2] <= 0:
        return "—"
    ratio = (ours[1] / ours[2]) / (theirs[1] / theirs[2])
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.2f}×"


def spawn(key: str, label: str, python: str, args: argparse.Namespace, inverse_joins: int) -> dict:
    """Runs ``--run key`` in a process of its own and returns its JSON result."""
    command = [python, str(Path(__file__).resolve()), "--run", key, "--n", str(args.n)]
    command += ["--scans", str(args.scans), "--inverse-joins", str(inverse_joins)]
    command += ["--trap-repeats", str(args.trap_repeats)]
    print(f"running {label} ...", file=sys.stderr, flush=True)
    # From a neutral directory, so that each interpreter imports its own `bazoola`.
    out = subprocess.run(command, capture_output=True, text=True, cwd=tempfile.gettempdir())
    if out.returncode != 0:
        sys.exit(f"{label} failed:\n{out.stderr}")
    result = json.loads(out.stdout)
    result["label"] = label
    return result


def print_query_tables(keys: list[str], query: dict[str, dict]) -> None:
    """The +idx and cartesian-trap tables: one column per implementation of the base
    table (the original's "—"), and ours / sqlite3."""
    labels = [IMPLEMENTATIONS[key][0] for key in keys]
    header = "| phase (calls) | " + " | ".join(labels) + " | ours/sqlite3 |"
    rule = "|" + "|".join(["---"] + ["---:"] * (len(keys) + 1)) + "|"

    def row(name: str, cells: dict[str, str], ratio: str) -> None:
        print(f"| {name} | " + " | ".join(cells.get(key, "—") for key in keys) + f" | {ratio} |")

    idx = {key: query[f"{key}-idx"] for key in ("ours", "sqlite3") if f"{key}-idx" in query}
    if idx:
        print("\nWith books.year indexed in both (the +idx phases of SPEC §7); 0.0.7 has none of these features:\n")
        print(header)
        print(rule)
        for i, (name, calls, _) in enumerate(next(iter(idx.values()))["phases"]):
            got = {key: r["phases"][i] for key, r in idx.items()}
            row(
                f"{name} ({calls:,})",
                {key: fmt_rate(p[1], p[2]) for key, p in got.items()},
                fmt_ratio(got.get("ours"), got.get("sqlite3")),
            )
        row("peak memory (MiB)", {key: f"{r['max_rss_mib']:,.0f}" for key, r in idx.items()}, "")

    trap = {
        key: query[name]["phases"][0]
        for key, name in (("ours", "ours-trap"), ("sqlite3", "sqlite3-trap"))
        if name in query
    }
    naive = query["sqlite3-naive-trap"]["phases"][0] if "sqlite3-naive-trap" in query else None
    if trap or naive:
        print(
            f"\nThe cartesian trap ({STORES} stores × {DEPARTMENTS} departments × {EMPLOYEES} employees,"
            f" {PRODUCTS:,} products a store); 0.0.7 has no InverseCount:\n"
        )
        print(header)
        print(rule)
        calls = (trap.get("ours") or trap.get("sqlite3") or naive)[1]
        row(
            f"{TRAP_PHASE} ({calls:,})",
            {key: fmt_rate(p[1], p[2]) for key, p in trap.items()},
            fmt_ratio(trap.get("ours"), trap.get("sqlite3")),
        )
        if naive is not None:
            cells = {"sqlite3": fmt_rate(naive[1], naive[2])}
            if "ours" in trap:
                cells["ours"] = fmt_rate(trap["ours"][1], trap["ours"][2])
            row(
                f"the same, sqlite3's naive three-way LEFT JOIN ({naive[1]:,})",
                cells,
                fmt_ratio(trap.get("ours"), naive),
            )
        rss = {"ours": query.get("ours-trap"), "sqlite3": query.get("sqlite3-trap")}
        cells = {key: f"{r['max_rss_mib']:,.0f}" for key, r in rss.items() if r is not None}
        if naive is not None:
            naive_rss = f"naive {query['sqlite3-naive-trap']['max_rss_mib']:,.0f}"
            cells["sqlite3"] = f"{cells['sqlite3']}, {naive_rss}" if "sqlite3" in cells else naive_rss
        row("peak memory (MiB)", cells, "")


#: The processes of the query phases: (key, implementation it belongs to, label).
QUERY_RUNS = [
    ("ours-idx", "ours", "bazoola (ours), books.year indexed"),
    ("sqlite3-idx", "sqlite3", "sqlite3, books.year indexed"),
    ("ours-trap", "ours", "bazoola (ours), cartesian trap"),
    ("sqlite3-trap", "sqlite3", "sqlite3, cartesian trap (correlated subqueries)"),
    ("sqlite3-naive-trap", "sqlite3", "sqlite3, cartesian trap (naive LEFT JOIN)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--impls", default="ours,original,sqlite3")
    parser.add_argument("--scans", type=int, default=5, help="calls per condition-scan phase")
    parser.add_argument("--inverse-joins", type=int, default=None, help="default N/100")
    parser.add_argument(
        "--query-phases",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the +idx phases and the cartesian trap of SPEC §7 (ours and sqlite3 only)",
    )
    parser.add_argument("--trap-repeats", type=int, default=20, help="reads of the cartesian-trap counts")
    parser.add_argument("--python-ours", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--python-orig", default=str(REPO / ".venv-orig" / "bin" / "python"))
    parser.add_argument("--python-sqlite", default=sys.executable)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    inverse_joins = args.inverse_joins if args.inverse_joins is not None else max(args.n // 100, 1)
    if args.run:
        run_one(args.run, args.n, args.scans, inverse_joins, args.trap_repeats)
        return

    keys = args.impls.split(",")
    results = []
    for key in keys:
        label, python_arg = IMPLEMENTATIONS[key]
        results.append(spawn(key, label, getattr(args, python_arg), args, inverse_joins))
    query: dict[str, dict] = {}
    if args.query_phases:
        for key, impl, label in QUERY_RUNS:
            if impl in keys:
                query[key] = spawn(key, label, getattr(args, IMPLEMENTATIONS[impl][1]), args, inverse_joins)

    print(f"N = {args.n:,}; {args.scans} calls per scan phase, {inverse_joins} InverseJoins; ops/s (higher is better)")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"{python} on {platform.machine()}, {os.cpu_count()} CPUs\n")
    header = ["phase (calls)"] + [r["label"] for r in results]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["---:"] * len(results)) + "|")
    for i, (name, calls, _) in enumerate(results[0]["phases"]):
        cells = [fmt_rate(r["phases"][i][1], r["phases"][i][2]) for r in results]
        print(f"| {name} ({calls:,}) | " + " | ".join(cells) + " |")
    total = ["total seconds"] + [f"{sum(p[2] for p in r['phases']):,.1f}" for r in results]
    print("| " + " | ".join(total) + " |")
    scans = ["peak memory after the scans (MiB)"] + [f"{r['rss_after_scans_mib']:,.0f}" for r in results]
    print("| " + " | ".join(scans) + " |")
    rss = ["peak memory, whole run (MiB)"] + [f"{r['max_rss_mib']:,.0f}" for r in results]
    print("| " + " | ".join(rss) + " |")
    print_query_tables(keys, query)


if __name__ == "__main__":
    main()
