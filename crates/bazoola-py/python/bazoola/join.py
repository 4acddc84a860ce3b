"""Joins: ``Join(fk_attr, key, foreign_table_name)`` puts the row the FK points at (or
``None``) under ``key``; ``InverseJoin(fk_attr, key, foreign_table_name)`` puts the list of
rows of ``foreign_table_name`` whose ``fk_attr`` points at this row. Both take
``joins=[...]``, applied to the rows they fetch. The engine runs them; a ``BaseJoin``
subclass with its own ``join`` method is called row by row, as in the original.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Iterable

from .cond import EQ

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
