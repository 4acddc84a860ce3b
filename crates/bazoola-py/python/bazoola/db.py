"""``DB``: an open database directory, as in the original package."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from . import _bazoola
from .cond import BaseCond
from .join import BaseJoin, InverseJoin
from .row import Row
from .storage import TableStorage
from .table import Table


def _native_joins(joins: list[BaseJoin]) -> bool:
    """Whether the engine can run all these joins (and the ones nested in them)."""
    return all(
        j._native_kind is not None and _native_joins(getattr(j, "joins", ()))  # noqa: SLF001
        for j in joins
    )


class DB:
    """Opens (creating if needed) ``base_dir`` with the given ``Table`` subclasses.

    ``sync``: ``"normal"`` (default; every write survives the process being killed),
    ``"full"`` (also power loss; fsyncs each commit) or ``"off"`` (no journal).
    ``width``: the format width of new tables: 9 (default, the spec) or 6 (readable by
    ``bazoola==0.0.7``). Existing directories keep the width they have.
    """

    def __init__(
        self,
        cls_tables: list[type[Table]],
        base_dir: str = "data",
        *,
        sync: str = "normal",
        width: int | None = None,
    ) -> None:
        assert cls_tables, "DB must have at least one table"

        specs = [(cls.name, cls.schema._spec()) for cls in cls_tables]  # noqa: SLF001
        self._db = _bazoola.Database(os.fspath(base_dir), specs, sync, width)
        for cls in cls_tables:
            width_of_table = self._db.width(cls.name)
            for field in cls.schema.schema:
                field.type._width = width_of_table  # noqa: SLF001
        tables = {cls.name: cls._bind(self) for cls in cls_tables}  # noqa: SLF001
        self.storage = TableStorage(self._db, tables, os.fspath(base_dir))
        self.tables = self.storage.tables
        # The writes go straight to the engine (same signatures, no Python in between).
        self.insert = self._db.insert
        self.update_by_id = self._db.update_by_id
        self.delete_by_id = self._db.delete_by_id

    def insert(self, table_name: str, values: dict) -> Row:
        return self._db.insert(table_name, values)

    def find_all(self, table_name: str, *, joins: list[BaseJoin] | None = None) -> list[Row]:
        if joins and not _native_joins(joins):
            return self._python_joins(table_name, self._db.find_all(table_name), joins)
        return self._db.find_all(table_name, joins)

    def find_by_id(self, table_name: str, pk: int, *, joins: list[BaseJoin] | None = None) -> Row | None:
        if joins and not _native_joins(joins):
            row = self._db.find_by_id(table_name, pk)
            return None if row is None else self._python_joins(table_name, [row], joins)[0]
        return self._db.find_by_id(table_name, pk, joins)

    def delete_by_id(self, table_name: str, pk: int) -> None:
        self._db.delete_by_id(table_name, pk)

    def update_by_id(self, table_name: str, pk: int, values: dict) -> Row:
        return self._db.update_by_id(table_name, pk, values)

    def find_by_cond(self, table_name: str, cond: BaseCond, joins: list[BaseJoin] | None = None) -> list[Row]:
        if joins and not _native_joins(joins):
            return self._python_joins(table_name, self._db.find_by_cond(table_name, cond), joins)
        return self._db.find_by_cond(table_name, cond, joins)

    def count(self, table_name: str, cond: BaseCond | None = None) -> int:
        """The number of rows satisfying ``cond`` (all rows without one)."""
        return self._db.count(table_name, cond)

    def _python_joins(self, table_name: str, rows: list[Row], joins: list[BaseJoin]) -> list[Row]:
        with self.storage.lock():
            table = self.tables[table_name]
            for join in joins:
                for i in range(len(rows)):
                    rows[i] = self.perform_join(rows[i], join, table)
        return rows

    def perform_join(self, row: Row, join: BaseJoin, table: Table) -> Row:
        assert join.fk_attr in row or isinstance(join, InverseJoin)
        if isinstance(join, InverseJoin):
            joined_values = join.join(row["id"], self.tables[join.foreign_table_name])
        else:
            joined_values = join.join(row[join.fk_attr], self.tables[join.foreign_table_name])

        return Row(row | joined_values)

    def truncate(self, table_name: str, cascade: bool = False) -> None:
        """Empties the table and resets its sequence; with ``cascade``, the tables that
        refer to it are emptied first."""
        self._db.truncate(table_name, cascade)

    @contextmanager
    def transaction(self) -> Iterator[DB]:
        """All or nothing: commits when the block ends, rolls every change back (the files
        byte for byte as before) when it raises. Nested blocks join the outer one."""
        self._db.begin()
        try:
            yield self
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()

    def check(self) -> list[str]:
        """Every broken invariant of the files, as messages; empty when healthy."""
        return self._db.check()

    def check_report(self) -> dict:
        """``{"problems": [...], "reclaimable": {table: bytes}, "stale_indexes": [(table,
        field), ...]}``: what ``check`` finds, the space of freed text records that
        ``vacuum`` would give back, and the indexes that are rebuilt at their next use."""
        return self._db.check_report()

    def vacuum(self, table: str | None = None) -> int:
        """Gives back the space of freed TEXT records: rewrites the text heap of
        ``table`` (of every table, by default) to hold only the live records, in one
        transaction per table. Returns the bytes reclaimed."""
        return self._db.vacuum(table)

    def reindex(self, table_name: str) -> None:
        """Rebuilds every index of ``table_name`` (its unique, plain and FK indexes) from
        its rows, in one transaction.

        Never needed for correctness: an index whose table was changed behind its back
        (by ``bazoola==0.0.7``, which knows nothing of indexes, or by a hand edit of the
        ``.dat`` file) is noticed and rebuilt before a read uses it. This does it now,
        e.g. after a repair, rather than on the next read."""
        self._db.reindex(table_name)

    def explain(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        joins: list[BaseJoin] | None = None,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        analyze: bool = False,
    ) -> str:
        """The plan of ``find_by_cond(table_name, cond, joins)`` (``find_all`` without a
        condition) as text: an indented tree, one step a line — the access path (``scan
        <table>``, ``<table> by id via PK index``, ``<table> via index on <field>: …`` for
        a lookup or a ``range``), the filter, the joins (an ``InverseJoin`` ``via index on
        <fk>`` when the FK is indexed) — each with its estimated rows.

        With ``analyze=True`` the read runs (a Python ``eval`` condition is called, row by
        row) and each step also shows ``[actual: N rows, M examined, T ms]``.

        A condition the engine cannot run natively (a ``BaseCond`` subclass with its own
        ``eval``) shows as ``<custom>``. Joins must be ``Join``/``InverseJoin`` (a
        ``BaseJoin`` subclass with its own ``join`` runs in Python and has no plan):
        anything else is a ``TypeError``.

        ``order_by`` and ``limit`` are accepted for the signature of SPEC §6 but, for
        now, only as ``None``: ordering and limits are not in the engine yet, and giving
        either is a ``TypeError``. This is a temporary limit."""
        if order_by is not None or limit is not None:
            raise TypeError("order_by/limit need bazoola's query features, not yet available")
        return self._db.explain(table_name, cond, joins, analyze)

    def close(self) -> None:
        """Closes the files. Idempotent; any later use raises ``DBError``."""
        self.storage.close()

    @property
    def closed(self) -> bool:
        return self._db.closed

    def __enter__(self) -> DB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
