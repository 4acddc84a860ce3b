"""The compiled engine binding. Private: use ``bazoola.DB``."""

from os import PathLike
from pathlib import Path
from typing import Any, Iterable, Sequence

from .agg import Aggregate
from .cond import BaseCond
from .join import BaseJoin
from .row import Row

# (name, type, size, null, FK target, on_delete, indexing); indexing is "default",
# "index", "unique" or "off" (an FK without its automatic index).
FieldSpec = tuple[str, str, int | None, bool, str | None, str | None, str]
TableSpec = tuple[str, list[FieldSpec]]
# A field name ("-name": descending), or several.
OrderBy = str | Iterable[str] | None

class Database:
    def __init__(
        self,
        dir: str | PathLike[str],
        tables: Sequence[TableSpec],
        sync: str = "normal",
        width: int | None = None,
    ) -> None: ...
    def insert(self, table_name: str, values: dict[str, Any]) -> Row: ...
    def find_by_id(self, table_name: str, pk: int, joins: Sequence[BaseJoin] | None = None) -> Row | None: ...
    def find_all(
        self,
        table_name: str,
        joins: Sequence[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: str | Iterable[str] | None = None,
    ) -> list[Row]: ...
    def find_by_cond(
        self,
        table_name: str,
        cond: BaseCond,
        joins: Sequence[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: str | Iterable[str] | None = None,
    ) -> list[Row]: ...
    def stream(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        joins: Sequence[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: str | Iterable[str] | None = None,
        batch: int = 1024,
    ) -> Stream: ...
    def count(self, table_name: str, cond: BaseCond | None = None) -> int: ...
    def aggregate(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        group_by: str | Iterable[str] | None = None,
        **aggs: Aggregate,
    ) -> list[Row]: ...
    def update_by_id(self, table_name: str, pk: int, values: dict[str, Any]) -> Row: ...
    def delete_by_id(self, table_name: str, pk: int) -> None: ...
    def truncate(self, table_name: str, cascade: bool = False) -> None: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def check(self) -> list[str]: ...
    def check_report(self) -> dict[str, Any]: ...
    def vacuum(self, table_name: str | None = None) -> int: ...
    def reindex(self, table_name: str) -> None: ...
    def explain(
        self,
        table_name: str,
        cond: BaseCond | None = None,
        joins: Sequence[BaseJoin] | None = None,
        order_by: OrderBy = None,
        limit: int | None = None,
        analyze: bool = False,
    ) -> str: ...
    def close(self) -> None: ...
    def width(self, table_name: str) -> int: ...
    @property
    def closed(self) -> bool: ...
    @property
    def dir(self) -> Path: ...

class Stream:
    """The rows of a read, a batch at a time; no lock is held between batches."""

    def next_batch(self) -> list[Row]: ...
    def close(self) -> None: ...

def _panic_for_tests() -> None: ...
