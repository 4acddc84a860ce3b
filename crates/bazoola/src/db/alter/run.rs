//! Making a [`Reshape`] happen: check the rows, then swap the files.
//!
//! 1. **Validate.** Each table whose fields get stricter (narrower, NOT NULL, UNIQUE) or
//!    new values (a default, which a non-null field needs and an FK must find) is read
//!    once; the first row that does not allow the change is the error, naming table,
//!    field and id. Nothing has been written.
//! 2. **Freshen** the indexes a rewritten table keeps, so that carrying them over (with
//!    a new stamp) carries over an index that describes the rows.
//! 3. **Swap**, as one [`FileChange`]: a table whose row layout changes is rewritten
//!    into a new data file a chunk at a time, every row in its slot (so its PK index,
//!    free stack and the other tables' FKs stay valid); renamed tables and fields rename
//!    their files; dropped tables and indexes go; every schema file that changes is
//!    written anew. An index that must be built (new, or of another key size) is not
//!    written here: the reopened table finds it missing and builds it.

use std::collections::HashMap;
use std::ops::ControlFlow;

use super::{Reshape, Source};
use crate::db::engine::Engine;
use crate::db::validate::check_field_value;
use crate::error::{AlterError, Error, IntegrityError, IoError, IoOp, Location, Result};
use crate::format::codec::{get_char, get_int, int_fits, put_char, put_int, put_null_char, put_null_number};
use crate::format::constants::{
    data_file, free_file, index_file, pk_index_file, schema_file, seq_file, text_file, DELETED, ROW_END,
};
use crate::format::schema::{Field, FieldType, TableSchema};
use crate::format::schema_file::{render, render_field};
use crate::index::header::STAMP_AT;
use crate::index::KeyKind;
use crate::progress::Progress;
use crate::storage::change::FileChange;
use crate::storage::txn::{Io, Txn};
use crate::storage::vfs::{FileIo, Stamp};
use crate::table::Table;
use crate::value::Value;

/// Bytes of new rows gathered before each write of a rewrite.
const WRITE_CHUNK: usize = 1 << 20;

/// Makes `reshape` happen to the tables of `e`. The caller holds the exclusive lock,
/// has rolled back any hot journal, and has no transaction open.
pub fn run(e: &Engine, reshape: &Reshape) -> Result<()> {
    for (k, table) in reshape.tables.iter().enumerate() {
        if let Some(from) = table.from {
            validate(e, from, &reshape.new[k], &table.fields)?;
        }
    }
    freshen_kept_indexes(e, reshape)?;
    let mut change = FileChange::new(&e.pager);
    for (o, old) in e.tables.iter().enumerate() {
        if !reshape.tables.iter().any(|t| t.from == Some(o)) {
            for name in table_files(&old.schema) {
                if change.exists(&name)? {
                    change.remove(&name);
                }
            }
        }
    }
    for (k, table) in reshape.tables.iter().enumerate() {
        let new = &reshape.new[k];
        match table.from {
            None => create_table(&mut change, new)?,
            Some(o) => reshape_table(e, &mut change, o, new, &table.fields)?,
        }
    }
    change.commit()
}

/// Every file of a table that may exist.
fn table_files(schema: &TableSchema) -> Vec<String> {
    let t = &schema.name;
    let mut names =
        vec![data_file(t), pk_index_file(t), free_file(t), seq_file(t), text_file(t), schema_file(t)];
    names.extend(schema.fields.iter().filter(|f| f.index().is_some()).map(|f| index_file(t, &f.name)));
    names
}

fn create_table(change: &mut FileChange, schema: &TableSchema) -> Result<()> {
    for name in table_files(schema) {
        if change.exists(&name)? {
            let path = change_path(change, &name);
            return Err(AlterError::FileInTheWay { table: schema.name.clone(), path }.into());
        }
    }
    let t = &schema.name;
    for name in [data_file(t), pk_index_file(t), free_file(t)] {
        change.create(&name)?;
    }
    if schema.has_text() {
        change.create(&text_file(t))?;
    }
    write_file(change.create(&seq_file(t))?.as_ref(), &seq_file(t), b"0")?;
    write_file(change.create(&schema_file(t))?.as_ref(), &schema_file(t), render(schema).as_bytes())
}

fn change_path(change: &FileChange, name: &str) -> std::path::PathBuf {
    change.dir().join(name)
}

fn write_file(file: &dyn FileIo, name: &str, bytes: &[u8]) -> Result<()> {
    file.write_all_at(bytes, 0).map_err(|source| {
        Error::Io(IoError { path: std::path::PathBuf::from(name), op: IoOp::Write, source })
    })
}

/// Whether new field `new` can keep old field `old`'s index file as it is.
fn keeps_index(old: &Field, new: &Field) -> bool {
    old.index().is_some() && old.index() == new.index() && KeyKind::of(&old.ty) == KeyKind::of(&new.ty)
}

/// Whether the rows of `old` must be rewritten to hold `new`'s fields.
fn needs_rewrite(old: &TableSchema, new: &TableSchema, fields: &[Source]) -> bool {
    fields.len() != old.fields.len()
        || fields.iter().enumerate().any(|(i, source)| match source {
            Source::Old(j) => *j != i || old.fields[*j].width(old.width) != new.fields[i].width(new.width),
            Source::Value(_) => true,
        })
}

fn reshape_table(
    e: &Engine,
    change: &mut FileChange,
    o: usize,
    new: &TableSchema,
    fields: &[Source],
) -> Result<()> {
    let table = &e.tables[o];
    let old = &table.schema;
    let renamed = old.name != new.name;
    if renamed {
        for name in table_files(new) {
            if change.exists(&name)? {
                let path = change_path(change, &name);
                return Err(AlterError::FileInTheWay { table: new.name.clone(), path }.into());
            }
        }
    }
    let (from, to) = (&old.name, &new.name);
    // The data file: rewritten, renamed, or left.
    let mut stamp = None;
    if needs_rewrite(old, new, fields) {
        let file = change.replace(&data_file(to))?;
        rewrite(e, change, o, new, fields, file.as_ref())?;
        let stat = file.stat().map_err(|source| {
            Error::Io(IoError { path: change_path(change, &data_file(to)), op: IoOp::Read, source })
        })?;
        stamp = Some(Stamp::of(&stat));
        if renamed {
            change.remove(&data_file(from));
        }
    } else if renamed {
        change.rename(&data_file(from), &data_file(to));
    }
    if renamed {
        for name in [pk_index_file, free_file, seq_file, text_file] {
            if change.exists(&name(from))? {
                change.rename(&name(from), &name(to));
            }
        }
    } else if old.has_text() && !new.has_text() && change.exists(&text_file(from))? {
        change.remove(&text_file(from));
    }
    // Indexes: kept (renamed with their table or field, stamped anew after a rewrite),
    // or gone; new ones are built when the table opens again.
    let mut kept = Vec::new();
    for (i, field) in new.fields.iter().enumerate() {
        let Source::Old(j) = fields[i] else { continue };
        if field.index().is_none() || !keeps_index(&old.fields[j], field) {
            continue;
        }
        let (before, after) = (index_file(from, &old.fields[j].name), index_file(to, &field.name));
        if before != after {
            change.rename(&before, &after);
        }
        if let Some(stamp) = &stamp {
            change.patch(&after, STAMP_AT, &stamp.encode());
        }
        kept.push(j);
    }
    for (j, field) in old.fields.iter().enumerate() {
        let name = index_file(from, &field.name);
        if field.index().is_some() && !kept.contains(&j) && change.exists(&name)? {
            change.remove(&name);
        }
    }
    if renamed || render(old) != render(new) {
        let content = render(new);
        write_file(change.replace(&schema_file(to))?.as_ref(), &schema_file(to), content.as_bytes())?;
        if renamed {
            change.remove(&schema_file(from));
        }
    }
    Ok(())
}

/// Writes the rows of table `o` in `new`'s layout into `out`, each in its slot; new TEXT
/// values go to the end of the table's text heap.
fn rewrite(
    e: &Engine,
    change: &mut FileChange,
    o: usize,
    new: &TableSchema,
    fields: &[Source],
    out: &dyn FileIo,
) -> Result<()> {
    let table = &e.tables[o];
    let mut io = Io::reader(&e.pager);
    let layout = new.layout();
    let size = layout.row_size;
    let slots = table.slot_count(&mut io)?;
    let progress = Progress::start(e.progress, &format!("rewriting {}", table.name()), slots);
    // New TEXT values: one record each, appended to the heap.
    let text_defaults: Vec<(usize, &str)> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match (s, &new.fields[i].ty) {
            (Source::Value(Value::Text(text)), FieldType::Text) => Some((i, text.as_str())),
            _ => None,
        })
        .collect();
    let mut heap: Option<(Box<dyn FileIo>, u64)> = None;
    if !text_defaults.is_empty() {
        let name = text_file(&new.name);
        heap = Some(if change.exists(&name)? { change.append(&name)? } else { (change.create(&name)?, 0) });
    }
    let mut heap_buf: Vec<u8> = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(WRITE_CHUNK + size);
    let mut written = 0u64;
    let mut row = vec![0u8; size];
    let mut chunks = table.chunks(&mut io)?;
    let out_path = change_path(change, &data_file(&new.name));
    let io_error = |path: std::path::PathBuf, op| move |source| Error::Io(IoError { path, op, source });
    while let Some((first, bytes)) = chunks.next(table, &io)? {
        for (n, old_row) in bytes.chunks_exact(table.layout.row_size).enumerate() {
            let slot = first + n as u64;
            if Table::is_deleted(old_row) {
                row.fill(DELETED);
            } else {
                table.check_row_shape(&io, slot, old_row)?;
                for (i, source) in fields.iter().enumerate() {
                    let to = layout.slot_mut(&mut row, i);
                    match source {
                        Source::Old(j) => convert(table, &io, slot, old_row, *j, &new.fields[i], to)?,
                        Source::Value(Value::Text(text)) if new.fields[i].ty == FieldType::Text => {
                            let Some((_, heap_len)) = heap.as_mut() else { continue };
                            let offset = *heap_len + heap_buf.len() as u64;
                            let record = text_record(table, &io, text, offset)?;
                            heap_buf.extend_from_slice(&record);
                            // `to` holds a number: the record's offset.
                            let _fits = put_int(to, offset as i64);
                        }
                        Source::Value(value) => encode(&new.fields[i], value, to),
                    }
                }
            }
            row[size - 1] = ROW_END;
            buf.extend_from_slice(&row);
        }
        progress.advance((bytes.len() / table.layout.row_size) as u64);
        if buf.len() >= WRITE_CHUNK {
            out.write_all_at(&buf, written).map_err(io_error(out_path.clone(), IoOp::Write))?;
            written += buf.len() as u64;
            buf.clear();
        }
        if let Some((file, heap_len)) = heap.as_mut() {
            if heap_buf.len() >= WRITE_CHUNK {
                let path = change_path(change, &text_file(&new.name));
                file.write_all_at(&heap_buf, *heap_len).map_err(io_error(path, IoOp::Write))?;
                *heap_len += heap_buf.len() as u64;
                heap_buf.clear();
            }
        }
    }
    debug_assert_eq!(written / size as u64 + (buf.len() / size) as u64, slots);
    out.write_all_at(&buf, written).map_err(io_error(out_path, IoOp::Write))?;
    if let Some((file, heap_len)) = heap.as_mut() {
        let path = change_path(change, &text_file(&new.name));
        file.write_all_at(&heap_buf, *heap_len).map_err(io_error(path, IoOp::Write))?;
    }
    Ok(())
}

/// A text-heap record of `text` to sit at `offset`.
fn text_record(table: &Table, io: &Io, text: &str, offset: u64) -> Result<Vec<u8>> {
    let width = table.width();
    if !int_fits(i64::try_from(offset).unwrap_or(i64::MAX), width) {
        return Err(table.full(io, table.data_file(), format!("text offset {offset}")));
    }
    let mut record = vec![0u8; width + text.len()];
    put_int(&mut record[..width], text.len() as i64)
        .map_err(|_| table.full(io, table.data_file(), format!("a text of {} bytes", text.len())))?;
    record[width..].copy_from_slice(text.as_bytes());
    Ok(record)
}

/// Field `j` of an old row, in the slot of `new` (same type, perhaps another size; the
/// value was checked to fit).
fn convert(
    table: &Table,
    io: &Io,
    slot: u64,
    row: &[u8],
    j: usize,
    new: &Field,
    to: &mut [u8],
) -> Result<()> {
    let from = table.layout.slot(row, j);
    if from.len() == to.len() {
        to.copy_from_slice(from);
        return Ok(());
    }
    let bad = |detail: String| table.corrupt(io, table.data_file(), Location::Slot(slot), detail);
    match new.ty {
        FieldType::Char { .. } => match get_char(from) {
            None => put_null_char(to),
            Some(bytes) if bytes.len() <= to.len() => put_char(to, bytes),
            Some(_) => return Err(bad(format!("field '{}' does not fit its new size", new.name))),
        },
        _ => match get_int(from) {
            Ok(None) => put_null_number(to),
            Ok(Some(v)) => {
                put_int(to, v).map_err(|_| bad(format!("field '{}' does not fit its new size", new.name)))?
            }
            Err(_) => return Err(bad(format!("field '{}' is not a number", table.schema.fields[j].name))),
        },
    }
    Ok(())
}

/// A new field's value (checked to fit) in its slot; TEXT values are handled apart.
fn encode(field: &Field, value: &Value, to: &mut [u8]) {
    match (&field.ty, value) {
        (FieldType::Char { .. }, Value::Text(text)) => put_char(to, text.as_bytes()),
        (FieldType::Char { .. }, _) => put_null_char(to),
        (_, Value::Int(v)) => {
            if put_int(to, *v).is_err() {
                put_null_number(to);
            }
        }
        _ => put_null_number(to),
    }
}

/// Reads table `o` once if its new fields need checking against its rows.
fn validate(e: &Engine, o: usize, new: &TableSchema, fields: &[Source]) -> Result<()> {
    let table = &e.tables[o];
    let old = &table.schema;
    struct Check {
        field: usize,
        from: usize,
        not_null: bool,
        fit: bool,
        unique: Option<HashMap<Vec<u8>, i64>>,
    }
    let mut checks = Vec::new();
    let mut io = Io::reader(&e.pager);
    for (i, source) in fields.iter().enumerate() {
        let field = &new.fields[i];
        match source {
            Source::Old(j) => {
                let before = &old.fields[*j];
                let not_null = before.nullable && !field.nullable;
                let fit = field.width(new.width) < before.width(old.width);
                let unique =
                    field.index().is_some_and(|s| s.unique) && !before.index().is_some_and(|s| s.unique);
                if not_null || fit || unique {
                    checks.push(Check {
                        field: i,
                        from: *j,
                        not_null,
                        fit,
                        unique: unique.then(HashMap::new),
                    });
                }
            }
            Source::Value(value) => check_new_value(e, &mut io, o, new, i, value)?,
        }
    }
    if checks.is_empty() {
        return Ok(());
    }
    let progress =
        Progress::start(e.progress, &format!("checking {}", table.name()), table.slot_count(&mut io)?);
    let mut failure = None;
    e.scan_raw(&mut io, o, &mut |io, slot, row| {
        progress.advance(1);
        table.check_row_shape(io, slot, row)?;
        let id = get_int(table.layout.slot(row, 0)).ok().flatten().unwrap_or(0);
        for check in checks.iter_mut() {
            let field = &new.fields[check.field];
            let value = table.decode_field(io, slot, row, check.from)?;
            let alter = |problem: AlterError| Some(Error::Alter(problem));
            if check.not_null && value.is_null() {
                failure =
                    alter(AlterError::HoldsNull { table: old.name.clone(), field: field.name.clone(), id });
            } else if check.fit && check_field_value(&new.name, field, new.width, &value).is_err() {
                failure = alter(AlterError::DoesNotFit {
                    table: old.name.clone(),
                    field: field.name.clone(),
                    to: render_field(field, new.width),
                    id,
                    value,
                });
            } else if let (Some(seen), false) = (check.unique.as_mut(), value.is_null()) {
                let key = KeyKind::of(&field.ty).and_then(|kind| kind.encode(&value)).unwrap_or_default();
                if let Some(&first) = seen.get(&key) {
                    failure = alter(AlterError::Duplicate {
                        table: old.name.clone(),
                        field: field.name.clone(),
                        value,
                        first,
                        id,
                    });
                } else {
                    seen.insert(key, id);
                }
            }
            if failure.is_some() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    failure.map_or(Ok(()), Err)
}

/// Checks the value a new field gives every row of table `o`: a field that is not
/// nullable needs one if there are rows, a unique one cannot give two rows the same
/// value, and an FK's must name a row of its target.
fn check_new_value(
    e: &Engine,
    io: &mut Io,
    o: usize,
    new: &TableSchema,
    i: usize,
    value: &Value,
) -> Result<()> {
    let field = &new.fields[i];
    let table = &e.tables[o];
    let mut live = Vec::new();
    e.scan_raw(io, o, &mut |_, _, row| {
        live.push(get_int(table.layout.slot(row, 0)).ok().flatten().unwrap_or(0));
        Ok(if live.len() >= 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    })?;
    if value.is_null() {
        if let (false, Some(&id)) = (field.nullable, live.first()) {
            return Err(
                AlterError::NeedsDefault { table: new.name.clone(), field: field.name.clone(), id }.into()
            );
        }
        return Ok(());
    }
    if let (true, [first, id, ..]) = (field.index().is_some_and(|s| s.unique), live.as_slice()) {
        return Err(AlterError::Duplicate {
            table: new.name.clone(),
            field: field.name.clone(),
            value: value.clone(),
            first: *first,
            id: *id,
        }
        .into());
    }
    if let (Some((target, _)), Value::Int(id)) = (field.reference(), value) {
        // The target by its name before the change (an FK added now names a table
        // that exists; if it is this table, a row of this table).
        let t = e.table(target)?;
        if e.lookup(io, t, *id)?.is_none() {
            return Err(IntegrityError::MissingTarget {
                table: new.name.clone(),
                field: field.name.clone(),
                target: target.to_string(),
                id: *id,
            }
            .into());
        }
    }
    Ok(())
}

/// Makes sure the indexes a rewritten table keeps are fresh before their stamps are
/// carried over to the new data file (one transaction; usually nothing to do).
fn freshen_kept_indexes(e: &Engine, reshape: &Reshape) -> Result<()> {
    let mut txn = Txn::default();
    let outcome = (|| {
        let mut io = Io::writer(&e.pager, &mut txn);
        for (k, table) in reshape.tables.iter().enumerate() {
            let Some(o) = table.from else { continue };
            let old = &e.tables[o];
            if !needs_rewrite(&old.schema, &reshape.new[k], &table.fields) {
                continue;
            }
            for index in &old.indexes {
                e.fresh_index(&mut io, o, index)?;
            }
        }
        Ok(())
    })();
    match outcome {
        Ok(()) => e.pager.commit(txn),
        Err(err) => {
            e.pager.discard(txn)?;
            Err(err)
        }
    }
}
