"""Schema changes from Python (SPEC §6 "Additions", §9): every operation keeps the
rows and leaves healthy files, and `db.tables` follows it; every refusal raises the
right class with the values as attributes and leaves every file byte for byte as it
was; `DB(..., migrate=True)` applies the safe differences at open and refuses the
others; other handles and processes see a change at their next call; and a directory
changed within the original's features still reads the same in `bazoola==0.0.7`
(`test_interop_schema_changes.py`).

The library is the core's (`crates/bazoola/tests/alter.rs`), so the messages are the
ones its tests check there.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Callable

import pytest

import workers
from bazoola import (
    CHAR,
    DB,
    EQ,
    FK,
    GT,
    INT,
    TEXT,
    BaseJoin,
    DBError,
    Field,
    IntegrityError,
    InverseJoin,
    Join,
    SchemaError,
    ValidationError,
)
from schemas import LIB_AUTHORS, LIB_BOOK_FIELDS, LIB_BOOKS, LIB_BOOKS_PAGES, LIB_REVIEWS, LIBRARY, table

HERE = Path(__file__).resolve().parent
SPAWN = multiprocessing.get_context("spawn")
#: Only a hang reaches it: a schema change of a few rows takes milliseconds.
DEADLINE = 120

SHELVES = table("shelves", Field("label", CHAR(10)))


@pytest.fixture
def db(open_db):
    """Two authors; five books (one deleted and its slot reused by id 6, so slots and ids
    differ), with nulls and TEXT; two reviews."""
    db = open_db(LIBRARY)
    db.insert("authors", {"name": "Lem"})
    db.insert("authors", {"name": "Le Guin"})
    for title, author, year, blurb in [
        ("Solaris", 1, 1961, "ocean"),
        ("Fiasco", 1, 1986, None),
        ("gone", None, None, None),
        ("Earthsea", 2, 1968, "wizard"),
        ("Lathe", 2, 1971, "dreams"),
    ]:
        db.insert("books", {"title": title, "author_id": author, "year": year, "blurb": blurb})
    db.delete_by_id("books", 3)
    db.insert("books", {"title": "Dispossessed", "year": 1974})  # id 6, in slot 2
    db.insert("reviews", {"book_id": 1, "stars": 5})
    db.insert("reviews", {"book_id": 6, "stars": 4})
    return db


def snapshot(base: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(base.iterdir()) if p.is_file()}


def field_names(db: DB, table_name: str) -> list[str]:
    return [f.name for f in db.tables[table_name].schema.schema]


Rows = dict[str, list[dict]]


# What each change must leave, beyond the rows of the fields that stay (checked for
# every change): `check(db, dbdir, before)`, `before` the rows of every table.


def added_nullable(db: DB, base: Path, before: Rows) -> None:
    assert field_names(db, "books") == ["id", "title", "author_id", "year", "blurb", "pages"]
    assert [b["pages"] for b in db.find_all("books")] == [None] * 5
    db.update_by_id("books", 1, {"pages": 204})
    assert [b["id"] for b in db.find_by_cond("books", EQ(pages=204))] == [1]
    # The binding checks values of the new field as of any other.
    with pytest.raises(ValidationError, match=r"'pages': Type mismatch: `1.5` is not `int`"):
        db.insert("books", {"title": "x", "pages": 1.5})
    # 9 + 20 + 9 + 9 + 9 + 9 + newline a row.
    assert (base / "books.dat").stat().st_size == 5 * 66


def added_with_default(db: DB, base: Path, before: Rows) -> None:
    assert [b["copies"] for b in db.find_all("books")] == [3] * 5
    with pytest.raises(ValidationError, match="'copies': The value is too big"):
        db.update_by_id("books", 1, {"copies": 1000})


def added_text_default(db: DB, base: Path, before: Rows) -> None:
    assert [b["note"] for b in db.find_all("books")] == ["to read"] * 5
    db.delete_by_id("books", 1)  # frees its own record only
    assert db.find_by_id("books", 2)["note"] == "to read"


def added_fk(db: DB, base: Path, before: Rows) -> None:
    db.update_by_id("books", 2, {"editor_id": 1})
    authors = db.find_all("authors", joins=[InverseJoin("editor_id", "edited", "books")])
    assert [[b["id"] for b in a["edited"]] for a in authors] == [[2], []]
    assert "via index on editor_id" in db.explain("books", EQ(editor_id=1))
    with pytest.raises(IntegrityError, match="Item id=9 does not exist in 'authors'"):
        db.update_by_id("books", 2, {"editor_id": 9})


def dropped_indexed(db: DB, base: Path, before: Rows) -> None:
    assert field_names(db, "books") == ["id", "title", "author_id", "blurb"]
    assert not (base / "books__year.idx.dat").exists()
    assert db.find_by_id("books", 4)["blurb"] == "wizard"
    with pytest.raises(ValidationError, match="'year': No such field in table 'books'"):
        db.find_by_cond("books", GT(year=1970))


def dropped_text(db: DB, base: Path, before: Rows) -> None:
    assert field_names(db, "books") == ["id", "title", "author_id", "year"]
    assert len(db.find_by_cond("books", GT(year=1970))) == 3


def renamed_field(db: DB, base: Path, before: Rows) -> None:
    assert (base / "books__published.idx.dat").exists() and not (base / "books__year.idx.dat").exists()
    assert [b["published"] for b in db.find_all("books")] == [b["year"] for b in before["books"]]
    assert "via index on published" in db.explain("books", GT(published=1970))
    assert db.count("books", GT(published=1970)) == 3


class Title(BaseJoin):
    """A join written in Python: it reads through `db.tables`."""

    def __init__(self, table_name: str) -> None:
        self.fk_attr = "book_id"
        self.foreign_table_name = table_name

    def join(self, fk, foreign_table):
        return {"title": foreign_table.find_by_id(fk)["title"]}


def renamed_table(db: DB, base: Path, before: Rows) -> None:
    assert (base / "volumes.dat").exists() and not (base / "books.dat").exists()
    assert (base / "volumes__year.idx.dat").exists() and (base / "volumes__schema.dat").exists()
    # The same table object, under its new name; the class keeps its declaration.
    assert "books" not in db.tables and isinstance(db.tables["volumes"], LIB_BOOKS)
    assert db.tables["volumes"].name == "volumes" and LIB_BOOKS.name == "books"
    assert db.tables["volumes"].find_by_id(6)["title"] == "Dispossessed"
    assert db.tables["reviews"].schema.relations() == [("book_id", "volumes")]
    review = db.find_by_id("reviews", 1, joins=[Join("book_id", "book", "volumes")])
    assert review["book"]["title"] == "Solaris"
    assert [r["title"] for r in db.find_all("reviews", joins=[Title("volumes")])] == ["Solaris", "Dispossessed"]
    with pytest.raises(ValidationError, match="No such table: 'books'"):
        db.find_all("books")
    db.delete_by_id("volumes", 1)  # the FK followed: its reviews go too
    assert db.count("reviews") == 1


def widened(db: DB, base: Path, before: Rows) -> None:
    long = "A Wizard of Earthsea, illustrated"
    db.update_by_id("books", 4, {"title": long})
    assert db.find_by_id("books", 4)["title"] == long
    assert db.tables["books"].schema.schema[1].type.size == 40


def narrowed(db: DB, base: Path, before: Rows) -> None:
    with pytest.raises(ValidationError, match="'title': The value is too long"):
        db.update_by_id("books", 1, {"title": "Solaris, again"})


def made_nullable(db: DB, base: Path, before: Rows) -> None:
    assert db.insert("books", {"title": None})["title"] is None


def made_not_null(db: DB, base: Path, before: Rows) -> None:
    with pytest.raises(ValidationError, match="'year': The value can't be None"):
        db.insert("books", {"title": "x"})
    assert "via index on year" in db.explain("books", EQ(year=1961))


def made_unique(db: DB, base: Path, before: Rows) -> None:
    with pytest.raises(IntegrityError, match="already used by row id=1 of 'books'"):
        db.insert("books", {"title": "Solaris"})


def unindexed(db: DB, base: Path, before: Rows) -> None:
    assert not (base / "books__year.idx.dat").exists()
    assert db.explain("books", EQ(year=1961)).startswith("scan books")


def cascading_now(db: DB, base: Path, before: Rows) -> None:
    db.delete_by_id("authors", 1)
    assert db.count("books") == 3


def created(db: DB, base: Path, before: Rows) -> None:
    assert isinstance(db.tables["shelves"], SHELVES)
    db.insert("shelves", {"label": "sci-fi"})
    assert db.tables["shelves"].find_all() == [{"id": 1, "label": "sci-fi"}]
    with pytest.raises(ValidationError, match="'label': Type mismatch"):
        db.insert("shelves", {"label": 5})


def dropped_reviews(db: DB, base: Path, before: Rows) -> None:
    assert "reviews" not in db.tables
    assert not [p.name for p in base.iterdir() if p.name.startswith("reviews")]
    with pytest.raises(ValidationError, match="No such table: 'reviews'"):
        db.find_all("reviews")


def dropped_with_cascade(db: DB, base: Path, before: Rows) -> None:
    assert "books" not in db.tables
    book_id = db.tables["reviews"].schema.schema[1]
    assert (type(book_id.type), book_id.type.index) == (INT, True)
    assert db.find_all("reviews") == before["reviews"]
    # Its index stays: lookups by the old FK value still use it.
    assert "via index on book_id" in db.explain("reviews", EQ(book_id=6))


Change = Callable[[DB], None]
Check = Callable[[DB, Path, Rows], None]

CHANGES: list = [
    pytest.param(lambda db: db.add_field("books", Field("pages", INT(null=True))), added_nullable, id="add-nullable"),
    pytest.param(lambda db: db.add_field("books", Field("copies", INT(3)), default=3), added_with_default, id="add-default"),
    pytest.param(lambda db: db.add_field("books", Field("note", TEXT()), "to read"), added_text_default, id="add-text"),
    pytest.param(lambda db: db.add_field("books", Field("editor_id", FK("authors", null=True))), added_fk, id="add-fk"),
    pytest.param(lambda db: db.drop_field("books", "year"), dropped_indexed, id="drop-indexed"),
    pytest.param(lambda db: db.drop_field("books", "blurb"), dropped_text, id="drop-text"),
    pytest.param(lambda db: db.rename_field("books", "year", "published"), renamed_field, id="rename-field"),
    pytest.param(lambda db: db.rename_table("books", "volumes"), renamed_table, id="rename-table"),
    pytest.param(lambda db: db.alter_field("books", Field("title", CHAR(40))), widened, id="widen"),
    pytest.param(lambda db: db.alter_field("books", Field("title", CHAR(12))), narrowed, id="narrow"),
    pytest.param(lambda db: db.alter_field("books", Field("title", CHAR(20, null=True))), made_nullable, id="nullable"),
    pytest.param(lambda db: db.alter_field("books", Field("year", INT(index=True))), made_not_null, id="not-null"),
    pytest.param(lambda db: db.alter_field("books", Field("title", CHAR(20, unique=True))), made_unique, id="unique"),
    pytest.param(lambda db: db.alter_field("books", Field("year", INT(null=True))), unindexed, id="drop-index"),
    pytest.param(
        lambda db: db.alter_field("books", Field("author_id", FK("authors", True, "cascade"))),
        cascading_now,
        id="on-delete",
    ),
    pytest.param(lambda db: db.create_table(SHELVES), created, id="create-table"),
    pytest.param(lambda db: db.drop_table("reviews"), dropped_reviews, id="drop-table"),
    pytest.param(lambda db: db.drop_table("books", cascade=True), dropped_with_cascade, id="drop-cascade"),
]


@pytest.mark.parametrize(("change", "check"), CHANGES)
def test_each_change_keeps_the_rows_and_the_files_healthy(db, dbdir, open_db, change: Change, check: Check):
    before = {name: db.find_all(name) for name in db.tables}
    change(db)
    # Every field that is still there keeps its values, row by row, in file order.
    for name in db.tables:
        if name not in before:
            continue
        now = db.find_all(name)
        assert [r["id"] for r in now] == [r["id"] for r in before[name]], name
        for new, old in zip(now, before[name]):
            assert {k: v for k, v in new.items() if k in old} == {k: v for k, v in old.items() if k in new}
    assert db.check() == []
    # `db.tables` follows: every table object reads its table, its schema is the table's.
    for name, t in db.tables.items():
        assert t.name == name
        rows = t.find_all()
        assert rows == db.find_all(name)
        assert not rows or list(rows[0]) == field_names(db, name)
    check(db, dbdir, before)
    assert db.check() == []
    # The Python schemas are exactly the stored ones: declared, they open the directory.
    again = open_db([type(t.name.title(), (type(t),), {"name": t.name, "schema": t.schema}) for t in db.tables.values()])
    assert {name: again.find_all(name) for name in again.tables} == {name: db.find_all(name) for name in db.tables}
    assert again.check() == []
    assert not [p.name for p in dbdir.iterdir() if p.name.startswith((".new.", ".old."))]


# A refused change: what is called, the exception class, a part of its message, and
# its attributes (`table`, `field`, `id`, `value`).
REFUSALS: list = [
    pytest.param(
        lambda db: db.alter_field("books", Field("title", CHAR(8))),
        ValidationError,
        "field 'title' cannot become `title CHAR(8)`: row id=6 holds 'Dispossessed', which does not fit",
        ("books", "title", 6, "Dispossessed"),
        id="narrow-below-a-value",
    ),
    pytest.param(
        lambda db: db.alter_field("books", Field("author_id", FK("authors"))),
        ValidationError,
        "field 'author_id' cannot become NOT NULL: row id=6 holds null",
        ("books", "author_id", 6, None),
        id="not-null-over-null",
    ),
    pytest.param(
        lambda db: db.alter_field("books", Field("author_id", FK("authors", null=True, unique=True))),
        ValidationError,
        "field 'author_id' cannot become UNIQUE: rows id=1 and id=2 both hold 1",
        ("books", "author_id", 2, 1),
        id="unique-over-duplicates",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("pages", INT())),
        ValidationError,
        "the new field 'pages' is not nullable, so the rows already there (row id=1 first) need a default",
        ("books", "pages", 1, None),
        id="not-null-without-default",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("isbn", INT(unique=True)), default=7),
        ValidationError,
        "field 'isbn' cannot become UNIQUE: rows id=1 and id=2 both hold 7",
        ("books", "isbn", 2, 7),
        id="unique-with-one-default",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("code", CHAR(2)), default="abc"),
        ValidationError,
        "'code': The value is too long",
        ("books", "code", None, "abc"),
        id="default-too-long",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("n", INT()), default="7"),
        ValidationError,
        "'n': Type mismatch: `'7'` is not `int`",
        ("books", "n", None, "7"),
        id="default-of-another-type",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("editor_id", FK("authors", null=True)), default=9),
        IntegrityError,
        "Item id=9 does not exist in 'authors'",
        ("books", "editor_id", 9, None),
        id="default-names-no-row",
    ),
    pytest.param(
        lambda db: db.drop_table("books"),
        SchemaError,
        "cannot drop table 'books': field 'book_id' of table 'reviews' refers to it",
        ("books", "book_id", None, None),
        id="drop-referenced",
    ),
    pytest.param(
        lambda db: db.drop_field("books", "id"),
        SchemaError,
        "table 'books': the primary key `id` cannot be dropped",
        ("books", "id", None, None),
        id="drop-id",
    ),
    pytest.param(
        lambda db: db.rename_field("books", "id", "key"),
        SchemaError,
        "the primary key `id` cannot be renamed",
        ("books", "id", None, None),
        id="rename-id",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("id", INT())),
        SchemaError,
        "field 'id' already exists",
        ("books", "id", None, None),
        id="add-id",
    ),
    pytest.param(
        lambda db: db.alter_field("books", Field("year", CHAR(4))),
        SchemaError,
        "field 'year' cannot change from `year INT(9) NULL INDEX` to `year CHAR(4)`",
        ("books", "year", None, None),
        id="type-change",
    ),
    pytest.param(
        lambda db: db.alter_field("books", Field("author_id", FK("books", null=True))),
        SchemaError,
        "field 'author_id' cannot change from `author_id FK(authors) NULL ON DELETE RESTRICT`",
        ("books", "author_id", None, None),
        id="fk-target-change",
    ),
    pytest.param(
        lambda db: db.rename_table("books", "authors"),
        SchemaError,
        "table 'authors' already exists",
        ("authors", None, None, None),
        id="rename-onto-a-table",
    ),
    pytest.param(
        lambda db: db.rename_field("books", "year", "title"),
        SchemaError,
        "table 'books': field 'title' already exists",
        ("books", "title", None, None),
        id="rename-onto-a-field",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("year", INT())),
        SchemaError,
        "table 'books': field 'year' already exists",
        ("books", "year", None, None),
        id="add-existing",
    ),
    pytest.param(
        lambda db: db.add_field("books", Field("body", TEXT(index=True))),
        SchemaError,
        "table 'books'",
        ("books", None, None, None),
        id="add-indexed-text",
    ),
    pytest.param(
        lambda db: db.create_table(table("books", Field("x", INT()))),
        SchemaError,
        "table 'books' already exists",
        ("books", None, None, None),
        id="create-existing",
    ),
    pytest.param(
        lambda db: db.create_table(table("x", Field("y_id", FK("y")))),
        SchemaError,
        "table 'x': field 'y_id' refers to table 'y', which is not declared",
        ("x", "y_id", None, None),
        id="create-with-unknown-target",
    ),
    pytest.param(
        lambda db: db.rename_table("books", "two words"),
        SchemaError,
        "a table name is letters, digits and '_'",
        ("two words", None, None, None),
        id="rename-to-a-bad-name",
    ),
    pytest.param(
        lambda db: db.drop_field("nope", "x"),
        ValidationError,
        "No such table: 'nope'",
        ("nope", None, None, None),
        id="unknown-table",
    ),
    pytest.param(
        lambda db: db.rename_field("books", "nope", "x"),
        ValidationError,
        "'nope': No such field in table 'books'",
        ("books", "nope", None, None),
        id="unknown-field",
    ),
]


@pytest.mark.parametrize(("change", "cls", "message", "about"), REFUSALS)
def test_a_refused_change_names_why_and_changes_no_file(db, dbdir, change: Change, cls, message, about):
    before = snapshot(dbdir)
    tables = dict(db.tables)
    schemas = {name: t.schema for name, t in tables.items()}
    with pytest.raises(DBError) as raised:
        change(db)
    e = raised.value
    assert type(e) is cls, repr(e)
    assert message in str(e)
    assert (e.table, e.field, e.id, e.value) == about
    assert snapshot(dbdir) == before, "a refused change touched the files"
    # The handle goes on with the old schema.
    assert db.tables == tables and {name: t.schema for name, t in tables.items()} == schemas
    assert db.count("books") == 5
    assert db.check() == []


def test_a_file_in_the_way_of_a_new_table_is_named_and_kept(db, dbdir):
    (dbdir / "shelves.dat").write_text("mine\n")
    before = snapshot(dbdir)
    with pytest.raises(SchemaError, match="the file .*shelves.dat is in the way") as raised:
        db.create_table(SHELVES)
    assert raised.value.table == "shelves"
    assert raised.value.path is not None and raised.value.path.endswith("shelves.dat")
    assert snapshot(dbdir) == before
    assert "shelves" not in db.tables


@pytest.mark.parametrize("block", ["transaction", "lock"])
def test_schema_changes_do_not_run_inside_a_transaction(db, dbdir, block):
    before = snapshot(dbdir)
    with pytest.raises(DBError, match="schema changes cannot run inside a transaction") as raised:
        with db.transaction() if block == "transaction" else db.storage.lock():
            db.drop_field("books", "blurb")
    assert type(raised.value) is DBError
    assert field_names(db, "books") == ["id", "title", "author_id", "year", "blurb"]
    assert {k: v for k, v in snapshot(dbdir).items() if k != ".journal"} == {
        k: v for k, v in before.items() if k != ".journal"
    }


def test_an_iteration_under_way_goes_on_with_the_new_schema(db):
    rows = db.iter("books", batch=1)
    assert next(rows)["id"] == 1
    db.add_field("books", Field("pages", INT(null=True)))
    rest = list(rows)
    assert [r["id"] for r in rest] == [2, 6, 4, 5]
    assert all(r["pages"] is None for r in rest)


# ---------------------------------------------------------------------------------
# Migrations at open.


def books_with(*, replace: dict | None = None, add: list | None = None, drop: str | None = None) -> type:
    """`books` declared with fields replaced (by name), added at the end, or left out."""
    replace = replace or {}
    fields = [replace.get(f.name, f) for f in LIB_BOOK_FIELDS if f.name != drop] + (add or [])
    return table("books", *fields)


SAFE: list = [
    pytest.param(books_with(add=[Field("pages", INT(null=True))]), "adds field 'pages'", id="new-nullable-field"),
    pytest.param(
        books_with(replace={"title": Field("title", CHAR(30))}), "widens field 'title' from 20 to 30", id="wider-char"
    ),
    pytest.param(
        books_with(replace={"title": Field("title", CHAR(20, index=True))}),
        "adds an index on field 'title'",
        id="new-index",
    ),
    pytest.param(
        books_with(replace={"title": Field("title", CHAR(20, unique=True))}),
        "adds a unique index on field 'title'",
        id="new-unique-index",
    ),
    pytest.param(
        books_with(replace={"title": Field("title", CHAR(20, null=True))}),
        "lets field 'title' be null",
        id="nullable",
    ),
]


@pytest.mark.parametrize(("books", "change"), SAFE)
def test_migrate_applies_a_safe_difference_and_without_it_the_error_names_it(db, dbdir, open_db, books, change):
    before = db.find_all("books")
    db.close()
    files = snapshot(dbdir)
    declared = [LIB_AUTHORS, books, LIB_REVIEWS]
    with pytest.raises(SchemaError) as raised:
        DB(declared, str(dbdir))
    assert f"the declared schema {change}: open with migrate to apply that" in str(raised.value)
    assert raised.value.table == "books"
    assert snapshot(dbdir) == files

    migrated = open_db(declared, migrate=True)
    after = migrated.find_all("books")
    assert [r["id"] for r in after] == [r["id"] for r in before]
    for new, old in zip(after, before):
        assert {k: v for k, v in new.items() if k in old} == old
    assert migrated.check() == []
    assert "via index on title" in migrated.explain("books", EQ(title="Solaris")) or "index" not in change
    # Opened again with the same declaration, nothing is left to do.
    migrated.close()
    files = snapshot(dbdir)
    open_db(declared, migrate=True).close()
    assert snapshot(dbdir) == files


UNSAFE: list = [
    pytest.param(books_with(drop="blurb"), "has no field 'blurb'", id="dropped-field"),
    pytest.param(
        books_with(replace={"title": Field("title", CHAR(5))}), "narrows field 'title' from 20 to 5", id="narrowed"
    ),
    pytest.param(books_with(add=[Field("pages", INT())]), "adds field 'pages', which is not nullable", id="not-null-field"),
    pytest.param(
        books_with(replace={"year": Field("year", INT(null=True))}), "drops the index of field 'year'", id="index-dropped"
    ),
    pytest.param(
        books_with(replace={"blurb": Field("blurb", TEXT())}), "makes field 'blurb' NOT NULL", id="made-not-null"
    ),
    pytest.param(
        books_with(replace={"year": Field("year", CHAR(4, null=True))}), "changes field 'year' from", id="type-changed"
    ),
]


@pytest.mark.parametrize("migrate", [True, False])
@pytest.mark.parametrize(("books", "change"), UNSAFE)
def test_migrate_refuses_what_could_lose_data(db, dbdir, books, change, migrate):
    db.close()
    files = snapshot(dbdir)
    with pytest.raises(SchemaError) as raised:
        DB([LIB_AUTHORS, books, LIB_REVIEWS], str(dbdir), migrate=migrate)
    assert f"the declared schema {change}" in str(raised.value)
    assert "which migrate does not do" in str(raised.value)
    assert raised.value.table == "books"
    assert snapshot(dbdir) == files


# ---------------------------------------------------------------------------------
# Other handles and processes.


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (lambda db: db.add_field("books", Field("pages", INT(null=True))), "has no field 'pages', which the stored one has"),
        (lambda db: db.rename_field("books", "year", "published"), "has no field 'published'"),
        (lambda db: db.alter_field("books", Field("title", CHAR(40))), "narrows field 'title' from 40 to 20"),
        (lambda db: db.alter_field("books", Field("year", INT(null=True))), "adds an index on field 'year'"),
    ],
    ids=["add", "rename", "widen", "drop-index"],
)
def test_a_handle_declaring_the_old_schema_is_told_at_its_next_call(db, open_db, change, seen):
    other = open_db(LIBRARY)
    assert other.count("books") == 5
    bystander = open_db([LIB_AUTHORS])  # declares no table that changes
    change(db)
    for _ in range(2):  # every call, not only the first
        with pytest.raises(SchemaError, match="table 'books': the schema on disk differs") as raised:
            other.find_all("books")
        assert seen in str(raised.value)
    with pytest.raises(SchemaError):
        other.find_all("authors")  # the handle as a whole: its declaration is stale
    assert bystander.find_all("authors") == db.find_all("authors")
    # Declared as it is now, the directory opens and reads what the first handle reads.
    now = open_db([type(t.name.title(), (type(t),), {"schema": t.schema}) for t in db.tables.values()])
    assert now.find_all("books") == db.find_all("books")


def test_another_process_sees_a_change_at_its_next_call(db, dbdir):
    here, there = SPAWN.Pipe()
    process = SPAWN.Process(target=workers.read_across_a_schema_change, args=(str(dbdir), there))
    process.start()
    try:
        assert here.poll(DEADLINE)
        assert here.recv() == db.find_all("books")
        db.add_field("books", Field("pages", INT(null=True)), default=100)
        db.update_by_id("books", 2, {"pages": 250})
        here.send("changed")
        assert here.poll(DEADLINE)
        message, table_name = here.recv()
        assert table_name == "books" and "has no field 'pages'" in message
        assert here.poll(DEADLINE)
        assert here.recv() == db.find_all("books")
    finally:
        process.join(DEADLINE)
    assert process.exitcode == 0


def test_a_change_another_process_migrates_is_seen_here(db, dbdir):
    with SPAWN.Pool(1) as pool:
        theirs = pool.apply_async(workers.migrate_to_pages, (str(dbdir), 321)).get(timeout=DEADLINE)
    assert theirs[0]["pages"] == 321
    with pytest.raises(SchemaError, match="has no field 'pages'"):
        db.find_all("books")
    db.close()
    reopened = DB([LIB_AUTHORS, LIB_BOOKS_PAGES, LIB_REVIEWS], str(dbdir))
    try:
        assert reopened.find_all("books") == theirs
        assert reopened.check() == []
    finally:
        reopened.close()
