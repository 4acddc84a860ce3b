"""Unique constraints, secondary indexes, `explain` and `reindex` (SPEC §1, §4, §6, §8):
the keyword arguments `unique=` and `index=` of the field types, the `IntegrityError` of
a value already taken (its attributes, and no file touched), the declarations the core
refuses, and the plans `db.explain` prints."""

from __future__ import annotations

import re

import pytest

from bazoola import (
    AND,
    CHAR,
    DB,
    EQ,
    FK,
    GE,
    GT,
    IN,
    INT,
    IS_NULL,
    LE,
    LT,
    SUBSTR,
    TEXT,
    BaseCond,
    BaseJoin,
    DBError,
    Field,
    IntegrityError,
    InverseJoin,
    Join,
    SchemaError,
    ValidationError,
)
from schemas import A, Py, table

TEAMS = table("teams", Field("name", CHAR(10, unique=True)))
USERS = table(
    "users",
    Field("email", CHAR(20, null=True, unique=True)),
    Field("badge", INT(4, True, unique=True)),  # the original's positional (size, null)
    Field("age", INT(null=True, index=True)),
    Field("team_id", FK("teams", null=True)),
    Field("bio", TEXT(null=True)),
)
CARDS = table("cards", Field("owner_id", FK("users", unique=True)), Field("pin", INT(True, index=True)))

USER_ROWS = [
    # email, badge, age, team_id
    ("ann@x", 1, 30, 1),
    ("bob@x", 2, 41, 1),
    ("cy@x", None, 30, 2),
    (None, None, None, None),
]


def files(dbdir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(dbdir.iterdir())}


def everything(db) -> dict[str, list]:
    return {t: db.find_all(t) for t in ("teams", "users", "cards")}


@pytest.fixture
def club(open_db):
    db = open_db([TEAMS, USERS, CARDS])
    db.insert("teams", {"name": "red"})
    db.insert("teams", {"name": "blue"})
    for email, badge, age, team in USER_ROWS:
        db.insert("users", {"email": email, "badge": badge, "age": age, "team_id": team})
    db.insert("cards", {"owner_id": 1, "pin": 1234})
    return db


# --- unique -------------------------------------------------------------------------

VIOLATIONS = [
    # operation, then the (table, field, value, id) the error is about
    (("insert", "users", {"email": "ann@x"}), ("users", "email", "ann@x", 1)),
    (("insert", "users", {"email": "new@x", "badge": 2}), ("users", "badge", 2, 2)),
    (("insert", "users", {"email": "ann@x  "}), ("users", "email", "ann@x  ", 1)),  # read back as 'ann@x'
    (("insert", "teams", {"name": "blue"}), ("teams", "name", "blue", 2)),
    (("insert", "cards", {"owner_id": 1}), ("cards", "owner_id", 1, 1)),
    (("update", "users", 3, {"email": "bob@x"}), ("users", "email", "bob@x", 2)),
    (("update", "users", 4, {"badge": 1, "age": 5}), ("users", "badge", 1, 1)),
    (("update", "teams", 1, {"name": "blue"}), ("teams", "name", "blue", 2)),
]


def apply(db, op) -> None:
    if op[0] == "insert":
        db.insert(op[1], op[2])
    else:
        db.update_by_id(op[1], op[2], op[3])


@pytest.mark.parametrize("in_transaction", [False, True], ids=["single", "transaction"])
@pytest.mark.parametrize(
    ("op", "about"), VIOLATIONS, ids=[f"{op[0]}-{about[0]}.{about[1]}-{i}" for i, (op, about) in enumerate(VIOLATIONS)]
)
def test_unique_violation_is_an_integrity_error_and_changes_no_file(club, dbdir, op, about, in_transaction):
    before, rows = files(dbdir), everything(club)
    with pytest.raises(IntegrityError) as info:
        if in_transaction:
            with club.transaction():
                # Changes of every kind first, to all three tables: all rolled back.
                club.insert("teams", {"name": "green"})
                club.update_by_id("users", 4, {"email": "dee@x", "badge": 9, "age": 7})
                club.insert("users", {"email": "eve@x", "badge": 10, "team_id": 3})
                card = club.insert("cards", {"owner_id": 2})
                club.delete_by_id("cards", card["id"])
                apply(club, op)
        else:
            apply(club, op)
    e = info.value
    table_name, field, value, holder = about
    assert isinstance(e, ValueError) and isinstance(e, DBError)
    assert (e.table, e.field, e.value, e.id) == (table_name, field, value, holder)
    assert e.path is None
    assert str(e) == e.message == (
        f"'{field}': the value {value!r} is already used by row id={holder} of '{table_name}' (the field is UNIQUE)"
    )
    assert files(dbdir) == before
    assert everything(club) == rows
    assert club.check() == []
    # The database goes on, and the value is still taken.
    club.insert("users", {"email": "fresh@x"})
    with pytest.raises(IntegrityError):
        apply(club, op)


def test_a_value_taken_earlier_in_the_same_transaction(club, dbdir):
    before = files(dbdir)
    with pytest.raises(IntegrityError) as info:
        with club.transaction():
            new = club.insert("users", {"email": "zed@x", "badge": 77})
            club.insert("users", {"email": "other@x", "badge": 77})
    assert (info.value.table, info.value.field, info.value.value, info.value.id) == ("users", "badge", 77, new["id"])
    assert files(dbdir) == before
    assert club.find_by_cond("users", EQ(badge=77)) == []


@pytest.mark.parametrize(("field", "other"), [("email", {"email": None}), ("badge", {"badge": None})])
def test_nulls_repeat_in_a_unique_field(club, field, other):
    nulls_before = len(club.find_by_cond("users", IS_NULL(field)))
    for _ in range(3):
        club.insert("users", {field: None})
    club.update_by_id("users", 1, other)
    club.update_by_id("users", 2, other)
    assert len(club.find_by_cond("users", IS_NULL(field))) == nulls_before + 5
    assert len(club.find_by_cond("users", EQ(**{field: None}))) == nulls_before + 5
    assert club.check() == []


@pytest.mark.parametrize(
    "steps",
    [
        # Each step succeeds: the unique value is free again, or kept by its own row.
        [("update", "users", 1, {"email": "ann@x"}), ("update", "users", 1, {"email": "ann@x", "age": 1})],
        [("update", "users", 1, {"email": "ann@y"}), ("insert", "users", {"email": "ann@x"})],
        [("delete", "users", 2), ("insert", "users", {"email": "bob@x", "badge": 2})],
        [
            ("update", "teams", 1, {"name": "tmp"}),
            ("update", "teams", 2, {"name": "red"}),
            ("update", "teams", 1, {"name": "blue"}),
        ],
    ],
    ids=["own-value", "freed-by-update", "freed-by-delete", "swap"],
)
@pytest.mark.parametrize("in_transaction", [False, True], ids=["single", "transaction"])
def test_a_freed_value_can_be_taken(club, steps, in_transaction):
    club.delete_by_id("cards", 1)  # so that users can be deleted

    def run():
        for step in steps:
            if step[0] == "delete":
                club.delete_by_id(step[1], step[2])
            else:
                apply(club, step)

    if in_transaction:
        with club.transaction():
            run()
    else:
        run()
    assert club.check() == []


# --- declarations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "message"),
    [
        (lambda: TEXT(index=True), "field 'x': TEXT fields cannot be indexed"),
        (lambda: TEXT(null=True, unique=True), "field 'x': TEXT fields cannot be indexed"),
        (lambda: CHAR(300, index=True), "field 'x': CHAR fields longer than 250 cannot be indexed"),
        (lambda: CHAR(251, True, unique=True), "field 'x': CHAR fields longer than 250 cannot be indexed"),
    ],
    ids=["text-index", "text-unique", "char300-index", "char251-unique"],
)
def test_fields_that_cannot_be_indexed_are_a_schema_error_and_create_nothing(dbdir, field_type, message):
    bad = table("t", Field("x", field_type()))
    with pytest.raises(SchemaError) as info:
        DB([A, bad], str(dbdir))  # a good table first: nothing is created for it either
    assert info.value.table == "t"
    assert message in str(info.value)
    data_files = [p.name for p in dbdir.iterdir() if p.suffix == ".dat"] if dbdir.exists() else []
    assert data_files == []


@pytest.mark.parametrize(
    ("field_type", "index_file", "schema_line"),
    [
        (lambda: CHAR(250, index=True), True, "x CHAR(250) INDEX"),
        (lambda: CHAR(300), False, "x CHAR(300)"),
        (lambda: TEXT(index=False), False, "x TEXT"),
        (lambda: INT(null=True, index=True), True, "x INT(9) NULL INDEX"),
        (lambda: INT(3, unique=True), True, "x INT(3) UNIQUE"),
        (lambda: INT(True), False, "x INT(9) NULL"),
        (lambda: FK("a"), True, "x FK(a) ON DELETE RESTRICT"),
        (lambda: FK("a", True, index=False), False, "x FK(a) NULL NOINDEX ON DELETE RESTRICT"),
        (lambda: FK("a", unique=True, index=False), True, "x FK(a) UNIQUE ON DELETE RESTRICT"),
    ],
    ids=["char250-index", "char300", "text", "int-index", "int-unique", "int-null", "fk", "fk-noindex", "fk-unique"],
)
def test_accepted_declarations_and_their_files(open_db, dbdir, field_type, index_file, schema_line):
    db = open_db([A, table("t", Field("x", field_type()))])
    assert (dbdir / "t__x.idx.dat").exists() == index_file
    assert schema_line in (dbdir / "t__schema.dat").read_text().splitlines()
    assert db.check() == []


@pytest.mark.parametrize(
    ("field_type", "text"),
    [
        (lambda: CHAR(5), "CHAR(size=5, null=False)"),
        (lambda: CHAR(5, unique=True), "CHAR(size=5, null=False, unique=True)"),
        (lambda: INT(null=True, index=True), "INT(size=None, null=True, index=True)"),
        (lambda: FK("a"), "FK(size=None, null=False)"),
        (lambda: FK("a", index=False), "FK(size=None, null=False, index=False)"),
    ],
)
def test_field_type_repr(field_type, text):
    assert repr(field_type()) == text


def test_a_changed_index_declaration_is_a_schema_error(open_db, dbdir):
    open_db([A, table("t", Field("x", INT()))]).close()
    with pytest.raises(SchemaError) as info:
        open_db([A, table("t", Field("x", INT(index=True)))])
    assert info.value.table == "t"


# --- explain ------------------------------------------------------------------------


class Odd(BaseCond):
    """A condition of the user's own: only Python knows what it means."""

    def __init__(self) -> None:
        self.params = {"id": "odd"}

    def eval(self, row) -> bool:
        return row["id"] % 2 == 1


EXPLAINED = [
    # table, cond, joins, what the first line (the access path) says
    ("users", EQ(age=30), None, "users via index on age: age IN (30)"),
    ("users", EQ(email="ann@x"), None, "users via index on email: email IN ('ann@x')"),
    ("users", IN("badge", [1, 2]), None, "users via index on badge: badge IN (1, 2)"),
    ("users", IS_NULL("age"), None, "users via index on age: age IN (None)"),
    ("users", EQ(team_id=1), None, "users via index on team_id: team_id IN (1)"),
    ("users", GT(age=35), None, "users via index on age: range (35, +∞)"),
    ("users", LT(age=35), None, "users via index on age: range (-∞, 35)"),
    ("users", AND(GE(age=30), LE(age=40)), None, "users via index on age: range [30, 40]"),
    ("users", GT(email="b"), None, "users via index on email: range ('b', +∞)"),
    ("users", EQ(id=3), None, "users by id via PK index: 3"),
    ("users", IN("id", [3, 1]), None, "users by id via PK index: 1, 3"),
    ("users", EQ(id=2) & EQ(age=41), None, "users by id via PK index: 2"),
    ("users", SUBSTR(email="x"), None, "scan users"),
    ("users", EQ(bio="x"), None, "scan users"),
    ("users", None, None, "scan users"),
    ("teams", None, [InverseJoin("team_id", "members", "users")], "scan teams"),
]
# Conditions only Python's `eval` can answer: the filter shows `<custom>`.
CUSTOM = [
    ("users", Odd(), None, "scan users"),
    ("users", Py(EQ(age=30)), None, "scan users"),
    ("users", EQ(age=1.5), None, "scan users"),  # a float: compared by Python, row by row
]


@pytest.mark.parametrize(
    ("table_name", "cond", "joins", "access", "custom"),
    [(*e, False) for e in EXPLAINED] + [(*e, True) for e in CUSTOM],
    ids=[e[3] for e in EXPLAINED] + [f"custom-{c[1]!r}" for c in CUSTOM],
)
@pytest.mark.parametrize("analyze", [False, True], ids=["explain", "analyze"])
def test_explain_names_the_access_path(club, table_name, cond, joins, access, custom, analyze):
    text = club.explain(table_name, cond, joins, analyze=analyze)
    lines = text.splitlines()
    assert re.fullmatch(re.escape(access) + r"  \(est\. [\d.]+ rows?\)( +\[actual: .*\])?", lines[0]), text
    if cond is not None:
        assert lines[1].startswith(("└─ filter: ", "├─ filter: ")), text
        assert ("<custom>" in lines[1]) == custom, text
    # ANALYZE runs the read: every step says what it did, and the last step of the
    # table's rows (the filter, or the access path) passed exactly the rows of the read.
    expected = club.find_by_cond(table_name, cond) if cond is not None else club.find_all(table_name)
    if analyze:
        assert all("[actual: " in line for line in lines), text
        produced = lines[1] if cond is not None else lines[0]
        assert re.search(rf"\[actual: {len(expected)} rows?, ", produced), text
    else:
        assert "actual:" not in text


def test_only_analyze_calls_a_python_condition(club):
    calls = []

    class Spy(BaseCond):
        def __init__(self) -> None:
            self.params = {"spy": 1}

        def eval(self, row) -> bool:
            calls.append(row["id"])
            return row["id"] > 2

    assert "filter: (<custom> AND age = 30)" in club.explain("users", Spy() & EQ(age=30))
    assert "filter: <custom>" in club.explain("users", Spy())
    assert calls == []
    text = club.explain("users", Spy(), analyze=True)
    assert sorted(calls) == [1, 2, 3, 4]
    assert "[actual: 2 rows" in text.splitlines()[1]


def test_an_exception_of_a_python_condition_comes_out_of_analyze(club):
    class Boom(BaseCond):
        def __init__(self) -> None:
            self.params = {"boom": 1}

        def eval(self, row) -> bool:
            raise KeyError("boom")

    club.explain("users", Boom())
    with pytest.raises(KeyError, match="boom"):
        club.explain("users", Boom(), analyze=True)


class PyJoin(BaseJoin):
    fk_attr, key, foreign_table_name = "team_id", "team", "teams"

    def join(self, fk, foreign_table) -> dict:
        return {self.key: None}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"order_by": "-nope"}, ValidationError, "'nope': No such field in table 'users'"),
        ({"limit": 0}, ValidationError, "'limit': must be at least 1, got 0"),
        ({"joins": [PyJoin()]}, TypeError, "is not a Join, InverseJoin or InverseCount"),
        ({"table_name": "nope"}, ValidationError, "No such table: 'nope'"),
        ({"cond": EQ(nope=1)}, ValidationError, "'nope': No such field in table 'users'"),
        ({"joins": [Join("nope", "x", "teams")]}, ValidationError, "'nope': No such field in table 'users'"),
    ],
    ids=["order_by", "limit", "python-join", "unknown-table", "unknown-field", "unknown-join-field"],
)
def test_explain_refuses(club, kwargs, error, message):
    args = {"table_name": "users", **kwargs}
    with pytest.raises(error) as info:
        club.explain(**args)
    assert message in str(info.value)


def test_explain_on_a_closed_database(club):
    club.close()
    with pytest.raises(DBError):
        club.explain("users")


# --- reindex ------------------------------------------------------------------------


def test_reindex_rebuilds_the_indexes_the_same(club, dbdir):
    before = {n: b for n, b in files(dbdir).items() if n.endswith(".idx.dat") and "__id." not in n}
    assert set(before) == {
        "teams__name.idx.dat", "users__email.idx.dat", "users__badge.idx.dat", "users__age.idx.dat",
        "users__team_id.idx.dat", "cards__owner_id.idx.dat", "cards__pin.idx.dat",
    }  # fmt: skip
    for t in ("teams", "users", "cards"):
        club.reindex(t)
    assert club.check() == []
    assert club.check_report()["stale_indexes"] == []
    assert club.find_by_cond("users", EQ(age=30)) == club.find_by_cond("users", Py(EQ(age=30)))
    with pytest.raises(ValidationError, match="No such table: 'nope'"):
        club.reindex("nope")


def test_a_deleted_index_file_is_rebuilt(club, dbdir, open_db):
    club.close()
    (dbdir / "users__age.idx.dat").unlink()
    db = open_db([TEAMS, USERS, CARDS])
    assert db.find_by_cond("users", GT(age=29)) == db.find_by_cond("users", Py(GT(age=29)))
    assert "via index on age" in db.explain("users", GT(age=29))
    assert db.check() == []


def test_analyze_inside_a_transaction_sees_its_writes(club):
    class Writer(BaseCond):
        """An `eval` that writes, as the original's one global lock let it."""

        def __init__(self) -> None:
            self.params = {"w": 1}

        def eval(self, row) -> bool:
            if row["id"] == 1:
                club.insert("teams", {"name": f"t{len(club.find_all('teams'))}"})
            return True

    with club.transaction():
        club.insert("users", {"email": "new@x", "age": 99})
        assert "[actual: 1 rows" in club.explain("users", EQ(age=99), analyze=True).splitlines()[1]
    # The write joins the read's transaction instead of waiting for it forever.
    assert "[actual: " in club.explain("teams", Writer(), analyze=True).splitlines()[1]
    assert [t["name"] for t in club.find_all("teams")] == ["red", "blue", "t2"]
