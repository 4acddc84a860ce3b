"""Bazoola: a small embedded relational database whose data files you can read with
``cat`` — a drop-in replacement for the original pure-Python package (``bazoola==0.0.7``),
running on a Rust engine with transactions, crash safety and locking across threads and
processes."""

from .agg import AVG, COUNT, MAX, MIN, SUM
from .cond import (
    AND,
    EQ,
    GE,
    GT,
    IN,
    IS_NULL,
    ISUBSTR,
    LE,
    LT,
    NE,
    NOT,
    OR,
    SUBSTR,
    BaseCond,
)
from .db import DB
from .errors import (
    CorruptDataError,
    DBError,
    IntegrityError,
    NotFoundError,
    SchemaError,
    ValidationError,
)
from .fields import (
    CHAR,
    FK,
    INT,
    PK,
    TEXT,
    Field,
    FieldType,
)
from .join import BaseJoin, InverseCount, InverseJoin, Join
from .row import Row
from .table import Schema, Table

__all__ = [
    "CHAR",
    "DB",
    "EQ",
    "FK",
    "GT",
    "INT",
    "ISUBSTR",
    "LT",
    "PK",
    "SUBSTR",
    "BaseCond",
    "BaseJoin",
    "DBError",
    "Field",
    "FieldType",
    "InverseJoin",
    "Join",
    "NotFoundError",
    "Row",
    "Schema",
    "Table",
    "ValidationError",
    # Beyond the original.
    "TEXT",
    "LE",
    "GE",
    "NE",
    "IN",
    "IS_NULL",
    "AND",
    "OR",
    "NOT",
    "IntegrityError",
    "CorruptDataError",
    "SchemaError",
    "InverseCount",
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
]
