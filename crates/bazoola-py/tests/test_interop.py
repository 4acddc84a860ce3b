"""Interoperability with the real original package, `bazoola==0.0.7` from PyPI, in its
own virtual environment (`orig_python`): a directory written by one opens in the other
with the same rows, and the same operations leave the same bytes (at 0.0.7's width 6).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAM = HERE / "interop_program.py"
DATA_FILES = [
    "a.dat", "a__id.idx.dat", "a__free.dat", "a__seqnum.dat",
    "b.dat", "b__id.idx.dat", "b__free.dat", "b__seqnum.dat",
]  # fmt: skip

FIRST = [
    ["insert", "a", {"text": "foo"}],
    ["insert", "a", {"text": "bar"}],
    ["insert", "a", {"text": "baz"}],
    ["insert", "a", {"id": 50, "text": "fifty"}],
    ["delete", "a", 2],
    ["insert", "b", {"a_id": 1, "num": 7}],
    ["insert", "b", {"a_id": None, "num": None}],
    ["insert", "b", {"a_id": 3, "num": -99999}],
    ["update", "b", 1, {"num": 8}],
    ["update", "a", 3, {"text": "qux"}],
    ["delete", "b", 2],
]
SECOND = [
    ["insert", "a", {"text": "new"}],  # takes the freed slot of id 2
    ["insert", "a", {"text": "newer"}],
    ["delete", "b", 3],
    ["insert", "b", {"a_id": 4, "num": 123456}],
    ["update", "a", 50, {"text": "5O"}],
]


def run(python: str, base_dir: Path, ops: list, *extra: str) -> dict:
    result = subprocess.run(
        [python, str(PROGRAM), str(base_dir), json.dumps(ops), *extra],
        cwd=base_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def data(base_dir: Path) -> dict[str, bytes]:
    return {name: (base_dir / name).read_bytes() for name in DATA_FILES}


def ours() -> str:
    return sys.executable


def test_the_original_is_the_real_one(orig_python):
    out = subprocess.run(
        [orig_python, "-c", "import bazoola, importlib.metadata as m; print(m.version('bazoola'), hasattr(bazoola, 'TEXT'))"],
        capture_output=True, text=True, check=True, cwd="/",
    ).stdout.split()  # fmt: skip
    assert out == ["0.0.7", "False"]


def test_original_writes_ours_reads_and_writes_on_then_original_reads(orig_python, tmp_path):
    shared, reference = tmp_path / "shared", tmp_path / "reference"
    written = run(orig_python, shared, FIRST)
    original_bytes = data(shared)
    assert original_bytes["a.dat"].startswith(b"1     foo  \n")  # 6 wide

    read = run(ours(), shared, [])
    assert read == written
    assert data(shared) == original_bytes  # opening and reading changed nothing

    continued = run(ours(), shared, SECOND)
    assert run(orig_python, shared, []) == continued

    # The same bytes as the original doing all of it itself.
    expected = run(orig_python, reference, FIRST + SECOND)
    assert continued == expected
    assert data(shared) == data(reference)


def test_ours_at_width_6_writes_the_originals_bytes(orig_python, tmp_path):
    theirs, mine = tmp_path / "theirs", tmp_path / "mine"
    expected = run(orig_python, theirs, FIRST + SECOND)
    written = run(ours(), mine, FIRST + SECOND, "6")
    assert written == expected
    assert data(mine) == data(theirs)
    assert run(orig_python, mine, []) == expected
    assert sorted(p.name for p in mine.iterdir()) == sorted(
        [p.name for p in theirs.iterdir()] + ["a__schema.dat", "b__schema.dat", ".journal", "b__a_id.idx.dat"]
    )


def test_ours_at_width_9_is_read_back_by_ours(tmp_path):
    mine = tmp_path / "mine"
    written = run(ours(), mine, FIRST + SECOND)
    assert (mine / "a.dat").read_bytes().startswith(b"1        foo  \n")
    assert run(ours(), mine, []) == written


QUICK_START = '''
from bazoola import DB, Table, Schema, Field, PK, FK, CHAR, INT, Join

# Define table schemas
class TableAuthors(Table):
    name = "authors"
    schema = Schema([
        Field("id", PK()),
        Field("name", CHAR(20)),
    ])

class TableBooks(Table):
    name = "books"
    schema = Schema([
        Field("id", PK()),
        Field("title", CHAR(20)),
        Field("author_id", FK("authors")),
        Field("year", INT(null=True)),
    ])

# Create database instance
db = DB([TableAuthors, TableBooks])

# Insert data
author = db.insert("authors", {"name": "John Doe"})
book = db.insert("books", {
    "title": "My Book",
    "author_id": author["id"],
    "year": 2024
})

# Query with joins
book_with_author = db.find_by_id(
    "books",
    book["id"],
    joins=[Join("author_id", "author", "authors")]
)
print(book_with_author)

# Close the database
db.close()
'''


def test_the_originals_quick_start_runs_unchanged(orig_python, tmp_path):
    """The program of the original's README, run twice by each, and then by ours on
    the directory the original wrote."""
    outputs = {}
    for name, python in [("theirs", orig_python), ("ours", ours())]:
        cwd = tmp_path / name
        cwd.mkdir()
        (cwd / "quickstart.py").write_text(QUICK_START)
        runs = [
            subprocess.run([python, "quickstart.py"], cwd=cwd, capture_output=True, text=True, check=True).stdout
            for _ in range(2)
        ]
        outputs[name] = runs
    assert outputs["ours"] == outputs["theirs"]
    assert outputs["ours"][0] == (
        "{'id': 1, 'title': 'My Book', 'author_id': 1, 'year': 2024, "
        "'author': {'id': 1, 'name': 'John Doe'}}\n"
    )
    third = subprocess.run(
        [ours(), str(tmp_path / "ours" / "quickstart.py")], cwd=tmp_path / "theirs", capture_output=True, text=True, check=True
    ).stdout
    assert third == (
        "{'id': 3, 'title': 'My Book', 'author_id': 3, 'year': 2024, "
        "'author': {'id': 3, 'name': 'John Doe'}}\n"
    )


@pytest.mark.parametrize("round_", range(3))
def test_the_original_and_ours_exclude_each_other(orig_python, tmp_path, round_):
    """Two processes of each package insert 500 rows each into one directory at once. They take the
    same `flock` on `.lock` around each insert, so every insert gets its own id and slot.

    (Each insert, not a read-modify-write under `storage.lock()`: the original's
    `storage.lock()` is not reentrant across processes — the first operation inside it
    releases the `flock` on its way out — so the original loses updates to itself.)"""
    base = tmp_path / "shared"
    inserts = str(HERE / "interop_inserts.py")
    # One row first: a directory of empty tables shows no width, and would be taken
    # for a new, 9-wide one (see `test_an_empty_directory_of_the_original...`).
    subprocess.run([orig_python, inserts, str(base), "1", "seed"], cwd=tmp_path, input="\n", text=True, check=True, capture_output=True)
    runs = [(orig_python, "orig"), (ours(), "ours"), (orig_python, "orig"), (ours(), "ours")]
    procs = [
        subprocess.Popen(
            [python, inserts, str(base), "500", tag],
            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for python, tag in runs
    ]
    for p in procs:  # every process has the database open…
        assert p.stdout.readline() == "ready\n", p.stderr.read()
    for p in procs:  # …then all start inserting at once
        p.stdin.write("go\n")
        p.stdin.flush()
    ids = []
    for p in procs:
        out, err = p.communicate()
        assert p.returncode == 0, err
        ids += json.loads(out)
    assert sorted(ids) == list(range(2, 2002))
    theirs = run(orig_python, base, [])["a"]
    assert sorted(r["id"] for r in theirs) == list(range(1, 2002))
    assert sorted(r["text"] for r in theirs) == ["orig"] * 1000 + ["ours"] * 1000 + ["seed"]
    assert run(ours(), base, [])["a"] == theirs


def test_an_empty_directory_of_the_original_needs_width_6(orig_python, tmp_path):
    """Tables the original created but never wrote a row to show no width: they are
    taken as new (9 wide, the spec's) unless `width=6` says otherwise."""
    for width, row in [(None, b"1        x    \n"), ("6", b"1     x    \n")]:
        base = tmp_path / f"empty-{width}"
        run(orig_python, base, [])
        run(ours(), base, [["insert", "a", {"text": "x"}]], *([width] if width else []))
        assert (base / "a.dat").read_bytes() == row
    assert run(orig_python, tmp_path / "empty-6", [])["a"] == [{"id": 1, "text": "x"}]
