"""The public surface of the original package (SPEC §6), and what is added to it."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest

import bazoola
from bazoola import (
    CHAR,
    DB,
    FK,
    INT,
    PK,
    TEXT,
    BaseCond,
    BaseJoin,
    CorruptDataError,
    DBError,
    Field,
    FieldType,
    IntegrityError,
    NotFoundError,
    Row,
    SchemaError,
    ValidationError,
)

from schemas import A, BOOKS

ORIGINAL_ALL = [
    "CHAR", "DB", "EQ", "FK", "GT", "INT", "ISUBSTR", "LT", "PK", "SUBSTR", "BaseCond",
    "BaseJoin", "DBError", "Field", "FieldType", "InverseJoin", "Join", "NotFoundError",
    "Row", "Schema", "Table", "ValidationError",
]  # fmt: skip
ADDED = [
    "TEXT", "LE", "GE", "NE", "IN", "IS_NULL", "AND", "OR", "NOT",
    "IntegrityError", "CorruptDataError", "SchemaError",
    "InverseCount", "COUNT", "SUM", "MIN", "MAX", "AVG",
]  # fmt: skip


def test_all_is_the_originals_plus_the_additions():
    assert sorted(bazoola.__all__) == sorted(ORIGINAL_ALL + ADDED)
    for name in bazoola.__all__:
        assert getattr(bazoola, name) is not None


@pytest.mark.parametrize(
    ("function", "parameters"),
    [
        (DB.__init__, "self, cls_tables, base_dir='data', *, sync='normal', width=None, migrate=False"),
        (DB.insert, "self, table_name, values"),
        (DB.find_all, "self, table_name, *, joins=None, order_by=None, limit=None, offset=None, fields=None"),
        (DB.find_by_id, "self, table_name, pk, *, joins=None"),
        (DB.delete_by_id, "self, table_name, pk"),
        (DB.update_by_id, "self, table_name, pk, values"),
        (
            DB.find_by_cond,
            "self, table_name, cond, joins=None, *, order_by=None, limit=None, offset=None, fields=None",
        ),
        (
            DB.iter,
            "self, table_name, cond=None, joins=None, order_by=None, limit=None, offset=None, fields=None, batch=1024",
        ),
        (DB.count, "self, table_name, cond=None"),
        (DB.aggregate, "self, table_name, cond=None, group_by=None, **aggs"),
        (DB.truncate, "self, table_name, cascade=False"),
        (DB.close, "self"),
        (DB.perform_join, "self, row, join, table"),
        (DB.explain, "self, table_name, cond=None, joins=None, order_by=None, limit=None, analyze=False"),
        (DB.reindex, "self, table_name"),
        (DB.create_table, "self, cls_table"),
        (DB.drop_table, "self, table_name, cascade=False"),
        (DB.add_field, "self, table_name, field, default=None"),
        (DB.drop_field, "self, table_name, field_name"),
        (DB.rename_field, "self, table_name, old, new"),
        (DB.alter_field, "self, table_name, field"),
        (DB.rename_table, "self, old, new"),
        (INT.__init__, "self, size=None, null=False, *, unique=False, index=False"),
        (CHAR.__init__, "self, size, null=False, *, unique=False, index=False"),
        (FK.__init__, "self, rel_name, null=False, on_delete='restrict', *, unique=False, index=True"),
        (TEXT.__init__, "self, null=False, *, unique=False, index=False"),
        (PK.__init__, "self"),
        (bazoola.Join.__init__, "self, fk_attr, key, foreign_table_name, joins=None"),
        (bazoola.InverseCount.__init__, "self, fk_field, key, table, cond=None, through=None"),
        (bazoola.COUNT.__init__, "self, field=None"),
        (bazoola.SUM.__init__, "self, field"),
        (bazoola.IN.__init__, "self, field, values"),
        (bazoola.IS_NULL.__init__, "self, field"),
        (bazoola.AND.__init__, "self, *conds"),
        (bazoola.NOT.__init__, "self, cond"),
        (BaseCond.__init__, "self, **params"),
        (DBError.__init__, "self, message"),
    ],
)
def test_signatures(function, parameters):
    parts = []
    star_shown = False
    for p in inspect.signature(function).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            parts.append("*" + p.name)
            star_shown = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append("**" + p.name)
        else:
            if p.kind is p.KEYWORD_ONLY and not star_shown:
                parts.append("*")
                star_shown = True
            parts.append(p.name + (f"={p.default!r}" if p.default is not p.empty else ""))
    assert ", ".join(parts) == parameters


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (DBError, (Exception,)),
        (ValidationError, (DBError,)),
        (NotFoundError, (DBError,)),
        (IntegrityError, (DBError, ValueError)),
        (CorruptDataError, (DBError, ValueError)),
        (SchemaError, (DBError,)),
    ],
)
def test_exception_tree(cls, bases):
    for base in bases:
        assert issubclass(cls, base)
    error = cls("the message")
    assert error.message == "the message"
    assert str(error) == "the message"


def test_methods_take_the_originals_keyword_names(open_db):
    db = open_db([A])
    assert db.insert(table_name="a", values={"text": "x"})["id"] == 1
    assert db.update_by_id(table_name="a", pk=1, values={"text": "y"})["text"] == "y"
    assert db.find_by_id(table_name="a", pk=1) == {"id": 1, "text": "y"}
    assert db.find_all(table_name="a") == [{"id": 1, "text": "y"}]
    assert db.find_by_cond(table_name="a", cond=bazoola.EQ(id=1), joins=None) == [{"id": 1, "text": "y"}]
    db.delete_by_id(table_name="a", pk=1)
    db.truncate(table_name="a", cascade=True)
    assert db.find_all("a") == []


def test_row_is_a_dict_and_results_are_rows(open_db):
    db = open_db([A])
    inserted = db.insert("a", {"text": "foo"})
    found = db.find_by_id("a", 1)
    everything = db.find_all("a")
    assert issubclass(Row, dict)
    assert type(inserted) is Row and type(found) is Row
    assert type(everything) is list and all(type(r) is Row for r in everything)
    assert inserted == found == everything[0] == {"id": 1, "text": "foo"}
    assert list(found) == ["id", "text"]
    assert db.find_by_id("a", 2) is None


def test_default_base_dir_is_data(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = DB([A])
    try:
        db.insert("a", {"text": "x"})
    finally:
        db.close()
    assert (tmp_path / "data" / "a.dat").read_bytes() == b"1        x    \n"


def test_base_dir_accepts_a_path(tmp_path: Path):
    db = DB([A], tmp_path / "p")
    db.close()
    assert (tmp_path / "p" / "a.dat").exists()


def test_db_needs_a_table():
    with pytest.raises(AssertionError, match="at least one table"):
        DB([], "unused")


@pytest.mark.parametrize(
    ("field_type", "size", "null"),
    [
        (INT(), 9, False),
        (INT(True), 9, True),  # the original's INT(null)
        (INT(False), 9, False),
        (INT(null=True), 9, True),
        (INT(4), 4, False),
        (INT(size=4, null=True), 4, True),
        (CHAR(5), 5, False),
        (CHAR(5, null=True), 5, True),
        (FK("a"), 9, False),
        (FK("a", null=True), 9, True),
        (PK(), 9, False),
        (TEXT(), 9, False),
        (TEXT(null=True), 9, True),
    ],
)
def test_field_types(field_type: FieldType, size: int, null: bool):
    assert field_type.size == size
    assert field_type.null is null


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (Field("n", INT(2)), 100, "'n': The value is too big"),
        (Field("n", INT()), 1.5, "'n': Type mismatch: `1.5` is not `int`"),
        (Field("n", INT()), None, "'n': The value can't be None"),
        (Field("s", CHAR(2)), "abc", "'s': The value is too long"),
        (Field("s", CHAR(2)), 1, "'s': Type mismatch"),
    ],
)
def test_field_validate_kept_from_the_original(field, value, message):
    with pytest.raises(ValidationError) as info:
        field.validate(value)
    assert info.value.message == message


def test_schema_helpers_kept_from_the_original():
    schema = A.schema
    assert schema.row_size() == 15
    row = schema.to_row({"id": 2, "text": "bar"})
    assert row == b"2        bar  \n"
    assert schema.parse(row) == {"id": 2, "text": "bar"}
    assert schema.parse(b"*" * 14 + b"\n") is None
    assert BOOKS.schema.relations() == [("author_id", "authors")]


def test_a_user_join_subclass_is_called_from_python(library):
    class AuthorName(BaseJoin):
        fk_attr = "author_id"
        foreign_table_name = "authors"

        def join(self, fk, foreign_table):
            return {"author_name": foreign_table.find_by_id(fk)["name"].upper()}

    rows = library.find_all("books", joins=[AuthorName()])
    assert [r["author_name"] for r in rows] == [
        "URSULA K. LE GUIN", "STANISLAW LEM", "URSULA K. LE GUIN", "STANISLAW LEM",
    ]  # fmt: skip
    one = library.find_by_id("books", 2, joins=[AuthorName()])
    assert one["author_name"] == "STANISLAW LEM"


def test_tables_are_bound_instances(library):
    books = library.tables["books"]
    assert books.name == "books"
    assert len(books.find_all()) == 4
    assert books.find_by_id(2)["title"] == "Solaris"
    assert [r["id"] for r in books.iterate()] == [1, 2, 3, 4]


def test_native_module_is_private():
    assert bazoola._bazoola.__name__ == "bazoola._bazoola"
    assert "Database" in dir(bazoola._bazoola)
    assert os.path.exists(Path(bazoola.__file__).with_name("py.typed"))
    assert os.path.exists(Path(bazoola.__file__).with_name("_bazoola.pyi"))
