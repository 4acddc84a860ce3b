"""Conditions for ``find_by_cond``.

The classes of the original (``EQ``, ``LT``, ``GT``, ``SUBSTR``, ``ISUBSTR``) and the new
ones (``LE``, ``GE``, ``NE``, ``IN``, ``IS_NULL``, ``AND``, ``OR``, ``NOT``) are run by the
engine on the raw rows; their ``eval(row)`` is kept, and gives the same answers. A
subclass of ``BaseCond`` that defines its own ``eval`` is called row by row, as in the
original. So is a built-in condition whose values the engine cannot compare exactly
(a ``float``, a ``bool``, ``bytes``).

Each ``field=value`` pair must hold (``EQ(a=1, b=2)`` is ``a == 1 and b == 2``). A null
field never satisfies ``LT``, ``GT``, ``LE``, ``GE``, ``SUBSTR`` or ``ISUBSTR``;
``EQ(f=None)`` finds nulls. ``NE(a=1, b=2)`` is ``NOT(EQ(a=1, b=2))``.

``IN`` takes a field name and the values: ``IN("year", [1961, 1974])``. Conditions combine
with ``AND(c1, c2, ...)``, ``OR(...)``, ``NOT(c)``, or the operators ``&``, ``|``, ``~``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable

from .row import Row


class BaseCond(ABC):
    #: What the engine runs this as; ``None``: call ``eval`` row by row.
    _kind: str | None = None

    def __init__(self, **params) -> None:
        assert params

        self.params = params

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A subclass with its own `eval` means what its `eval` says.
        if "eval" in cls.__dict__ and "_kind" not in cls.__dict__:
            cls._kind = None

    @abstractmethod
    def eval(self, row: Row) -> bool: ...

    # A chain built one operand at a time (``c = c | EQ(id=i)`` in a loop) stays one
    # flat list, however long, rather than a tree as deep as the loop.
    def __and__(self, other: BaseCond) -> AND:
        if type(self) is AND:
            return AND(*self.conds, other)
        return AND(self, other)

    def __or__(self, other: BaseCond) -> OR:
        if type(self) is OR:
            return OR(*self.conds, other)
        return OR(self, other)

    def __invert__(self) -> NOT:
        return NOT(self)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({args})"


class EQ(BaseCond):
    _kind = "eq"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            if row.get(field_name) != value:
                return False
        return True


class NE(BaseCond):
    _kind = "ne"

    def eval(self, row: Row) -> bool:
        return not all(row.get(f) == v for f, v in self.params.items())


class LT(BaseCond):
    _kind = "lt"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            row_value = row.get(field_name)
            if row_value is None or row_value >= value:
                return False
        return True


class GT(BaseCond):
    _kind = "gt"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            row_value = row.get(field_name)
            if row_value is None or row_value <= value:
                return False
        return True


class LE(BaseCond):
    _kind = "le"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            row_value = row.get(field_name)
            if row_value is None or row_value > value:
                return False
        return True


class GE(BaseCond):
    _kind = "ge"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            row_value = row.get(field_name)
            if row_value is None or row_value < value:
                return False
        return True


class SUBSTR(BaseCond):
    _kind = "substr"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            row_value = row.get(field_name)
            if row_value is None or value not in str(row_value):
                return False
        return True


class ISUBSTR(BaseCond):
    _kind = "isubstr"

    def eval(self, row: Row) -> bool:
        for field_name, value in self.params.items():
            assert isinstance(value, str)

            row_value = row.get(field_name)
            if row_value is None:
                return False

            lowercased_value = value.lower()
            lowercased_row_value = str(row_value).lower()
            if lowercased_value not in lowercased_row_value:
                return False
        return True


class IN(BaseCond):
    """``IN(field, values)``: the field equals one of ``values`` (``None`` matches null)."""

    _kind = "in"

    def __init__(self, field: str, values: Iterable[Any]) -> None:
        self.field = field
        self.values = list(values)
        self.params = {field: self.values}

    def eval(self, row: Row) -> bool:
        return row.get(self.field) in self.values


class IS_NULL(BaseCond):
    """``IS_NULL(field)``: the field is null."""

    _kind = "is_null"

    def __init__(self, field: str) -> None:
        self.field = field
        self.params = {field: None}

    def eval(self, row: Row) -> bool:
        return row.get(self.field) is None


class AND(BaseCond):
    """All of the conditions hold (true for none)."""

    _kind = "and"

    def __init__(self, *conds: BaseCond) -> None:
        self.conds = list(conds)
        self.params = {}

    def eval(self, row: Row) -> bool:
        return all(c.eval(row) for c in self.conds)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.conds))})"


class OR(AND):
    """One of the conditions holds (false for none)."""

    _kind = "or"

    def eval(self, row: Row) -> bool:
        return any(c.eval(row) for c in self.conds)


class NOT(BaseCond):
    """The condition does not hold."""

    _kind = "not"

    def __init__(self, cond: BaseCond) -> None:
        self.cond = cond
        self.params = {}

    def eval(self, row: Row) -> bool:
        return not self.cond.eval(row)

    def __repr__(self) -> str:
        return f"NOT({self.cond!r})"
