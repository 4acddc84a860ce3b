//! Joins attach related rows to query results: [`Join::forward`] puts the row an FK
//! points at under a new key (null when the FK is null), [`Join::inverse`] puts the list
//! of rows whose FK points at this row, and [`Join::count`] puts only how many there are
//! (through the FK's index, without reading them). Joins apply in order and may carry
//! joins of their own, applied to the rows they fetched.

use super::cond::Cond;

/// A join to apply to each row of a result.
#[derive(Debug, Clone)]
pub struct Join {
    /// What the join attaches.
    pub kind: JoinKind,
    /// The FK field: in the result's table for a forward join, in `table` for an inverse.
    pub fk_field: String,
    /// The key the joined value is stored under.
    pub key: String,
    /// The other table.
    pub table: String,
    /// Joins applied to the joined rows.
    pub joins: Vec<Join>,
    /// A count's condition on the rows it counts (the intermediate rows, with `through`).
    pub cond: Option<Cond>,
    /// A count across two FK hops: the count of `through` (whose rows refer to `table`'s),
    /// summed over the rows of `table` that refer to this one.
    pub through: Option<Box<Join>>,
}

/// Joins compare by what they do (conditions by how they read).
impl PartialEq for Join {
    fn eq(&self, other: &Join) -> bool {
        (self.kind, &self.fk_field, &self.key, &self.table, &self.joins, &self.through)
            == (other.kind, &other.fk_field, &other.key, &other.table, &other.joins, &other.through)
            && self.cond.as_ref().map(ToString::to_string) == other.cond.as_ref().map(ToString::to_string)
    }
}

impl Eq for Join {}

/// What a [`Join`] attaches to each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `Join`: the row `fk_field` references.
    Forward,
    /// `InverseJoin`: the rows of `table` whose `fk_field` references this row.
    Inverse,
    /// `InverseCount`: how many rows of `table` have `fk_field` referencing this row.
    Count,
}

impl Join {
    /// The row of `table` that the row's `fk_field` points at, under `key` (null when the FK
    /// is null).
    pub fn forward(fk_field: impl Into<String>, key: impl Into<String>, table: impl Into<String>) -> Join {
        Join {
            kind: JoinKind::Forward,
            fk_field: fk_field.into(),
            key: key.into(),
            table: table.into(),
            joins: Vec::new(),
            cond: None,
            through: None,
        }
    }

    /// The list of rows of `table` whose `fk_field` points at the row, under `key`.
    pub fn inverse(fk_field: impl Into<String>, key: impl Into<String>, table: impl Into<String>) -> Join {
        Join { kind: JoinKind::Inverse, ..Join::forward(fk_field, key, table) }
    }

    /// The number of rows of `table` whose `fk_field` references the row, under `key`,
    /// counted through the FK's index without reading them (SPEC §8).
    pub fn count(fk_field: impl Into<String>, key: impl Into<String>, table: impl Into<String>) -> Join {
        Join { kind: JoinKind::Count, ..Join::forward(fk_field, key, table) }
    }

    /// Counts only the rows satisfying `cond` (with [`Join::through`]: the intermediate
    /// rows counted across).
    pub fn filter(mut self, cond: Cond) -> Join {
        self.cond = Some(cond);
        self
    }

    /// Counts across a second FK hop: `inner` counts rows referring to this join's
    /// table, and its counts are summed over the rows referring to the parent.
    /// `Join::count("store_id", "employees", "departments").through(Join::count(
    /// "department_id", "n", "employees"))` counts a store's employees.
    pub fn through(mut self, inner: Join) -> Join {
        self.through = Some(Box::new(inner));
        self
    }

    /// Adds a join applied to the rows this one fetches.
    pub fn with(mut self, join: Join) -> Join {
        self.joins.push(join);
        self
    }
}
