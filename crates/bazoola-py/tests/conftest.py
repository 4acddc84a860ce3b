"""Shared fixtures: table declarations in the original's style, and databases in real
temporary directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bazoola import DB
from schemas import AUTHORS, BOOKS, REPO


def read(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
def dbdir(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def open_db(dbdir: Path):
    """Opens databases in `dbdir` (or elsewhere) and closes them after the test."""
    opened: list[DB] = []

    def opener(tables, base_dir: Path | str | None = None, **kwargs) -> DB:
        db = DB(list(tables), str(base_dir or dbdir), **kwargs)
        opened.append(db)
        return db

    yield opener
    for db in opened:
        db.close()


@pytest.fixture
def library(open_db):
    """authors and books, with a few rows."""
    db = open_db([AUTHORS, BOOKS])
    le_guin = db.insert("authors", {"name": "Ursula K. Le Guin"})
    lem = db.insert("authors", {"name": "Stanislaw Lem"})
    for title, author, year in [
        ("The Dispossessed", le_guin, 1974),
        ("Solaris", lem, 1961),
        ("The Lathe of Heaven", le_guin, 1971),
        ("The Cyberiad", lem, None),
    ]:
        db.insert("books", {"title": title, "author_id": author["id"], "year": year})
    return db


@pytest.fixture
def orig_python() -> str:
    """The interpreter of a virtual environment with the original `bazoola==0.0.7`.

    `scripts/test.d/20-python` sets BAZOOLA_ORIG_PYTHON, and then its absence is a
    failure; run by hand without it, these tests are skipped."""
    explicit = os.environ.get("BAZOOLA_ORIG_PYTHON")
    path = Path(explicit) if explicit else REPO / ".venv-orig" / "bin" / "python"
    if not path.exists():
        if explicit:
            pytest.fail(f"BAZOOLA_ORIG_PYTHON={explicit} does not exist")
        pytest.skip("no virtual environment with bazoola==0.0.7 (set BAZOOLA_ORIG_PYTHON)")
    return str(path)

