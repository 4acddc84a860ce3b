//! Behaviour of every operation (SPEC §3) and its errors (SPEC §4).

mod common;

use bazoola::{Cond, Database, Error, Field, Join, OnDelete, TableSchema, Value};
use common::{table_a, table_b};
use rstest::rstest;

fn people() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let schema = TableSchema::new("people")
        .field(Field::char("name", 10))
        .field(Field::int_sized("age", 3).nullable())
        .field(Field::text("bio").nullable());
    let db = Database::open(dir.path(), [schema]).unwrap();
    for (name, age, bio) in
        [("Ann", Some(31), Some("Likes Rust")), ("bob", None, None), ("Cleo", Some(7), Some("rusty"))]
    {
        let row: [(&str, Value); 3] = [("name", name.into()), ("age", age.into()), ("bio", bio.into())];
        db.insert("people", row).unwrap();
    }
    (dir, db)
}

fn ids(rows: &[bazoola::Row]) -> Vec<i64> {
    rows.iter().map(bazoola::Row::id).collect()
}

#[rstest]
#[case::eq(Cond::eq("name", "Ann"), vec![1])]
#[case::eq_null(Cond::Eq(vec![("age".into(), Value::Null)]), vec![2])]
#[case::eq_all_pairs(Cond::Eq(vec![("name".into(), "Ann".into()), ("age".into(), 30.into())]), vec![])]
#[case::lt(Cond::lt("age", 31), vec![3])]
#[case::gt_skips_null(Cond::gt("age", 0), vec![1, 3])]
#[case::le(Cond::le("age", 31), vec![1, 3])]
#[case::ge(Cond::ge("age", 8), vec![1])]
#[case::ne(Cond::ne("name", "Ann"), vec![2, 3])]
#[case::lt_on_text(Cond::lt("name", "C"), vec![1])]
#[case::substr(Cond::substr("name", "o"), vec![2, 3])]
#[case::substr_on_int(Cond::substr("age", "3"), vec![1])]
#[case::isubstr_text_field(Cond::isubstr("bio", "RUST"), vec![1, 3])]
#[case::substr_text_field(Cond::substr("bio", "Rust"), vec![1])]
#[case::isubstr_unicode(Cond::isubstr("name", "CLEO"), vec![3])]
#[case::in_list(Cond::is_in("name", ["bob", "Cleo", "nobody"]), vec![2, 3])]
#[case::is_null(Cond::is_null("bio"), vec![2])]
#[case::and(Cond::gt("age", 1).and(Cond::lt("age", 10)), vec![3])]
#[case::or(Cond::eq("name", "Ann").or(Cond::is_null("age")), vec![1, 2])]
#[case::not(!Cond::is_null("age"), vec![1, 3])]
#[case::custom(Cond::custom(|row| Ok(row["name"].as_str().is_some_and(|n| n.len() == 3))), vec![1, 2])]
fn conditions(#[case] cond: Cond, #[case] expected: Vec<i64>) {
    let (_dir, db) = people();
    assert_eq!(ids(&db.find_by_cond("people", &cond, &[]).unwrap()), expected);
}

#[rstest]
#[case::unknown_field(Cond::eq("nope", 1), "'nope': No such field in table 'people'")]
#[case::lt_text_on_int(
    Cond::lt("age", "x"),
    "'age': the condition value `'x'` cannot be compared with this field"
)]
#[case::gt_null(Cond::gt("age", Value::Null), "cannot be compared")]
fn bad_conditions(#[case] cond: Cond, #[case] message: &str) {
    let (_dir, db) = people();
    let err = db.find_by_cond("people", &cond, &[]).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().contains(message), "{err}");
}

#[rstest]
#[case::too_long(vec![("name", "abcdefghijk".into())], "'name': The value is too long")]
#[case::too_big(vec![("name", "x".into()), ("age", 1000.into())], "'age': The value is too big")]
#[case::negative_too_big(vec![("name", "x".into()), ("age", (-100).into())], "'age': The value is too big")]
#[case::null(vec![("name", Value::Null)], "'name': The value can't be None")]
#[case::missing_is_null(vec![("age", 3.into())], "'name': The value can't be None")]
#[case::int_for_char(vec![("name", 5.into())], "'name': Type mismatch")]
#[case::text_for_int(vec![("name", "x".into()), ("age", "abc".into())], "'age': Type mismatch: `'abc'` is not `int`")]
#[case::duplicate_id(vec![("id", 1.into()), ("name", "x".into())], "'id': row with id 1 already exists")]
#[case::zero_id(vec![("id", 0.into()), ("name", "x".into())], "'id': The value must be greater than 0")]
#[case::unknown_field(vec![("name", "x".into()), ("nick", "y".into())], "'nick': No such field in table 'people'")]
fn insert_validation(#[case] values: Vec<(&str, Value)>, #[case] message: &str) {
    let (_dir, db) = people();
    let err = db.insert("people", values).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().starts_with(message), "{err}");
}

#[test]
fn insert_and_update_return_the_row_as_stored() {
    let (_dir, db) = people();
    let inserted = db.insert("people", [("name", "Eve \t")]).unwrap();
    assert_eq!(inserted["name"].as_str(), Some("Eve"));
    let updated = db.update_by_id("people", inserted.id(), [("name", " Eva  ")]).unwrap();
    assert_eq!(Some(&updated), db.find_by_id("people", inserted.id(), &[]).unwrap().as_ref());
}

#[test]
fn not_found_and_no_row() {
    let (_dir, db) = people();
    assert_eq!(db.find_by_id("people", 99, &[]).unwrap(), None);
    assert_eq!(db.find_by_id("people", -1, &[]).unwrap(), None);
    for err in
        [db.update_by_id("people", 99, [("age", 1)]).unwrap_err(), db.delete_by_id("people", 99).unwrap_err()]
    {
        assert!(matches!(err, Error::NotFound { id: 99, .. }));
        assert_eq!(err.to_string(), "Row with ID=99 does not exist");
    }
    db.delete_by_id("people", 2).unwrap();
    assert_eq!(db.delete_by_id("people", 2).unwrap_err().to_string(), "Row with ID=2 does not exist");
}

#[test]
fn update_changes_only_given_fields_and_never_the_id() {
    let (_dir, db) = people();
    let row = db.update_by_id("people", 1, [("age", 32)]).unwrap();
    assert_eq!(
        (row["name"].as_str(), row["age"].as_int(), row["bio"].as_str()),
        (Some("Ann"), Some(32), Some("Likes Rust"))
    );
    db.update_by_id("people", 1, [("id", 1)]).unwrap();
    let err = db.update_by_id("people", 1, [("id", 5)]).unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    assert_eq!(db.find_by_id("people", 1, &[]).unwrap().unwrap()["age"], Value::Int(32));
}

#[test]
fn rows_come_back_in_slot_order_and_read_into_structs() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Person {
        id: i64,
        name: String,
        age: Option<i64>,
    }
    let (_dir, db) = people();
    db.delete_by_id("people", 1).unwrap();
    db.insert("people", [("name", "Dan")]).unwrap();
    let all = db.find_all("people", &[]).unwrap();
    assert_eq!(ids(&all), vec![4, 2, 3]);
    let dan: Person = all[0].deserialize().unwrap();
    assert_eq!(dan, Person { id: 4, name: "Dan".into(), age: None });
}

fn library(rule: OnDelete) -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let c = TableSchema::new("c").field(Field::fk("b_id", "b").on_delete(OnDelete::Cascade));
    let db = Database::open(dir.path(), [table_a(), table_b(rule), c]).unwrap();
    db.insert("a", [("text", "one")]).unwrap();
    db.insert("a", [("text", "two")]).unwrap();
    for a in [1, 1, 2] {
        db.insert("b", [("a_id", a)]).unwrap();
    }
    db.insert("c", [("b_id", 1)]).unwrap();
    db.insert("c", [("b_id", 3)]).unwrap();
    (dir, db)
}

#[rstest]
#[case::cascade(OnDelete::Cascade, vec![3], vec![2])]
#[case::set_null(OnDelete::SetNull, vec![1, 2, 3], vec![1, 2])]
#[case::no_action(OnDelete::NoAction, vec![1, 2, 3], vec![1, 2])]
fn delete_rules(#[case] rule: OnDelete, #[case] b_left: Vec<i64>, #[case] c_left: Vec<i64>) {
    let (_dir, db) = library(rule);
    db.delete_by_id("a", 1).unwrap();
    assert_eq!(ids(&db.find_all("b", &[]).unwrap()), b_left);
    assert_eq!(ids(&db.find_all("c", &[]).unwrap()), c_left);
    if rule == OnDelete::SetNull {
        assert_eq!(db.find_by_id("b", 1, &[]).unwrap().unwrap()["a_id"], Value::Null);
    }
    let problems = db.check().unwrap();
    if rule == OnDelete::NoAction {
        assert_eq!(problems.len(), 2, "{problems:?}");
    } else {
        assert!(problems.is_empty(), "{problems:?}");
    }
}

#[test]
fn restrict_refuses_and_names_the_referrer() {
    let (dir, db) = library(OnDelete::Restrict);
    let before = common::snapshot(dir.path());
    let err = db.delete_by_id("a", 1).unwrap_err();
    assert!(matches!(err, Error::Integrity(_)));
    assert_eq!(
        err.to_string(),
        "Cannot delete row id=1 from 'a': table 'b' has referring rows (field 'a_id' is ON DELETE RESTRICT)"
    );
    assert_eq!(common::snapshot(dir.path()), before);
}

#[rstest]
#[case::insert_missing(|db: &Database| db.insert("b", [("a_id", 9)]).map(drop))]
#[case::update_missing(|db: &Database| db.update_by_id("b", 1, [("a_id", 9)]).map(drop))]
fn fk_targets_must_exist(#[case] op: fn(&Database) -> bazoola::Result<()>) {
    let (_dir, db) = library(OnDelete::Restrict);
    let err = op(&db).unwrap_err();
    assert!(matches!(err, Error::Integrity(_)));
    assert_eq!(err.to_string(), "Item id=9 does not exist in 'a'");
}

#[test]
fn truncate_refuses_with_referring_rows_and_cascades() {
    let (_dir, db) = library(OnDelete::Restrict);
    let err = db.truncate("a", false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cannot truncate table 'a': table 'b' has referring rows. Use `cascade` option to truncate dependent tables."
    );
    db.truncate("a", true).unwrap();
    for table in ["a", "b", "c"] {
        assert_eq!(db.count(table, None).unwrap(), 0, "{table}");
    }
    assert_eq!(db.insert("a", [("text", "new")]).unwrap().id(), 1);
}

#[test]
fn joins_nest_and_inverse_joins_collect() {
    let (_dir, db) = library(OnDelete::Restrict);
    let a_of_b = Join::forward("a_id", "a", "a");
    let rows = db
        .find_by_cond("c", &Cond::eq("id", 2), &[Join::forward("b_id", "b", "b").with(a_of_b.clone())])
        .unwrap();
    assert_eq!(rows[0]["b"].as_row().unwrap()["a"].as_row().unwrap()["text"].as_str(), Some("two"));

    let with_bs = Join::inverse("a_id", "bs", "b").with(Join::inverse("b_id", "cs", "c"));
    let a = db.find_by_id("a", 1, std::slice::from_ref(&with_bs)).unwrap().unwrap();
    let bs = a["bs"].as_rows().unwrap();
    assert_eq!(ids(bs), vec![1, 2]);
    assert_eq!(ids(bs[0]["cs"].as_rows().unwrap()), vec![1]);
    assert_eq!(bs[1]["cs"].as_rows().unwrap().len(), 0);

    let all = db.find_all("a", &[with_bs]).unwrap();
    let counts: Vec<usize> = all.iter().map(|a| a["bs"].as_rows().unwrap().len()).collect();
    assert_eq!(counts, vec![2, 1]);

    db.update_by_id("b", 1, [("a_id", Value::Null)]).unwrap();
    assert_eq!(db.find_by_id("b", 1, &[a_of_b]).unwrap().unwrap()["a"], Value::Null);
}

#[test]
fn close_is_idempotent_and_use_after_close_is_an_error() {
    let (_dir, db) = people();
    db.close();
    db.close();
    assert!(matches!(db.find_by_id("people", 1, &[]), Err(Error::Closed { .. })));
    assert!(matches!(db.insert("people", [("name", "x")]), Err(Error::Closed { .. })));
}

#[rstest]
#[case::different_type(Field::int("text"), "stored `text CHAR(5)`, declared `text INT(9)`")]
#[case::different_size(Field::char("text", 6), "stored `text CHAR(5)`, declared `text CHAR(6)`")]
#[case::nullable(Field::char("text", 5).nullable(), "declared `text CHAR(5) NULL`")]
fn a_different_declared_schema_is_refused(#[case] field: Field, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    Database::open(dir.path(), [table_a()]).unwrap().close();
    let err = Database::open(dir.path(), [TableSchema::new("a").field(field)]).err().unwrap();
    assert!(matches!(err, Error::Schema(_)));
    assert!(
        err.to_string().starts_with("table 'a': the schema on disk differs from the declared one at field 2"),
        "{err}"
    );
    assert!(err.to_string().contains(message), "{err}");
}

#[test]
fn an_existing_directory_opens_without_declarations() {
    let (dir, db) = people();
    db.close();
    let db = Database::open_existing(dir.path()).unwrap();
    assert_eq!(db.tables().unwrap()[0].fields.len(), 4);
    assert_eq!(db.find_by_id("people", 1, &[]).unwrap().unwrap()["bio"].as_str(), Some("Likes Rust"));
}

#[test]
fn transactions_commit_or_leave_every_file_as_it_was() {
    let (dir, db) = people();
    let before = common::snapshot(dir.path());
    let err = db
        .transaction(|db| {
            db.insert("people", [("name", "Eve")])?;
            db.update_by_id("people", 1, [("bio", "changed")])?;
            db.delete_by_id("people", 2)?;
            assert_eq!(db.count("people", None)?, 3, "reads see the transaction's writes");
            db.insert("people", [("name", "far too long a name")])
        })
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)));
    assert_eq!(common::snapshot(dir.path()), before);

    db.transaction(|db| {
        db.insert("people", [("name", "Eve")])?;
        db.delete_by_id("people", 2)
    })
    .unwrap();
    assert_eq!(ids(&db.find_all("people", &[]).unwrap()), vec![1, 3, 4]);
    assert!(db.check().unwrap().is_empty());
}

/// A forward join over many rows gives each row its own copy of its target, whether the
/// target is shared by several rows, referred to by one, or missing (a null FK), with
/// nested joins inside: the same rows as joining each one by `find_by_id`.
#[rstest]
#[case::shared_parents(vec![Some(1), Some(2), Some(1), None, Some(2), Some(1)])]
#[case::one_row_per_parent(vec![Some(3), Some(1), Some(2)])]
#[case::all_null(vec![None, None])]
fn forward_joins_of_many_rows_match_single_lookups(#[case] parents: Vec<Option<i64>>) {
    let dir = tempfile::tempdir().unwrap();
    let schemas = [
        TableSchema::new("g").field(Field::char("name", 8)),
        TableSchema::new("p").field(Field::char("name", 8)).field(Field::fk("g_id", "g").nullable()),
        TableSchema::new("k").field(Field::char("name", 8)).field(Field::fk("p_id", "p").nullable()),
    ];
    let db = Database::open(dir.path(), schemas).unwrap();
    db.insert("g", [("name", "grand")]).unwrap();
    for (i, g) in [Some(1), None, Some(1)].into_iter().enumerate() {
        db.insert("p", [("name", Value::from(format!("p{i}"))), ("g_id", g.into())]).unwrap();
    }
    for (i, p) in parents.iter().enumerate() {
        db.insert("k", [("name", Value::from(format!("k{i}"))), ("p_id", (*p).into())]).unwrap();
    }
    let join = [Join::forward("p_id", "parent", "p").with(Join::forward("g_id", "grand", "g"))];
    let all = db.find_all("k", &join).unwrap();
    let one_by_one: Vec<_> =
        (1..=parents.len() as i64).map(|id| db.find_by_id("k", id, &join).unwrap().unwrap()).collect();
    assert_eq!(all, one_by_one);
    let got: Vec<Option<i64>> = all.iter().map(|k| k["parent"].as_row().map(bazoola::Row::id)).collect();
    assert_eq!(got, parents);
}
