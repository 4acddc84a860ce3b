//! Changing rows: insert, update, delete (with the FK delete rules) and truncate.
//!
//! Each operation first decides everything that could refuse it — values, ids, foreign
//! keys, RESTRICT rules — and only then writes, so a refused operation writes nothing.
//! (It runs in a transaction anyway; this keeps a refused operation inside a bigger
//! transaction from spoiling it.)

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use super::engine::Engine;
use super::indexes::Change;
use super::validate::{check_value, merge, new_row};
use crate::error::{Error, IntegrityError, Result, ValidationError};
use crate::format::codec::int_fits;
use crate::format::schema::{FieldType, OnDelete};
use crate::storage::txn::Io;
use crate::value::{Row, Value};

/// The most a single insert may grow the PK index by: an id about 7.4 million past the
/// last one at width 9. Ids that grow one at a time never come near it; a jump (an
/// explicit id, a hand-edited sequence) that would write more `#` than this is refused.
pub const MAX_INDEX_GAP: u64 = 64 << 20;

impl Engine {
    pub fn insert<K: AsRef<str>>(&self, io: &mut Io, t: usize, pairs: &[(K, Value)]) -> Result<Row> {
        let table = &self.tables[t];
        let given = pairs.iter().map(|(name, value)| (name.as_ref(), value.clone()));
        let mut values = new_row(table, given)?;
        let auto_id = values[0].is_null();
        if !auto_id {
            self.check_new_id(io, t, &values[0])?;
        }
        for (i, value) in values.iter().enumerate().skip(1) {
            check_value(table, i, value)?;
        }
        self.check_references(io, t, &values, None)?;
        if auto_id {
            let mut id = table.seq(io)? + 1;
            while table.slot_of(io, id)?.is_some() {
                id += 1;
            }
            check_value(table, 0, &Value::Int(id))?;
            values[0] = Value::Int(id);
        }
        let id = values[0].as_int().unwrap_or_default();
        let gap = table.index_gap(io, id)?;
        if gap > MAX_INDEX_GAP {
            let table = table.name().into();
            return Err(ValidationError::IdTooFar { table, id, gap, limit: MAX_INDEX_GAP }.into());
        }
        self.check_unique(io, t, &values, None, None)?;
        if auto_id {
            table.set_seq(io, id)?;
        }
        let slot = match table.pop_free(io)? {
            Some(slot) => slot,
            None => table.slot_count(io)?,
        };
        let row = table.encode_row(io, &values, None)?;
        self.apply_change(io, t, Change::Insert { slot, new: &row })?;
        Ok(Row::new(table.columns.clone(), as_stored(table, values)))
    }

    fn check_new_id(&self, io: &mut Io, t: usize, id: &Value) -> Result<()> {
        let table = &self.tables[t];
        let Value::Int(id) = *id else {
            return Err(ValidationError::NotAnInt {
                table: table.name().into(),
                field: "id".into(),
                repr: id.repr(),
            }
            .into());
        };
        if id <= 0 {
            return Err(ValidationError::NonPositiveId { table: table.name().into(), id }.into());
        }
        if !int_fits(id, table.width()) {
            let (table, field, value) = (table.name().into(), "id".into(), Value::Int(id));
            return Err(ValidationError::TooBig { table, field, value }.into());
        }
        if self.lookup(io, t, id)?.is_some() {
            return Err(ValidationError::DuplicateId { table: table.name().into(), id }.into());
        }
        Ok(())
    }

    /// Every non-null FK in `values` (only the `given` ones, if set) must name a live row.
    fn check_references(
        &self,
        io: &mut Io,
        t: usize,
        values: &[Value],
        given: Option<&[bool]>,
    ) -> Result<()> {
        let table = &self.tables[t];
        for (field, target, _) in table.schema.references() {
            if given.is_some_and(|g| !g[field]) {
                continue;
            }
            if let Value::Int(id) = values[field] {
                let target_index = self.table(target)?;
                if !self.target_live(io, t, target_index, id)? {
                    return Err(IntegrityError::MissingTarget {
                        table: table.name().into(),
                        field: table.schema.fields[field].name.clone(),
                        target: target.into(),
                        id,
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    pub fn update<K: AsRef<str>>(&self, io: &mut Io, t: usize, id: i64, pairs: &[(K, Value)]) -> Result<Row> {
        let table = &self.tables[t];
        let not_found = || Error::NotFound { table: table.name().into(), id };
        let (slot, old_row) = self.lookup(io, t, id)?.ok_or_else(not_found)?;
        let old_values = table.decode_row(io, slot, &old_row)?;
        let (values, given) = merge(
            table,
            old_values.clone(),
            pairs.iter().map(|(name, value)| (name.as_ref(), value.clone())),
        )?;
        if values[0] != Value::Int(id) {
            let new_id = values[0].as_int().unwrap_or_default();
            return Err(ValidationError::IdChanged { table: table.name().into(), id, new_id }.into());
        }
        for i in 1..values.len() {
            if given[i] {
                check_value(table, i, &values[i])?;
            }
        }
        self.check_references(io, t, &values, Some(&given))?;
        self.check_unique(io, t, &values, Some(slot), Some(&given))?;
        let row = table.encode_row(io, &values, Some((&old_row, &old_values)))?;
        self.apply_change(io, t, Change::Update { slot, old: &old_row, new: &row })?;
        Ok(Row::new(table.columns.clone(), as_stored(table, values)))
    }

    pub fn delete(&self, io: &mut Io, t: usize, id: i64) -> Result<()> {
        // Looks the row up (NotFound when it is not there) and follows the FK rules.
        let plan = self.plan_delete(io, t, id)?;
        for (&(rt, slot), fields) in &plan.set_null {
            let referring = &self.tables[rt];
            let mut row = vec![0u8; referring.layout.row_size];
            referring.read_row(io, slot, &mut row)?;
            let old_values = referring.decode_row(io, slot, &row)?;
            let mut values = old_values.clone();
            for &field in fields {
                values[field] = Value::Null;
            }
            let new_row = referring.encode_row(io, &values, Some((&row, &old_values)))?;
            self.apply_change(io, rt, Change::Update { slot, old: &row, new: &new_row })?;
        }
        for (&(dt, _), &slot) in &plan.delete {
            let doomed = &self.tables[dt];
            let mut row = vec![0u8; doomed.layout.row_size];
            doomed.read_row(io, slot, &mut row)?;
            doomed.free_row_texts(io, &row)?;
            self.apply_change(io, dt, Change::Delete { slot, old: &row })?;
        }
        Ok(())
    }

    /// Follows the FK rules from the row being deleted: which rows go (CASCADE), which
    /// fields become null (SET NULL), and whether a RESTRICT forbids it all. Referring
    /// rows are found through the FK's index (one lookup per deleted id), or, for an FK
    /// declared `NOINDEX`, in one scan per referring table and level.
    fn plan_delete(&self, io: &mut Io, t: usize, id: i64) -> Result<DeletePlan> {
        let mut plan = DeletePlan::default();
        let (slot, _) = self
            .lookup(io, t, id)?
            .ok_or_else(|| Error::NotFound { table: self.tables[t].name().into(), id })?;
        plan.delete.insert((t, id), slot);
        let mut level: Vec<(usize, Vec<i64>)> = vec![(t, vec![id])];
        let mut restricted: Vec<(usize, i64, usize, usize)> = Vec::new();
        while let Some((target, ids)) = level.pop() {
            for &(rt, field, rule) in &self.referrers[target] {
                if rule == OnDelete::NoAction {
                    continue;
                }
                let referring = &self.tables[rt];
                let mut cascaded = Vec::new();
                self.rows_holding(io, rt, field, &ids, &mut |io, slot, row| {
                    let row_id = referring.decode_field(io, slot, row, 0)?.as_int().unwrap_or_default();
                    match rule {
                        OnDelete::Restrict => restricted.push((rt, row_id, target, field)),
                        OnDelete::Cascade => {
                            if plan.delete.insert((rt, row_id), slot).is_none() {
                                cascaded.push(row_id);
                            }
                        }
                        OnDelete::SetNull => plan.set_null.entry((rt, slot)).or_default().push(field),
                        OnDelete::NoAction => {}
                    }
                    Ok(ControlFlow::Continue(()))
                })?;
                if !cascaded.is_empty() {
                    // Distinct already: each row goes into the plan once.
                    cascaded.sort_unstable();
                    level.push((rt, cascaded));
                }
            }
        }
        // A referring row that is itself being deleted does not restrict.
        if let Some(&(rt, _, target, field)) =
            restricted.iter().find(|(rt, row_id, _, _)| !plan.delete.contains_key(&(*rt, *row_id)))
        {
            return Err(IntegrityError::DeleteRestricted {
                table: self.tables[target].name().into(),
                id,
                referrer: self.tables[rt].name().into(),
                field: self.tables[rt].schema.fields[field].name.clone(),
            }
            .into());
        }
        // Rows that are deleted need no nulling.
        let deleted_slots: BTreeSet<(usize, u64)> =
            plan.delete.iter().map(|(&(t, _), &slot)| (t, slot)).collect();
        plan.set_null.retain(|key, _| !deleted_slots.contains(key));
        Ok(plan)
    }

    pub fn truncate(&self, io: &mut Io, t: usize, cascade: bool) -> Result<()> {
        let mut order = Vec::new();
        self.plan_truncate(io, t, cascade, &mut order, &mut Vec::new())?;
        for t in order {
            self.tables[t].truncate(io)?;
            self.clear_indexes(io, t)?;
            self.forget_targets(io, t);
        }
        Ok(())
    }

    /// Lists the tables to empty, dependents first; without `cascade`, a dependent table
    /// holding any non-null reference refuses the truncate (as the original did).
    /// `visiting` holds the tables on the current path, so a cycle of foreign keys
    /// (`a` refers to `b`, `b` to `a`) ends instead of recursing forever.
    fn plan_truncate(
        &self,
        io: &mut Io,
        t: usize,
        cascade: bool,
        order: &mut Vec<usize>,
        visiting: &mut Vec<usize>,
    ) -> Result<()> {
        if order.contains(&t) || visiting.contains(&t) {
            return Ok(());
        }
        visiting.push(t);
        for &(rt, field, _) in &self.referrers[t] {
            if rt == t {
                continue;
            }
            if cascade {
                self.plan_truncate(io, rt, true, order, visiting)?;
                continue;
            }
            let referring = &self.tables[rt];
            let mut found = false;
            self.scan_raw(io, rt, &mut |io, slot, row| {
                found = !referring.decode_field(io, slot, row, field)?.is_null();
                Ok(if found { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
            })?;
            if found {
                return Err(IntegrityError::TruncateRestricted {
                    table: self.tables[t].name().into(),
                    referrer: referring.name().into(),
                }
                .into());
            }
        }
        visiting.pop();
        order.push(t);
        Ok(())
    }
}

/// The values as a read will return them: CHAR slots do not keep trailing whitespace.
fn as_stored(table: &crate::table::Table, mut values: Vec<Value>) -> Vec<Value> {
    for (field, value) in table.schema.fields.iter().zip(values.iter_mut()) {
        if let (FieldType::Char { .. }, Value::Text(text)) = (&field.ty, &mut *value) {
            let kept = text.trim_end_matches(|c: char| c.is_ascii_whitespace()).len();
            text.truncate(kept);
        }
    }
    values
}

#[derive(Default)]
struct DeletePlan {
    /// (table, id) → slot of every row to delete.
    delete: BTreeMap<(usize, i64), u64>,
    /// (table, slot) → FK fields to set to null.
    set_null: BTreeMap<(usize, u64), Vec<usize>>,
}
