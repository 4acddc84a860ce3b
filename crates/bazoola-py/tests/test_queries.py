"""Ordering, limits, offsets, projections, counts and aggregates (SPEC §6 "Additions",
§8), compared with SQLite on the same rows.

The rows (`LIBRARY`) have nulls, ties, negative numbers, TEXT, non-ASCII and mixed-case
strings, and holes left by deletes. SQLite sorts nulls first ascending and last
descending, as ours does; ours keeps ties in slot order, which is id order for rows
never re-inserted, so SQLite's queries add `ORDER BY …, id`. Each query runs with and
without an index on `year` (index order, a range, index-only counts; or a sort and a
scan).
"""

from __future__ import annotations

import random
import re
import sqlite3

import pytest

from bazoola import (
    AVG,
    CHAR,
    COUNT,
    DB,
    EQ,
    FK,
    GT,
    IN,
    INT,
    IS_NULL,
    MAX,
    MIN,
    SUBSTR,
    SUM,
    TEXT,
    BaseJoin,
    Field,
    InverseCount,
    InverseJoin,
    Join,
    ValidationError,
)
from schemas import AUTHORS, Py, table


def books(year_indexed: bool):
    return table(
        "books",
        Field("title", CHAR(12)),
        Field("author_id", FK("authors")),
        Field("year", INT(null=True, index=year_indexed)),
        Field("pages", INT(null=True)),
        Field("blurb", TEXT(null=True)),
    )


WORDS = ["apple", "Apple", "banana", "cherry", "Ölmaß", "ábaco", "zebra", "a", "ab", "Zed", "kiwi!"]


def library_rows() -> tuple[list[tuple], list[tuple]]:
    """(authors, books) as tuples of values, ids from 1; the ids to delete are the books
    whose id is a multiple of 17."""
    rng = random.Random(11)
    authors = [(i, f"author {i}") for i in range(1, 7)]
    rows = []
    for i in range(1, 241):
        rows.append(
            (
                i,
                rng.choice(WORDS),
                rng.randint(1, 5),  # author 6 has no books
                rng.choice([None, None, 1961, 1974, 1990, 1990, 2001, -5, 0]),
                rng.choice([None, -20, 0, 7, 150, 150, 300, rng.randint(-1000, 1000)]),
                rng.choice([None, "", "Ab", "ab", "blurb é", rng.choice(WORDS) * rng.randint(1, 3)]),
            )
        )
    return authors, rows


AUTHOR_ROWS, BOOK_ROWS = library_rows()
BOOK_COLUMNS = ["id", "title", "author_id", "year", "pages", "blurb"]
DELETED = [row[0] for row in BOOK_ROWS if row[0] % 17 == 0]


@pytest.fixture(scope="module", params=[False, True], ids=["scan", "year-index"])
def both(request, tmp_path_factory):
    """The same library in bazoola (with or without an index on `year`) and SQLite."""
    db = DB([AUTHORS, books(request.param)], str(tmp_path_factory.mktemp("library") / "db"))
    sql = sqlite3.connect(":memory:")
    sql.execute("CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT)")
    sql.execute(
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, author_id INT, year INT, pages INT, blurb TEXT)"
    )
    with db.transaction():
        for id_, name in AUTHOR_ROWS:
            db.insert("authors", {"name": name})
            sql.execute("INSERT INTO authors VALUES (?, ?)", (id_, name))
        for row in BOOK_ROWS:
            assert db.insert("books", dict(zip(BOOK_COLUMNS[1:], row[1:])))["id"] == row[0]
            sql.execute("INSERT INTO books VALUES (?, ?, ?, ?, ?, ?)", row)
        for id_ in DELETED:
            db.delete_by_id("books", id_)
            sql.execute("DELETE FROM books WHERE id = ?", (id_,))
    yield db, sql
    db.close()
    sql.close()


def select(sql: sqlite3.Connection, query: str, params=()) -> list[dict]:
    cursor = sql.execute(query, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def order_sql(order_by) -> str:
    keys = [order_by] if isinstance(order_by, str) else list(order_by or [])
    terms = [f"{k[1:]} DESC" if k.startswith("-") else f"{k} ASC" for k in keys]
    return "ORDER BY " + ", ".join([*terms, "id"])


def cut_sql(limit, offset) -> str:
    if limit is None and offset is None:
        return ""
    return f"LIMIT {-1 if limit is None else limit} OFFSET {offset or 0}"


# --- order, limit, offset -----------------------------------------------------------

CONDS = [
    # id, bazoola condition, SQL WHERE
    ("all", None, None),
    ("year>1974", GT(year=1974), "year > 1974"),
    ("year-null", IS_NULL("year"), "year IS NULL"),
    ("author-in", IN("author_id", [1, 3]), "author_id IN (1, 3)"),
    ("title-has-a", SUBSTR(title="a"), "instr(title, 'a') > 0"),
    ("python-cond", Py(GT(pages=0)), "pages > 0"),
    ("none", EQ(year=12345), "year = 12345"),
]
ORDERS = [
    None,
    "year",
    "-year",
    ["year", "-title"],
    "title",
    "-title",
    "-pages",
    ["author_id", "-year", "pages"],
    "blurb",
    "-blurb",
    "-id",
    [],
]
CUTS = [(None, None), (1, None), (5, 0), (5, 3), (None, 7), (1000, None), (3, 10_000), (None, 10_000)]


@pytest.mark.parametrize("order_by", ORDERS, ids=repr)
@pytest.mark.parametrize(("cond", "where"), [c[1:] for c in CONDS], ids=[c[0] for c in CONDS])
def test_order_limit_and_offset_match_sqlite(both, cond, where, order_by):
    db, sql = both
    for limit, offset in CUTS:
        where_sql = f"WHERE {where}" if where else ""
        query = f"SELECT * FROM books {where_sql} {order_sql(order_by)} {cut_sql(limit, offset)}"
        expected = select(sql, query)
        shape = {"order_by": order_by, "limit": limit, "offset": offset}
        if cond is None:
            got = db.find_all("books", **shape)
        else:
            got = db.find_by_cond("books", cond, **shape)
        assert got == expected, query
        assert list(db.iter("books", cond, **shape, batch=4)) == expected, query


FIELDS = [["title"], ["year", "pages"], [], ["blurb"], ["id"], "title", ("pages", "title"), ["title", "title"]]


@pytest.mark.parametrize("fields", FIELDS, ids=repr)
def test_fields_return_those_and_the_id(both, fields):
    db, sql = both
    names = [fields] if isinstance(fields, str) else list(fields)
    columns = ", ".join(["id", *[n for n in names if n != "id"]])
    expected = select(sql, f"SELECT {columns} FROM books WHERE year > 1974 ORDER BY pages DESC, id LIMIT 20")
    assert db.find_by_cond("books", GT(year=1974), order_by="-pages", limit=20, fields=fields) == expected
    assert list(db.iter("books", GT(year=1974), order_by="-pages", limit=20, fields=fields)) == expected
    assert db.find_all("books", fields=fields) == select(sql, f"SELECT {columns} FROM books ORDER BY id")


def test_joins_apply_to_the_rows_returned(both):
    db, sql = both
    expected = select(
        sql,
        "SELECT b.id, b.title, b.author_id, a.name FROM books b JOIN authors a ON a.id = b.author_id "
        "ORDER BY b.title DESC, b.id LIMIT 7 OFFSET 2",
    )
    got = db.find_all(
        "books", joins=[Join("author_id", "author", "authors")], order_by="-title", limit=7, offset=2, fields=["title"]
    )
    # The FK a forward join reads is returned with the fields asked for.
    assert got == [
        {
            "id": e["id"],
            "title": e["title"],
            "author_id": e["author_id"],
            "author": {"id": e["author_id"], "name": e["name"]},
        }
        for e in expected
    ]
    # Inverse joins and counts on an ordered, cut, projected parent.
    authors = db.find_all(
        "authors",
        joins=[InverseJoin("author_id", "books", "books"), InverseCount("author_id", "n", "books")],
        order_by="-name",
        limit=3,
        fields=[],
    )
    assert [a["id"] for a in authors] == [6, 5, 4]
    for author in authors:
        ids = [r["id"] for r in select(sql, "SELECT id FROM books WHERE author_id = ? ORDER BY id", (author["id"],))]
        assert set(author) == {"id", "books", "n"}
        assert [b["id"] for b in author["books"]] == ids
        assert author["n"] == len(ids)


class AuthorName(BaseJoin):
    """A join of the user's own, run in Python: it reads the FK from each row."""

    fk_attr, key, foreign_table_name = "author_id", "who", "authors"

    def join(self, fk, foreign_table) -> dict:
        return {self.key: foreign_table.find_by_id(fk)["name"]}


def test_a_python_join_gets_its_fk_when_fields_leave_it_out(both):
    db, sql = both
    expected = select(
        sql,
        "SELECT b.id, b.year, b.author_id, a.name AS who FROM books b JOIN authors a ON a.id = b.author_id "
        "WHERE year IS NOT NULL ORDER BY year, b.id LIMIT 9",
    )
    shape = {"order_by": "year", "limit": 9, "fields": ["year"]}
    assert db.find_by_cond("books", ~IS_NULL("year"), [AuthorName()], **shape) == expected
    assert list(db.iter("books", ~IS_NULL("year"), [AuthorName()], **shape, batch=2)) == expected


def test_the_table_objects_take_the_same_arguments(both):
    db, _ = both
    books_table = db.tables["books"]
    assert books_table.find_all(order_by="-year", limit=4) == db.find_all("books", order_by="-year", limit=4)
    assert books_table.find_by_cond(GT(pages=0), order_by="title", offset=3, fields=["title"]) == db.find_by_cond(
        "books", GT(pages=0), order_by="title", offset=3, fields=["title"]
    )


def test_without_the_new_arguments_the_reads_are_the_originals(both):
    db, _ = both
    nothing = {"order_by": None, "limit": None, "offset": None, "fields": None}
    joins = [Join("author_id", "author", "authors")]
    assert db.find_all("books", **nothing) == db.find_all("books")
    assert db.find_all("books", joins=joins, **nothing) == db.find_all("books", joins=joins)
    assert db.find_by_cond("books", GT(year=1974), joins, **nothing) == db.find_by_cond("books", GT(year=1974), joins)
    assert [r["id"] for r in db.find_all("books")] == [r[0] for r in BOOK_ROWS if r[0] not in DELETED]


# --- count and aggregates -----------------------------------------------------------


@pytest.mark.parametrize(("cond", "where"), [c[1:] for c in CONDS], ids=[c[0] for c in CONDS])
def test_count_matches_sqlite(both, cond, where):
    db, sql = both
    expected = sql.execute(f"SELECT COUNT(*) FROM books {f'WHERE {where}' if where else ''}").fetchone()[0]
    assert db.count("books", cond) == expected
    assert len(db.find_all("books") if cond is None else db.find_by_cond("books", cond)) == expected


AGGS = {
    "n": (COUNT(), "COUNT(*)"),
    "with_pages": (COUNT("pages"), "COUNT(pages)"),
    "pages": (SUM("pages"), "SUM(pages)"),
    "avg": (AVG("pages"), "AVG(pages)"),
    "first": (MIN("title"), "MIN(title)"),
    "last": (MAX("blurb"), "MAX(blurb)"),
    "newest": (MAX("year"), "MAX(year)"),
    "oldest": (MIN("year"), "MIN(year)"),
}
GROUPS = [None, "year", "author_id", ["author_id", "year"], "title", ("blurb",)]
AGG_SETS = [
    ["n"],
    ["n", "with_pages", "pages", "avg", "first", "last"],
    ["newest", "oldest"],
    ["with_pages", "year_count"],
]


def aggregate_sql(group_by, keys: list[str], where: str | None) -> str:
    groups = [group_by] if isinstance(group_by, str) else list(group_by or [])
    exprs = [f"{AGGS[k][1] if k in AGGS else 'COUNT(year)'} AS {k}" for k in keys]
    tail = f"GROUP BY {', '.join(groups)} ORDER BY {', '.join(groups)}" if groups else ""
    return f"SELECT {', '.join([*groups, *exprs])} FROM books {f'WHERE {where}' if where else ''} {tail}"


@pytest.mark.parametrize("keys", AGG_SETS, ids=lambda k: "+".join(k))
@pytest.mark.parametrize("group_by", GROUPS, ids=repr)
@pytest.mark.parametrize(
    ("cond", "where"), [c[1:] for c in CONDS[:3] + CONDS[-1:]], ids=["all", "year>1974", "year-null", "none"]
)
def test_aggregates_match_sqlite(both, cond, where, group_by, keys):
    db, sql = both
    aggs = {k: AGGS[k][0] if k in AGGS else COUNT("year") for k in keys}
    expected = select(sql, aggregate_sql(group_by, keys, where))
    got = db.aggregate("books", cond, group_by, **aggs)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert list(g) == list(e), "group fields first, then the aggregates in the order given"
        g, e = dict(g), dict(e)
        avg, expected_avg = g.pop("avg", None), e.pop("avg", None)
        assert g == e
        assert avg == (None if expected_avg is None else pytest.approx(expected_avg, rel=1e-12))
        assert avg is None or isinstance(avg, float)


def test_an_empty_table_orders_counts_and_aggregates_to_nothing(open_db):
    db = open_db([AUTHORS, books(True)])
    assert db.find_all("books", order_by="-year", limit=3) == []
    assert db.find_all("books", offset=5) == []
    assert list(db.iter("books", order_by="title")) == []
    assert db.count("books") == 0
    assert db.aggregate("books", n=COUNT(), top=MAX("year"), s=SUM("pages"), a=AVG("pages")) == [
        {"n": 0, "top": None, "s": None, "a": None}
    ]
    assert db.aggregate("books", group_by="year", n=COUNT()) == []


# --- bad arguments ------------------------------------------------------------------


def find_all(**kwargs):
    return lambda db: db.find_all("books", **kwargs)


def iterate(**kwargs):
    return lambda db: list(db.iter("books", **kwargs))


BAD = [
    # id, call, error, message, field, value
    ("limit-0", find_all(limit=0), ValidationError, "'limit': must be at least 1, got 0", "limit", 0),
    ("limit-negative", find_all(limit=-3), ValidationError, "'limit': must be at least 1, got -3", "limit", -3),
    ("offset-negative", find_all(offset=-1), ValidationError, "'offset': must be at least 0, got -1", "offset", -1),
    ("limit-str", find_all(limit="3"), ValidationError, "'limit': Type mismatch: `'3'` is not `int`", "limit", "3"),
    ("limit-float", find_all(limit=1.5), ValidationError, "'limit': Type mismatch: `1.5` is not `int`", "limit", 1.5),
    ("limit-bool", find_all(limit=True), ValidationError, "'limit': Type mismatch: `True` is not `int`", "limit", True),
    ("order-unknown", find_all(order_by="nope"), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("order-desc-unknown", find_all(order_by=["year", "-nope"]), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("order-not-str", find_all(order_by=["year", 3]), ValidationError, "'order_by': Type mismatch", "order_by", 3),
    ("order-int", find_all(order_by=3), ValidationError, "'order_by': Type mismatch", "order_by", 3),
    ("fields-unknown", find_all(fields=["title", "nope"]), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("fields-not-str", find_all(fields=[None]), ValidationError, "'fields': Type mismatch", "fields", None),
    ("by-cond", lambda db: db.find_by_cond("books", EQ(year=1), limit=0), ValidationError, "'limit': must be at least 1, got 0", "limit", 0),
    ("iter-limit", iterate(limit=-1), ValidationError, "'limit': must be at least 1, got -1", "limit", -1),
    ("iter-order", iterate(order_by="-nope"), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("explain-limit", lambda db: db.explain("books", limit=0), ValidationError, "'limit': must be at least 1, got 0", "limit", 0),
    ("explain-order", lambda db: db.explain("books", order_by="nope"), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("group-unknown", lambda db: db.aggregate("books", group_by="nope", n=COUNT()), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("group-not-str", lambda db: db.aggregate("books", group_by=[1], n=COUNT()), ValidationError, "'group_by': Type mismatch", "group_by", 1),
    ("agg-unknown", lambda db: db.aggregate("books", n=MAX("nope")), ValidationError, "'nope': No such field in table 'books'", "nope", None),
    ("sum-of-text", lambda db: db.aggregate("books", s=SUM("title")), ValidationError, "SUM(title) needs a number field", "title", None),
    ("unknown-table", lambda db: db.find_all("nope", limit=1), ValidationError, "No such table: 'nope'", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "message", "field", "value"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_are_clear_errors(both, call, error, message, field, value):
    db, _ = both
    with pytest.raises(error) as info:
        call(db)
    assert message in str(info.value)
    assert info.value.message == str(info.value)
    assert (info.value.field, info.value.value) == (field, value)
    assert info.value.table == ("nope" if message.startswith("No such table") else "books")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda db: db.aggregate("books"), "aggregate() needs at least one aggregate, such as n=COUNT()"),
        (lambda db: db.aggregate("books", group_by="year"), "aggregate() needs at least one aggregate"),
        (lambda db: db.aggregate("books", n="COUNT()"), "'COUNT()' is not an aggregate"),
        (lambda db: db.aggregate("books", n=COUNT), "is not an aggregate"),
        (lambda db: SUM(None), "SUM() takes a field name, not None"),
        (lambda db: MIN(3), "MIN() takes a field name, not 3"),
        (lambda db: db.iter("books", batch=0), "batch must be at least 1, got 0"),
    ],
    ids=["no-aggregates", "group-only", "a-string", "the-class", "sum-none", "min-int", "batch-0"],
)
def test_misuse_is_a_type_or_value_error(both, call, message):
    db, _ = both
    with pytest.raises((TypeError, ValueError)) as info:
        call(db)
    assert message in str(info.value)
    assert not isinstance(info.value, ValidationError)


def test_aggregates_print_as_written():
    assert [repr(a) for a in (COUNT(), COUNT("x"), SUM("x"), MIN("x"), MAX("x"), AVG("x"))] == [
        "COUNT()", "COUNT('x')", "SUM('x')", "MIN('x')", "MAX('x')", "AVG('x')",
    ]  # fmt: skip


# --- explain ------------------------------------------------------------------------

ACTUAL = re.compile(r"\[actual: (\d+) rows?, (\d+) examined")


def examined(plan: str) -> int:
    """Rows and index entries read by the whole plan, summed over its lines."""
    return sum(int(m.group(2)) for m in ACTUAL.finditer(plan))


ORDERED_PLANS = [
    # id, the read, its order line with an index on year, and without
    ("newest", {"order_by": "-year", "limit": 10},
     "order by year DESC: in index order on year", "order by year DESC: top 10 of a sort"),
    ("all-by-year", {"order_by": "year"}, "order by year: in index order on year", "order by year: sort"),
    ("two-keys", {"order_by": ["pages", "-title"], "limit": 3},
     "order by pages, title DESC: top 3 of a sort", "order by pages, title DESC: top 3 of a sort"),
    ("range", {"cond": GT(year=1974), "order_by": "year", "limit": 2},
     "order by year: in index order on year", "order by year: top 2 of a sort"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "with_index", "without"), [p[1:] for p in ORDERED_PLANS], ids=[p[0] for p in ORDERED_PLANS]
)
def test_explain_shows_the_order_and_the_limit(both, kwargs, with_index, without):
    db, _ = both
    indexed = "via index on year" in db.explain("books", GT(year=1974))
    plan = db.explain("books", **kwargs)
    assert f"─ {with_index if indexed else without}" in plan, plan
    limit = kwargs.get("limit")
    assert (f"─ limit {limit}" in plan) == (limit is not None), plan
    analyzed = db.explain("books", **kwargs, analyze=True)
    cond = kwargs.get("cond")
    rows = db.find_all("books", order_by=kwargs["order_by"], limit=limit) if cond is None else db.find_by_cond(
        "books", cond, order_by=kwargs["order_by"], limit=limit
    )
    # The limit passes exactly the rows returned; without one, a sort does (a walk in
    # index order counts them on the access path's line).
    step = f"limit {limit}" if limit is not None else "order by"
    line = next(line for line in analyzed.splitlines() if step in line)
    if limit is not None or not indexed:
        assert re.search(rf"\[actual: {len(rows)} rows?, ", line), analyzed


def test_an_index_ordered_limit_reads_only_the_rows_it_returns(open_db):
    db = open_db([AUTHORS, books(True)])
    db.insert("authors", {"name": "a"})
    with db.transaction():
        for i in range(2000):
            db.insert("books", {"title": f"b{i}", "author_id": 1, "year": 1000 + i % 997})
    plan = db.explain("books", order_by="-year", limit=10, analyze=True)
    assert "order by year DESC: in index order on year" in plan, plan
    assert examined(plan) < 40, f"10 rows and their index entries, not 2000:\n{plan}"
    assert [r["year"] for r in db.find_all("books", order_by="-year", limit=3)] == [1996, 1996, 1995]
    # Without the index, every row is read once into a top-10 heap.
    plan = db.explain("books", order_by="-pages", limit=10, analyze=True)
    assert "order by pages DESC: top 10 of a sort" in plan and examined(plan) >= 2000, plan
