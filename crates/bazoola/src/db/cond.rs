//! Conditions for `find_by_cond`, and their evaluation on raw row bytes.
//!
//! A [`Cond`] is compiled against a table into a [`Predicate`] whose leaves know their
//! field's slot, so a scan tests a row without decoding it: numbers are parsed from the
//! slot, CHARs compared as bytes, and only matching rows are turned into [`Row`]s. TEXT
//! fields (which live in the heap) and user predicates decode what they need.
//!
//! Semantics follow the original package: a pair list (`EQ(a=1, b=2)`) means all pairs
//! hold; `EQ` compares nulls like any value (so `EQ(year=None)` finds null years); a null
//! field never satisfies `LT`, `GT`, `LE`, `GE`, `SUBSTR` or `ISUBSTR`; `SUBSTR` on a
//! number looks in its decimal text.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use memchr::memmem;

use crate::error::{Result, ValidationError};
use crate::format::codec::{get_char, get_int};
use crate::format::schema::FieldType;
use crate::storage::txn::Io;
use crate::table::Table;
use crate::value::{Row, Value};

/// A user predicate over a decoded row, for conditions the built-in ones cannot say.
pub type RowPredicate = Arc<dyn Fn(&Row) -> Result<bool> + Send + Sync>;

/// A condition on a table's rows.
#[derive(Clone)]
pub enum Cond {
    /// Each field equals its value; nulls compare like any value.
    Eq(Vec<(String, Value)>),
    /// Each field differs from its value.
    Ne(Vec<(String, Value)>),
    /// Each field is less than its value; a null never is.
    Lt(Vec<(String, Value)>),
    /// Each field is greater than its value; a null never is.
    Gt(Vec<(String, Value)>),
    /// Each field is less than or equal to its value; a null never is.
    Le(Vec<(String, Value)>),
    /// Each field is greater than or equal to its value; a null never is.
    Ge(Vec<(String, Value)>),
    /// Each field contains its string (a number, in its decimal text); a null never does.
    Substr(Vec<(String, String)>),
    /// As [`Substr`](Cond::Substr), ignoring case.
    ISubstr(Vec<(String, String)>),
    /// The field equals one of the values.
    In(String, Vec<Value>),
    /// The field is null.
    IsNull(String),
    /// Every condition holds.
    And(Vec<Cond>),
    /// At least one condition holds.
    Or(Vec<Cond>),
    /// The condition does not hold.
    Not(Box<Cond>),
    /// A user predicate holds for the decoded row.
    Custom(RowPredicate),
}

impl fmt::Debug for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Eq(p) => f.debug_tuple("Eq").field(p).finish(),
            Cond::Ne(p) => f.debug_tuple("Ne").field(p).finish(),
            Cond::Lt(p) => f.debug_tuple("Lt").field(p).finish(),
            Cond::Gt(p) => f.debug_tuple("Gt").field(p).finish(),
            Cond::Le(p) => f.debug_tuple("Le").field(p).finish(),
            Cond::Ge(p) => f.debug_tuple("Ge").field(p).finish(),
            Cond::Substr(p) => f.debug_tuple("Substr").field(p).finish(),
            Cond::ISubstr(p) => f.debug_tuple("ISubstr").field(p).finish(),
            Cond::In(field, values) => f.debug_tuple("In").field(field).field(values).finish(),
            Cond::IsNull(field) => f.debug_tuple("IsNull").field(field).finish(),
            Cond::And(c) => f.debug_tuple("And").field(c).finish(),
            Cond::Or(c) => f.debug_tuple("Or").field(c).finish(),
            Cond::Not(c) => f.debug_tuple("Not").field(c).finish(),
            Cond::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// The condition as a person would write it, for plans: `year > 1970 AND title LIKE …`.
impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs = |f: &mut fmt::Formatter<'_>, pairs: &[(String, Value)], op: &str| -> fmt::Result {
            for (i, (field, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    f.write_str(" AND ")?;
                }
                match (op, value) {
                    ("=", Value::Null) => write!(f, "{field} IS NULL")?,
                    ("<>", Value::Null) => write!(f, "{field} IS NOT NULL")?,
                    _ => write!(f, "{field} {op} {}", value.repr())?,
                }
            }
            Ok(())
        };
        let substrings =
            |f: &mut fmt::Formatter<'_>, pairs: &[(String, String)], what: &str| -> fmt::Result {
                for (i, (field, needle)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    write!(f, "{field} {what} {}", Value::Text(needle.clone()).repr())?;
                }
                Ok(())
            };
        let list = |f: &mut fmt::Formatter<'_>, conds: &[Cond], sep: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, c) in conds.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{c}")?;
            }
            f.write_str(")")
        };
        match self {
            Cond::Eq(p) => pairs(f, p, "="),
            Cond::Ne(p) if p.len() == 1 => pairs(f, p, "<>"),
            Cond::Ne(p) => {
                f.write_str("NOT (")?;
                pairs(f, p, "=")?;
                f.write_str(")")
            }
            Cond::Lt(p) => pairs(f, p, "<"),
            Cond::Gt(p) => pairs(f, p, ">"),
            Cond::Le(p) => pairs(f, p, "<="),
            Cond::Ge(p) => pairs(f, p, ">="),
            Cond::Substr(p) => substrings(f, p, "CONTAINS"),
            Cond::ISubstr(p) => substrings(f, p, "ICONTAINS"),
            Cond::In(field, values) => {
                let shown: Vec<String> = values.iter().map(Value::repr).collect();
                write!(f, "{field} IN ({})", shown.join(", "))
            }
            Cond::IsNull(field) => write!(f, "{field} IS NULL"),
            Cond::And(c) => list(f, c, " AND "),
            Cond::Or(c) => list(f, c, " OR "),
            Cond::Not(c) => write!(f, "NOT {c}"),
            Cond::Custom(_) => f.write_str("<custom>"),
        }
    }
}

impl Cond {
    /// `field = value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Eq(vec![(field.into(), value.into())])
    }
    /// `field != value`.
    pub fn ne(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Ne(vec![(field.into(), value.into())])
    }
    /// `field < value`.
    pub fn lt(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Lt(vec![(field.into(), value.into())])
    }
    /// `field > value`.
    pub fn gt(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Gt(vec![(field.into(), value.into())])
    }
    /// `field <= value`.
    pub fn le(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Le(vec![(field.into(), value.into())])
    }
    /// `field >= value`.
    pub fn ge(field: impl Into<String>, value: impl Into<Value>) -> Cond {
        Cond::Ge(vec![(field.into(), value.into())])
    }
    /// `field` contains `needle`.
    pub fn substr(field: impl Into<String>, needle: impl Into<String>) -> Cond {
        Cond::Substr(vec![(field.into(), needle.into())])
    }
    /// `field` contains `needle`, ignoring case.
    pub fn isubstr(field: impl Into<String>, needle: impl Into<String>) -> Cond {
        Cond::ISubstr(vec![(field.into(), needle.into())])
    }
    /// `field` equals one of `values`.
    pub fn is_in<V: Into<Value>>(field: impl Into<String>, values: impl IntoIterator<Item = V>) -> Cond {
        Cond::In(field.into(), values.into_iter().map(Into::into).collect())
    }
    /// `field` is null.
    pub fn is_null(field: impl Into<String>) -> Cond {
        Cond::IsNull(field.into())
    }
    /// `predicate` holds for the row (it gets the decoded row; its error aborts the search).
    pub fn custom(predicate: impl Fn(&Row) -> Result<bool> + Send + Sync + 'static) -> Cond {
        Cond::Custom(Arc::new(predicate))
    }
    /// `self AND other`; a chain of `and`s stays one flat list.
    pub fn and(self, other: Cond) -> Cond {
        match self {
            Cond::And(mut conds) => {
                conds.push(other);
                Cond::And(conds)
            }
            first => Cond::And(vec![first, other]),
        }
    }
    /// `self OR other`; a chain of `or`s stays one flat list.
    pub fn or(self, other: Cond) -> Cond {
        match self {
            Cond::Or(mut conds) => {
                conds.push(other);
                Cond::Or(conds)
            }
            first => Cond::Or(vec![first, other]),
        }
    }
}

/// How deep conditions may nest once chains of one combinator are flattened
/// (`a | b | c` is one level however long): deep enough for any condition a person
/// writes, shallow enough that compiling and evaluating it cannot exhaust the stack.
pub const MAX_COND_DEPTH: usize = 100;

/// The operands of a chain of one combinator, nested ones spliced in, in order —
/// without recursion, so a chain built one operand at a time (`c = c | x` in a loop)
/// of any length is fine.
fn flatten(conds: &[Cond], same: fn(&Cond) -> Option<&[Cond]>) -> Vec<&Cond> {
    let mut out = Vec::with_capacity(conds.len());
    let mut stack: Vec<&Cond> = conds.iter().rev().collect();
    while let Some(cond) = stack.pop() {
        match same(cond) {
            Some(inner) => stack.extend(inner.iter().rev()),
            None => out.push(cond),
        }
    }
    out
}

impl std::ops::Not for Cond {
    type Output = Cond;
    fn not(self) -> Cond {
        Cond::Not(Box::new(self))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A condition bound to a table's layout.
pub(crate) enum Predicate {
    Compare { field: usize, op: Op, value: Value },
    Substr { field: usize, needle: Vec<u8>, ignore_case: bool },
    In { field: usize, values: Vec<Value> },
    All(Vec<Predicate>),
    Any(Vec<Predicate>),
    Not(Box<Predicate>),
    Custom(RowPredicate),
}

impl fmt::Debug for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Predicate(..)")
    }
}

impl Predicate {
    /// Binds `cond` to `table`: unknown fields and uncomparable values are refused here,
    /// once, rather than per row.
    pub fn compile(cond: &Cond, table: &Table) -> Result<Predicate, ValidationError> {
        Predicate::compile_at(cond, table, 0)
    }

    fn compile_at(cond: &Cond, table: &Table, depth: usize) -> Result<Predicate, ValidationError> {
        if depth > MAX_COND_DEPTH {
            return Err(ValidationError::CondTooDeep { table: table.name().into(), limit: MAX_COND_DEPTH });
        }
        let inner = |c: &Cond| Predicate::compile_at(c, table, depth + 1);
        let pairs = |pairs: &[(String, Value)], op: Op| -> Result<Predicate, ValidationError> {
            let leaves = pairs
                .iter()
                .map(|(name, value)| {
                    let field = field_index(table, name)?;
                    if op != Op::Eq && !comparable(table, field, value) {
                        return Err(ValidationError::BadCondition {
                            table: table.name().into(),
                            field: name.clone(),
                            repr: value.repr(),
                        });
                    }
                    Ok(Predicate::Compare { field, op, value: value.clone() })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Predicate::All(leaves))
        };
        let substr = |pairs: &[(String, String)], ignore_case: bool| -> Result<Predicate, ValidationError> {
            let leaves = pairs
                .iter()
                .map(|(name, needle)| {
                    let needle = if ignore_case { needle.to_lowercase() } else { needle.clone() };
                    Ok(Predicate::Substr {
                        field: field_index(table, name)?,
                        needle: needle.into_bytes(),
                        ignore_case,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Predicate::All(leaves))
        };
        Ok(match cond {
            Cond::Eq(p) => pairs(p, Op::Eq)?,
            Cond::Ne(p) => Predicate::Not(Box::new(pairs(p, Op::Eq)?)),
            Cond::Lt(p) => pairs(p, Op::Lt)?,
            Cond::Gt(p) => pairs(p, Op::Gt)?,
            Cond::Le(p) => pairs(p, Op::Le)?,
            Cond::Ge(p) => pairs(p, Op::Ge)?,
            Cond::Substr(p) => substr(p, false)?,
            Cond::ISubstr(p) => substr(p, true)?,
            Cond::In(name, values) => {
                Predicate::In { field: field_index(table, name)?, values: values.clone() }
            }
            Cond::IsNull(name) => {
                Predicate::Compare { field: field_index(table, name)?, op: Op::Eq, value: Value::Null }
            }
            Cond::And(conds) => {
                let operands = flatten(conds, |c| if let Cond::And(v) = c { Some(v) } else { None });
                Predicate::All(operands.into_iter().map(inner).collect::<Result<_, _>>()?)
            }
            Cond::Or(conds) => {
                let operands = flatten(conds, |c| if let Cond::Or(v) = c { Some(v) } else { None });
                Predicate::Any(operands.into_iter().map(inner).collect::<Result<_, _>>()?)
            }
            Cond::Not(c) => Predicate::Not(Box::new(inner(c)?)),
            Cond::Custom(f) => Predicate::Custom(f.clone()),
        })
    }

    /// Whether the live row `row` (at `slot`) satisfies the predicate.
    pub fn eval(&self, table: &Table, io: &mut Io, slot: u64, row: &[u8]) -> Result<bool> {
        Ok(match self {
            Predicate::All(preds) => {
                for p in preds {
                    if !p.eval(table, io, slot, row)? {
                        return Ok(false);
                    }
                }
                true
            }
            Predicate::Any(preds) => {
                for p in preds {
                    if p.eval(table, io, slot, row)? {
                        return Ok(true);
                    }
                }
                false
            }
            Predicate::Not(p) => !p.eval(table, io, slot, row)?,
            Predicate::Compare { field, op, value } => {
                let field_value = FieldValue::read(table, io, slot, row, *field)?;
                compare(&field_value, *op, value)
            }
            Predicate::In { field, values } => {
                let field_value = FieldValue::read(table, io, slot, row, *field)?;
                values.iter().any(|v| compare(&field_value, Op::Eq, v))
            }
            Predicate::Substr { field, needle, ignore_case } => {
                match FieldValue::read(table, io, slot, row, *field)? {
                    FieldValue::Null => false,
                    FieldValue::Int(v) => contains(v.to_string().as_bytes(), needle, *ignore_case),
                    FieldValue::Bytes(bytes) => contains(bytes, needle, *ignore_case),
                    FieldValue::Owned(text) => contains(text.as_bytes(), needle, *ignore_case),
                }
            }
            Predicate::Custom(f) => {
                let values = table.decode_row(io, slot, row)?;
                f(&Row::new(table.columns.clone(), values))?
            }
        })
    }
}

fn field_index(table: &Table, name: &str) -> Result<usize, ValidationError> {
    table
        .schema
        .field_index(name)
        .ok_or_else(|| ValidationError::UnknownField { table: table.name().into(), field: name.into() })
}

/// Whether an ordering comparison between this field and this value makes sense.
fn comparable(table: &Table, field: usize, value: &Value) -> bool {
    let numeric = table.schema.fields[field].is_numeric();
    matches!((numeric, value), (true, Value::Int(_)) | (false, Value::Text(_)))
}

/// A field read from raw row bytes, borrowing where it can.
enum FieldValue<'r> {
    Null,
    Int(i64),
    Bytes(&'r [u8]),
    Owned(String),
}

impl<'r> FieldValue<'r> {
    fn read(table: &Table, io: &mut Io, slot: u64, row: &'r [u8], field: usize) -> Result<FieldValue<'r>> {
        let bytes = table.layout.slot(row, field);
        match table.schema.fields[field].ty {
            FieldType::Char { .. } => Ok(get_char(bytes).map_or(FieldValue::Null, FieldValue::Bytes)),
            FieldType::Text => Ok(match table.decode_field(io, slot, row, field)? {
                Value::Text(text) => FieldValue::Owned(text),
                _ => FieldValue::Null,
            }),
            _ => match get_int(bytes) {
                Ok(v) => Ok(v.map_or(FieldValue::Null, FieldValue::Int)),
                Err(_) => table.decode_field(io, slot, row, field).map(|_| FieldValue::Null),
            },
        }
    }

    fn bytes(&self) -> Option<&[u8]> {
        match self {
            FieldValue::Bytes(b) => Some(b),
            FieldValue::Owned(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
}

fn compare(field: &FieldValue, op: Op, value: &Value) -> bool {
    let ordering = match (field, value) {
        (FieldValue::Null, Value::Null) => return op == Op::Eq,
        (FieldValue::Null, _) | (_, Value::Null) => return false,
        (FieldValue::Int(a), Value::Int(b)) => a.cmp(b),
        (_, Value::Text(b)) => match field.bytes() {
            // UTF-8 byte order is code point order, which is how Python compares str.
            Some(a) => a.cmp(b.as_bytes()),
            None => return false,
        },
        _ => return false,
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Gt => ordering == Ordering::Greater,
        Op::Le => ordering != Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

/// Substring test; `needle` is already lowercased when `ignore_case`.
fn contains(haystack: &[u8], needle: &[u8], ignore_case: bool) -> bool {
    if !ignore_case {
        return memmem::find(haystack, needle).is_some();
    }
    if haystack.is_ascii() {
        let Some((&first, rest)) = needle.split_first() else { return true };
        // Candidates are where the first byte is, in either case (memchr finds them
        // many bytes at a time); the rest is compared there.
        let fits =
            |at: usize| haystack.get(at + 1..at + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(rest));
        let upper = first.to_ascii_uppercase();
        return if upper == first {
            memchr::memchr_iter(first, haystack).any(fits)
        } else {
            memchr::memchr2_iter(first, upper, haystack).any(fits)
        };
    }
    let lowered = String::from_utf8_lossy(haystack).to_lowercase();
    memmem::find(lowered.as_bytes(), needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::contains;
    use proptest::prelude::*;

    /// What `contains` must answer: the plain definition, one window at a time.
    fn naive(haystack: &[u8], needle: &[u8], ignore_case: bool) -> bool {
        if !ignore_case || !haystack.is_ascii() {
            let haystack = if ignore_case {
                String::from_utf8_lossy(haystack).to_lowercase().into_bytes()
            } else {
                haystack.to_vec()
            };
            return needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle);
        }
        needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
    }

    proptest! {
        #[test]
        fn contains_agrees_with_the_definition(haystack in "[aAbB1 éK]{0,12}", needle in "[ab1 é]{0,3}", ignore_case: bool) {
            let needle = if ignore_case { needle.to_lowercase() } else { needle };
            prop_assert_eq!(
                contains(haystack.as_bytes(), needle.as_bytes(), ignore_case),
                naive(haystack.as_bytes(), needle.as_bytes(), ignore_case)
            );
        }
    }
}
