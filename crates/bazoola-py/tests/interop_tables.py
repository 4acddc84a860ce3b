"""Declares the tables it is given, runs a list of operations, and prints every table's
rows as JSON — with whichever `bazoola` the interpreter has, the original 0.0.7 or this
package. The schema-change tests run it with the original on directories this package
changed.

    python interop_tables.py BASE_DIR TABLES_JSON OPS_JSON

TABLES_JSON is a list of `[table, [[field, type, arg, null, indexing], ...]]`, with
`type` one of the original's `CHAR` (`arg`: the size), `INT` and `FK` (`arg`: the
target table); `indexing` (`"index"`, `"unique"` or `null`) is this package's, and the
original, which has no indexes, leaves it out. OPS_JSON is a list of `["insert", table,
values]`, `["update", table, id, values]` and `["delete", table, id]`.

Run from a directory without a `bazoola` folder, so the interpreter's own installed
package is the one imported.
"""

from __future__ import annotations

import json
import sys

import bazoola
from bazoola import CHAR, DB, FK, INT, PK, Field, Schema, Table

#: Only this package knows indexes (and TEXT).
OURS = hasattr(bazoola, "TEXT")


def field(name: str, type_: str, arg: object, null: bool, indexing: str | None = None) -> Field:
    extra = {indexing: True} if indexing and OURS else {}
    if type_ == "CHAR":
        return Field(name, CHAR(arg, null, **extra))
    if type_ == "INT":
        return Field(name, INT(null=null, **extra))
    if type_ == "FK":
        return Field(name, FK(arg, null, **extra))
    raise ValueError(f"unknown field type {type_}")


def declare(tables: list) -> list[type[Table]]:
    """`Table` subclasses for a TABLES_JSON list."""
    return [
        type(name.title(), (Table,), {"name": name, "schema": Schema([Field("id", PK())] + [field(*f) for f in fields])})
        for name, fields in tables
    ]


def main() -> None:
    base_dir, tables, ops = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    db = DB(declare(tables), base_dir)
    for op in ops:
        if op[0] == "insert":
            db.insert(op[1], op[2])
        elif op[0] == "update":
            db.update_by_id(op[1], op[2], op[3])
        elif op[0] == "delete":
            db.delete_by_id(op[1], op[2])
    dump = {name: db.find_all(name) for name, _ in tables}
    db.close()
    print(json.dumps(dump))


if __name__ == "__main__":
    main()
