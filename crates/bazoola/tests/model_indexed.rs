//! Model-based property test of indexes and the planner: three tables with foreign keys
//! (SET NULL, CASCADE), a unique and plain indexes, in 256-byte index pages so that a
//! few rows split them. Random operations run against the database and an in-memory
//! model; after every step each query must give the same rows through the planner as
//! through a full scan — and the rows the model says — and `check` must find nothing.
//! Reopening in between must change nothing.

use std::collections::BTreeMap;

use bazoola::{Cond, Database, Field, Join, OnDelete, OpenOptions, TableSchema, Value};
use proptest::prelude::*;

fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("owners")
            .field(Field::char("code", 4).nullable().unique())
            .field(Field::int_sized("rank", 3).nullable().indexed()),
        TableSchema::new("items")
            .field(Field::fk("owner_id", "owners").nullable().on_delete(OnDelete::SetNull))
            .field(Field::int_sized("score", 4).nullable().indexed())
            .field(Field::char("tag", 3).nullable()),
        TableSchema::new("notes").field(Field::fk("item_id", "items").on_delete(OnDelete::Cascade)),
    ]
}

fn open(dir: &std::path::Path) -> Database {
    OpenOptions::new().index_page_size(256).open(dir, schemas()).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    AddOwner { code: Option<String>, rank: Option<i64> },
    AddItem { owner: usize, score: Option<i64>, tag: Option<String> },
    AddNote { item: usize },
    SetOwner { pick: usize, code: Option<String>, rank: Option<i64> },
    SetItem { pick: usize, owner: usize, score: Option<i64> },
    DeleteOwner { pick: usize },
    DeleteItem { pick: usize },
    Reopen,
    Transaction { ops: Vec<Op>, commit: bool },
}

fn code() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-d]{1,2}")
}

fn leaf() -> impl Strategy<Value = Op> {
    let small = || proptest::option::of(-5i64..20);
    prop_oneof![
        3 => (code(), small()).prop_map(|(code, rank)| Op::AddOwner { code, rank }),
        5 => (any::<usize>(), small(), proptest::option::of("[xyz]{1,3}")).prop_map(|(owner, score, tag)| Op::AddItem { owner, score, tag }),
        2 => any::<usize>().prop_map(|item| Op::AddNote { item }),
        2 => (any::<usize>(), code(), small()).prop_map(|(pick, code, rank)| Op::SetOwner { pick, code, rank }),
        3 => (any::<usize>(), any::<usize>(), small()).prop_map(|(pick, owner, score)| Op::SetItem { pick, owner, score }),
        1 => any::<usize>().prop_map(|pick| Op::DeleteOwner { pick }),
        2 => any::<usize>().prop_map(|pick| Op::DeleteItem { pick }),
        1 => Just(Op::Reopen),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf(),
        1 => (proptest::collection::vec(leaf().prop_filter("no reopen inside", |o| !matches!(o, Op::Reopen)), 1..5), any::<bool>())
            .prop_map(|(ops, commit)| Op::Transaction { ops, commit }),
    ]
}

/// An item: its owner, score and tag.
type Item = (Option<i64>, Option<i64>, Option<String>);

/// The rows of each table by id (ids are assigned as the database does: max seen + 1,
/// since nothing here inserts explicit ids).
#[derive(Debug, Clone, Default)]
struct Model {
    owners: BTreeMap<i64, (Option<String>, Option<i64>)>,
    items: BTreeMap<i64, Item>,
    notes: BTreeMap<i64, i64>,
    seq: [i64; 3],
}

fn pick(ids: impl Iterator<Item = i64>, pick: usize) -> Option<i64> {
    let ids: Vec<i64> = ids.collect();
    // Picks past the end aim at nothing: a null FK, or a missing row.
    ids.get(pick % (ids.len() + 1)).copied()
}

impl Model {
    fn code_taken(&self, code: &Option<String>, except: Option<i64>) -> bool {
        code.is_some() && self.owners.iter().any(|(id, (c, _))| c == code && Some(*id) != except)
    }

    /// Applies `op`; returns whether the database must accept it.
    fn apply(&mut self, op: &Op) -> bool {
        match op {
            Op::AddOwner { code, rank } => {
                if self.code_taken(code, None) {
                    return false;
                }
                self.seq[0] += 1;
                self.owners.insert(self.seq[0], (code.clone(), *rank));
            }
            Op::AddItem { owner, score, tag } => {
                let owner = pick(self.owners.keys().copied(), *owner);
                self.seq[1] += 1;
                self.items.insert(self.seq[1], (owner, *score, tag.clone()));
            }
            Op::AddNote { item } => {
                let Some(item) = pick(self.items.keys().copied(), *item) else { return false };
                self.seq[2] += 1;
                self.notes.insert(self.seq[2], item);
            }
            Op::SetOwner { pick: p, code, rank } => {
                let Some(id) = pick(self.owners.keys().copied(), *p) else { return false };
                if self.code_taken(code, Some(id)) {
                    return false;
                }
                self.owners.insert(id, (code.clone(), *rank));
            }
            Op::SetItem { pick: p, owner, score } => {
                let Some(id) = pick(self.items.keys().copied(), *p) else { return false };
                let owner = pick(self.owners.keys().copied(), *owner);
                let item = self.items.get_mut(&id).expect("live");
                item.0 = owner;
                item.1 = *score;
            }
            Op::DeleteOwner { pick: p } => {
                let Some(id) = pick(self.owners.keys().copied(), *p) else { return false };
                self.owners.remove(&id);
                for item in self.items.values_mut().filter(|i| i.0 == Some(id)) {
                    item.0 = None;
                }
            }
            Op::DeleteItem { pick: p } => {
                let Some(id) = pick(self.items.keys().copied(), *p) else { return false };
                self.items.remove(&id);
                self.notes.retain(|_, item| *item != id);
            }
            Op::Reopen => {}
            Op::Transaction { ops, commit } => {
                let mut inner = self.clone();
                let ok = ops.iter().all(|op| inner.apply(op));
                if ok && *commit {
                    *self = inner;
                }
                return ok;
            }
        }
        true
    }
}

/// An id no row of `rows` has.
fn missing<T>(rows: &BTreeMap<i64, T>) -> i64 {
    (1..).find(|id| !rows.contains_key(id)).unwrap_or(1)
}

fn run(db: &Database, model: &Model, op: &Op) -> bazoola::Result<()> {
    match op {
        Op::AddOwner { code, rank } => {
            db.insert("owners", [("code", Value::from(code.clone())), ("rank", (*rank).into())])?;
        }
        Op::AddItem { owner, score, tag } => {
            let owner = pick(model.owners.keys().copied(), *owner);
            db.insert(
                "items",
                [("owner_id", Value::from(owner)), ("score", (*score).into()), ("tag", tag.clone().into())],
            )?;
        }
        Op::AddNote { item } => {
            let item = pick(model.items.keys().copied(), *item).unwrap_or_else(|| missing(&model.items));
            db.insert("notes", [("item_id", item)])?;
        }
        Op::SetOwner { pick: p, code, rank } => {
            let id = pick(model.owners.keys().copied(), *p).unwrap_or_else(|| missing(&model.owners));
            db.update_by_id("owners", id, [("code", Value::from(code.clone())), ("rank", (*rank).into())])?;
        }
        Op::SetItem { pick: p, owner, score } => {
            let id = pick(model.items.keys().copied(), *p).unwrap_or_else(|| missing(&model.items));
            let owner = pick(model.owners.keys().copied(), *owner);
            db.update_by_id("items", id, [("owner_id", Value::from(owner)), ("score", (*score).into())])?;
        }
        Op::DeleteOwner { pick: p } => db.delete_by_id(
            "owners",
            pick(model.owners.keys().copied(), *p).unwrap_or_else(|| missing(&model.owners)),
        )?,
        Op::DeleteItem { pick: p } => db.delete_by_id(
            "items",
            pick(model.items.keys().copied(), *p).unwrap_or_else(|| missing(&model.items)),
        )?,
        Op::Reopen => {}
        Op::Transaction { ops, commit } => {
            let mut inner = model.clone();
            return db.transaction(|db| {
                for op in ops {
                    run(db, &inner, op)?;
                    inner.apply(op);
                }
                if *commit {
                    Ok(())
                } else {
                    Err(bazoola::Error::NoTransaction)
                }
            });
        }
    }
    Ok(())
}

/// `cond` as the planner cannot use any index for: every row is scanned.
fn scanned(cond: &Cond) -> Cond {
    Cond::Or(vec![cond.clone(), Cond::custom(|_| Ok(false))])
}

fn ids(rows: &[bazoola::Row]) -> Vec<i64> {
    rows.iter().map(bazoola::Row::id).collect()
}

/// The same answer through the planner and through a full scan, and the model's.
fn agree(db: &Database, table: &str, cond: Cond, expected: impl Fn(i64) -> bool) {
    let planned = ids(&db.find_by_cond(table, &cond, &[]).unwrap());
    let full = ids(&db.find_by_cond(table, &scanned(&cond), &[]).unwrap());
    assert_eq!(planned, full, "{table}: {cond}");
    let mut sorted = planned.clone();
    sorted.sort_unstable();
    let all: Vec<i64> = ids(&db.find_all(table, &[]).unwrap());
    let mut want: Vec<i64> = all.into_iter().filter(|&id| expected(id)).collect();
    want.sort_unstable();
    assert_eq!(sorted, want, "{table}: {cond} against the model");
    assert_eq!(db.count(table, Some(&cond)).unwrap(), planned.len() as u64, "{table}: count {cond}");
}

fn assert_agrees(db: &Database, model: &Model) {
    let mut owners: Vec<i64> = ids(&db.find_all("owners", &[]).unwrap());
    owners.sort_unstable();
    assert_eq!(owners, model.owners.keys().copied().collect::<Vec<_>>());
    let o = &model.owners;
    let i = &model.items;
    for v in [-5, 0, 3, 7, 19] {
        agree(db, "owners", Cond::eq("rank", v), |id| o[&id].1 == Some(v));
        agree(db, "owners", Cond::gt("rank", v), |id| o[&id].1.is_some_and(|r| r > v));
        agree(db, "owners", Cond::le("rank", v).and(Cond::ge("rank", v - 4)), |id| {
            o[&id].1.is_some_and(|r| r <= v && r >= v - 4)
        });
        agree(db, "items", Cond::lt("score", v), |id| i[&id].1.is_some_and(|s| s < v));
        agree(db, "items", Cond::is_in("score", [v, v + 1]), |id| {
            i[&id].1.is_some_and(|s| s == v || s == v + 1)
        });
    }
    for code in ["a", "ab", "d", "dd"] {
        agree(db, "owners", Cond::eq("code", code), |id| o[&id].0.as_deref() == Some(code));
        agree(db, "owners", Cond::ge("code", code), |id| o[&id].0.as_deref().is_some_and(|c| c >= code));
    }
    agree(db, "owners", Cond::is_null("code"), |id| o[&id].0.is_none());
    agree(db, "items", Cond::is_null("score"), |id| i[&id].1.is_none());
    for owner in 0..4 {
        agree(db, "items", Cond::eq("owner_id", owner), |id| i[&id].0 == Some(owner));
    }
    agree(db, "owners", Cond::is_in("id", [1, 2, 3]), |id| (1..=3).contains(&id));
    // Inverse joins through the FK index: each owner's items, as the model has them.
    for owner in db.find_all("owners", &[Join::inverse("owner_id", "items", "items")]).unwrap() {
        let mut got = ids(owner["items"].as_rows().unwrap());
        got.sort_unstable();
        let want: Vec<i64> = i.iter().filter(|(_, it)| it.0 == Some(owner.id())).map(|(id, _)| *id).collect();
        assert_eq!(got, want, "items of owner {}", owner.id());
    }
    ordered_queries_agree(db, model);
    let mut notes = ids(&db.find_all("notes", &[]).unwrap());
    notes.sort_unstable();
    assert_eq!(notes, model.notes.keys().copied().collect::<Vec<_>>());
    let problems = db.check().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

/// Ordered, cut queries (through an index where there is one, or a sort) against the
/// model's values sorted stably from file order: nulls first ascending, last descending.
fn ordered_queries_agree(db: &Database, model: &Model) {
    type Key = fn(&Model, i64) -> (Option<i64>, Option<String>);
    let owner: Key = |m, id| (m.owners[&id].1, m.owners[&id].0.clone());
    let item: Key = |m, id| (m.items[&id].1, m.items[&id].2.clone());
    /// A table, its keys as (the number field?, descending), offset, limit, condition.
    type Case = (&'static str, Key, &'static [(bool, bool)], u64, Option<u64>, Option<Cond>);
    let cases: [Case; 6] = [
        ("owners", owner, &[(true, false)], 0, None, None),
        ("owners", owner, &[(true, true), (false, false)], 1, Some(3), None),
        ("owners", owner, &[(false, true)], 0, Some(2), None),
        ("items", item, &[(true, true)], 0, Some(4), None),
        ("items", item, &[(true, false), (false, true)], 2, Some(5), Some(Cond::gt("score", 2))),
        ("items", item, &[(false, false), (true, true)], 0, None, Some(Cond::is_null("owner_id"))),
    ];
    for (table, key, keys, offset, limit, cond) in cases {
        let names = |number: bool| match (table, number) {
            ("owners", true) => "rank",
            ("owners", false) => "code",
            (_, true) => "score",
            (_, false) => "tag",
        };
        let mut query = db.query(table).offset(offset);
        if let Some(cond) = &cond {
            query = query.filter(cond.clone());
        }
        for &(number, desc) in keys {
            query = if desc { query.order_by_desc(names(number)) } else { query.order_by(names(number)) };
        }
        if let Some(limit) = limit {
            query = query.limit(limit);
        }
        let got = ids(&query.rows().unwrap());
        let base = match &cond {
            Some(cond) => db.find_by_cond(table, &scanned(cond), &[]).unwrap(),
            None => db.find_all(table, &[]).unwrap(),
        };
        let mut expected = ids(&base);
        expected.sort_by(|&a, &b| {
            let (ka, kb) = (key(model, a), key(model, b));
            for &(number, desc) in keys {
                let o = if number { ka.0.cmp(&kb.0) } else { ka.1.cmp(&kb.1) };
                let o = if desc { o.reverse() } else { o };
                if o.is_ne() {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        let expected: Vec<i64> =
            expected.into_iter().skip(offset as usize).take(limit.unwrap_or(u64::MAX) as usize).collect();
        assert_eq!(got, expected, "{table} {keys:?} offset {offset} limit {limit:?} {cond:?}");
    }
    // By id, through the PK index: deletes and re-inserts put ids out of slot order.
    let mut by_id: Vec<i64> = model.items.keys().copied().collect();
    by_id.sort_unstable();
    let newest = ids(&db.query("items").order_by_desc("id").limit(5).rows().unwrap());
    assert_eq!(newest, by_id.iter().rev().take(5).copied().collect::<Vec<_>>());
    let oldest = ids(&db.query("items").order_by("id").offset(1).limit(3).rows().unwrap());
    assert_eq!(oldest, by_id.iter().skip(1).take(3).copied().collect::<Vec<_>>());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_planner_and_a_full_scan_agree_with_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = open(dir.path());
        let mut model = Model::default();
        for op in &ops {
            let mut next = model.clone();
            let accepted = next.apply(op);
            let result = run(&db, &model, op);
            let committed = !matches!(op, Op::Transaction { commit: false, .. });
            prop_assert_eq!(result.is_ok(), accepted && committed, "{:?} gave {:?}", op, result);
            if result.is_ok() {
                model = next;
            }
            if matches!(op, Op::Reopen) {
                db.close();
                db = open(dir.path());
            }
            assert_agrees(&db, &model);
        }
    }
}
