"""Schema changes and the original package: after each change that keeps to the
original's features (CHAR, INT, FK, nulls; indexes, which it ignores), made by this
package on a directory `bazoola==0.0.7` wrote (so 6 wide), the original — declaring the
tables as they are now — reads the same rows, writes on into the freed slots, and this
package reads what it wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bazoola import CHAR, DB, FK, INT, Field
from interop_tables import declare
from schemas import table

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "interop_tables.py"

A_FIELDS = [["text", "CHAR", 5, False]]
B_FIELDS = [["a_id", "FK", "a", True], ["num", "INT", None, True], ["label", "CHAR", 8, False]]
TABLES = [["a", A_FIELDS], ["b", B_FIELDS]]
# Written by the original (6 wide): a freed slot in each table, nulls, a negative number.
WRITTEN = [
    ["insert", "a", {"text": "foo"}],
    ["insert", "a", {"text": "bar"}],
    ["insert", "a", {"text": "baz"}],
    ["insert", "a", {"text": "quux"}],
    ["delete", "a", 2],
    ["insert", "b", {"a_id": 1, "num": 7, "label": "one"}],
    ["insert", "b", {"a_id": None, "num": None, "label": "two"}],
    ["insert", "b", {"a_id": 3, "num": -99999, "label": "three"}],
    ["insert", "b", {"a_id": 4, "num": 12, "label": "four"}],
    ["delete", "b", 2],
    ["update", "b", 1, {"num": 8}],
]


def run_program(python: str, base: Path, tables: list, ops: list) -> dict:
    result = subprocess.run(
        [python, str(PROGRAM), str(base), json.dumps(tables), json.dumps(ops)],
        cwd=base.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def b_with(*changes: tuple[int, list | None], extra: list | None = None) -> list:
    """`b`'s fields with the field at each position replaced (`None`: removed), then `extra`."""
    fields = [list(f) for f in B_FIELDS]
    for at, new in sorted(changes, reverse=True):
        if new is None:
            del fields[at]
        else:
            fields[at] = new
    return fields + (extra or [])


# A change within the original's features (CHAR, INT, FK, nulls; indexes, which it
# ignores), the tables as the original then declares them, and what it writes next.
COMPATIBLE: list = [
    pytest.param(
        lambda db: db.add_field("b", Field("note", CHAR(10, null=True))),
        [["a", A_FIELDS], ["b", b_with(extra=[["note", "CHAR", 10, True]])]],
        [["insert", "b", {"a_id": 1, "num": 1, "label": "new", "note": "hello"}]],
        id="add-nullable-char",
    ),
    pytest.param(
        lambda db: db.add_field("b", Field("extra", INT(null=True))),
        [["a", A_FIELDS], ["b", b_with(extra=[["extra", "INT", None, True]])]],
        [["insert", "b", {"a_id": 1, "num": 1, "label": "new", "extra": -12345}]],
        id="add-nullable-int",
    ),
    pytest.param(
        lambda db: db.add_field("b", Field("other_id", FK("a", null=True))),
        [["a", A_FIELDS], ["b", b_with(extra=[["other_id", "FK", "a", True]])]],
        [["insert", "b", {"a_id": 1, "num": 1, "label": "new", "other_id": 3}]],
        id="add-nullable-fk",
    ),
    pytest.param(
        lambda db: db.add_field("a", Field("tag", CHAR(3)), default="abc"),
        [["a", [*A_FIELDS, ["tag", "CHAR", 3, False]]], ["b", B_FIELDS]],
        [["insert", "a", {"text": "new", "tag": "xyz"}]],
        id="add-char-with-default",
    ),
    pytest.param(
        lambda db: db.add_field("b", Field("n2", INT()), default=-5),
        [["a", A_FIELDS], ["b", b_with(extra=[["n2", "INT", None, False]])]],
        [["insert", "b", {"a_id": None, "num": None, "label": "new", "n2": 6}]],
        id="add-int-with-default",
    ),
    pytest.param(
        lambda db: db.drop_field("b", "num"),
        [["a", A_FIELDS], ["b", b_with((1, None))]],
        [["insert", "b", {"a_id": 1, "label": "new"}]],
        id="drop-field",
    ),
    pytest.param(
        lambda db: db.drop_field("b", "a_id"),
        [["a", A_FIELDS], ["b", b_with((0, None))]],
        [["insert", "b", {"num": 5, "label": "new"}], ["delete", "a", 1]],
        id="drop-fk-field",
    ),
    pytest.param(
        lambda db: db.alter_field("a", Field("text", CHAR(12))),
        [["a", [["text", "CHAR", 12, False]]], ["b", B_FIELDS]],
        [["insert", "a", {"text": "twelve chars"}], ["update", "a", 1, {"text": "longer, now"}]],
        id="widen-char",
    ),
    pytest.param(
        lambda db: db.alter_field("a", Field("text", CHAR(4))),
        [["a", [["text", "CHAR", 4, False]]], ["b", B_FIELDS]],
        [["insert", "a", {"text": "abcd"}]],
        id="narrow-char",
    ),
    pytest.param(
        lambda db: db.alter_field("b", Field("label", CHAR(8, null=True))),
        [["a", A_FIELDS], ["b", b_with((2, ["label", "CHAR", 8, True]))]],
        [["insert", "b", {"a_id": 1, "num": 1, "label": None}]],
        id="char-nullable",
    ),
    pytest.param(
        lambda db: db.alter_field("b", Field("num", INT())),
        [["a", A_FIELDS], ["b", b_with((1, ["num", "INT", None, False]))]],
        [["insert", "b", {"a_id": 1, "num": 5, "label": "new"}]],
        id="int-not-null",
    ),
    pytest.param(
        lambda db: db.rename_field("b", "num", "count"),
        [["a", A_FIELDS], ["b", b_with((1, ["count", "INT", None, True]))]],
        [["insert", "b", {"a_id": 1, "count": 5, "label": "new"}]],
        id="rename-field",
    ),
    pytest.param(
        lambda db: db.rename_field("b", "a_id", "parent_id"),
        [["a", A_FIELDS], ["b", b_with((0, ["parent_id", "FK", "a", True]))]],
        [["insert", "b", {"parent_id": 4, "num": 5, "label": "new"}]],
        id="rename-fk-field",
    ),
    pytest.param(
        lambda db: db.rename_table("a", "c"),
        [["c", A_FIELDS], ["b", b_with((0, ["a_id", "FK", "c", True]))]],
        [["insert", "c", {"text": "new"}], ["insert", "b", {"a_id": 5, "num": 1, "label": "new"}]],
        id="rename-table",
    ),
    pytest.param(
        lambda db: db.alter_field("b", Field("num", INT(null=True, index=True))),
        [["a", A_FIELDS], ["b", b_with((1, ["num", "INT", None, True, "index"]))]],
        [["update", "b", 1, {"num": 100}], ["insert", "b", {"a_id": 1, "num": 12, "label": "new"}]],
        id="add-index",
    ),
    pytest.param(
        lambda db: db.alter_field("a", Field("text", CHAR(5, unique=True))),
        [["a", [["text", "CHAR", 5, False, "unique"]]], ["b", B_FIELDS]],
        [["update", "a", 1, {"text": "first"}], ["insert", "a", {"text": "foo"}]],
        id="add-unique",
    ),
    pytest.param(
        lambda db: db.create_table(table("c", Field("x", CHAR(4)), Field("a_id", FK("a", null=True)))),
        [*TABLES, ["c", [["x", "CHAR", 4, False], ["a_id", "FK", "a", True]]]],
        [["insert", "c", {"x": "new", "a_id": 3}]],
        id="create-table",
    ),
    pytest.param(
        lambda db: db.drop_table("b"),
        [["a", A_FIELDS]],
        [["insert", "a", {"text": "new"}]],
        id="drop-table",
    ),
    pytest.param(
        lambda db: db.drop_table("a", cascade=True),
        [["b", b_with((0, ["a_id", "INT", None, True, "index"]))]],
        [["insert", "b", {"a_id": 77, "num": 1, "label": "new"}]],
        id="drop-table-cascade",
    ),
]


@pytest.mark.parametrize(("change", "tables", "then"), COMPATIBLE)
def test_the_original_reads_a_changed_directory_the_same(orig_python, tmp_path, change, tables, then):
    base = tmp_path / "shared"
    run_program(orig_python, base, TABLES, WRITTEN)  # 6 wide, as the original writes
    db = DB(declare(TABLES), str(base))
    try:
        change(db)
        assert db.check() == []
        ours = json.loads(json.dumps({name: db.find_all(name) for name, _ in tables}))
    finally:
        db.close()
    assert run_program(orig_python, base, tables, []) == ours
    # The original writes on (into the freed slots), and this package reads the same.
    theirs = run_program(orig_python, base, tables, then)
    db = DB(declare(tables), str(base))
    try:
        assert json.loads(json.dumps({name: db.find_all(name) for name, _ in tables})) == theirs
        assert db.check() == []
    finally:
        db.close()


def test_the_interop_program_runs_with_ours_too(tmp_path):
    """`interop_tables.py` declares the same tables with either package."""
    base = tmp_path / "ours"
    written = run_program(sys.executable, base, TABLES, WRITTEN)
    assert written["a"] == [{"id": 1, "text": "foo"}, {"id": 3, "text": "baz"}, {"id": 4, "text": "quux"}]
