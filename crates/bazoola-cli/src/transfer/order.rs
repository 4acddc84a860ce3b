//! The order tables are created and filled in so that every foreign key's target comes
//! first — possible unless foreign keys form a cycle (a table referring to itself, or
//! `a → b → a`). The FKs on a cycle are named, for each dialect to deal with: after the
//! data (PostgreSQL's `ALTER TABLE … ADD FOREIGN KEY`), with the checks off while
//! loading (SQLite), or by filling the field in afterwards (the bazoola dialect, for a
//! table referring to itself).

use bazoola::TableSchema;

/// Tables in FK order, and the FKs that no order satisfies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FkOrder {
    /// Positions in the schemas given, each table after those it refers to, ties (and
    /// the tables of one cycle) in the order given.
    pub tables: Vec<usize>,
    /// The FKs on a cycle, as (table position, field position), in table then field order.
    pub cyclic: Vec<(usize, usize)>,
}

impl FkOrder {
    pub fn is_cyclic(&self, table: usize, field: usize) -> bool {
        self.cyclic.contains(&(table, field))
    }

    /// The FKs on a cycle through other tables (not a table referring to itself).
    pub fn loops<'s>(&'s self, schemas: &'s [TableSchema]) -> impl Iterator<Item = (usize, usize)> + 's {
        self.cyclic.iter().copied().filter(move |&(t, f)| {
            let target = schemas[t].fields[f].reference().map(|(target, _)| target);
            target != Some(schemas[t].name.as_str())
        })
    }
}

/// Orders `schemas` (FKs to tables not among them are left out of the ordering).
pub fn fk_order(schemas: &[TableSchema]) -> FkOrder {
    let n = schemas.len();
    let position = |name: &str| schemas.iter().position(|s| s.name == name);
    // (table, field, target) for every FK whose target is among the schemas.
    let edges: Vec<(usize, usize, usize)> = schemas
        .iter()
        .enumerate()
        .flat_map(|(t, s)| s.references().map(move |(f, target, _)| (t, f, target)))
        .filter_map(|(t, f, target)| position(target).map(|u| (t, f, u)))
        .collect();
    let reaches = reachability(n, &edges);
    let cyclic: Vec<(usize, usize)> =
        edges.iter().filter(|&&(t, _, u)| t == u || reaches[u][t]).map(|&(t, f, _)| (t, f)).collect();
    let mut placed = vec![false; n];
    let mut tables = Vec::with_capacity(n);
    while tables.len() < n {
        // The first table whose targets (off cycles) are all placed; there is always one,
        // since the FKs off cycles form no cycle.
        let ready = (0..n).find(|&t| {
            !placed[t] && edges.iter().all(|&(from, f, u)| from != t || placed[u] || cyclic.contains(&(t, f)))
        });
        let t = ready.unwrap_or_else(|| (0..n).find(|&t| !placed[t]).unwrap_or(0));
        placed[t] = true;
        tables.push(t);
    }
    FkOrder { tables, cyclic }
}

/// `reaches[a][b]`: a path of FKs leads from table `a` to table `b`.
fn reachability(n: usize, edges: &[(usize, usize, usize)]) -> Vec<Vec<bool>> {
    let mut reaches = vec![vec![false; n]; n];
    for (start, row) in reaches.iter_mut().enumerate() {
        let mut stack = vec![start];
        while let Some(t) = stack.pop() {
            for &(from, _, to) in edges {
                if from == t && !row[to] {
                    row[to] = true;
                    stack.push(to);
                }
            }
        }
    }
    reaches
}

#[cfg(test)]
mod tests {
    use super::*;
    use bazoola::Field;

    fn table(name: &str, fks: &[&str]) -> TableSchema {
        fks.iter().enumerate().fold(TableSchema::new(name), |s, (i, target)| {
            s.field(Field::fk(format!("fk{i}"), *target).nullable())
        })
    }

    #[test]
    fn referenced_tables_come_first_ties_in_declaration_order() {
        let schemas = [table("books", &["authors", "shelves"]), table("shelves", &[]), table("authors", &[])];
        let order = fk_order(&schemas);
        assert_eq!(order.tables, vec![1, 2, 0]);
        assert!(order.cyclic.is_empty());
    }

    #[test]
    fn cycles_and_self_references_are_named() {
        let schemas = [
            table("emp", &["emp", "dept"]),
            table("dept", &["emp"]),
            table("site", &[]),
            table("badge", &["emp"]),
        ];
        let order = fk_order(&schemas);
        assert_eq!(order.cyclic, vec![(0, 1), (0, 2), (1, 1)]);
        assert_eq!(order.tables, vec![0, 1, 2, 3]);
        assert_eq!(order.loops(&schemas).collect::<Vec<_>>(), vec![(0, 2), (1, 1)]);
    }

    #[test]
    fn targets_outside_the_selection_do_not_count() {
        let order = fk_order(&[table("books", &["authors"])]);
        assert_eq!(order.tables, vec![0]);
    }
}
