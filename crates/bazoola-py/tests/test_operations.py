"""Every operation of SPEC §3, through the Python API."""

from __future__ import annotations

import pytest

from bazoola import (
    AND,
    EQ,
    GE,
    GT,
    IN,
    IS_NULL,
    ISUBSTR,
    LE,
    LT,
    NE,
    NOT,
    OR,
    SUBSTR,
    BaseCond,
    InverseJoin,
    Join,
    NotFoundError,
)
from schemas import AUTHORS, BOOKS, A, B, F, table
from bazoola import CHAR, FK, INT, TEXT, Field


def titles(rows):
    return [r["title"] for r in rows]


# --- insert -----------------------------------------------------------------------


def test_insert_assigns_ids_after_the_sequence_and_returns_the_stored_row(open_db, dbdir):
    db = open_db([A])
    assert db.insert("a", {"text": "foo"}) == {"id": 1, "text": "foo"}
    assert db.insert("a", {"text": "bar"}) == {"id": 2, "text": "bar"}
    assert (dbdir / "a__seqnum.dat").read_text() == "2"


def test_insert_with_an_explicit_id_leaves_the_sequence(open_db, dbdir):
    db = open_db([A])
    assert db.insert("a", {"id": 10, "text": "ten"}) == {"id": 10, "text": "ten"}
    assert (dbdir / "a__seqnum.dat").read_text() == "0"
    # The next automatic id skips ids already taken.
    db.insert("a", {"id": 1, "text": "one"})
    assert db.insert("a", {"text": "auto"})["id"] == 2


def test_insert_reuses_the_most_recently_freed_slot(open_db, dbdir):
    db = open_db([A])
    for text in ["a", "b", "c"]:
        db.insert("a", {"text": text})
    db.delete_by_id("a", 1)
    db.delete_by_id("a", 3)
    db.insert("a", {"text": "d"})  # goes to slot 2 (id 3's), then slot 0
    db.insert("a", {"text": "e"})
    assert [r["text"] for r in db.find_all("a")] == ["e", "b", "d"]


@pytest.mark.parametrize(
    ("value", "stored"),
    [("abc", "abc"), (b"abc", "abc"), ("", ""), ("a b", "a b"), ("trail ", "trail"), ("é", "é"), (None, None)],
)
def test_char_values(open_db, value, stored):
    db = open_db([table("c", Field("s", CHAR(6, null=True)))])
    # The returned row is the stored one, as the original's (parsed back from the row).
    assert db.insert("c", {"s": value})["s"] == stored
    assert db.find_by_id("c", 1)["s"] == stored
    assert db.update_by_id("c", 1, {"s": value})["s"] == stored


@pytest.mark.parametrize("value", [0, -5, 123456789, -12345678, None])
def test_int_values(open_db, value):
    db = open_db([A, B])
    db.insert("b", {"num": value})
    assert db.find_by_id("b", 1)["num"] == value


# --- find ---------------------------------------------------------------------


def test_find_by_id(library):
    assert library.find_by_id("books", 2) == {"id": 2, "title": "Solaris", "author_id": 2, "year": 1961}
    assert library.find_by_id("books", 99) is None
    assert library.find_by_id("books", 0) is None


def test_find_all_is_in_slot_order_not_id_order(open_db):
    db = open_db([A])
    db.insert("a", {"id": 5, "text": "five"})
    db.insert("a", {"id": 2, "text": "two"})
    db.insert("a", {"text": "one"})
    assert [r["id"] for r in db.find_all("a")] == [5, 2, 1]


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        (EQ(year=1974), ["The Dispossessed"]),
        (EQ(year=None), ["The Cyberiad"]),
        (EQ(author_id=1, year=1971), ["The Lathe of Heaven"]),
        (EQ(title="Solaris"), ["Solaris"]),
        (EQ(year="1974"), []),
        (NE(year=1974), ["Solaris", "The Lathe of Heaven", "The Cyberiad"]),
        (LT(year=1971), ["Solaris"]),
        (GT(year=1971), ["The Dispossessed"]),
        (LE(year=1971), ["Solaris", "The Lathe of Heaven"]),
        (GE(year=1971), ["The Dispossessed", "The Lathe of Heaven"]),
        (LT(title="T"), ["Solaris"]),
        (GT(id=2, year=1960), ["The Lathe of Heaven"]),
        (SUBSTR(title="The"), ["The Dispossessed", "The Lathe of Heaven", "The Cyberiad"]),
        (SUBSTR(title="the"), ["The Lathe of Heaven"]),
        (SUBSTR(year="97"), ["The Dispossessed", "The Lathe of Heaven"]),
        (ISUBSTR(title="the"), ["The Dispossessed", "The Lathe of Heaven", "The Cyberiad"]),
        (ISUBSTR(title="SOLAR"), ["Solaris"]),
        (IN("year", [1961, 1971]), ["Solaris", "The Lathe of Heaven"]),
        (IN("year", [None]), ["The Cyberiad"]),
        (IN("year", []), []),
        (IS_NULL("year"), ["The Cyberiad"]),
        (AND(EQ(author_id=1), GT(year=1972)), ["The Dispossessed"]),
        (OR(EQ(year=1961), IS_NULL("year")), ["Solaris", "The Cyberiad"]),
        (NOT(EQ(author_id=1)), ["Solaris", "The Cyberiad"]),
        (EQ(author_id=2) & ~IS_NULL("year"), ["Solaris"]),
        (EQ(year=1961) | EQ(year=1974), ["The Dispossessed", "Solaris"]),
        (AND(), ["The Dispossessed", "Solaris", "The Lathe of Heaven", "The Cyberiad"]),
        (OR(), []),
        # Values the engine cannot compare exactly run through the Python `eval`.
        (EQ(year=1974.0), ["The Dispossessed"]),
        (GT(year=1970.5), ["The Dispossessed", "The Lathe of Heaven"]),
        (EQ(title=b"Solaris"), []),
        (IN("year", [1961.0]), ["Solaris"]),
    ],
)
def test_find_by_cond(library, cond, expected):
    rows = library.find_by_cond("books", cond)
    assert titles(rows) == expected
    # The Python `eval` of every condition agrees with the engine.
    assert titles(r for r in library.find_all("books") if cond.eval(r)) == expected
    assert library.count("books", cond) == len(expected)


def test_a_user_condition_runs_its_eval_row_by_row(library):
    seen = []

    class EvenTitleLength(BaseCond):
        def eval(self, row):
            seen.append(row["id"])
            return len(row["title"]) % 2 == 0

    assert titles(library.find_by_cond("books", EvenTitleLength(x=1))) == ["The Dispossessed", "The Cyberiad"]
    assert seen == [1, 2, 3, 4]
    # Inside combinators too, and a user subclass of a built-in keeps its own `eval`.

    class NotReallyEQ(EQ):
        def eval(self, row):
            return row["id"] == 3

    assert titles(library.find_by_cond("books", AND(NotReallyEQ(id=1), GT(year=1900)))) == ["The Lathe of Heaven"]


def test_an_exception_in_a_user_condition_propagates(library):
    class Broken(BaseCond):
        def eval(self, row):
            raise ZeroDivisionError("from eval")

    with pytest.raises(ZeroDivisionError, match="from eval"):
        library.find_by_cond("books", Broken(x=1))
    assert len(library.find_all("books")) == 4


def test_a_subclass_of_a_builtin_condition_without_eval_stays_native(library):
    class MyEQ(EQ):
        pass

    assert MyEQ._kind == "eq"
    assert titles(library.find_by_cond("books", MyEQ(year=1961))) == ["Solaris"]


# --- joins --------------------------------------------------------------------


def test_join(library):
    book = library.find_by_id("books", 2, joins=[Join("author_id", "author", "authors")])
    assert book == {
        "id": 2, "title": "Solaris", "author_id": 2, "year": 1961,
        "author": {"id": 2, "name": "Stanislaw Lem"},
    }  # fmt: skip
    assert list(book) == ["id", "title", "author_id", "year", "author"]


def test_join_on_find_all_and_find_by_cond(library):
    join = [Join("author_id", "author", "authors")]
    assert [r["author"]["name"] for r in library.find_all("books", joins=join)] == [
        "Ursula K. Le Guin", "Stanislaw Lem", "Ursula K. Le Guin", "Stanislaw Lem",
    ]  # fmt: skip
    rows = library.find_by_cond("books", IS_NULL("year"), join)
    assert rows[0]["author"] == {"id": 2, "name": "Stanislaw Lem"}


def test_inverse_join(library):
    author = library.find_by_id("authors", 1, joins=[InverseJoin("author_id", "books", "books")])
    assert titles(author["books"]) == ["The Dispossessed", "The Lathe of Heaven"]
    assert all(type(b) is type(author) for b in author["books"])
    lonely = library.insert("authors", {"name": "Nobody"})
    assert library.find_by_id("authors", lonely["id"], joins=[InverseJoin("author_id", "books", "books")])["books"] == []


def test_nested_joins(library):
    nested = InverseJoin("author_id", "books", "books", joins=[Join("author_id", "author", "authors")])
    author = library.find_by_id("authors", 2, joins=[nested])
    assert [(b["title"], b["author"]["name"]) for b in author["books"]] == [
        ("Solaris", "Stanislaw Lem"), ("The Cyberiad", "Stanislaw Lem"),
    ]  # fmt: skip
    deep = Join("author_id", "author", "authors", joins=[InverseJoin("author_id", "books", "books")])
    book = library.find_by_id("books", 1, joins=[deep])
    assert titles(book["author"]["books"]) == ["The Dispossessed", "The Lathe of Heaven"]


def test_joins_apply_in_order_and_a_null_fk_joins_none(open_db):
    db = open_db([A, B])
    db.insert("a", {"text": "x"})
    db.insert("b", {"a_id": 1, "num": 1})
    db.insert("b", {"a_id": None, "num": 2})
    rows = db.find_all("b", joins=[Join("a_id", "a", "a"), Join("a_id", "again", "a")])
    assert rows == [
        {"id": 1, "a_id": 1, "num": 1, "a": {"id": 1, "text": "x"}, "again": {"id": 1, "text": "x"}},
        {"id": 2, "a_id": None, "num": 2, "a": None, "again": None},
    ]


# --- update and delete ----------------------------------------------------------


def test_update_keeps_the_slot_and_returns_the_new_row(library, dbdir):
    before = (dbdir / "books.dat").read_bytes()
    row = library.update_by_id("books", 2, {"year": 1962})
    assert row == {"id": 2, "title": "Solaris", "author_id": 2, "year": 1962}
    assert library.find_by_id("books", 2) == row
    after = (dbdir / "books.dat").read_bytes()
    assert after == before.replace(b"1961     ", b"1962     ")
    assert titles(library.find_all("books"))[1] == "Solaris"


def test_delete(library, dbdir):
    library.delete_by_id("books", 2)
    assert library.find_by_id("books", 2) is None
    assert len(library.find_all("books")) == 3
    with pytest.raises(NotFoundError, match=r"^Row with ID=2 does not exist$"):
        library.delete_by_id("books", 2)


# --- foreign keys -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "after"),
    [
        ("cascade", []),
        ("set null", [{"id": 1, "a_id": None}]),
        ("SET_NULL", [{"id": 1, "a_id": None}]),
        ("no action", [{"id": 1, "a_id": 1}]),
    ],
)
def test_on_delete_rules(open_db, rule, after):
    child = table("child", Field("a_id", FK("a", null=True, on_delete=rule)))
    db = open_db([A, child])
    db.insert("a", {"text": "p"})
    db.insert("child", {"a_id": 1})
    db.delete_by_id("a", 1)
    assert db.find_all("child") == after


def test_cascade_is_recursive(open_db):
    mid = table("mid", Field("a_id", FK("a", on_delete="cascade")))
    leaf = table("leaf", Field("mid_id", FK("mid", on_delete="cascade")))
    db = open_db([A, mid, leaf])
    db.insert("a", {"text": "p"})
    db.insert("mid", {"a_id": 1})
    db.insert("leaf", {"mid_id": 1})
    db.delete_by_id("a", 1)
    assert db.find_all("mid") == [] and db.find_all("leaf") == []
    assert db.check() == []


# --- truncate -------------------------------------------------------------------


def test_truncate_empties_every_file_and_resets_the_sequence(library, dbdir):
    library.truncate("books")
    assert library.find_all("books") == []
    for name, content in [("books.dat", b""), ("books__id.idx.dat", b""), ("books__free.dat", b""), ("books__seqnum.dat", b"0")]:
        assert (dbdir / name).read_bytes() == content
    assert library.insert("books", {"title": "again", "author_id": 1})["id"] == 1


def test_truncate_cascade_empties_dependents_first(library):
    library.truncate("authors", cascade=True)
    assert library.find_all("authors") == [] and library.find_all("books") == []


def test_truncate_with_only_null_references_is_allowed(open_db):
    db = open_db([A, B])
    db.insert("a", {"text": "x"})
    db.insert("b", {"a_id": None})
    db.truncate("a")
    assert db.find_all("b") == [{"id": 1, "a_id": None, "num": None}]


def test_truncate_text_table_empties_the_heap(open_db, dbdir):
    db = open_db([F])
    db.insert("f", {"body": "hello"})
    db.truncate("f")
    assert (dbdir / "f.text.dat").read_bytes() == b""


# --- TEXT ---------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "x", "long " * 10_000, "line\nbreaks\n", "ünïcödé ✓", b"bytes too".decode()])
def test_text_roundtrip(open_db, body):
    db = open_db([F])
    assert db.insert("f", {"body": body})["body"] == body
    assert db.find_by_id("f", 1)["body"] == body


def test_text_update_rewrites_the_record_only_when_it_changes(open_db, dbdir):
    db = open_db([F, table("g", Field("body", TEXT()), Field("n", INT()))])
    db.insert("g", {"body": "foo", "n": 1})
    heap = dbdir / "g.text.dat"
    assert heap.read_bytes() == b"3        foo"
    db.update_by_id("g", 1, {"n": 2})
    assert heap.read_bytes() == b"3        foo"
    db.update_by_id("g", 1, {"body": "eggs"})
    assert heap.read_bytes() == b"############4        eggs"
    assert db.find_by_id("g", 1) == {"id": 1, "body": "eggs", "n": 2}
    assert db.find_by_cond("g", SUBSTR(body="gg")) == [{"id": 1, "body": "eggs", "n": 2}]


def test_text_delete_frees_the_record(open_db, dbdir):
    db = open_db([F])
    db.insert("f", {"body": "foo"})
    db.insert("f", {"body": "eggs"})
    db.delete_by_id("f", 1)
    assert (dbdir / "f.text.dat").read_bytes() == b"############4        eggs"
    assert db.check() == []


# --- reopen -----------------------------------------------------------------------


def test_reopen_sees_everything(open_db, dbdir):
    db = open_db([AUTHORS, BOOKS, F])
    db.insert("authors", {"name": "A"})
    db.insert("books", {"title": "T", "author_id": 1, "year": None})
    db.insert("f", {"body": "text " * 100})
    expected = {t: db.find_all(t) for t in ["authors", "books", "f"]}
    db.close()
    again = open_db([AUTHORS, BOOKS, F])
    assert {t: again.find_all(t) for t in ["authors", "books", "f"]} == expected
    assert again.insert("authors", {"name": "B"})["id"] == 2
    assert again.check() == []


def test_close_is_idempotent_and_use_after_close_is_an_error(open_db):
    from bazoola import DBError

    db = open_db([A])
    db.close()
    db.close()
    assert db.closed
    with pytest.raises(DBError, match="closed"):
        db.find_all("a")
    with pytest.raises(DBError, match="closed"):
        db.insert("a", {"text": "x"})


def test_context_manager_closes(open_db, dbdir):
    from bazoola import DB

    with DB([A], str(dbdir)) as db:
        db.insert("a", {"text": "x"})
    assert db.closed
