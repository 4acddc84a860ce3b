//! The keyword arguments the reads take beyond the original's (SPEC §6, "Additions"):
//! `order_by`, `limit`, `offset` and `fields` ([`Shape`]), and the `**aggs` and
//! `group_by` of `db.aggregate` ([`aggregates`], [`names`]).
//!
//! What only Python can get wrong is refused here, with the core's own error variants
//! (so the messages and attributes are those of every other `ValidationError`): a limit
//! below 1 or an offset below 0 (which no `u64` can carry to the core), a name that is
//! not a `str`. Whether a name is a field of the table is left to the core, which
//! refuses an unknown one by name when the query is planned.

use bazoola::{Agg, Query, ValidationError};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert::int_arg;
use crate::error::about_object;

/// How the rows of a read are ordered, cut and projected.
#[derive(Debug, Default)]
pub struct Shape {
    /// Field names, each descending or not.
    order: Vec<(String, bool)>,
    limit: Option<u64>,
    offset: u64,
    fields: Option<Vec<String>>,
}

impl Shape {
    /// The shape the keyword arguments of a read of `table` ask for; `None` arguments
    /// ask for nothing.
    pub fn new(
        table: &str,
        order_by: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Shape> {
        let order = names(table, "order_by", order_by)?
            .unwrap_or_default()
            .into_iter()
            .map(|name| match name.strip_prefix('-') {
                Some(field) => (field.to_owned(), true),
                None => (name, false),
            })
            .collect();
        let limit = bound(table, "limit", limit, 1)?;
        let offset = bound(table, "offset", offset, 0)?.unwrap_or(0);
        let fields = names(table, "fields", fields)?;
        Ok(Shape { order, limit, offset, fields })
    }

    /// `query` ordered, cut and projected as asked.
    pub fn apply<'db>(&self, query: Query<'db>) -> Query<'db> {
        let mut query = self.order.iter().fold(query, |q, (field, descending)| {
            if *descending {
                q.order_by_desc(field)
            } else {
                q.order_by(field)
            }
        });
        if self.offset > 0 {
            query = query.offset(self.offset);
        }
        if let Some(limit) = self.limit {
            query = query.limit(limit);
        }
        if let Some(fields) = &self.fields {
            query = query.fields(&fields.iter().map(String::as_str).collect::<Vec<_>>());
        }
        query
    }
}

/// A `limit` or `offset` argument: an `int` of at least `least`, or `None`.
fn bound(
    table: &str,
    what: &'static str,
    obj: Option<&Bound<'_, PyAny>>,
    least: i64,
) -> PyResult<Option<u64>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    let value = int_arg(table, what, obj).map_err(|e| about_object(e, obj))?;
    match u64::try_from(value) {
        Ok(n) if value >= least => Ok(Some(n)),
        _ => Err(about_object(ValidationError::BadLimit { table: table.into(), what, value }.into(), obj)),
    }
}

/// A list-of-names argument (`order_by`, `fields`, `group_by`): one `str`, or an
/// iterable of them; `None` when not given.
pub fn names(table: &str, what: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if let Ok(name) = obj.cast::<PyString>() {
        return Ok(Some(vec![name.to_str()?.to_owned()]));
    }
    let not_a_name = |item: &Bound<'_, PyAny>| {
        let error = ValidationError::NotAString { table: table.into(), field: what.into() };
        about_object(error.into(), item)
    };
    let Ok(items) = obj.try_iter() else { return Err(not_a_name(obj)) };
    items
        .map(|item| {
            let item = item?;
            match item.cast::<PyString>() {
                Ok(name) => Ok(name.to_str()?.to_owned()),
                Err(_) => Err(not_a_name(&item)),
            }
        })
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}

/// The `name=COUNT()`, `name=SUM("f")`, … keyword arguments of `db.aggregate`, in
/// the order given. Each value is one of the classes of `bazoola/agg.py`, which say
/// what they compute by their `_agg` attribute.
pub fn aggregates(aggs: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, Agg)>> {
    let Some(aggs) = aggs.filter(|a| !a.is_empty()) else {
        return Err(PyTypeError::new_err("aggregate() needs at least one aggregate, such as n=COUNT()"));
    };
    aggs.iter()
        .map(|(key, obj)| {
            let key: String = key.extract()?;
            Ok((key, aggregate(&obj)?))
        })
        .collect()
}

fn aggregate(obj: &Bound<'_, PyAny>) -> PyResult<Agg> {
    let py = obj.py();
    let not_an_aggregate =
        || PyTypeError::new_err(format!("{} is not an aggregate (COUNT, SUM, MIN, MAX or AVG)", repr(obj)));
    let attr = |name| obj.getattr(name).and_then(|v| v.extract::<Option<String>>()).ok();
    let (Some(Some(kind)), Some(field)) = (attr(intern!(py, "_agg")), attr(intern!(py, "field"))) else {
        return Err(not_an_aggregate());
    };
    Ok(match (kind.as_str(), field) {
        ("count", None) => Agg::Count,
        ("count", Some(f)) => Agg::CountOf(f),
        ("sum", Some(f)) => Agg::Sum(f),
        ("min", Some(f)) => Agg::Min(f),
        ("max", Some(f)) => Agg::Max(f),
        ("avg", Some(f)) => Agg::Avg(f),
        _ => return Err(not_an_aggregate()),
    })
}

fn repr(obj: &Bound<'_, PyAny>) -> String {
    obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "<unprintable>".into())
}
