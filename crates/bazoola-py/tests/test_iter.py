"""`db.iter` (SPEC §6 "Additions"): the rows of a read one at a time, read a batch at a
time, with no lock held between batches — so the loop, other threads and other
processes may write while it runs, and a generator abandoned half way holds nothing.

No sleeps and no timing: a lock wrongly held would make a writer wait forever, so the
writers of other processes run with a generous deadline that only turns such a hang
into a failure.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from pathlib import Path

import pytest

import workers
from bazoola import EQ, GT, BaseCond, DBError, Join, NotFoundError
from schemas import AUTHORS, BOOKS, COUNTER, A, Py

SPAWN = multiprocessing.get_context("spawn")
#: Only a hang reaches it: a write takes milliseconds.
DEADLINE = 120


def write_from_another_process(base_dir: Path) -> list[int]:
    """Inserts 3 rows into `a` from a new process; fails (instead of hanging) if the
    process cannot get the lock."""
    with SPAWN.Pool(1) as pool:
        return pool.apply_async(workers.insert_rows, (str(base_dir), 9, 3)).get(timeout=DEADLINE)


@pytest.fixture
def rows_a(open_db, dbdir):
    """Table `a` with 100 rows, ids 1..100."""
    db = open_db([A])
    with db.transaction():
        for i in range(100):
            db.insert("a", {"text": f"r{i}"})
    return db


@pytest.mark.parametrize("batch", [1, 7, 100, 1024])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"cond": GT(id=40)},
        {"cond": Py(GT(id=40))},
        {"order_by": "-text", "limit": 30, "offset": 5},
        {"order_by": "text", "fields": []},
    ],
    ids=["all", "cond", "python-cond", "ordered-cut", "projected"],
)
def test_iter_yields_what_find_returns(rows_a, batch, kwargs):
    kwargs = dict(kwargs)
    cond = kwargs.pop("cond", None)
    expected = rows_a.find_all("a", **kwargs) if cond is None else rows_a.find_by_cond("a", cond, **kwargs)
    assert list(rows_a.iter("a", cond, **kwargs, batch=batch)) == expected


def test_iter_with_joins(library):
    joins = [Join("author_id", "author", "authors")]
    assert list(library.iter("books", joins=joins, order_by="title", batch=1)) == library.find_all(
        "books", joins=joins, order_by="title"
    )


def test_rows_are_read_a_batch_at_a_time(rows_a):
    """The order is taken with the first batch; each later batch reads its rows when it
    comes, so it sees what was written meanwhile (READ COMMITTED)."""
    rows = rows_a.iter("a", GT(id=10), batch=10)
    assert [next(rows)["id"] for _ in range(10)] == list(range(11, 21))
    rows_a.insert("a", {"text": "late"})  # not in the order taken: left out
    rows_a.delete_by_id("a", 25)  # gone before its batch is read: left out
    rows_a.update_by_id("a", 30, {"text": "new"})  # read after the change
    rows_a.update_by_id("a", 31, {"text": "x"})
    rest = list(rows)
    assert [r["id"] for r in rest] == [i for i in range(21, 101) if i != 25]
    assert [r["text"] for r in rest if r["id"] in (30, 31)] == ["new", "x"]
    assert rows_a.count("a") == 100


def test_a_row_inserted_into_a_freed_slot_does_not_come_out_of_order(rows_a):
    rows = rows_a.iter("a", order_by="-text", batch=10)
    assert next(rows)["text"] == "r99"
    rows_a.delete_by_id("a", 3)  # "r2", late in the order
    assert rows_a.insert("a", {"text": "zzz"})["id"] == 101  # into row 3's slot
    texts = [r["text"] for r in rows]
    assert texts == sorted(texts, reverse=True)


def test_no_lock_is_held_between_batches(rows_a, dbdir):
    rows = rows_a.iter("a", order_by="-text", batch=10)
    first = [next(rows) for _ in range(15)]  # half way through the second batch
    # Another process writes, then this thread, in the middle of the loop.
    assert len(write_from_another_process(dbdir)) == 3
    rows_a.insert("a", {"text": "mine"})
    with rows_a.transaction():
        rows_a.delete_by_id("a", 1)
    assert len(first) + len(list(rows)) == 99, "row 1 was deleted before its batch"


@pytest.mark.parametrize("abandon", ["del", "close", "exhausted-error", "unstarted"])
def test_an_abandoned_generator_leaves_no_lock(rows_a, dbdir, abandon):
    rows = rows_a.iter("a", batch=10)
    if abandon != "unstarted":
        for _ in range(25):
            next(rows)
    if abandon == "close":
        rows.close()
    elif abandon == "exhausted-error":
        rows_a.close()
        with pytest.raises(DBError, match="closed"):
            list(rows)
    del rows
    gc.collect()
    assert len(write_from_another_process(dbdir)) == 3
    if abandon != "exhausted-error":
        rows_a.insert("a", {"text": "after"})
        assert rows_a.count("a") == 104


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_many_abandoned_generators_leak_nothing(rows_a):
    def abandon(i: int) -> None:
        cond = [None, GT(id=50), Py(GT(id=50))][i % 3]
        rows = rows_a.iter("a", cond, order_by=["-text", "id"][i % 2], batch=1 + i % 9)
        for _ in range(i % 40):
            next(rows, None)
        if i % 4 == 0:
            rows.close()

    list(rows_a.iter("a"))  # every file the reads use is open
    before = open_fds()
    for i in range(500):
        abandon(i)
    gc.collect()
    assert open_fds() == before
    rows_a.insert("a", {"text": "still"})
    assert rows_a.find_by_id("a", 101) == {"id": 101, "text": "still"}
    assert rows_a.check() == []


def test_an_exception_of_a_python_condition_ends_the_loop_and_holds_nothing(rows_a, dbdir):
    class Boom(BaseCond):
        def __init__(self) -> None:
            self.params = {"boom": 1}

        def eval(self, row) -> bool:
            if row["text"] == "boom":
                raise KeyError("boom")
            return True

    rows = rows_a.iter("a", Boom(), batch=10)
    assert next(rows)["id"] == 1
    rows_a.update_by_id("a", 50, {"text": "boom"})  # met when its batch is read
    with pytest.raises(KeyError, match="boom"):
        list(rows)
    assert list(rows) == []
    assert len(write_from_another_process(dbdir)) == 3


def test_a_python_condition_may_write_while_its_batch_is_read(open_db):
    db = open_db([A, COUNTER])
    for i in range(5):
        db.insert("a", {"text": f"r{i}"})
    db.insert("counter", {"value": 0})

    class Counting(BaseCond):
        """An `eval` that writes, as the original's one global lock let it."""

        def __init__(self) -> None:
            self.params = {"counting": 1}

        def eval(self, row) -> bool:
            value = db.find_by_id("counter", 1)["value"]
            db.update_by_id("counter", 1, {"value": value + 1})
            return True

    assert [r["id"] for r in db.iter("a", Counting(), batch=2)] == [1, 2, 3, 4, 5]
    # Called when the order is taken, then again as each row's batch is read.
    assert db.find_by_id("counter", 1)["value"] == 10


def test_iter_on_a_closed_database(library):
    library.close()
    rows = library.iter("books")
    with pytest.raises(DBError, match="closed"):
        next(rows)


def test_a_row_deleted_before_its_batch_with_a_forward_join(open_db):
    db = open_db([AUTHORS, BOOKS])
    author = db.insert("authors", {"name": "x"})
    for i in range(4):
        db.insert("books", {"title": f"t{i}", "author_id": author["id"], "year": i})
    rows = db.iter("books", EQ(author_id=author["id"]), [Join("author_id", "author", "authors")], batch=2)
    assert next(rows)["author"] == author
    db.delete_by_id("books", 3)
    assert [r["id"] for r in rows] == [2, 4]
    with pytest.raises(NotFoundError):
        db.delete_by_id("books", 3)
