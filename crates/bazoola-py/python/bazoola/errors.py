"""The exception tree (SPEC §4). ``DBError`` and its first two subclasses are the
original package's; the core's error kinds map onto them one-to-one, and the message is
always the core's own rendering of the error."""

from __future__ import annotations


class DBError(Exception):
    """Any database error; ``message`` is its text.

    The values it is about are attributes, so a program never has to parse the text:
    ``table``, ``field``, ``id`` (the row id), ``value`` (the offending value) and
    ``path`` (the file), each ``None`` where it does not apply."""

    table: str | None = None
    field: str | None = None
    id: int | None = None
    value: object = None
    path: str | None = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DBError):
    """A value does not fit its field, a duplicate id, an unknown field or table; or a
    schema change the rows do not allow (a value that would not fit, a null where none
    may be, a duplicate under ``unique``, rows without a default for a new field that is
    not nullable), naming the first such row in ``id``."""


class NotFoundError(DBError):
    """Update or delete of a row that does not exist."""


class IntegrityError(DBError, ValueError):
    """A foreign key would break. A ``ValueError`` too, as the original raised one."""


class CorruptDataError(DBError, ValueError):
    """A file does not parse ("Inconsistent data"). A ``ValueError``, as in the original."""


class SchemaError(DBError):
    """A declaration is invalid, or differs from the schema stored on disk (opening with
    ``migrate=True`` applies the safe differences); or a schema change the schemas do not
    allow (a table or field that exists already, a table another refers to, the primary
    key, another type) or a file in the way of a new table's (``path``)."""
