"""``DB``: an open database directory, as in the original package."""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Union

from . import _bazoola
from .agg import Aggregate
from .cond import BaseCond
from .join import BaseJoin, InverseCount, InverseJoin
from .row import Row
from .storage import TableStorage
from .errors import DBError
from .fields import Field
from .table import Schema, Table, _field_spec

#: ``order_by``: a field name (``"-name"`` for descending) or a list of them.
OrderBy = Union[str, Iterable[str], None]


def _join_list(joins: Iterable[BaseJoin] | None) -> list[BaseJoin] | tuple[BaseJoin, ...] | None:
    """The joins as a list: a generator is walked more than once (to tell whether the
    engine can run them, then to run them), and would be empty the second time."""
    if joins is None or isinstance(joins, (list, tuple)):
        return joins
    return list(joins)


def _native_joins(joins: Iterable[BaseJoin]) -> bool:
    """Whether the engine can run all these joins (and the ones nested in them).

    A plain loop: this runs on every call with joins, and a generator under ``all()``
    cost a fifth of a ``find_by_id`` with one join.
    """
    for j in joins:
        if j._native_kind is None:  # noqa: SLF001
            return False
        nested = getattr(j, "joins", None)
        if nested and not _native_joins(nested):
            return False
        through = getattr(j, "through", None)
        if through is not None and not _native_joins((through,)):
            return False
    return True


def _with_join_fields(fields: str | Iterable[str] | None, joins: list[BaseJoin]) -> object:
    """``fields`` plus the FKs that forward joins run in Python read from each row."""
    if fields is None:
        return None
    try:
        names = [fields] if isinstance(fields, str) else list(fields)
    except TypeError:
        return fields  # refused by the engine, as without joins
    return names + [j.fk_attr for j in joins if not isinstance(j, (InverseJoin, InverseCount))]


def _rows(stream: _bazoola.Stream, python_joins: Callable[[list[Row]], list[Row]] | None) -> Iterator[Row]:
    try:
        while batch := stream.next_batch():
            yield from (batch if python_joins is None else python_joins(batch))
    finally:
        stream.close()


class DB:
    """Opens (creating if needed) ``base_dir`` with the given ``Table`` subclasses.

    ``sync``: ``"normal"`` (default; every write survives the process being killed),
    ``"full"`` (also power loss; fsyncs each commit) or ``"off"`` (no journal).
    ``width``: the format width of new tables: 9 (default, the spec) or 6 (readable by
    ``bazoola==0.0.7``). Existing directories keep the width they have.
    ``migrate``: a declared table that differs from the one stored on disk is brought to
    the declaration when the difference is safe (a new nullable field, a wider field, a
    field that may now be null, a new index, another field order), as one crash-safe
    change; any other difference is a ``SchemaError`` naming the operation that makes it
    (``drop_field``, ``alter_field``…). Without it, every difference is a
    ``SchemaError`` saying what it is and whether ``migrate`` would apply it.
    """

    def __init__(
        self,
        cls_tables: list[type[Table]],
        base_dir: str = "data",
        *,
        sync: str = "normal",
        width: int | None = None,
        migrate: bool = False,
    ) -> None:
        assert cls_tables, "DB must have at least one table"

        specs = [(cls.name, cls.schema._spec()) for cls in cls_tables]  # noqa: SLF001
        self._db = _bazoola.Database(os.fspath(base_dir), specs, sync, width, migrate)
        #: The engine's description of each table, as of the last look: a schema change
        #: rebuilds the ``Schema`` of the tables whose description it changed.
        self._specs: dict[str, list[tuple]] = {name: specs for name, _, specs in self._db.schemas()}
        tables = {cls.name: self._bind(cls) for cls in cls_tables}
        self.storage = TableStorage(self._db, tables, os.fspath(base_dir))
        self.tables = self.storage.tables
        # The writes go straight to the engine (same signatures, no Python in between).
        self.insert = self._db.insert
        self.update_by_id = self._db.update_by_id
        self.delete_by_id = self._db.delete_by_id

    def _bind(self, cls: type[Table]) -> Table:
        """An instance of ``cls`` bound to this database, its fields as wide as the table."""
        width_of_table = self._db.width(cls.name)
        for field in cls.schema.schema:
            field.type._width = width_of_table  # noqa: SLF001
        return cls._bind(self)  # noqa: SLF001

    def insert(self, table_name: str, values: dict) -> Row:
        return self._db.insert(table_name, values)

    def find_all(
        self,
        table_name: str,
        *,
        joins: list[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: Iterable[str] | None = None,
    ) -> list[Row]:
        """Every row, in file order; ``order_by`` (``"name"``, ``"-name"`` for descending,
        or a list of them: nulls first ascending, last descending, ties in file order),
        ``offset`` and ``limit`` choose which and in what order; ``fields`` which fields
        (``id`` always). Joins apply to the rows returned."""
        joins = _join_list(joins)
        if joins and not _native_joins(joins):
            fields = _with_join_fields(fields, joins)
            rows = self._db.find_all(table_name, None, order_by, limit, offset, fields)
            return self._python_joins(table_name, rows, joins)
        return self._db.find_all(table_name, joins, order_by, limit, offset, fields)

    def find_by_id(self, table_name: str, pk: int, *, joins: list[BaseJoin] | None = None) -> Row | None:
        joins = _join_list(joins)
        if joins and not _native_joins(joins):
            row = self._db.find_by_id(table_name, pk)
            return None if row is None else self._python_joins(table_name, [row], joins)[0]
        return self._db.find_by_id(table_name, pk, joins)

    def delete_by_id(self, table_name: str, pk: int) -> None:
        self._db.delete_by_id(table_name, pk)

    def update_by_id(self, table_name: str, pk: int, values: dict) -> Row:
        return self._db.update_by_id(table_name, pk, values)

    def find_by_cond(
        self,
        table_name: str,
        cond: BaseCond,
        joins: list[BaseJoin] | None = None,
        *,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: Iterable[str] | None = None,
    ) -> list[Row]:
        """The rows satisfying ``cond``; the keyword arguments as for ``find_all``."""
        joins = _join_list(joins)
        if joins and not _native_joins(joins):
            fields = _with_join_fields(fields, joins)
            rows = self._db.find_by_cond(table_name, cond, None, order_by, limit, offset, fields)
            return self._python_joins(table_name, rows, joins)
        return self._db.find_by_cond(table_name, cond, joins, order_by, limit, offset, fields)

    def iter(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        joins: list[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: Iterable[str] | None = None,
        batch: int = 1024,
    ) -> Iterator[Row]:
        """The rows of ``find_by_cond`` (``find_all`` without ``cond``) one at a time,
        read ``batch`` rows at a time — never the whole result in memory.

        The order of the result is taken when the first row is asked for; then each
        batch is read under a lock of its own, and no lock is held in between, so the
        loop may write to the database (as may other threads and processes). A row
        deleted meanwhile, or changed so that ``cond`` no longer holds, is left out.
        A generator left half way holds nothing: dropping it (or ``close()``) is all
        the cleaning up there is. The arguments are checked at once; the names in
        them, when the first row is asked for."""
        joins = _join_list(joins)
        python_joins: Callable[[list[Row]], list[Row]] | None = None
        if joins and not _native_joins(joins):
            fields = _with_join_fields(fields, joins)
            python_joins = functools.partial(self._python_joins, table_name, joins=joins)
            joins = None
        stream = self._db.stream(table_name, cond, joins, order_by, limit, offset, fields, batch)
        return _rows(stream, python_joins)

    def count(self, table_name: str, cond: BaseCond | None = None) -> int:
        """The number of rows satisfying ``cond`` (all rows without one)."""
        return self._db.count(table_name, cond)

    def aggregate(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        group_by: str | Iterable[str] | None = None,
        **aggs: Aggregate,
    ) -> list[Row]:
        """Aggregates of the rows satisfying ``cond``, each under its keyword:
        ``db.aggregate("books", group_by="author_id", n=COUNT(), newest=MAX("year"))``.

        One row per group of ``group_by`` values (the group fields included, groups in
        order, nulls first); without ``group_by``, one row in all (also over no rows:
        ``COUNT()`` 0, the others ``None``)."""
        return self._db.aggregate(table_name, cond, group_by, **aggs)

    def _python_joins(self, table_name: str, rows: list[Row], joins: list[BaseJoin]) -> list[Row]:
        with self.storage.lock():
            table = self.tables[table_name]
            for join in joins:
                for i in range(len(rows)):
                    rows[i] = self.perform_join(rows[i], join, table)
        return rows

    def perform_join(self, row: Row, join: BaseJoin, table: Table) -> Row:
        inverse = isinstance(join, (InverseJoin, InverseCount))
        assert join.fk_attr in row or inverse
        if inverse:
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
        order_by: OrderBy = None,
        limit: int | None = None,
        analyze: bool = False,
    ) -> str:
        """The plan of ``find_by_cond(table_name, cond, joins, order_by=order_by,
        limit=limit)`` (``find_all`` without a condition) as text: an indented tree, one
        step a line — the access path (``scan <table>``, ``<table> by id via PK index:
        …``, ``<table> via index on <field>: …`` for a lookup or a ``range``), the filter,
        the order (``order by <keys>: in index order on <field>`` when an index gives it,
        ``top N of a sort`` with a limit, ``sort`` without), the limit, the joins (an
        ``InverseJoin`` or ``InverseCount`` ``via index on <fk>`` when the FK is indexed)
        — each with its estimated rows.

        With ``analyze=True`` the read runs (a Python ``eval`` condition is called, row by
        row) and each step also shows ``[actual: N rows, M examined, T ms]``.

        A condition the engine cannot run natively (a ``BaseCond`` subclass with its own
        ``eval``) shows as ``<custom>``. Joins must be ``Join``/``InverseJoin``/
        ``InverseCount`` (a ``BaseJoin`` subclass with its own ``join`` runs in Python and
        has no plan): anything else is a ``TypeError``."""
        return self._db.explain(table_name, cond, joins, order_by, limit, analyze)

    # Schema changes (SPEC §9). Each is one crash-safe transaction, checked against the
    # schemas and every row first: a refused change raises and leaves every file as it
    # was. Other handles and processes see the change at their next call (one that
    # declared the old schema gets a ``SchemaError`` saying what changed). None can run
    # inside ``transaction()`` or ``storage.lock()``.

    def create_table(self, cls_table: type[Table]) -> None:
        """Creates the table a ``Table`` subclass declares, empty; from then on it is
        used as the tables given to ``DB(...)`` are (``db.tables[cls_table.name]``)."""
        self._change(self._db.create_table, (cls_table.name, cls_table.schema._spec()), created=cls_table)  # noqa: SLF001

    def drop_table(self, table_name: str, cascade: bool = False) -> None:
        """Removes a table and its files. Refused while another table's FK refers to it,
        unless ``cascade``: those fields then become plain ``INT`` fields, their values
        and index kept."""
        self._change(self._db.drop_table, table_name, cascade)

    def add_field(self, table_name: str, field: Field, default: object = None) -> None:
        """Adds ``field`` at the end of the table; the rows already there get
        ``default`` (a field that is not nullable needs one if there are rows)."""
        self._change(self._db.add_field, table_name, _field_spec(field), default)

    def drop_field(self, table_name: str, field_name: str) -> None:
        """Removes a field and its values (and its index)."""
        self._change(self._db.drop_field, table_name, field_name)

    def rename_field(self, table_name: str, old: str, new: str) -> None:
        """Renames a field (and its index file); its values stay."""
        self._change(self._db.rename_field, table_name, old, new)

    def alter_field(self, table_name: str, field: Field) -> None:
        """Redefines the field named ``field.name``: another size of ``CHAR`` or ``INT``,
        ``null`` or not, ``unique``/``index`` or not, another ``on_delete`` — not
        another type or FK target. Every row is checked first: a value that does not fit,
        a null where none may be, or a duplicate under ``unique`` is a
        ``ValidationError`` naming the first such row (``e.id``)."""
        self._change(self._db.alter_field, table_name, _field_spec(field))

    def rename_table(self, old: str, new: str) -> None:
        """Renames a table and its files; the FKs of other tables follow it. Its
        ``db.tables`` entry moves to the new name."""
        self._change(self._db.rename_table, old, new, renamed=(old, new))

    def _change(
        self,
        change: Callable[..., None],
        *args: object,
        created: type[Table] | None = None,
        renamed: tuple[str, str] | None = None,
    ) -> None:
        try:
            change(*args)
        except BaseException:
            # Refused, nothing changed; but if it failed after the files changed,
            # `db.tables` must still follow them.
            try:
                self._follow_schemas(created, renamed)
            except DBError:
                pass  # the change's own exception is the one to see
            raise
        self._follow_schemas(created, renamed)

    def _follow_schemas(self, created: type[Table] | None, renamed: tuple[str, str] | None) -> None:
        """Makes ``db.tables`` follow the engine's tables: a created table is bound, a
        renamed one moves (the same object, under its new ``name``), a dropped one goes,
        and each table whose fields changed gets a ``schema`` rebuilt from the engine's
        (an attribute of the instance: the ``Table`` subclass keeps its declaration)."""
        current = {name: (width, specs) for name, width, specs in self._db.schemas()}
        tables = self.tables
        if renamed is not None:
            old, new = renamed
            if new in current and old not in current and old in tables:
                table = tables.pop(old)
                table.name = new
                tables[new] = table
                self._specs[new] = self._specs.pop(old, [])
        if created is not None and created.name in current and created.name not in tables:
            tables[created.name] = self._bind(created)
            self._specs[created.name] = current[created.name][1]
        for name in [name for name in tables if name not in current]:
            del tables[name]
            self._specs.pop(name, None)
        for name, (width, specs) in current.items():
            if name in tables and self._specs.get(name) != specs:
                tables[name].schema = Schema._from_spec(specs, width)  # noqa: SLF001
                self._specs[name] = specs

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
