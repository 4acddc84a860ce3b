"""Aggregates for ``db.aggregate``, each given under the key it is returned by::

    db.aggregate("books", group_by="author_id", n=COUNT(), first=MIN("year"))

They compute what SQLite does: ``COUNT()`` counts rows, ``COUNT(f)`` the rows where
``f`` is not null; ``SUM``, ``MIN``, ``MAX`` and ``AVG`` skip nulls and are ``None`` over
no values; ``AVG`` is a ``float``; ``SUM`` and ``AVG`` need an ``INT`` field, ``MIN`` and
``MAX`` take any field (strings compare by their bytes).
"""

from __future__ import annotations


class Aggregate:
    #: What the engine computes.
    _agg: str

    def __init__(self, field: str) -> None:
        if not isinstance(field, str):
            raise TypeError(f"{type(self).__name__}() takes a field name, not {field!r}")
        self.field: str | None = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'' if self.field is None else repr(self.field)})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.field == other.field  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.field))


class COUNT(Aggregate):
    """``COUNT()``: the rows; ``COUNT(f)``: the rows where ``f`` is not null."""

    _agg = "count"

    def __init__(self, field: str | None = None) -> None:
        if field is None:
            self.field = None
        else:
            super().__init__(field)


class SUM(Aggregate):
    _agg = "sum"


class MIN(Aggregate):
    _agg = "min"


class MAX(Aggregate):
    _agg = "max"


class AVG(Aggregate):
    _agg = "avg"
