//! Queries users expect (SPEC §8): order, limit, offset, fields, counts, aggregates and
//! relation counts — each checked against a straightforward model computed here, with
//! nulls, ties, empty tables and the edges of offsets and limits; and the cartesian trap.

mod common;

use std::cmp::Ordering;

use bazoola::{Agg, Cond, Database, Error, Field, Join, OpenOptions, TableSchema, ValidationError, Value};
use rstest::rstest;

/// `books(title CHAR(8), year INT NULL [indexed or not], pages INT NULL, blurb TEXT NULL)`.
fn books(year_indexed: bool) -> TableSchema {
    let year = Field::int_sized("year", 4).nullable();
    TableSchema::new("books")
        .field(Field::char("title", 8))
        .field(if year_indexed { year.indexed() } else { year })
        .field(Field::int_sized("pages", 4).nullable())
        .field(Field::text("blurb").nullable())
}

/// A book as inserted: title, year, pages, blurb.
type Book = (&'static str, Option<i64>, Option<i64>, Option<&'static str>);

/// Ties in year and pages, nulls in each, a deleted row so that slots and ids differ.
const ROWS: &[Book] = &[
    ("delta", Some(1990), Some(300), Some("b")),
    ("alpha", None, Some(100), None),
    ("echo", Some(1970), None, Some("a\u{0}b")),
    ("bravo", Some(1990), Some(100), Some("a")),
    ("gone", Some(2000), Some(1), None),
    ("charlie", Some(1970), Some(300), Some("")),
    ("foxtrot", None, None, Some("zz")),
    ("golf", Some(2010), Some(200), Some("ab")),
];

fn library(dir: &std::path::Path, year_indexed: bool) -> Database {
    let db = OpenOptions::new().index_page_size(256).open(dir, [books(year_indexed)]).unwrap();
    for &(title, year, pages, blurb) in ROWS {
        let row: [(&str, Value); 4] = [
            ("title", title.into()),
            ("year", year.into()),
            ("pages", pages.into()),
            ("blurb", blurb.into()),
        ];
        db.insert("books", row).unwrap();
    }
    db.delete_by_id("books", 5).unwrap();
    // Re-fills slot 4 with id 9: file order is now 1 2 3 4 9 6 7 8.
    db.insert("books", [("title", Value::from("hotel")), ("year", 1990.into()), ("pages", 300.into())])
        .unwrap();
    db
}

/// The rows as the model sees them, in file order: (id, title, year, pages, blurb).
type ModelRow = (i64, String, Option<i64>, Option<i64>, Option<String>);

fn model() -> Vec<ModelRow> {
    let mut rows: Vec<ModelRow> = ROWS
        .iter()
        .enumerate()
        .map(|(i, &(t, y, p, b))| (i as i64 + 1, t.to_string(), y, p, b.map(str::to_string)))
        .collect();
    rows[4] = (9, "hotel".into(), Some(1990), Some(300), None);
    rows
}

/// SQLite's order: nulls first ascending, last descending; ties keep file order.
fn model_order(rows: &mut [ModelRow], keys: &[(&str, bool)]) {
    fn cmp_opt<T: Ord>(a: &Option<T>, b: &Option<T>) -> Ordering {
        a.cmp(b) // None < Some, as nulls first
    }
    rows.sort_by(|a, b| {
        for &(field, desc) in keys {
            let o = match field {
                "title" => a.1.cmp(&b.1),
                "year" => cmp_opt(&a.2, &b.2),
                "pages" => cmp_opt(&a.3, &b.3),
                "blurb" => cmp_opt(
                    &a.4.as_ref().map(|s| s.as_bytes().to_vec()),
                    &b.4.as_ref().map(|s| s.as_bytes().to_vec()),
                ),
                "id" => a.0.cmp(&b.0),
                _ => unreachable!(),
            };
            let o = if desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

#[rstest]
#[case::year(&[("year", false)], 0, None)]
#[case::year_desc(&[("year", true)], 0, None)]
#[case::year_then_pages_desc(&[("year", false), ("pages", true)], 0, None)]
#[case::pages_desc_then_title(&[("pages", true), ("title", false)], 0, None)]
#[case::title_limit(&[("title", false)], 0, Some(3))]
#[case::year_desc_limit(&[("year", true)], 0, Some(2))]
#[case::year_offset_limit(&[("year", false)], 2, Some(3))]
#[case::year_desc_offset_only(&[("year", true)], 5, None)]
#[case::offset_past_the_end(&[("year", false)], 20, Some(5))]
#[case::text(&[("blurb", false)], 0, None)]
#[case::text_desc(&[("blurb", true)], 1, Some(4))]
#[case::id_desc(&[("id", true)], 0, Some(3))]
#[case::id_offset(&[("id", false)], 3, Some(4))]
#[case::id_desc_all(&[("id", true)], 0, None)]
#[case::no_order_limit(&[], 1, Some(2))]
fn ordering_limit_and_offset_match_the_model(
    #[case] keys: &[(&str, bool)],
    #[case] offset: u64,
    #[case] limit: Option<u64>,
    #[values(false, true)] year_indexed: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), year_indexed);
    let mut query = db.query("books").offset(offset);
    for &(field, desc) in keys {
        query = if desc { query.order_by_desc(field) } else { query.order_by(field) };
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    let got: Vec<i64> = query.rows().unwrap().iter().map(|r| r.id()).collect();
    let mut expected = model();
    model_order(&mut expected, keys);
    let expected: Vec<i64> =
        expected.iter().map(|r| r.0).skip(offset as usize).take(limit.unwrap_or(u64::MAX) as usize).collect();
    assert_eq!(got, expected, "{keys:?} offset {offset} limit {limit:?}");
    // The streaming iterator, a batch of 2 at a time, gives the same rows.
    let streamed: Vec<i64> = query.iter(2).unwrap().map(|r| r.unwrap().id()).collect();
    assert_eq!(streamed, expected);
    assert_eq!(query.count().unwrap(), expected.len() as u64);
}

/// An unfiltered count reads only each row's deleted mark: rows deleted and not
/// re-filled (here ids 2, 4 and 7, and the last slot) must not count, and an offset
/// cuts the total.
#[rstest]
#[case::all(0, None)]
#[case::offset(3, None)]
#[case::offset_past_the_end(9, None)]
#[case::limit(1, Some(2))]
fn an_unfiltered_count_skips_deleted_slots(#[case] offset: u64, #[case] limit: Option<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), false);
    for id in [2, 4, 7, 9] {
        db.delete_by_id("books", id).unwrap();
    }
    let live = db.find_all("books", &[]).unwrap().len() as u64;
    assert_eq!(live, 4);
    assert_eq!(db.count("books", None).unwrap(), live);
    let mut query = db.query("books").offset(offset);
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    let expected = live.saturating_sub(offset).min(limit.unwrap_or(u64::MAX));
    assert_eq!(query.count().unwrap(), expected, "offset {offset} limit {limit:?}");
}

#[rstest]
#[case::indexed_range(Cond::ge("year", 1970), &[("year", true)], Some(3))]
#[case::range_and_other_field(Cond::lt("year", 2000).and(Cond::gt("pages", 100)), &[("year", false), ("title", true)], None)]
#[case::filter_on_text(Cond::is_null("blurb"), &[("year", true)], None)]
#[case::null_years(Cond::is_null("year"), &[("title", false)], None)]
fn conditions_with_order_match_the_model(
    #[case] cond: Cond,
    #[case] keys: &[(&str, bool)],
    #[case] limit: Option<u64>,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), true);
    let mut query = db.query("books").filter(cond.clone());
    for &(field, desc) in keys {
        query = if desc { query.order_by_desc(field) } else { query.order_by(field) };
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    let got: Vec<i64> = query.rows().unwrap().iter().map(|r| r.id()).collect();
    // The same condition as the planner cannot use an index for, sorted by the model.
    let scan = Cond::Or(vec![cond, Cond::custom(|_| Ok(false))]);
    let matching: Vec<i64> = db.find_by_cond("books", &scan, &[]).unwrap().iter().map(|r| r.id()).collect();
    let mut expected: Vec<ModelRow> = model().into_iter().filter(|r| matching.contains(&r.0)).collect();
    model_order(&mut expected, keys);
    let expected: Vec<i64> = expected.iter().map(|r| r.0).take(limit.unwrap_or(u64::MAX) as usize).collect();
    assert_eq!(got, expected);
}

#[test]
fn an_order_on_an_indexed_field_walks_the_index_and_stops_early() {
    let dir = tempfile::tempdir().unwrap();
    let db = OpenOptions::new().index_page_size(256).open(dir.path(), [books(true)]).unwrap();
    db.transaction(|db| {
        for i in 0..2000 {
            db.insert(
                "books",
                [("title", Value::from(format!("b{i}"))), ("year", Value::from(1000 + i % 997))],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let (rows, plan) = db.query("books").order_by_desc("year").limit(10).analyze().unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0]["year"], Value::Int(1996));
    let text = plan.to_string();
    assert!(text.contains("order by year DESC: in index order on year"), "{text}");
    assert!(plan.rows_examined() < 40, "10 rows (and their entries), not 2000: {}", plan.rows_examined());
    // Without an index, a top-10 heap: every row is read once, memory stays at ten keys.
    let (_, plan) = db.query("books").order_by_desc("pages").limit(10).analyze().unwrap();
    assert!(plan.to_string().contains("order by pages DESC: top 10 of a sort"), "{plan}");
    // By id: the PK index, from its end.
    let (rows, plan) = db.query("books").order_by_desc("id").limit(5).analyze().unwrap();
    assert_eq!(rows.iter().map(|r| r.id()).collect::<Vec<_>>(), [2000, 1999, 1998, 1997, 1996]);
    assert!(plan.to_string().contains("books via PK index, in id order"), "{plan}");
    assert_eq!(plan.rows_examined(), 5, "{plan}");
}

/// A walk holds slots and ids, not rows: a row deleted behind it is left out, and a row
/// inserted into the slot it freed does not take its place in the order.
#[test]
fn a_walk_leaves_out_rows_deleted_behind_it_even_when_their_slot_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), false);
    let mut walk = db.query("books").order_by_desc("title").iter(1).unwrap();
    assert_eq!(walk.next().unwrap().unwrap()["title"].as_str(), Some("hotel"));
    // "delta" (id 1, slot 0) goes, and "zulu" takes slot 0.
    db.delete_by_id("books", 1).unwrap();
    let zulu = db.insert("books", [("title", "zulu")]).unwrap();
    assert_eq!(db.find_all("books", &[]).unwrap()[0].id(), zulu.id(), "zulu is in slot 0");
    let rest: Vec<String> = walk.map(|r| r.unwrap()["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(rest, ["golf", "foxtrot", "echo", "charlie", "bravo", "alpha"]);
}

#[test]
fn fields_return_only_what_is_asked_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), true);
    let rows = db.query("books").fields(&["year"]).order_by("title").limit(2).rows().unwrap();
    let columns: Vec<&str> = rows[0].columns().iter().map(|c| &**c).collect();
    assert_eq!(columns, ["id", "year"]);
    assert_eq!((rows[0].id(), rows[0]["year"].clone()), (2, Value::Null));
    // A TEXT field not asked for is not read: a broken text reference does not matter.
    db.close();
    let path = dir.path().join("books.text.dat");
    std::fs::write(&path, "garbage").unwrap();
    let db = Database::open(dir.path(), [books(true)]).unwrap();
    assert!(db.query("books").fields(&["title"]).rows().is_ok());
    assert!(db.query("books").rows().is_err());
}

fn zero_limit(q: bazoola::Query<'_>) -> bazoola::Query<'_> {
    q.limit(0)
}
fn unknown_order_field(q: bazoola::Query<'_>) -> bazoola::Query<'_> {
    q.order_by("nope")
}
fn unknown_projection(q: bazoola::Query<'_>) -> bazoola::Query<'_> {
    q.fields(&["nope"])
}

#[rstest]
#[case::zero_limit(zero_limit, "'limit': must be at least 1, got 0")]
#[case::unknown_order_field(unknown_order_field, "'nope': No such field in table 'books'")]
#[case::unknown_projection(unknown_projection, "'nope': No such field in table 'books'")]
fn bad_queries_are_clear_errors(
    #[case] build: fn(bazoola::Query<'_>) -> bazoola::Query<'_>,
    #[case] message: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), true);
    let err = build(db.query("books")).rows().unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(err.to_string(), message);
    if let Error::Validation(ValidationError::BadLimit { what, value, .. }) = err {
        assert_eq!((what, value), ("limit", 0));
    }
}

#[test]
fn an_empty_table_orders_counts_and_aggregates_to_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path(), [books(true)]).unwrap();
    assert!(db.query("books").order_by_desc("year").limit(3).rows().unwrap().is_empty());
    assert_eq!(db.query("books").count().unwrap(), 0);
    let all = db
        .query("books")
        .aggregates(&[("n", Agg::Count), ("top", Agg::Max("year".into()))])
        .aggregate()
        .unwrap();
    assert_eq!((all.len(), all[0]["n"].clone(), all[0]["top"].clone()), (1, Value::Int(0), Value::Null));
    let grouped = db.query("books").group_by(&["year"]).aggregates(&[("n", Agg::Count)]).aggregate().unwrap();
    assert!(grouped.is_empty(), "no rows, no groups");
}

#[rstest]
fn aggregates_match_the_model(#[values(false, true)] year_indexed: bool) {
    let dir = tempfile::tempdir().unwrap();
    let db = library(dir.path(), year_indexed);
    let rows = model();
    let aggs = [
        ("n", Agg::Count),
        ("with_pages", Agg::CountOf("pages".into())),
        ("pages", Agg::Sum("pages".into())),
        ("first", Agg::Min("title".into())),
        ("last", Agg::Max("blurb".into())),
        ("avg", Agg::Avg("pages".into())),
    ];
    let groups = db.query("books").group_by(&["year"]).aggregates(&aggs).aggregate().unwrap();
    let mut years: Vec<Option<i64>> = rows.iter().map(|r| r.2).collect();
    years.sort();
    years.dedup();
    assert_eq!(
        groups.iter().map(|g| g["year"].as_int()).collect::<Vec<_>>(),
        years,
        "groups in order, null first"
    );
    for group in &groups {
        let members: Vec<&ModelRow> = rows.iter().filter(|r| r.2 == group["year"].as_int()).collect();
        let pages: Vec<i64> = members.iter().filter_map(|r| r.3).collect();
        assert_eq!(group["n"], Value::Int(members.len() as i64));
        assert_eq!(group["with_pages"], Value::Int(pages.len() as i64));
        let sum = (!pages.is_empty()).then(|| pages.iter().sum::<i64>());
        assert_eq!(group["pages"], Value::from(sum));
        assert_eq!(group["first"].as_str(), members.iter().map(|r| r.1.as_str()).min());
        assert_eq!(group["last"].as_str(), members.iter().filter_map(|r| r.4.as_deref()).max());
        let avg = (!pages.is_empty()).then(|| pages.iter().sum::<i64>() as f64 / pages.len() as f64);
        assert_eq!(group["avg"].as_float(), avg);
    }
    // Counts per value of an indexed field come from the index alone.
    let (per_year, plan) =
        db.query("books").group_by(&["year"]).aggregates(&[("n", Agg::Count)]).analyze().unwrap();
    assert_eq!(per_year.len(), groups.len());
    assert_eq!(plan.to_string().contains("counted from index runs, no row read"), year_indexed, "{plan}");
    assert_eq!(plan.to_string().starts_with("books via index on year only"), year_indexed, "{plan}");
    // MIN and MAX of an indexed field: its first and last entries.
    let (ends, plan) = db
        .query("books")
        .aggregates(&[("lo", Agg::Min("year".into())), ("hi", Agg::Max("year".into()))])
        .analyze()
        .unwrap();
    assert_eq!((ends[0]["lo"].clone(), ends[0]["hi"].clone()), (Value::Int(1970), Value::Int(2010)));
    assert_eq!(plan.to_string().contains("first and last entries"), year_indexed, "{plan}");
    let err = db.query("books").aggregates(&[("s", Agg::Sum("title".into()))]).aggregate().unwrap_err();
    assert!(err.to_string().contains("SUM(title) needs a number field"), "{err}");
}

/// The cartesian trap, from the original author's write-up: 2 stores, 10 departments
/// each, 500 employees a department, 2,500 products a store.
fn stores(dir: &std::path::Path) -> Database {
    let db = Database::open(
        dir,
        [
            TableSchema::new("stores").field(Field::char("name", 8)),
            TableSchema::new("departments")
                .field(Field::fk("store_id", "stores"))
                .field(Field::char("name", 8)),
            TableSchema::new("employees")
                .field(Field::fk("department_id", "departments"))
                .field(Field::int("salary")),
            TableSchema::new("products").field(Field::fk("store_id", "stores")).field(Field::int("price")),
        ],
    )
    .unwrap();
    db.transaction(|db| {
        for s in 1..=2 {
            db.insert("stores", [("name", format!("s{s}"))])?;
            for d in 0..10 {
                let dept = db.insert(
                    "departments",
                    [("store_id", Value::from(s)), ("name", format!("d{d}").into())],
                )?;
                for e in 0..500 {
                    db.insert("employees", [("department_id", dept.id()), ("salary", 1000 + e)])?;
                }
            }
            for p in 0..2500 {
                db.insert("products", [("store_id", s), ("price", p % 100)])?;
            }
        }
        Ok(())
    })
    .unwrap();
    db
}

#[test]
fn relation_counts_walk_their_sizes_not_the_product() {
    let dir = tempfile::tempdir().unwrap();
    let db = stores(dir.path());
    let counts = Join::count("store_id", "employees", "departments").through(Join::count(
        "department_id",
        "n",
        "employees",
    ));
    let (rows, plan) = db
        .query("stores")
        .join(Join::count("store_id", "products", "products"))
        .join(counts)
        .analyze()
        .unwrap();
    for store in &rows {
        // Brute force, row by row.
        let products = db.count("products", Some(&Cond::eq("store_id", store.id()))).unwrap();
        let departments: Vec<i64> = db
            .find_by_cond("departments", &Cond::eq("store_id", store.id()), &[])
            .unwrap()
            .iter()
            .map(|d| d.id())
            .collect();
        let employees = db.count("employees", Some(&Cond::is_in("department_id", departments))).unwrap();
        assert_eq!(
            (store["products"].clone(), store["employees"].clone()),
            (Value::from(products as i64), Value::from(employees as i64))
        );
    }
    assert_eq!(
        (rows[0]["products"].clone(), rows[0]["employees"].clone()),
        (Value::Int(2500), Value::Int(5000))
    );
    // 2 stores + 5,000 product entries + 20 department entries + 10,000 employee entries.
    let examined = plan.rows_examined();
    assert!((15_000..15_100).contains(&examined), "rows examined: {examined}\n{plan}");
    let text = plan.to_string();
    assert!(text.contains("count products: products rows whose store_id points here, via index on store_id (index entries only)"), "{text}");
    assert!(text.contains("count employees: across departments rows whose store_id points here"), "{text}");
    // Every step ran, the inner count of the two hops too, and shows what it did.
    for line in text.lines().filter(|l| l.contains("count ")) {
        assert!(line.contains("[actual:"), "no actuals on {line:?}\n{text}");
    }
}

#[test]
fn a_count_with_a_condition_counts_only_the_matching_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = stores(dir.path());
    let cheap = Join::count("store_id", "cheap", "products").filter(Cond::lt("price", 10));
    let first_dept = Join::count("store_id", "staff", "departments")
        .filter(Cond::eq("name", "d0"))
        .through(Join::count("department_id", "n", "employees").filter(Cond::ge("salary", 1400)));
    let rows = db.query("stores").join(cheap).join(first_dept).rows().unwrap();
    assert_eq!((rows[0]["cheap"].clone(), rows[0]["staff"].clone()), (Value::Int(250), Value::Int(100)));
    // And inside an inverse join: each department's employee count.
    let store = db
        .find_by_id(
            "stores",
            1,
            &[Join::inverse("store_id", "depts", "departments").with(Join::count(
                "department_id",
                "people",
                "employees",
            ))],
        )
        .unwrap()
        .unwrap();
    let people: Vec<i64> =
        store["depts"].as_rows().unwrap().iter().map(|d| d["people"].as_int().unwrap()).collect();
    assert_eq!(people, vec![500; 10]);
}
