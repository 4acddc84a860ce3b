//! Joins attach related rows to query results: [`Join::forward`] puts the row an FK
//! points at under a new key (null when the FK is null), [`Join::inverse`] puts the list
//! of rows whose FK points at this row. Joins apply in order and may carry joins of their
//! own, applied to the rows they fetched.

/// A join to apply to each row of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub kind: JoinKind,
    /// The FK field: in the result's table for a forward join, in `table` for an inverse.
    pub fk_field: String,
    /// The key the joined value is stored under.
    pub key: String,
    /// The other table.
    pub table: String,
    /// Joins applied to the joined rows.
    pub joins: Vec<Join>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// `Join`: the row `fk_field` references.
    Forward,
    /// `InverseJoin`: the rows of `table` whose `fk_field` references this row.
    Inverse,
}

impl Join {
    pub fn forward(fk_field: impl Into<String>, key: impl Into<String>, table: impl Into<String>) -> Join {
        Join {
            kind: JoinKind::Forward,
            fk_field: fk_field.into(),
            key: key.into(),
            table: table.into(),
            joins: Vec::new(),
        }
    }

    pub fn inverse(fk_field: impl Into<String>, key: impl Into<String>, table: impl Into<String>) -> Join {
        Join { kind: JoinKind::Inverse, ..Join::forward(fk_field, key, table) }
    }

    /// Adds a join applied to the rows this one fetches.
    pub fn with(mut self, join: Join) -> Join {
        self.joins.push(join);
        self
    }
}
