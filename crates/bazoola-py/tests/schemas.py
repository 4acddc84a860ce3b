"""Table declarations in the original's style, and a condition the planner cannot see
into (`Py`), shared by the tests."""

from __future__ import annotations

from pathlib import Path

from bazoola import CHAR, FK, INT, PK, TEXT, BaseCond, Field, Schema, Table

REPO = Path(__file__).resolve().parents[3]


def table(name: str, *fields: Field) -> type[Table]:
    """A `Table` subclass declared the original's way."""
    return type(name.title(), (Table,), {"name": name, "schema": Schema([Field("id", PK()), *fields])})


A = table("a", Field("text", CHAR(5)))
B = table("b", Field("a_id", FK("a", null=True)), Field("num", INT(null=True)))
F = table("f", Field("body", TEXT(null=True)))
AUTHORS = table("authors", Field("name", CHAR(20)))
BOOKS = table(
    "books",
    Field("title", CHAR(20)),
    Field("author_id", FK("authors")),
    Field("year", INT(null=True)),
)
COUNTER = table("counter", Field("value", INT()))


class Py(BaseCond):
    """`cond` evaluated by Python, row by row: no index can answer it, so a read with it
    scans the whole table. The truth that reads through an index are compared with."""

    def __init__(self, cond: BaseCond) -> None:
        self.cond = cond
        self.params = {"py": cond}

    def eval(self, row) -> bool:
        return self.cond.eval(row)


# The library of the schema-change tests (`test_schema_changes.py`), as the core's
# `tests/alter.rs` declares it; here so that worker processes can import it.
LIB_AUTHORS = table("authors", Field("name", CHAR(20, unique=True)))
LIB_BOOK_FIELDS = [
    Field("title", CHAR(20)),
    Field("author_id", FK("authors", null=True)),
    Field("year", INT(null=True, index=True)),
    Field("blurb", TEXT(null=True)),
]
LIB_BOOKS = table("books", *LIB_BOOK_FIELDS)
LIB_REVIEWS = table("reviews", Field("book_id", FK("books", on_delete="cascade")), Field("stars", INT()))
LIBRARY = [LIB_AUTHORS, LIB_BOOKS, LIB_REVIEWS]
#: `books` after `add_field("books", Field("pages", INT(null=True)))`.
LIB_BOOKS_PAGES = table("books", *LIB_BOOK_FIELDS, Field("pages", INT(null=True)))
