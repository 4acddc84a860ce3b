"""``db.storage``, kept from the original for its ``lock()``: a reentrant context
manager holding the database's exclusive lock (threads and processes), under which the
same thread's operations run — so a read-modify-write under it loses no update.

It is a transaction that commits on exit, also when the block raises: every operation
inside already took effect, as it did in the original. For all-or-nothing, use
``db.transaction()``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from . import _bazoola

if TYPE_CHECKING:
    from .table import Table


class TableStorage:
    tables: dict[str, Table]

    def __init__(self, native: _bazoola.Database, tables: dict[str, Table], base_dir: str) -> None:
        self._native = native
        self.tables = tables
        self.base_dir = base_dir

    @contextmanager
    def lock(self) -> Iterator[None]:
        self._native.begin()
        try:
            yield
        except BaseException:
            try:
                self._native.commit()
            except Exception:
                pass  # the block's own exception is the one to see
            raise
        self._native.commit()

    def close(self) -> None:
        self._native.close()
        self.tables = {}

    def truncate(self, truncated_table_name: str, cascade: bool = False) -> None:
        self._native.truncate(truncated_table_name, cascade)
