"""The exception tree (SPEC §4). ``DBError`` and its first two subclasses are the
original package's; the core's error kinds map onto them one-to-one, and the message is
always the core's own rendering of the error."""


class DBError(Exception):
    """Any database error; ``message`` is its text."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DBError):
    """A value does not fit its field, a duplicate id, an unknown field or table."""


class NotFoundError(DBError):
    """Update or delete of a row that does not exist."""


class IntegrityError(DBError, ValueError):
    """A foreign key would break. A ``ValueError`` too, as the original raised one."""


class CorruptDataError(DBError, ValueError):
    """A file does not parse ("Inconsistent data"). A ``ValueError``, as in the original."""


class SchemaError(DBError):
    """A declaration is invalid, or differs from the schema stored on disk."""
