"""Tables are declared as in the original: a ``Table`` subclass with class attributes
``name`` and ``schema``::

    class Books(Table):
        name = "books"
        schema = Schema([
            Field("id", PK()),
            Field("title", CHAR(20)),
            Field("author_id", FK("authors")),
            Field("year", INT(null=True)),
        ])

``DB`` makes one instance of each, bound to the open database (``db.tables["books"]``);
its methods are the database's, for that table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from .cond import BaseCond
from .fields import CHAR, FK, INT, PK, TEXT, Field, FieldType
from .row import Row

if TYPE_CHECKING:
    from .db import DB
    from .join import BaseJoin


class Schema:
    def __init__(self, schema: list[Field]):
        assert schema, "Schema must not be empty"

        self.schema = schema

    def row_size(self) -> int:
        return sum(x.type.size for x in self.schema) + 1

    def to_row(self, values: dict) -> bytes:
        values_lst = []
        for field in self.schema:
            val = values.get(field.name)
            field.validate(val)
            col = field.type.serialize(val)
            values_lst.append(col)
        return b"".join(values_lst) + b"\n"

    def parse(self, row: bytes) -> Row | None:
        assert (l := len(row)) == (size := self.row_size()), f"{l=} != {size=}"

        if row[0] == ord("*"):
            return None
        values = Row()
        start = 0
        for field in self.schema:
            value, end = field.type.deserialize(row, start)
            values[field.name] = value
            start = end
        return values

    def relations(self) -> list[tuple[str, str]]:
        return [(x.name, x.type.params["rel_name"]) for x in self.schema if isinstance(x.type, FK)]

    def _spec(self) -> list[tuple]:
        """The fields as the engine takes them."""
        return [_field_spec(f) for f in self.schema]

    @classmethod
    def _from_spec(cls, specs: list[tuple], width: int) -> Schema:
        """The schema of fields as the engine gives them (``_field_spec``'s form), in a
        table of format width ``width``."""
        fields = [_field_from_spec(spec) for spec in specs]
        for field in fields:
            field.type._width = width  # noqa: SLF001
        return cls(fields)


def _field_spec(field: Field) -> tuple:
    """A field as the engine takes it: ``(name, type, size, null, FK target, on_delete,
    indexing)``."""
    ftype = field.type
    return (
        field.name,
        getattr(ftype, "_type_name", None) or type(ftype).__name__,
        ftype._size,  # noqa: SLF001
        bool(ftype.null),
        ftype.params.get("rel_name"),
        ftype.params.get("on_delete"),
        _indexing(ftype),
    )


def _field_from_spec(spec: tuple) -> Field:
    """The inverse of ``_field_spec``."""
    name, type_name, size, null, target, on_delete, indexing = spec
    unique, index = indexing == "unique", indexing == "index"
    ftype: FieldType
    if type_name == "PK":
        ftype = PK()
    elif type_name == "INT":
        ftype = INT(size, null, unique=unique, index=index)
    elif type_name == "CHAR":
        ftype = CHAR(size, null, unique=unique, index=index)
    elif type_name == "TEXT":
        ftype = TEXT(null)
    else:
        ftype = FK(target, null, on_delete, unique=unique, index=indexing != "off")
    return Field(name, ftype)


def _indexing(ftype: FieldType) -> str:
    """A field type's index as the engine takes it (see ``FieldType._indexing``); a
    field type from outside this package that knows nothing of indexes has the default."""
    indexing = getattr(ftype, "_indexing", None)
    return indexing() if callable(indexing) else "default"


class Table:
    name: str
    schema: Schema
    _db: DB

    @classmethod
    def _bind(cls, db: DB) -> Table:
        assert cls.name and cls.schema
        table = cls.__new__(cls)
        table._db = db
        return table

    @property
    def row_size(self) -> int:
        return self.schema.row_size()

    def close(self) -> None:
        """Kept for compatibility: the database closes its tables' files."""

    def insert(self, values: dict) -> Row:
        return self._db.insert(self.name, values)

    def update_by_id(self, pk: int, values: dict) -> Row:
        return self._db.update_by_id(self.name, pk, values)

    def delete_by_id(self, pk: int) -> None:
        self._db.delete_by_id(self.name, pk)

    def iterate(self) -> Iterator[Row]:
        return iter(self._db.find_all(self.name))

    def find_all(
        self,
        *,
        joins: list[BaseJoin] | None = None,
        order_by: str | Iterable[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: Iterable[str] | None = None,
    ) -> list[Row]:
        return self._db.find_all(
            self.name, joins=joins, order_by=order_by, limit=limit, offset=offset, fields=fields
        )

    def find_by_id(self, pk: int, *, joins: list[BaseJoin] | None = None) -> Row | None:
        return self._db.find_by_id(self.name, pk, joins=joins)

    def find_by_cond(
        self,
        cond: BaseCond,
        joins: list[BaseJoin] | None = None,
        *,
        order_by: str | Iterable[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        fields: Iterable[str] | None = None,
    ) -> list[Row]:
        return self._db.find_by_cond(
            self.name, cond, joins, order_by=order_by, limit=limit, offset=offset, fields=fields
        )
