"""Inserts rows one by one with whichever `bazoola` the interpreter has, and prints
their ids as JSON: run by `test_interop.py` with the original and with this package at
the same time, on one directory.

    python interop_inserts.py BASE_DIR COUNT TAG

With the database open it prints `ready` and waits for a line on standard input, so
that the test can start every process's inserts at the same moment.
"""

import json
import sys

from bazoola import CHAR, DB, PK, Field, Schema, Table


class A(Table):
    name = "a"
    schema = Schema([Field("id", PK()), Field("text", CHAR(5))])


def main() -> None:
    base_dir, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = DB([A], base_dir)
    print("ready", flush=True)
    sys.stdin.readline()
    ids = [db.insert("a", {"text": tag})["id"] for _ in range(count)]
    print(json.dumps(ids))
    db.close()


if __name__ == "__main__":
    main()
