"""Joins: ``Join(fk_attr, key, foreign_table_name)`` puts the row the FK points at (or
``None``) under ``key``; ``InverseJoin(fk_attr, key, foreign_table_name)`` puts the list of
rows of ``foreign_table_name`` whose ``fk_attr`` points at this row. Both take
``joins=[...]``, applied to the rows they fetch. ``InverseCount(fk_attr, key,
foreign_table_name)`` puts only how many such rows there are, counted through the FK's
index without reading them. The engine runs them; a ``BaseJoin`` subclass with its own
``join`` method is called row by row, as in the original.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Iterable

from .cond import EQ, BaseCond

if TYPE_CHECKING:
    from .table import Table


class BaseJoin(ABC):
    fk_attr: str
    foreign_table_name: str
    #: How the engine runs this join; ``None``: call ``join`` from Python.
    _native_kind: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "join" in cls.__dict__ and "_native_kind" not in cls.__dict__:
            cls._native_kind = None

    @abstractmethod
    def join(self, fk: int | None, foreign_table: Table) -> dict: ...


class Join(BaseJoin):
    _native_kind = "forward"

    def __init__(
        self,
        fk_attr: str,
        key: str,
        foreign_table_name: str,
        joins: Iterable[BaseJoin] | None = None,
    ):
        assert fk_attr and key and foreign_table_name

        self.fk_attr = fk_attr
        self.key = key
        self.foreign_table_name = foreign_table_name
        self.joins = list(joins) if joins else []

    def join(self, fk: int | None, foreign_table: Table) -> dict:
        if fk is None:
            return {self.key: None}
        values = foreign_table.find_by_id(fk, joins=self.joins)
        return {self.key: values}

    def __repr__(self) -> str:
        nested = f", joins={self.joins!r}" if self.joins else ""
        return f"{type(self).__name__}({self.fk_attr!r}, {self.key!r}, {self.foreign_table_name!r}{nested})"


class InverseJoin(Join):
    _native_kind = "inverse"

    def join(self, pk: int | None, foreign_table: Table) -> dict:
        assert pk is not None

        foreign_rows = foreign_table.find_by_cond(EQ(**{self.fk_attr: pk}), joins=self.joins)
        return {self.key: foreign_rows}


class InverseCount(BaseJoin):
    """The number of rows of ``table`` whose ``fk_field`` points at this row, under
    ``key`` — those satisfying ``cond`` only, when given.

    ``through=InverseCount(inner_fk, _, inner_table)`` counts across a second FK hop:
    the rows of ``inner_table`` referring to any of the rows of ``table`` that refer to
    this one (``cond`` then selects those intermediate rows, and the inner
    count's own ``cond`` the rows it counts; its key is not used)::

        InverseCount("store_id", "employees", "departments",
                     through=InverseCount("department_id", "n", "employees"))

    Each count walks only its own relation, so several counts on one row cost the sum
    of their sizes, never their product (SPEC §7, the cartesian trap). It can sit in an
    ``InverseJoin``'s ``joins``."""

    _native_kind = "count"

    def __init__(
        self,
        fk_field: str,
        key: str,
        table: str,
        cond: BaseCond | None = None,
        through: InverseCount | None = None,
    ):
        assert fk_field and key and table

        # Under the names every join has (``BaseJoin``).
        self.fk_attr = fk_field
        self.key = key
        self.foreign_table_name = table
        self.cond = cond
        self.through = through

    def join(self, pk: int | None, foreign_table: Table) -> dict:
        """The count for the row ``pk`` — what the engine computes, asked a row at a time
        (used when a ``BaseJoin`` of the user's runs beside it in Python)."""
        assert pk is not None

        cond: BaseCond = EQ(**{self.fk_attr: pk})
        if self.cond is not None:
            cond = cond & self.cond
        db = foreign_table._db  # noqa: SLF001
        if self.through is None:
            return {self.key: db.count(self.foreign_table_name, cond)}
        inner = db.tables[self.through.foreign_table_name]
        rows = db.find_by_cond(self.foreign_table_name, cond, fields=[])
        return {self.key: sum(self.through.join(row["id"], inner)[self.through.key] for row in rows)}

    def __repr__(self) -> str:
        given = (("cond", self.cond), ("through", self.through))
        extra = "".join(f", {name}={value!r}" for name, value in given if value is not None)
        return f"{type(self).__name__}({self.fk_attr!r}, {self.key!r}, {self.foreign_table_name!r}{extra})"
