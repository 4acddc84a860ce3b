"""Table declarations in the original's style, shared by the tests."""

from __future__ import annotations

from pathlib import Path

from bazoola import CHAR, FK, INT, PK, TEXT, Field, Schema, Table

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
