"""Work run in other processes by the concurrency tests (importable by name, as
`multiprocessing`'s spawn start method needs)."""

from __future__ import annotations

import threading

from bazoola import DB, SchemaError
from schemas import COUNTER, LIB_AUTHORS, LIB_BOOKS_PAGES, LIB_REVIEWS, LIBRARY, A


def insert_rows(base_dir: str, worker: int, count: int, barrier=None) -> list[int]:
    db = DB([A], base_dir)
    if barrier is not None:
        # Start together (best effort: a late worker only makes the race less likely).
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
    try:
        return [db.insert("a", {"text": f"w{worker}"})["id"] for _ in range(count)]
    finally:
        db.close()


def increment(base_dir: str, times: int) -> None:
    db = DB([COUNTER], base_dir)
    try:
        for _ in range(times):
            with db.storage.lock():
                value = db.find_by_id("counter", 1)["value"]
                db.update_by_id("counter", 1, {"value": value + 1})
    finally:
        db.close()


def read_across_a_schema_change(base_dir: str, conn) -> None:
    """Opens the library declaring its schema as it is, reads, and says so on `conn`;
    when told the schema changed, reads again with the same handle (sending what it
    raised), then with one declaring `books` with `pages` (sending the rows)."""
    db = DB(LIBRARY, base_dir)
    try:
        conn.send([dict(r) for r in db.find_all("books")])
        conn.recv()
        try:
            db.find_all("books")
            conn.send(None)
        except SchemaError as e:
            conn.send((e.message, e.table))
    finally:
        db.close()
    db = DB([LIB_AUTHORS, LIB_BOOKS_PAGES, LIB_REVIEWS], base_dir)
    try:
        conn.send([dict(r) for r in db.find_all("books")])
    finally:
        db.close()


def migrate_to_pages(base_dir: str, pages: int) -> list[dict]:
    """Opens the library declaring `books` with `pages`, with `migrate`, and gives one
    book its pages."""
    db = DB([LIB_AUTHORS, LIB_BOOKS_PAGES, LIB_REVIEWS], base_dir, migrate=True)
    try:
        db.update_by_id("books", 1, {"pages": pages})
        return [dict(r) for r in db.find_all("books")]
    finally:
        db.close()
