"""Every error of SPEC §4: its class and its exact message."""

from __future__ import annotations

import re

import pytest

from bazoola import (
    CHAR,
    DB,
    EQ,
    FK,
    INT,
    LT,
    TEXT,
    CorruptDataError,
    DBError,
    Field,
    IntegrityError,
    NotFoundError,
    SchemaError,
    ValidationError,
)
from schemas import A, B, table

T = table(
    "t",
    Field("varchar", CHAR(5)),
    Field("int", INT(size=3, null=True)),
    Field("body", TEXT(null=True)),
    Field("a_id", FK("a", null=True)),
)


@pytest.fixture
def db(open_db):
    db = open_db([A, B, T])
    db.insert("a", {"text": "x"})
    db.insert("t", {"varchar": "ok"})
    return db


@pytest.mark.parametrize(
    ("values", "cls", "message"),
    [
        ({"varchar": "toolong"}, ValidationError, "'varchar': The value is too long"),
        ({"varchar": "ééé"}, ValidationError, "'varchar': The value is too long"),
        ({"varchar": "ok", "int": 1000}, ValidationError, "'int': The value is too big"),
        ({"varchar": "ok", "int": -100}, ValidationError, "'int': The value is too big"),
        ({"varchar": "ok", "int": 10**30}, ValidationError, "'int': The value is too big"),
        ({"varchar": "ok", "int": 1.5}, ValidationError, "'int': Type mismatch: `1.5` is not `int`"),
        ({"varchar": "ok", "int": True}, ValidationError, "'int': Type mismatch: `True` is not `int`"),
        ({"varchar": "ok", "int": "12"}, ValidationError, "'int': Type mismatch: `'12'` is not `int`"),
        ({"varchar": "ok", "int": [1]}, ValidationError, "'int': Type mismatch: `[1]` is not `int`"),
        ({"varchar": 12}, ValidationError, "'varchar': Type mismatch"),
        ({"varchar": 1.5}, ValidationError, "'varchar': Type mismatch"),
        ({"varchar": b"\xff"}, ValidationError, "'varchar': Type mismatch"),
        ({"varchar": "ok", "body": 5}, ValidationError, "'body': Type mismatch"),
        ({"varchar": None}, ValidationError, "'varchar': The value can't be None"),
        ({}, ValidationError, "'varchar': The value can't be None"),
        ({"varchar": "ok", "nope": 1}, ValidationError, "'nope': No such field in table 't'"),
        ({"id": 1, "varchar": "ok"}, ValidationError, "'id': row with id 1 already exists"),
        ({"id": 0, "varchar": "ok"}, ValidationError, "'id': The value must be greater than 0, got 0"),
        ({"id": "1", "varchar": "ok"}, ValidationError, "'id': Type mismatch: `'1'` is not `int`"),
        ({"id": 10**9, "varchar": "ok"}, ValidationError, "'id': The value is too big"),
        ({"varchar": "ok", "a_id": 2}, IntegrityError, "Item id=2 does not exist in 'a'"),
        ({"varchar": "ok", "a_id": 1.0}, ValidationError, "'a_id': Type mismatch: `1.0` is not `int`"),
    ],
)
def test_insert_errors(db, dbdir, values, cls, message):
    before = {p.name: p.read_bytes() for p in dbdir.iterdir()}
    with pytest.raises(cls) as info:
        db.insert("t", values)
    assert str(info.value) == message
    assert info.value.message == message
    assert isinstance(info.value, DBError)
    # A refused insert changes no file.
    assert {p.name: p.read_bytes() for p in dbdir.iterdir()} == before


def test_duplicate_id_message_of_the_spec(db):
    db.insert("a", {"id": 10, "text": "ten"})
    with pytest.raises(ValidationError, match=r"^'id': row with id 10 already exists$"):
        db.insert("a", {"id": 10, "text": "again"})


@pytest.mark.parametrize(
    ("call", "cls", "message"),
    [
        (lambda db: db.update_by_id("t", 9, {"varchar": "x"}), NotFoundError, "Row with ID=9 does not exist"),
        (lambda db: db.delete_by_id("t", 9), NotFoundError, "Row with ID=9 does not exist"),
        (lambda db: db.update_by_id("t", 1, {"varchar": "toolong"}), ValidationError, "'varchar': The value is too long"),
        (lambda db: db.update_by_id("t", 1, {"int": 2.0}), ValidationError, "'int': Type mismatch: `2.0` is not `int`"),
        (lambda db: db.update_by_id("t", 1, {"a_id": 2}), IntegrityError, "Item id=2 does not exist in 'a'"),
        (lambda db: db.update_by_id("t", 1, {"id": 5}), ValidationError, "'id': the id of row 1 cannot be changed to 5"),
        (lambda db: db.update_by_id("t", 1, {"zzz": 5}), ValidationError, "'zzz': No such field in table 't'"),
        (lambda db: db.find_all("zzz"), ValidationError, "No such table: 'zzz'"),
        (lambda db: db.insert("zzz", {"x": 1.5}), ValidationError, "No such table: 'zzz'"),
        (lambda db: db.insert("zzz", {"id": "1"}), ValidationError, "No such table: 'zzz'"),
        (lambda db: db.find_by_id("t", "1"), ValidationError, "'id': Type mismatch: `'1'` is not `int`"),
        (lambda db: db.delete_by_id("t", True), ValidationError, "'id': Type mismatch: `True` is not `int`"),
        (lambda db: db.find_by_cond("t", EQ(nope=1)), ValidationError, "'nope': No such field in table 't'"),
        (
            lambda db: db.find_by_cond("t", LT(int="abc")),
            ValidationError,
            "'int': the condition value `'abc'` cannot be compared with this field",
        ),
        (
            lambda db: db.truncate("a"),
            IntegrityError,
            "Cannot truncate table 'a': table 't' has referring rows. Use `cascade` option to truncate dependent tables.",
        ),
        (
            lambda db: db.delete_by_id("a", 1),
            IntegrityError,
            "Cannot delete row id=1 from 'a': table 't' has referring rows (field 'a_id' is ON DELETE RESTRICT)",
        ),
    ],
)
def test_operation_errors(db, dbdir, call, cls, message):
    db.insert("t", {"varchar": "ref", "a_id": 1})
    before = {p.name: p.read_bytes() for p in dbdir.iterdir()}
    with pytest.raises(cls) as info:
        call(db)
    assert str(info.value) == message
    assert {p.name: p.read_bytes() for p in dbdir.iterdir()} == before


@pytest.mark.parametrize("cls", [IntegrityError, CorruptDataError])
def test_integrity_and_corruption_are_value_errors_as_in_the_original(cls):
    assert issubclass(cls, ValueError)


def test_integrity_error_is_caught_as_value_error(db):
    with pytest.raises(ValueError, match=r"^Item id=7 does not exist in 'a'$"):
        db.insert("b", {"a_id": 7})


@pytest.mark.parametrize(
    ("tables", "name", "garbage"),
    [
        ([A], "a", b"x        ok   \n"),  # an id that is not a number
        ([A, B], "b", b"2        #########abc      \n"),  # an INT that is not a number
        ([A], "a", b"2        \0\0\0\0\0\n"),  # null in a NOT NULL field, as the original refused too
    ],
)
def test_corrupt_data(open_db, dbdir, tables, name, garbage):
    db = open_db(tables)
    db.insert(name, {"text": "foo"} if name == "a" else {})
    db.close()
    with open(dbdir / f"{name}.dat", "ab") as f:
        f.write(garbage)
    db = open_db(tables)
    with pytest.raises(CorruptDataError) as info:
        db.find_all(name)
    message = str(info.value)
    assert "Inconsistent data" in message and f"{name}.dat" in message and "slot 1" in message, message
    assert isinstance(info.value, ValueError)


def test_check_reports_problems_as_strings(open_db, dbdir):
    db = open_db([A])
    db.insert("a", {"text": "foo"})
    assert db.check() == []
    db.close()
    (dbdir / "a__id.idx.dat").write_bytes(b"#########")
    db = open_db([A])
    problems = db.check()
    assert problems and all(isinstance(p, str) for p in problems)
    assert any("not in the index" in p for p in problems), problems


@pytest.mark.parametrize(
    ("declared", "fragment"),
    [
        (table("a", Field("text", CHAR(6))), "stored `text CHAR(5)`, declared `text CHAR(6)`"),
        (table("a", Field("text", CHAR(5, null=True))), "stored `text CHAR(5)`, declared `text CHAR(5) NULL`"),
        (table("a", Field("other", CHAR(5))), "declared `other CHAR(5)`"),
    ],
)
def test_schema_mismatch_on_reopen(open_db, declared, fragment):
    open_db([A]).close()
    with pytest.raises(SchemaError) as info:
        open_db([declared])
    message = str(info.value)
    assert "table 'a'" in message and fragment in message, message


@pytest.mark.parametrize(
    ("tables", "fragment"),
    [
        ([table("x", Field("y", FK("nowhere")))], "refers to table 'nowhere', which is not declared"),
        ([A, A], "table 'a' is declared twice"),
        ([table("x", Field("n", INT()), Field("n", INT()))], "field 'n' is declared twice"),
        ([table("x", Field("f", FK("x", on_delete="set null")))], "SET NULL needs a nullable FK"),
        ([type("Bad", (A,), {"name": "bad", "schema": A.schema.__class__([Field("text", CHAR(3))])})], "the first field must be `id PK`"),
    ],
)
def test_bad_declarations(tmp_path, tables, fragment):
    with pytest.raises(SchemaError, match=re.escape(fragment)):
        DB(tables, str(tmp_path / "x"))


def test_unknown_on_delete_rule_is_refused_at_declaration():
    with pytest.raises(AssertionError, match="on_delete"):
        FK("a", on_delete="explode")


def test_unknown_sync_mode(tmp_path):
    with pytest.raises(ValueError, match="sync mode"):
        DB([A], str(tmp_path / "x"), sync="sometimes")


def test_io_error_is_a_dberror_naming_the_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(DBError) as info:
        DB([A], str(blocker / "db"))
    assert type(info.value) is DBError
    assert str(blocker) in str(info.value)


def test_a_panic_in_the_engine_is_a_dberror_and_the_interpreter_survives(open_db):
    from bazoola import _bazoola

    with pytest.raises(DBError) as info:
        _bazoola._panic_for_tests()
    assert type(info.value) is DBError
    assert "internal error" in str(info.value) and "deliberate panic" in str(info.value)
    db = open_db([A])
    assert db.insert("a", {"text": "still"})["id"] == 1


@pytest.mark.parametrize("value", [2, True, 2.0, "2"])
def test_ids_take_ints_and_index_types_but_not_bools_floats_or_strings(db, value):
    class IndexLike:
        def __index__(self):
            return 1

    assert db.find_by_id("a", IndexLike()) == {"id": 1, "text": "x"}
    if type(value) is int:
        assert db.find_by_id("a", value) is None
    else:
        with pytest.raises(ValidationError, match="Type mismatch"):
            db.find_by_id("a", value)
