//! Model-based property test: random operations run against the database and against a
//! plain in-memory model of SPEC §3 (slots, free stack, sequence); after every step the
//! rows, their order and condition results must agree, and `check` must find nothing.

use std::collections::BTreeMap;

use bazoola::{Cond, Database, Field, TableSchema, Value};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Insert { name: String, body: Option<String> },
    InsertId { id: i64, name: String },
    Update { pick: usize, name: Option<String>, body: Option<Option<String>> },
    Delete { pick: usize },
    Truncate,
    Reopen,
    Transaction { ops: Vec<Op>, commit: bool },
}

fn name() -> impl Strategy<Value = String> {
    "[a-cA-C ]{0,6}".prop_map(|s| s.trim_end().to_string())
}

fn leaf() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (name(), proptest::option::of("[a-z\n#*é]{0,12}")).prop_map(|(name, body)| Op::Insert { name, body }),
        1 => (1i64..40, name()).prop_map(|(id, name)| Op::InsertId { id, name }),
        3 => (any::<usize>(), proptest::option::of(name()), proptest::option::of(proptest::option::of("[a-z]{0,8}")))
            .prop_map(|(pick, name, body)| Op::Update { pick, name, body }),
        3 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        1 => Just(Op::Truncate),
        1 => Just(Op::Reopen),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf(),
        1 => (proptest::collection::vec(leaf().prop_filter("no reopen inside", |o| !matches!(o, Op::Reopen)), 1..6), any::<bool>())
            .prop_map(|(ops, commit)| Op::Transaction { ops, commit }),
    ]
}

#[derive(Debug, Clone, Default)]
struct Model {
    slots: Vec<Option<i64>>,
    free: Vec<usize>,
    seq: i64,
    rows: BTreeMap<i64, (String, Option<String>, usize)>,
}

impl Model {
    fn live_ids(&self) -> Vec<i64> {
        self.rows.keys().copied().collect()
    }

    fn place(&mut self, id: i64, name: String, body: Option<String>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(id);
                slot
            }
            None => {
                self.slots.push(Some(id));
                self.slots.len() - 1
            }
        };
        self.rows.insert(id, (name, body, slot));
    }

    /// Applies `op`; returns whether the database must accept it.
    fn apply(&mut self, op: &Op) -> bool {
        match op {
            Op::Insert { name, body } => {
                let mut id = self.seq + 1;
                while self.rows.contains_key(&id) {
                    id += 1;
                }
                self.seq = id;
                self.place(id, name.clone(), body.clone());
                true
            }
            Op::InsertId { id, name } => {
                if self.rows.contains_key(id) {
                    return false;
                }
                self.place(*id, name.clone(), None);
                true
            }
            Op::Update { pick, name, body } => {
                let ids = self.live_ids();
                let Some(id) = pick_id(&ids, *pick) else { return false };
                let row = self.rows.get_mut(&id).expect("live");
                if let Some(name) = name {
                    row.0 = name.clone();
                }
                if let Some(body) = body {
                    row.1 = body.clone();
                }
                true
            }
            Op::Delete { pick } => {
                let ids = self.live_ids();
                let Some(id) = pick_id(&ids, *pick) else { return false };
                let (_, _, slot) = self.rows.remove(&id).expect("live");
                self.slots[slot] = None;
                self.free.push(slot);
                true
            }
            Op::Truncate => {
                *self = Model::default();
                true
            }
            Op::Reopen => true,
            Op::Transaction { ops, commit } => {
                let mut inner = self.clone();
                let ok = ops.iter().all(|op| inner.apply(op));
                if ok && *commit {
                    *self = inner;
                }
                ok
            }
        }
    }
}

fn pick_id(ids: &[i64], pick: usize) -> Option<i64> {
    // Picks past the end aim at a missing row, to exercise NotFound.
    let n = ids.len() + 1;
    ids.get(pick % n).copied()
}

fn missing_id(model: &Model) -> i64 {
    (1..).find(|id| !model.rows.contains_key(id)).unwrap_or(1)
}

fn schema() -> TableSchema {
    TableSchema::new("t").field(Field::char("name", 6)).field(Field::text("body").nullable())
}

fn run(db: &Database, model: &Model, op: &Op) -> bazoola::Result<()> {
    match op {
        Op::Insert { name, body } => {
            db.insert("t", [("name", Value::from(name.as_str())), ("body", body.clone().into())])?;
        }
        Op::InsertId { id, name } => {
            db.insert("t", [("id", Value::Int(*id)), ("name", name.as_str().into())])?;
        }
        Op::Update { pick, name, body } => {
            let id = pick_id(&model.live_ids(), *pick).unwrap_or_else(|| missing_id(model));
            let mut values: Vec<(&str, Value)> = Vec::new();
            if let Some(name) = name {
                values.push(("name", name.as_str().into()));
            }
            if let Some(body) = body {
                values.push(("body", body.clone().into()));
            }
            db.update_by_id("t", id, values)?;
        }
        Op::Delete { pick } => {
            let id = pick_id(&model.live_ids(), *pick).unwrap_or_else(|| missing_id(model));
            db.delete_by_id("t", id)?;
        }
        Op::Truncate => db.truncate("t", false)?,
        Op::Reopen => {}
        Op::Transaction { ops, commit } => {
            let mut inner = model.clone();
            let result = db.transaction(|db| {
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
            return result;
        }
    }
    Ok(())
}

fn assert_agrees(db: &Database, model: &Model) {
    let rows = db.find_all("t", &[]).unwrap();
    let expected_order: Vec<i64> = model.slots.iter().flatten().copied().collect();
    assert_eq!(rows.iter().map(bazoola::Row::id).collect::<Vec<_>>(), expected_order);
    for row in &rows {
        let (name, body, _) = &model.rows[&row.id()];
        assert_eq!(row["name"].as_str(), Some(name.as_str()));
        assert_eq!(row["body"], Value::from(body.clone()));
    }
    let found = db.find_by_cond("t", &Cond::isubstr("name", "a"), &[]).unwrap();
    let expected: Vec<i64> =
        expected_order.iter().copied().filter(|id| model.rows[id].0.to_lowercase().contains('a')).collect();
    assert_eq!(found.iter().map(bazoola::Row::id).collect::<Vec<_>>(), expected);
    let problems = db.check().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn database_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Database::open(dir.path(), [schema()]).unwrap();
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
                db = Database::open(dir.path(), [schema()]).unwrap();
            }
            assert_agrees(&db, &model);
        }
    }
}
