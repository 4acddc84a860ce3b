"""Runs a list of operations with whichever `bazoola` the interpreter has — the
original 0.0.7 or this package — and prints every table's rows as JSON.

    python interop_program.py BASE_DIR OPS_JSON [WIDTH]

Run by `test_interop.py` in a subprocess, from a directory without a `bazoola` folder,
so the interpreter's own installed package is the one imported.
"""

import json
import sys

import bazoola
from bazoola import CHAR, DB, FK, INT, PK, Field, Schema, Table


class A(Table):
    name = "a"
    schema = Schema([Field("id", PK()), Field("text", CHAR(5))])


class B(Table):
    name = "b"
    schema = Schema([Field("id", PK()), Field("a_id", FK("a", null=True)), Field("num", INT(null=True))])


def main() -> None:
    base_dir, ops = sys.argv[1], json.loads(sys.argv[2])
    options = {}
    if len(sys.argv) > 3 and hasattr(bazoola, "TEXT"):  # only this package has widths
        options["width"] = int(sys.argv[3])
    db = DB([A, B], base_dir, **options)
    for op in ops:
        if op[0] == "insert":
            db.insert(op[1], op[2])
        elif op[0] == "update":
            db.update_by_id(op[1], op[2], op[3])
        elif op[0] == "delete":
            db.delete_by_id(op[1], op[2])
    dump = {t: db.find_all(t) for t in ("a", "b")}
    dump["joined"] = db.find_all("b", joins=[bazoola.Join("a_id", "a", "a")])
    db.close()
    print(json.dumps(dump))


if __name__ == "__main__":
    main()
