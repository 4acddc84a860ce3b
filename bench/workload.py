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

    python3 bench/workload.py                      # N = 20,000, all three
    python3 bench/workload.py --n 1000000 --impls ours,sqlite3

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
    """The original package's API: ours and 0.0.7 run exactly this code."""

    def __init__(self, base_dir: str) -> None:
        import bazoola
        from bazoola import CHAR, DB, FK, INT, PK, Field, Schema, Table

        self.bazoola = bazoola
        self.ours = hasattr(bazoola, "TEXT")

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
                    Field("year", INT(null=True)),
                ]
            )

        self.tables = [Authors, Books]
        self.base_dir = base_dir
        self.db = DB(self.tables, base_dir)
        self.join = [bazoola.Join("author_id", "author", "authors")]
        self.inverse = [bazoola.InverseJoin("author_id", "books", "books")]

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

    def close(self):
        self.db.close()


class Sqlite:
    def __init__(self, base_dir: str) -> None:
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
        assert engine.all_books_with_authors() == n

    timed("find_all + Join", 1, find_all_join)
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


def run_one(name: str, n: int, scans: int, inverse_joins: int) -> None:
    """Runs the workload in this process and prints its result as JSON."""
    base_dir = tempfile.mkdtemp(prefix=f"bench-{name}-", dir=os.environ.get("BENCH_TMP"))
    try:
        engine = Sqlite(base_dir) if name == "sqlite3" else Bazoola(os.path.join(base_dir, "db"))
        phases, rss_after_scans = workload(engine, n, scans, inverse_joins)
        version = sqlite3.sqlite_version if name == "sqlite3" else engine.bazoola.__name__
        if name != "sqlite3":
            from importlib.metadata import version as package_version

            version = package_version("bazoola")
        print(json.dumps({"name": name, "version": version, "phases": phases, "rss_after_scans_mib": rss_after_scans, "max_rss_mib": max_rss_mib()}))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--impls", default="ours,original,sqlite3")
    parser.add_argument("--scans", type=int, default=5, help="calls per condition-scan phase")
    parser.add_argument("--inverse-joins", type=int, default=None, help="default N/100")
    parser.add_argument("--python-ours", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--python-orig", default=str(REPO / ".venv-orig" / "bin" / "python"))
    parser.add_argument("--python-sqlite", default=sys.executable)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    inverse_joins = args.inverse_joins if args.inverse_joins is not None else max(args.n // 100, 1)
    if args.run:
        run_one(args.run, args.n, args.scans, inverse_joins)
        return

    results = []
    for key in args.impls.split(","):
        label, python_arg = IMPLEMENTATIONS[key]
        python = getattr(args, python_arg)
        command = [python, str(Path(__file__).resolve()), "--run", key, "--n", str(args.n)]
        command += ["--scans", str(args.scans), "--inverse-joins", str(inverse_joins)]
        print(f"running {label} ...", file=sys.stderr, flush=True)
        # From a neutral directory, so that each interpreter imports its own `bazoola`.
        out = subprocess.run(command, capture_output=True, text=True, cwd=tempfile.gettempdir())
        if out.returncode != 0:
            sys.exit(f"{label} failed:\n{out.stderr}")
        result = json.loads(out.stdout)
        result["label"] = label
        results.append(result)

    print(f"N = {args.n:,}; {args.scans} calls per scan phase, {inverse_joins} InverseJoins; ops/s (higher is better)")
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs\n")
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


if __name__ == "__main__":
    main()
