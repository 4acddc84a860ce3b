"""Exact file bytes (SPEC §2), at the spec's width 9 and at 0.0.7's width 6."""

from __future__ import annotations

import pytest

from bazoola import CHAR, FK, INT, TEXT, Field
from schemas import A, F, table


def files(dbdir, names):
    return {n: (dbdir / n).read_bytes() for n in names}


def test_spec_example_of_table_a(open_db, dbdir):
    db = open_db([A])
    db.insert("a", {"text": "foo"})
    db.insert("a", {"text": "bar"})
    db.delete_by_id("a", 1)
    assert files(dbdir, ["a.dat", "a__id.idx.dat", "a__free.dat", "a__seqnum.dat"]) == {
        "a.dat": b"**************\n2        bar  \n",
        "a__id.idx.dat": b"#########1        ",
        "a__free.dat": b"0        ",
        "a__seqnum.dat": b"2",
    }


def test_spec_example_of_a_text_table(open_db, dbdir):
    db = open_db([F])
    db.insert("f", {"body": "foo"})
    db.insert("f", {"body": "eggs"})
    assert (dbdir / "f.dat").read_bytes() == b"1        0        \n2        12       \n"
    assert (dbdir / "f.text.dat").read_bytes() == b"3        foo4        eggs"


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (
            9,
            {
                "a.dat": b"**************\n2        bar  \n",
                "a__id.idx.dat": b"#########1        ",
                "a__free.dat": b"0        ",
            },
        ),
        (
            6,
            {
                "a.dat": b"***********\n2     bar  \n",
                "a__id.idx.dat": b"######1     ",
                "a__free.dat": b"0     ",
            },
        ),
    ],
)
def test_widths(open_db, dbdir, width, expected):
    db = open_db([A], width=width)
    db.insert("a", {"text": "foo"})
    db.insert("a", {"text": "bar"})
    db.delete_by_id("a", 1)
    assert files(dbdir, list(expected)) == expected
    assert db.tables["a"].row_size == len(expected["a.dat"]) // 2
    assert (dbdir / "a__schema.dat").read_text().splitlines()[1] == ("id PK" if width == 9 else "id PK(6)")


def test_an_id_past_the_index_end_fills_the_gap_with_hashes(open_db, dbdir):
    db = open_db([A])
    db.insert("a", {"id": 3, "text": "c"})
    assert (dbdir / "a__id.idx.dat").read_bytes() == b"##################0        "


def test_every_type_and_its_null_marker(open_db, dbdir):
    t = table(
        "t",
        Field("c", CHAR(3, null=True)),
        Field("i", INT(null=True)),
        Field("s", INT(size=2, null=True)),
        Field("x", TEXT(null=True)),
        Field("r", FK("t", null=True)),
    )
    db = open_db([t])
    db.insert("t", {"c": "ab", "i": -7, "s": 42, "x": "hi", "r": None})
    db.insert("t", {"c": None, "i": None, "s": None, "x": None, "r": 1})
    assert (dbdir / "t.dat").read_bytes() == (
        b"1        ab -7       420        #########\n"
        b"2        \0\0\0" + b"#" * (9 + 2 + 9) + b"1        \n"
    )
    assert (dbdir / "t__schema.dat").read_text() == (
        "# bazoola table t: one field per line\n"
        "id PK\n"
        "c CHAR(3) NULL\n"
        "i INT(9) NULL\n"
        "s INT(2) NULL\n"
        "x TEXT NULL\n"
        "r FK(t) NULL ON DELETE RESTRICT\n"
    )


def test_lock_file_is_empty_and_journal_is_retired(open_db, dbdir):
    db = open_db([A])
    db.insert("a", {"text": "x"})
    assert (dbdir / ".lock").read_bytes() == b""
    assert db.check() == []
