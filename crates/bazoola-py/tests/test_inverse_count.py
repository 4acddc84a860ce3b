"""`InverseCount` (SPEC §6, §7, §8): the number of referring rows, counted through the
FK's index — one hop, two hops (`through=`), with conditions, inside an `InverseJoin`,
beside joins run in Python — checked against counts made row by row, and the plan of
the cartesian trap: each relation walked on its own, never their product."""

from __future__ import annotations

import re

import pytest

from bazoola import (
    CHAR,
    EQ,
    GE,
    IN,
    INT,
    LT,
    BaseJoin,
    Field,
    FK,
    InverseCount,
    InverseJoin,
    Join,
    SchemaError,
)
from schemas import Py, table

STORES = table("stores", Field("name", CHAR(8)))
DEPARTMENTS = table("departments", Field("store_id", FK("stores")), Field("name", CHAR(8)))
EMPLOYEES = table("employees", Field("department_id", FK("departments")), Field("salary", INT()))
PRODUCTS = table("products", Field("store_id", FK("stores")), Field("price", INT()))

N_STORES, N_DEPARTMENTS, N_EMPLOYEES, N_PRODUCTS = 2, 10, 50, 250


@pytest.fixture
def shops(open_db):
    """The cartesian trap at a tenth of its size: 2 stores, 10 departments each, 50
    employees a department, 250 products a store — and a third store with nothing."""
    db = open_db([STORES, DEPARTMENTS, EMPLOYEES, PRODUCTS])
    with db.transaction():
        for s in range(1, N_STORES + 1):
            db.insert("stores", {"name": f"s{s}"})
            for d in range(N_DEPARTMENTS):
                dept = db.insert("departments", {"store_id": s, "name": f"d{d}"})
                for e in range(N_EMPLOYEES):
                    db.insert("employees", {"department_id": dept["id"], "salary": 1000 + e * s})
            for p in range(N_PRODUCTS):
                db.insert("products", {"store_id": s, "price": p % 100})
        db.insert("stores", {"name": "empty"})
    return db


def employees_of(db, store_id: int, departments=None, employees=None) -> int:
    """Brute force: the store's departments (satisfying `departments`), then their
    employees (satisfying `employees`), row by row in Python."""
    depts = [
        d["id"]
        for d in db.find_all("departments")
        if d["store_id"] == store_id and (departments is None or departments.eval(d))
    ]
    return sum(
        1
        for e in db.find_all("employees")
        if e["department_id"] in depts and (employees is None or employees.eval(e))
    )


def products_of(db, store_id: int, cond=None) -> int:
    return sum(1 for p in db.find_all("products") if p["store_id"] == store_id and (cond is None or cond.eval(p)))


ACTUAL = re.compile(r"\[actual: (\d+) rows?, (\d+) examined")


def test_relation_counts_match_brute_force_and_walk_their_sizes_not_the_product(shops):
    counts = [
        InverseCount("store_id", "products", "products"),
        InverseCount("store_id", "employees", "departments", through=InverseCount("department_id", "n", "employees")),
    ]
    stores = shops.find_all("stores", joins=counts)
    assert [(s["products"], s["employees"]) for s in stores] == [
        (products_of(shops, s["id"]), employees_of(shops, s["id"])) for s in stores
    ]
    assert [(s["products"], s["employees"]) for s in stores] == [(250, 500), (250, 500), (0, 0)]
    assert "n" not in stores[0], "the inner count's key is not used"

    plan = shops.explain("stores", joins=counts, analyze=True)
    assert (
        "count products: products rows whose store_id points here, via index on store_id (index entries only)" in plan
    )
    assert "count employees: across departments rows whose store_id points here, via index on store_id" in plan
    # 3 stores, 500 product entries, 20 department entries, 1,000 employee entries: the
    # sum of the relations' sizes. A three-way join would walk 250 × 500 rows a store.
    examined = sum(int(m.group(2)) for m in ACTUAL.finditer(plan))
    sizes = 3 + N_STORES * (N_PRODUCTS + N_DEPARTMENTS + N_DEPARTMENTS * N_EMPLOYEES)
    assert sizes <= examined < sizes + 50, plan
    assert examined < N_PRODUCTS * N_DEPARTMENTS * N_EMPLOYEES / 10


COUNTED = [
    # id, count under "n", brute force (db, store id) -> int
    ("products", InverseCount("store_id", "n", "products"), lambda db, s: products_of(db, s)),
    ("cheap", InverseCount("store_id", "n", "products", cond=LT(price=10)), lambda db, s: products_of(db, s, LT(price=10))),
    ("cheap-in-python", InverseCount("store_id", "n", "products", cond=Py(LT(price=10))), lambda db, s: products_of(db, s, LT(price=10))),
    ("departments", InverseCount("store_id", "n", "departments"), lambda db, s: 10 if s <= 2 else 0),
    (
        "two-hops",
        InverseCount("store_id", "n", "departments", through=InverseCount("department_id", "x", "employees")),
        lambda db, s: employees_of(db, s),
    ),
    (
        "two-hops-filtered",
        InverseCount(
            "store_id",
            "n",
            "departments",
            cond=IN("name", ["d0", "d3"]),
            through=InverseCount("department_id", "x", "employees", cond=GE(salary=1040)),
        ),
        lambda db, s: employees_of(db, s, IN("name", ["d0", "d3"]), GE(salary=1040)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("count", "brute"), [c[1:] for c in COUNTED], ids=[c[0] for c in COUNTED])
def test_counts_through_every_read(shops, count, brute):
    expected = {s: brute(shops, s) for s in (1, 2, 3)}
    assert {r["id"]: r["n"] for r in shops.find_all("stores", joins=[count])} == expected
    assert {r["id"]: r["n"] for r in shops.find_by_cond("stores", IN("id", [1, 3]), [count])} == {
        1: expected[1],
        3: expected[3],
    }
    assert shops.find_by_id("stores", 2, joins=[count])["n"] == expected[2]
    assert {r["id"]: r["n"] for r in shops.iter("stores", joins=[count], batch=1)} == expected
    # Ordered and cut: the counts follow their rows.
    top = shops.find_all("stores", joins=[count], order_by="-name", limit=2, fields=[])
    assert top == [{"id": 2, "n": expected[2]}, {"id": 1, "n": expected[1]}]


def test_a_count_inside_an_inverse_join(shops):
    people = InverseCount("department_id", "people", "employees")
    departments = InverseJoin("store_id", "departments", "departments", joins=[people])
    store = shops.find_by_id("stores", 1, joins=[departments])
    assert [(d["name"], d["people"]) for d in store["departments"]] == [(f"d{i}", 50) for i in range(10)]
    plan = shops.explain("stores", EQ(id=1), [departments])
    assert "count people: employees rows whose department_id points here, via index on department_id" in plan


class StoreName(BaseJoin):
    """A join of the user's own: the joins beside it run in Python too, each count
    through `InverseCount.join`."""

    fk_attr, key, foreign_table_name = "id", "label", "stores"

    def join(self, fk, foreign_table) -> dict:
        return {self.key: foreign_table.find_by_id(fk)["name"].upper()}


@pytest.mark.parametrize(("count", "brute"), [c[1:] for c in COUNTED], ids=[c[0] for c in COUNTED])
def test_counts_beside_a_python_join_give_the_same(shops, count, brute):
    rows = shops.find_all("stores", joins=[StoreName(), count])
    assert [(r["label"], r["n"]) for r in rows] == [("S1", brute(shops, 1)), ("S2", brute(shops, 2)), ("EMPTY", 0)]


def test_through_must_be_a_count(shops):
    bad = InverseCount("store_id", "n", "departments", through=InverseJoin("department_id", "people", "employees"))
    with pytest.raises(SchemaError, match="InverseCount inside InverseCount") as info:
        shops.find_all("stores", joins=[bad])
    assert info.value.table == "departments"


def test_unknown_names_are_validation_errors(shops):
    from bazoola import ValidationError

    with pytest.raises(ValidationError, match="'nope': No such field in table 'products'") as info:
        shops.find_all("stores", joins=[InverseCount("nope", "n", "products")])
    assert (info.value.table, info.value.field) == ("products", "nope")
    with pytest.raises(ValidationError, match="No such table: 'nope'"):
        shops.find_all("stores", joins=[InverseCount("store_id", "n", "nope")])


def test_inverse_count_prints_as_written():
    inner = InverseCount("department_id", "n", "employees")
    assert repr(InverseCount("store_id", "employees", "departments", through=inner)) == (
        "InverseCount('store_id', 'employees', 'departments', "
        "through=InverseCount('department_id', 'n', 'employees'))"
    )
    assert repr(InverseCount("a_id", "k", "t", cond=EQ(x=1))) == "InverseCount('a_id', 'k', 't', cond=EQ(x=1))"
    assert isinstance(inner, BaseJoin) and not isinstance(inner, Join)


@pytest.mark.parametrize("container", [list, tuple, iter], ids=["list", "tuple", "iterator"])
def test_joins_in_any_iterable_give_the_same_row(shops, container):
    """The binding walks a list of joins directly and any other iterable generically:
    both must build the same joins (a count with its `through`, a forward join)."""
    joins = [
        InverseCount("store_id", "products", "products"),
        InverseCount("store_id", "employees", "departments", through=InverseCount("department_id", "n", "employees")),
    ]
    row = shops.find_by_id("stores", 1, joins=container(joins))
    assert row == {"id": 1, "name": "s1", "products": N_PRODUCTS, "employees": N_DEPARTMENTS * N_EMPLOYEES}
    dept = shops.find_by_id("departments", 1, joins=container([Join("store_id", "store", "stores")]))
    assert dept["store"] == {"id": 1, "name": "s1"}
