"""Reads longer than one build batch (65,536 rows): the binding builds the Python rows of
a big result a batch at a time while the core reads, sharing repeated `int` objects
within a batch. The rows must come out exactly as a model of the table says, in order,
whichever batch they fall in, with joins applied and nothing shared that a caller could
change through another row.

The numbers are chosen to land on the same slot of the binding's `int` cache (512
slots) while differing: 0, 512, -512, 2**18 + 512, …, next to nulls and repeats.
"""

from __future__ import annotations

import pickle

import pytest

from bazoola import DB, EQ, Join
from schemas import A, B, Py

ROWS = 70_000
TARGETS = 600
NUMS = [0, 512, -512, 1024, None, 2**18, 2**18 + 512, -(2**18), 7, 519, -505, 7]


def expected_rows() -> tuple[list[dict], list[dict]]:
    targets = [{"id": i, "text": f"t{i % 1000}"[:5]} for i in range(1, TARGETS + 1)]
    rows = []
    for i in range(1, ROWS + 1):
        a_id = None if i % 13 == 0 else 1 + (i * 7919) % TARGETS
        rows.append({"id": i, "a_id": a_id, "num": NUMS[i % len(NUMS)]})
    return targets, rows


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    targets, rows = expected_rows()
    db = DB([A, B], str(tmp_path_factory.mktemp("big")))
    with db.transaction():
        for target in targets:
            db.insert("a", {"text": target["text"]})
        for row in rows:
            db.insert("b", {"a_id": row["a_id"], "num": row["num"]})
    yield db, targets, rows
    db.close()


def joined(rows: list[dict], targets: list[dict]) -> list[dict]:
    by_id = {t["id"]: t for t in targets}
    return [{**row, "a": by_id.get(row["a_id"])} for row in rows]


def nulls_first(value):
    return (value is not None, value if value is not None else 0)


@pytest.mark.parametrize(
    "read, model",
    [
        pytest.param(lambda db: db.find_all("b"), lambda rows, targets: rows, id="find_all"),
        pytest.param(
            lambda db: db.find_all("b", joins=[Join("a_id", "a", "a")]),
            joined,
            id="find_all with a join",
        ),
        pytest.param(
            lambda db: db.find_by_cond("b", Py(EQ(num=7)), joins=[Join("a_id", "a", "a")]),
            lambda rows, targets: [r for r in joined(rows, targets) if r["num"] == 7],
            id="find_by_cond by Python, in a transaction, with a join",
        ),
        pytest.param(
            lambda db: db.find_all("b", order_by="num"),
            lambda rows, targets: sorted(rows, key=lambda r: nulls_first(r["num"])),
            id="ordered, nulls first, ties in slot order",
        ),
        pytest.param(
            lambda db: db.find_all("b", order_by="-num", offset=3, fields=["num"]),
            lambda rows, targets: [
                {"id": r["id"], "num": r["num"]}
                for r in sorted(rows, key=lambda r: nulls_first(r["num"]), reverse=True)[3:]
            ],
            id="descending, offset, projected (the id always kept)",
        ),
    ],
)
def test_a_read_of_several_batches_gives_the_models_rows(big, read, model):
    db, targets, rows = big
    # `sorted` is stable, with reverse=True too: ties stay in slot (id) order.
    assert read(db) == model(rows, targets)


def test_rows_of_a_big_result_share_no_mutable_part(big):
    db, _, _ = big
    rows = db.find_all("b", joins=[Join("a_id", "a", "a")])
    same_target = [r for r in rows if r["a_id"] == rows[0]["a_id"]]
    assert len(same_target) > 1
    same_target[0]["a"]["text"] = "changed"
    assert all(r["a"]["text"] != "changed" for r in same_target[1:])
    # Rows stay plain dicts to the caller: no attributes, and they pickle as dicts do.
    with pytest.raises(AttributeError):
        rows[0].note = "x"
    assert pickle.loads(pickle.dumps(rows[-1])) == rows[-1]
