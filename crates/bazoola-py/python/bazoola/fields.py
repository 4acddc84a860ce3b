"""Field types. The engine reads only a field's type, size, nullability, index and FK
target; ``serialize``/``deserialize``/``validate`` are kept from the original for
programs that call them directly.

``INT()`` without a size is as wide as the table's ids (9, or 6 in a directory written by
``bazoola==0.0.7``); ``INT(size=4)`` is at most 4 characters, sign included. For the
original's ``INT(null)`` signature, a ``bool`` first argument is taken as ``null``.

Beside ``null``, every type but ``PK`` takes two keyword-only arguments (SPEC §1, §6):

- ``unique=False``: no two rows may hold the same non-null value (nulls repeat, as in
  SQL); a violation is an ``IntegrityError``. A unique field is indexed.
- ``index=False``: a secondary index, used for ``EQ``/``IN`` lookups and ``LT``/``GT``/
  ``LE``/``GE`` ranges. An ``FK`` is indexed unless declared ``FK(table, index=False)``.

``TEXT`` fields and ``CHAR`` fields longer than 250 bytes cannot be indexed: declaring
one so is a ``SchemaError`` when the ``DB`` opens.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, NamedTuple

from .errors import ValidationError

#: Width of ids, FKs, TEXT offsets and size-less INTs until a database says otherwise.
DEFAULT_WIDTH = 9

ON_DELETE_RULES = ("restrict", "cascade", "set null", "no action")


class FieldType(ABC):
    _type_name: str | None = None
    #: Whether the type is indexed unless told otherwise (FK).
    _index_default = False

    def __init__(self, size: int | None, null: bool = False, *, unique: bool = False, index: bool = False) -> None:
        assert size is None or size > 0, "Size of the field should be greater than 0"

        self._size = size
        self._width = DEFAULT_WIDTH
        self.null = null
        self.unique = bool(unique)
        self.index = bool(index)
        self.params: dict[str, Any] = {}

    def _indexing(self) -> str:
        """The index as the engine takes it: ``"unique"``, ``"index"``, ``"off"`` (an FK
        opted out of its automatic index) or ``"default"`` (none; an FK's automatic one)."""
        if self.unique:
            return "unique"
        return "index" if self.index else "default"

    @property
    def size(self) -> int:
        return self._size if self._size is not None else self._width

    @size.setter
    def size(self, value: int) -> None:
        self._size = value

    @abstractmethod
    def serialize(self, val) -> bytes: ...

    @abstractmethod
    def deserialize(self, row: bytes, start: int): ...

    def validate(self, val: Any) -> None:
        if not self.null and val is None:
            raise ValidationError("The value can't be None")
        self.validate_type(val)

    @abstractmethod
    def validate_type(self, val: Any) -> None: ...

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={value!r}"
            for name, value, default in (("unique", self.unique, False), ("index", self.index, self._index_default))
            if value != default
        )
        return f"{type(self).__name__}(size={self._size!r}, null={self.null!r}{extra})"


class INT(FieldType):
    _type_name = "INT"

    def __init__(
        self, size: int | bool | None = None, null: bool = False, *, unique: bool = False, index: bool = False
    ) -> None:
        if isinstance(size, bool):  # the original's INT(null)
            size, null = None, size
        super().__init__(size, null, unique=unique, index=index)

    def serialize(self, val: int | None) -> bytes:
        if val is None:
            return b"#" * self.size
        fmt = f"%-{self.size}s".encode()
        return fmt % str(val).encode()

    def deserialize(self, row: bytes, start: int) -> tuple[int | None, int]:
        assert start >= 0, "`start` can't be negative"
        assert row, "`row` can't be empty"

        end = start + self.size
        v = row[start:end]
        if v[0] == ord("#"):
            if not self.null:
                raise ValueError("Inconsistent data")
            return None, end
        return int(v), end

    def validate_type(self, val: int | None) -> None:
        if val is None:
            return
        if not isinstance(val, int) or isinstance(val, bool):
            raise ValidationError(f"Type mismatch: `{val!r}` is not `int`")
        if len(str(val)) > self.size:
            raise ValidationError("The value is too big")


class PK(INT):
    _type_name = "PK"

    def __init__(self) -> None:
        super().__init__(None, False)


class FK(INT):
    """A reference to a row of ``rel_name``. Indexed by default (joins, ``InverseJoin``
    and the delete rules look referring rows up through the index); ``index=False``
    opts out, and they then scan the table."""

    _type_name = "FK"
    _index_default = True

    def __init__(
        self,
        rel_name: str,
        null: bool = False,
        on_delete: str = "restrict",
        *,
        unique: bool = False,
        index: bool = True,
    ) -> None:
        super().__init__(None, null, unique=unique, index=index)
        rule = on_delete.lower().replace("_", " ")
        assert rule in ON_DELETE_RULES, f"on_delete must be one of {ON_DELETE_RULES}"
        self.params["rel_name"] = rel_name
        self.params["on_delete"] = rule
        self.on_delete = rule

    def _indexing(self) -> str:
        if self.unique:
            return "unique"
        return "default" if self.index else "off"


class CHAR(FieldType):
    _type_name = "CHAR"

    def __init__(self, size: int, null: bool = False, *, unique: bool = False, index: bool = False) -> None:
        super().__init__(size, null, unique=unique, index=index)

    def serialize(self, val: str | bytes | None) -> bytes:
        if val is None:
            return b"\0" * self.size

        if isinstance(val, str):
            val = val.encode()
        fmt = f"%-{self.size}s"
        return fmt.encode() % val

    def deserialize(self, row: bytes, start: int) -> tuple[str | None, int]:
        assert start >= 0
        assert row, "`row` can't be empty"

        end = start + self.size
        v = row[start:end]
        if v[0] == 0:
            if not self.null:
                raise ValueError("Inconsistent data")
            return None, end
        return v.rstrip().decode(), end

    def validate_type(self, val: str | bytes | None) -> None:
        if val is None:
            return
        if not isinstance(val, (str, bytes)):
            raise ValidationError("Type mismatch")
        if isinstance(val, str):
            val = val.encode()
        if len(val) > self.size:
            raise ValidationError("The value is too long")


class TEXT(FieldType):
    """A string of any length, kept in the table's text heap (``{t}.text.dat``); the
    row holds the record's offset. It cannot be indexed: ``unique=True`` or
    ``index=True`` is a ``SchemaError`` when the ``DB`` opens."""

    _type_name = "TEXT"

    def __init__(self, null: bool = False, *, unique: bool = False, index: bool = False) -> None:
        super().__init__(None, null, unique=unique, index=index)

    def serialize(self, val) -> bytes:
        raise NotImplementedError("a TEXT value lives in the text heap, not in the row")

    def deserialize(self, row: bytes, start: int):
        raise NotImplementedError("a TEXT value lives in the text heap, not in the row")

    def validate_type(self, val: str | bytes | None) -> None:
        if val is not None and not isinstance(val, (str, bytes)):
            raise ValidationError("Type mismatch")


class Field(NamedTuple):
    name: str
    type: FieldType

    def validate(self, val: Any) -> None:
        try:
            self.type.validate(val)
        except ValidationError as e:
            raise ValidationError(f"'{self.name}': {e.message}")
