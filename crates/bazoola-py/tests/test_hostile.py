"""Hostile input and hostile environments, through the Python package: values the format
cannot hold are refused, conditions of any shape neither crash nor hang, callbacks may
write, a database opened before ``fork()`` still excludes its children from each other,
and every error carries the values it is about as attributes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from bazoola import (
    EQ,
    BaseCond,
    CorruptDataError,
    DBError,
    IntegrityError,
    NotFoundError,
    ValidationError,
)
from schemas import AUTHORS, BOOKS, COUNTER, A


@pytest.mark.parametrize("value", ["\x00abc", "\x00", b"\x00x"])
def test_a_char_value_read_back_as_null_is_refused(open_db, dbdir, value):
    db = open_db([A])
    db.insert("a", {"text": "ok"})
    before = {p.name: p.read_bytes() for p in dbdir.iterdir()}
    for write in (lambda: db.insert("a", {"text": value}), lambda: db.update_by_id("a", 1, {"text": value})):
        with pytest.raises(ValidationError, match="cannot start with a NUL") as refused:
            write()
        assert (refused.value.table, refused.value.field) == ("a", "text")
    assert {p.name: p.read_bytes() for p in dbdir.iterdir()} == before
    assert db.find_all("a") == [{"id": 1, "text": "ok"}]
    assert db.check() == []


def test_a_condition_built_in_a_loop_neither_crashes_nor_recurses(open_db):
    db = open_db([A])
    for text in ("x", "y", "z"):
        db.insert("a", {"text": text})
    cond = EQ(id=0)
    for i in range(1, 20_000):
        cond = cond | EQ(id=i)
    assert [r["id"] for r in db.find_by_cond("a", cond)] == [1, 2, 3]
    assert db.count("a", cond) == 3


def test_a_condition_nested_too_deep_is_a_clear_error(tmp_path):
    # In a child interpreter: a regression would crash the process, not fail a test.
    program = textwrap.dedent(
        """
        import sys
        from bazoola import DB, NOT, EQ, ValidationError
        sys.path.insert(0, sys.argv[2])
        from schemas import A
        db = DB([A], sys.argv[1])
        cond = EQ(id=1)
        for _ in range(5000):
            cond = NOT(cond)
        try:
            db.find_by_cond("a", cond)
        except ValidationError as e:
            assert "nested more than" in str(e) and e.table == "a", e
            print("refused")
        """
    )
    tests_dir = os.path.dirname(__file__)
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "db"), tests_dir],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused"


class WritesWhileReading(BaseCond):
    """A user condition whose ``eval`` writes, as programs written for the original do."""

    def __init__(self, db, fail_on: int | None = None) -> None:
        super().__init__(table="a")
        self.db = db
        self.fail_on = fail_on

    def eval(self, row) -> bool:
        if row["id"] == self.fail_on:
            raise RuntimeError("eval failed")
        self.db.insert("a", {"text": f"saw{row['id']}"})
        return True


@pytest.mark.parametrize("in_transaction", [False, True])
def test_an_eval_that_writes_works_as_in_the_original(open_db, in_transaction):
    db = open_db([A])
    for text in ("x", "y"):
        db.insert("a", {"text": text})
    if in_transaction:
        with db.transaction():
            found = db.find_by_cond("a", WritesWhileReading(db))
    else:
        found = db.find_by_cond("a", WritesWhileReading(db))
    assert [r["text"] for r in found] == ["x", "y"]
    assert [r["text"] for r in db.find_all("a")] == ["x", "y", "saw1", "saw2"]
    assert db.check() == []


def test_an_eval_that_raises_rolls_its_writes_back(open_db):
    db = open_db([A])
    for text in ("x", "y"):
        db.insert("a", {"text": text})
    with pytest.raises(RuntimeError, match="eval failed"):
        db.find_by_cond("a", WritesWhileReading(db, fail_on=2))
    assert [r["text"] for r in db.find_all("a")] == ["x", "y"]
    db.insert("a", {"text": "z"})  # the lock was released


def _forked_worker(db, rounds: int) -> None:
    for _ in range(rounds):
        db.insert("a", {"text": f"p{os.getpid() % 1000}"})
        with db.storage.lock():
            value = db.find_by_id("counter", 1)["value"]
            db.update_by_id("counter", 1, {"value": value + 1})


@pytest.mark.parametrize("round_", range(2))
def test_a_database_opened_before_fork_excludes_its_children(open_db, round_):
    db = open_db([A, COUNTER])
    db.insert("counter", {"value": 0})
    db.find_all("a")  # the parent has used it, as a preloading server does
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_forked_worker, args=(db, 150)) for _ in range(6)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    assert [child.exitcode for child in children] == [0] * 6
    ids = [r["id"] for r in db.find_all("a")]
    assert sorted(ids) == list(range(1, 901)), "every id used once"
    assert db.find_by_id("counter", 1)["value"] == 900, "no lost update"
    assert db.check() == []


def test_errors_carry_their_values_as_attributes(open_db, dbdir):
    db = open_db([AUTHORS, BOOKS])
    author = db.insert("authors", {"name": "Le Guin"})
    db.insert("books", {"title": "The Dispossessed", "author_id": author["id"], "year": 1974})
    cases = [
        (lambda: db.insert("authors", {"name": "x" * 21}), ValidationError, ("authors", "name", None, "x" * 21)),
        (lambda: db.insert("books", {"title": "t", "author_id": 1, "year": 10**10}), ValidationError, ("books", "year", None, 10**10)),
        (lambda: db.insert("books", {"title": "t", "author_id": 1, "year": 2**70}), ValidationError, ("books", "year", None, 2**70)),
        (lambda: db.insert("books", {"title": "t", "author_id": 1, "year": 1.5}), ValidationError, ("books", "year", None, 1.5)),
        (lambda: db.insert("books", {"title": "t", "author_id": 9}), IntegrityError, ("books", "author_id", 9, None)),
        (lambda: db.delete_by_id("authors", 1), IntegrityError, ("authors", "author_id", 1, None)),
        (lambda: db.update_by_id("books", 7, {"title": "x"}), NotFoundError, ("books", None, 7, None)),
        (lambda: db.insert("authors", {"id": 1, "name": "dup"}), ValidationError, ("authors", "id", 1, None)),
        (lambda: db.insert("authors", {"nope": 1}), ValidationError, ("authors", "nope", None, None)),
    ]
    for call, kind, (table, field, id_, value) in cases:
        with pytest.raises(kind) as caught:
            call()
        e = caught.value
        assert (e.table, e.field, e.id, e.value, e.path) == (table, field, id_, value, None), e.message
    (dbdir / "authors.dat").write_bytes(b"1x       Le Guin             \n")
    with pytest.raises(CorruptDataError) as caught:
        db.find_all("authors")
    assert caught.value.path == str(dbdir / "authors.dat")
    db.close()
    with pytest.raises(DBError) as caught:
        db.find_all("authors")
    assert caught.value.path == str(dbdir) and caught.value.table is None


def test_an_exception_raised_by_user_code_has_the_attributes_too():
    e = ValidationError("made by hand")
    assert (e.message, e.table, e.field, e.id, e.value, e.path) == ("made by hand", None, None, None, None, None)


def test_ids_no_row_can_have_are_not_found(open_db):
    db = open_db([A])
    db.insert("a", {"text": "x"})
    for id_ in (0, -1, 2**60, 2**63 - 1):
        assert db.find_by_id("a", id_) is None
    with pytest.raises(ValidationError):
        db.find_by_id("a", 2**70)


def test_vacuum_gives_back_what_updates_of_text_freed(open_db, dbdir):
    from schemas import F

    db = open_db([F])
    for i in range(20):
        db.insert("f", {"body": f"note {i}"})
    for round_ in range(200):
        db.update_by_id("f", 1 + round_ % 20, {"body": f"round {round_}: " + "x" * 200})
    rows = db.find_all("f")
    heap = dbdir / "f.text.dat"
    grown = heap.stat().st_size
    report = db.check_report()
    assert report["problems"] == []
    reclaimable = report["reclaimable"]["f"]
    assert db.vacuum() == reclaimable
    assert heap.stat().st_size == grown - reclaimable
    assert db.find_all("f") == rows
    assert db.check_report() == {"problems": [], "reclaimable": {}, "stale_indexes": []}
    assert db.vacuum("f") == 0
