"""Indexes and writers that do not know them: a directory created by this package with
a unique CHAR, an indexed INT and an (automatically indexed) FK, written to by the real
original package (`bazoola==0.0.7`, in its own virtual environment) and by hand edits of
the `.dat` files. Afterwards, every read through an index returns exactly the rows a
full scan finds, and `check()` is clean: the stale indexes are noticed and rebuilt.

The truth is a condition the planner cannot use an index for (`Py`: the same condition
evaluated in Python, row by row, over a full scan)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bazoola import CHAR, DB, EQ, FK, GE, GT, IN, INT, IS_NULL, LE, LT, Field, IntegrityError, InverseJoin
from schemas import Py, table

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "interop_program.py"  # the original runs it with its own A and B

# The layout of interop_program.py's A and B (what the original declares), with indexes.
A = table("a", Field("text", CHAR(5, unique=True)))
B = table("b", Field("a_id", FK("a", null=True)), Field("num", INT(null=True, index=True)))

OURS = [
    ("a", {"text": "foo"}),  # 1
    ("a", {"text": "bar"}),  # 2
    ("a", {"text": "baz"}),  # 3
    ("a", {"text": "qux"}),  # 4
    ("b", {"a_id": 1, "num": 7}),  # 1
    ("b", {"a_id": 1, "num": 8}),  # 2
    ("b", {"a_id": 2, "num": -5}),  # 3
    ("b", {"a_id": None, "num": None}),  # 4
    ("b", {"a_id": 3, "num": 100}),  # 5
]
# What the original then does, knowing nothing of the indexes (nor of uniqueness: it
# keeps to unique values, see `test_a_duplicate_written_by_the_original_is_reported`).
ORIGINALS = [
    ["insert", "a", {"text": "new"}],  # 5
    ["insert", "b", {"a_id": 5, "num": 8}],  # 6
    ["update", "b", 1, {"num": 42}],
    ["update", "b", 2, {"a_id": 3}],
    ["update", "b", 4, {"num": 7}],
    ["delete", "b", 3],
    ["insert", "b", {"a_id": 2, "num": 7}],  # 7, in the slot of 3
    ["update", "a", 2, {"text": "two"}],
    ["delete", "a", 4],  # no row refers to it
    ["insert", "a", {"text": "qux"}],  # 6, the value of the deleted row, in its slot
]


def row_at(path: Path, row_size: int, row_id: int) -> int:
    """The offset of the row with id `row_id` in a 6-wide `.dat` file."""
    data = path.read_bytes()
    for offset in range(0, len(data), row_size):
        if data[offset : offset + 6] == str(row_id).ljust(6).encode():
            return offset
    raise AssertionError(f"no row {row_id} in {path}")


def hand_edit(base: Path) -> None:
    """Edits rows in place with a plain file write, as a user with an editor would: the
    same width, so only the bytes (and the mtime) change."""
    edits = [
        # file, row size, id, offset in the row, new bytes
        ("b.dat", 19, 1, 12, b"9     "),  # num 42 -> 9
        ("b.dat", 19, 7, 6, b"5     "),  # a_id 2 -> 5
        ("b.dat", 19, 5, 12, b"######"),  # num 100 -> null
        ("a.dat", 12, 5, 6, b"edit "),  # text 'new' -> 'edit'
    ]
    for name, size, row_id, at, new in edits:
        path = base / name
        offset = row_at(path, size, row_id) + at
        with open(path, "r+b") as f:
            f.seek(offset)
            assert len(f.read(len(new))) == len(new)
            f.seek(offset)
            f.write(new)


def run_original(python: str, base: Path, ops: list) -> dict:
    result = subprocess.run(
        [python, str(PROGRAM), str(base), json.dumps(ops)],
        cwd=base.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


STAGES = {
    # stage: the indexes stale when ours opens it again
    "original": {("a", "text"), ("b", "a_id"), ("b", "num")},
    "hand-edit": {("a", "text"), ("b", "a_id"), ("b", "num")},
}


def prepare(orig_python: str, base: Path, stage: str) -> dict:
    """Makes the directory of `stage` and returns the rows the original last saw."""
    db = DB([A, B], str(base), width=6)  # 0.0.7 reads only 6-wide files
    for name, values in OURS:
        db.insert(name, values)
    db.close()
    seen = run_original(orig_python, base, ORIGINALS)
    if stage == "hand-edit":
        # Ours reads (and so rebuilds) every index first: only the edit makes them stale.
        db = DB([A, B], str(base))
        for t in ("a", "b"):
            db.reindex(t)
        assert db.check_report()["stale_indexes"] == []
        db.close()
        hand_edit(base)
        seen = None
    return seen


QUERIES = [
    # table, condition, the field whose index the plan must use
    ("b", EQ(num=7), "num"),
    ("b", EQ(num=42), "num"),
    ("b", EQ(num=9), "num"),
    ("b", EQ(num=100), "num"),
    ("b", IS_NULL("num"), "num"),
    ("b", GT(num=7), "num"),
    ("b", LT(num=8), "num"),
    ("b", GE(num=-5) & LE(num=8), "num"),
    ("b", IN("num", [7, 8, 100]), "num"),
    ("b", EQ(a_id=3), "a_id"),
    ("b", EQ(a_id=5), "a_id"),
    ("b", EQ(a_id=2), "a_id"),
    ("a", EQ(text="new"), "text"),
    ("a", EQ(text="edit"), "text"),
    ("a", EQ(text="bar"), "text"),
    ("a", EQ(text="two"), "text"),
    ("a", EQ(text="qux"), "text"),
    ("a", GT(text="c"), "text"),
]


@pytest.mark.parametrize(("table_name", "cond", "field"), QUERIES, ids=[f"{q[0]}-{q[1]!r}" for q in QUERIES])
@pytest.mark.parametrize("stage", list(STAGES))
def test_reads_through_an_index_match_a_scan(orig_python, tmp_path, stage, table_name, cond, field):
    base = tmp_path / "shared"
    prepare(orig_python, base, stage)
    db = DB([A, B], str(base))
    try:
        assert set(db.check_report()["stale_indexes"]) == STAGES[stage]
        assert db.check() == []
        plan = db.explain(table_name, cond)
        assert f"via index on {field}" in plan.splitlines()[0], plan
        assert "scan" in db.explain(table_name, Py(cond)).splitlines()[0]
        assert db.find_by_cond(table_name, cond) == db.find_by_cond(table_name, Py(cond))
        assert db.count(table_name, cond) == len(db.find_by_cond(table_name, Py(cond)))
        assert db.check() == []
    finally:
        db.close()


@pytest.mark.parametrize("stage", list(STAGES))
def test_inverse_joins_through_the_fk_index_match_a_scan(orig_python, tmp_path, stage):
    base = tmp_path / "shared"
    seen = prepare(orig_python, base, stage)
    db = DB([A, B], str(base))
    try:
        join = InverseJoin("a_id", "bs", "b")
        assert "via index on a_id" in db.explain("a", None, [join])
        joined = db.find_all("a", joins=[join])
        assert joined == [
            {**row, "bs": db.find_by_cond("b", Py(EQ(a_id=row["id"])))} for row in db.find_all("a")
        ]
        assert sum(len(r["bs"]) for r in joined) == len(db.find_by_cond("b", Py(IN("a_id", [1, 2, 3, 5, 6]))))
        if seen is not None:  # ours reads what the original last wrote
            assert {t: db.find_all(t) for t in ("a", "b")} == {t: seen[t] for t in ("a", "b")}
        assert db.check() == []
        # The reads rebuilt the indexes they used; the one none used waits for its turn.
        assert db.check_report()["stale_indexes"] == [("a", "text")]
    finally:
        db.close()


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_whole_table_count_is_right_whether_its_indexes_are_stale_or_not(orig_python, tmp_path, stage):
    """A count of a table reads a fresh index's entry count; a stale one is not used
    (the rows are counted instead) and not rebuilt for it."""
    base = tmp_path / "shared"
    prepare(orig_python, base, stage)
    with DB([A, B], str(base)) as db:
        rows = {t: len(db.find_all(t)) for t in ("a", "b")}
        assert {t: db.count(t) for t in ("a", "b")} == rows
        assert set(db.check_report()["stale_indexes"]) == STAGES[stage]
        for t in ("a", "b"):
            db.reindex(t)
        assert db.check_report()["stale_indexes"] == []
        assert {t: db.count(t) for t in ("a", "b")} == rows


def test_the_hand_edit_is_what_ours_reads(orig_python, tmp_path):
    base = tmp_path / "shared"
    prepare(orig_python, base, "hand-edit")
    with DB([A, B], str(base)) as db:
        assert db.find_by_cond("b", EQ(num=9)) == [{"id": 1, "a_id": 1, "num": 9}]
        assert db.find_by_cond("b", EQ(num=42)) == []
        assert db.find_by_cond("b", EQ(a_id=5)) == [{"id": 7, "a_id": 5, "num": 7}, {"id": 6, "a_id": 5, "num": 8}]
        assert db.find_by_cond("a", EQ(text="edit")) == [{"id": 5, "text": "edit"}]
        assert db.find_by_cond("a", EQ(text="new")) == []


def test_writes_of_ours_after_the_original_keep_the_constraints(orig_python, tmp_path):
    """Once ours has the directory back, a unique value the original wrote is taken."""
    base = tmp_path / "shared"
    prepare(orig_python, base, "original")
    with DB([A, B], str(base)) as db:
        with pytest.raises(IntegrityError) as info:
            db.insert("a", {"text": "new"})  # written by the original, as id 5
        assert (info.value.field, info.value.value, info.value.id) == ("text", "new", 5)
        db.insert("a", {"text": "bar"})  # freed by the original's update of row 2
        db.update_by_id("b", 7, {"num": 1000})
        assert db.find_by_cond("b", GT(num=100)) == [{"id": 7, "a_id": 2, "num": 1000}]
        assert db.check() == []
    # And the original reads it all back.
    assert run_original(orig_python, base, [])["b"][2] == {"id": 7, "a_id": 2, "num": 1000}


def test_a_duplicate_written_by_the_original_is_reported(orig_python, tmp_path):
    """The original does not enforce `unique`: a duplicate it writes is a problem
    `check()` names, reads still answer, and an update of ours repairs it."""
    base = tmp_path / "shared"
    prepare(orig_python, base, "original")
    run_original(orig_python, base, [["insert", "a", {"text": "foo"}]])  # row 7
    with DB([A, B], str(base)) as db:
        assert db.check() == ["table 'a': rows 1 and 7 both hold 'foo' in 'text', which is UNIQUE"]
        assert db.find_by_cond("a", EQ(text="foo")) == db.find_by_cond("a", Py(EQ(text="foo")))
        assert [r["id"] for r in db.find_by_cond("a", EQ(text="foo"))] == [1, 7]
        db.update_by_id("a", 7, {"text": "oof"})
        assert db.check() == []
