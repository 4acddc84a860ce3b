"""Threads and processes sharing one database directory (SPEC §5).

No sleeps and no timing: each test makes the race as likely as it can (many workers,
each operation a separate lock acquisition, the GIL released inside every call) and
checks an invariant that a lost update, a doubly-used id or slot, or a torn write
would break. Each is repeated a few times.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

import workers
from bazoola import DBError
from schemas import A, COUNTER

ROUNDS = range(3)


def run_threads(n: int, target, *args) -> None:
    """Starts `n` threads on `target(i, *args)` together, and re-raises their errors."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        barrier.wait()
        try:
            target(i, *args)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("round_", ROUNDS)
def test_threads_inserting_get_distinct_ids(open_db, dbdir, round_):
    db = open_db([A])
    ids: list[list[int]] = [[] for _ in range(8)]

    def insert(i: int) -> None:
        for _ in range(250):
            ids[i].append(db.insert("a", {"text": f"t{i}"})["id"])

    run_threads(8, insert)
    every = [x for chunk in ids for x in chunk]
    assert sorted(every) == list(range(1, 2001))
    assert len(db.find_all("a")) == 2000
    assert (dbdir / "a__seqnum.dat").read_text() == "2000"
    assert db.check() == []


@pytest.mark.parametrize("round_", ROUNDS)
def test_threads_deleting_and_inserting_share_free_slots_safely(open_db, dbdir, round_):
    db = open_db([A])
    for i in range(400):
        db.insert("a", {"text": "seed"})

    def churn(i: int) -> None:
        # Each thread deletes its own quarter of the seed rows, inserting after each
        # delete, so free slots are pushed and popped by every thread at once.
        for id_ in range(i + 1, 401, 4):
            db.delete_by_id("a", id_)
            db.insert("a", {"text": f"n{i}"})

    run_threads(4, churn)
    rows = db.find_all("a")
    assert len(rows) == 400
    assert sorted(r["id"] for r in rows) == list(range(401, 801))
    # Every slot was reused exactly once: the file did not grow, the stack is empty.
    assert (dbdir / "a.dat").stat().st_size == 400 * 15
    assert (dbdir / "a__free.dat").read_bytes() == b""
    assert db.check() == []


@pytest.mark.parametrize("round_", ROUNDS)
@pytest.mark.parametrize("guard", ["storage.lock", "transaction"])
def test_no_lost_update_under_the_lock(open_db, round_, guard):
    db = open_db([COUNTER])
    db.insert("counter", {"value": 0})

    def increment(i: int) -> None:
        for _ in range(50):
            with db.storage.lock() if guard == "storage.lock" else db.transaction():
                value = db.find_by_id("counter", 1)["value"]
                db.update_by_id("counter", 1, {"value": value + 1})

    run_threads(8, increment)
    assert db.find_by_id("counter", 1)["value"] == 400


def test_storage_lock_is_reentrant_and_commits_even_when_the_block_raises(open_db):
    db = open_db([A])
    with pytest.raises(KeyError):
        with db.storage.lock():
            db.insert("a", {"text": "one"})
            with db.storage.lock():
                db.insert("a", {"text": "two"})
            raise KeyError("after the writes")
    assert [r["text"] for r in db.find_all("a")] == ["one", "two"]


@pytest.mark.parametrize("round_", range(10))
def test_another_thread_never_sees_a_transaction_that_rolls_back(open_db, round_):
    db = open_db([A])
    inside = threading.Event()
    seen: list[int] = []

    def reader() -> None:
        inside.wait()
        seen.append(len(db.find_all("a")))

    t = threading.Thread(target=reader)
    t.start()
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.insert("a", {"text": "ghost"})
            inside.set()
            for _ in range(1000):  # give the reader every chance to run now
                db.find_by_id("a", 1)
            raise RuntimeError("roll back")
    t.join()
    assert seen == [0]
    assert db.find_all("a") == []


def test_a_thread_waiting_for_the_lock_does_not_hold_the_gil(open_db):
    db = open_db([A])
    locked, release = threading.Event(), threading.Event()

    def holder() -> None:
        with db.storage.lock():
            db.insert("a", {"text": "x"})
            locked.set()
            release.wait()

    h = threading.Thread(target=holder)
    h.start()
    locked.wait()
    waiter = threading.Thread(target=lambda: db.insert("a", {"text": "y"}))
    waiter.start()
    # This thread runs Python while `waiter` is blocked inside the engine; were the GIL
    # held there, `release.set()` could never run and the joins below would hang.
    release.set()
    h.join()
    waiter.join()
    assert [r["text"] for r in db.find_all("a")] == ["x", "y"]


def test_transaction_rolls_back_to_the_same_bytes(open_db, dbdir):
    db = open_db([A])
    db.insert("a", {"text": "keep"})
    before = {p.name: p.read_bytes() for p in dbdir.iterdir() if p.name != ".journal"}
    with pytest.raises(ValueError):
        with db.transaction():
            db.insert("a", {"text": "new"})
            db.update_by_id("a", 1, {"text": "chg"})
            db.delete_by_id("a", 2)
            raise ValueError("no")
    after = {p.name: p.read_bytes() for p in dbdir.iterdir() if p.name != ".journal"}
    assert after == before


def test_nested_transactions_join_the_outer_one(open_db):
    db = open_db([A])
    with pytest.raises(ValueError):
        with db.transaction():
            with db.transaction():
                db.insert("a", {"text": "inner"})
            raise ValueError("outer fails")
    assert db.find_all("a") == []
    with db.transaction() as same:
        assert same is db
        with db.transaction():
            db.insert("a", {"text": "inner"})
    assert len(db.find_all("a")) == 1


def test_a_failed_operation_in_a_transaction_does_not_spoil_it(open_db):
    db = open_db([A])
    with db.transaction():
        db.insert("a", {"text": "ok"})
        with pytest.raises(DBError):
            db.insert("a", {"text": "far too long"})
        db.insert("a", {"text": "ok2"})
    assert [r["text"] for r in db.find_all("a")] == ["ok", "ok2"]


def test_threads_share_one_db_for_mixed_work(open_db):
    db = open_db([A])
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: db.insert("a", {"text": str(i)})["id"], range(200)))
        found = list(pool.map(lambda i: db.find_by_id("a", i), ids))
    assert sorted(ids) == list(range(1, 201))
    assert all(row is not None for row in found)


SPAWN = multiprocessing.get_context("spawn")


@pytest.mark.parametrize("round_", range(2))
def test_processes_inserting_get_distinct_ids(tmp_path, round_):
    """10 processes × 200 inserts into one directory: 2,000 distinct ids."""
    base = str(tmp_path / "shared")
    workers.insert_rows(base, -1, 0)  # create the directory first
    with SPAWN.Manager() as manager, ProcessPoolExecutor(10, mp_context=SPAWN) as pool:
        barrier = manager.Barrier(10)
        results = list(pool.map(workers.insert_rows, [base] * 10, range(10), [200] * 10, [barrier] * 10))
    every = [x for chunk in results for x in chunk]
    assert len(every) == 2000
    assert sorted(every) == list(range(1, 2001))
    from bazoola import DB

    db = DB([A], base)
    try:
        assert len(db.find_all("a")) == 2000
        assert db.check() == []
    finally:
        db.close()


def test_processes_incrementing_under_the_lock_lose_no_update(tmp_path):
    from bazoola import DB

    base = str(tmp_path / "counter")
    db = DB([COUNTER], base)
    db.insert("counter", {"value": 0})
    db.close()
    with ProcessPoolExecutor(4, mp_context=SPAWN) as pool:
        list(pool.map(workers.increment, [base] * 4, [100] * 4))
    db = DB([COUNTER], base)
    try:
        assert db.find_by_id("counter", 1)["value"] == 400
    finally:
        db.close()
