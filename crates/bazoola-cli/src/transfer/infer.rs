//! A table's schema from its data: one pass over the input, keeping a few numbers per
//! column (how many values, the longest, whether all are integers), never the rows.
//!
//! - A column whose every value is an integer, written as the number prints (`-12`, not
//!   `007` or `+1`; in JSON, an integral number), is an `INT` — sized past the table's
//!   width when its longest value needs it.
//! - Any other column is `CHAR(n)`, `n` the longest value in bytes — or `TEXT` when that
//!   is over [`CHAR_LIMIT`] bytes, or when a value ends in blanks or starts with NUL,
//!   which a CHAR slot would not give back.
//! - A column is nullable when a record lacks a value for it (an unquoted empty CSV
//!   field, a JSON `null` or missing key). A column with no value at all is `TEXT NULL`.
//! - A column named `id` is not a field: it gives the rows their ids.
//!
//! Names are taken as they are and must be identifiers (letters, digits, `_`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bazoola::{Field, TableSchema};
use serde_json::Value as Json;

use super::error::{Place, Result, TransferError};
use super::progress::Progress;
use super::source::{Record, Source, Visitor};
use super::value::{canonical_int, convert, Cell};

/// The longest value (in bytes) a column may hold and still be a CHAR field.
pub const CHAR_LIMIT: usize = 255;

/// The widest integer text an INT field may hold (19 digits: `i64::MAX`).
const MAX_INT_SIZE: usize = 19;

/// What one pass saw of one column.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    /// Records holding a non-null value in it.
    values: u64,
    all_int: bool,
    /// The longest integer's text, and the longest value's, in bytes.
    int_len: usize,
    max_len: usize,
    /// A value that a CHAR slot would change (trailing blanks, leading NUL).
    needs_text: bool,
}

impl Column {
    fn new(name: &str) -> Column {
        Column { name: name.to_string(), values: 0, all_int: true, int_len: 0, max_len: 0, needs_text: false }
    }

    fn see_text(&mut self, text: &str, integer: bool) {
        self.values += 1;
        self.max_len = self.max_len.max(text.len());
        if integer && text.len() <= MAX_INT_SIZE {
            self.int_len = self.int_len.max(text.len());
        } else {
            self.all_int = false;
        }
        if text.trim_ascii_end().len() != text.len() || text.starts_with('\0') {
            self.needs_text = true;
        }
    }

    fn field(&self, records: u64, width: usize) -> Field {
        let field = if self.values == 0 {
            Field::text(&self.name)
        } else if self.all_int {
            if self.int_len <= width {
                Field::int(&self.name)
            } else {
                Field::int_sized(&self.name, self.int_len)
            }
        } else if self.max_len <= CHAR_LIMIT && !self.needs_text {
            Field::char(&self.name, self.max_len.max(1))
        } else {
            Field::text(&self.name)
        };
        if self.values < records {
            field.nullable()
        } else {
            field
        }
    }
}

/// Infers the schema of table `table` (of format width `width`) from `source`.
pub fn infer(source: &Source, table: &str, width: usize, progress: &Progress) -> Result<TableSchema> {
    let mut stats = Stats { path: source.path().to_path_buf(), ..Stats::default() };
    source.read(progress, &mut stats)?;
    let fields: Vec<Field> = stats.columns.iter().map(|c| c.field(stats.records, width)).collect();
    let mut schema = TableSchema::new(table);
    schema.fields.extend(fields);
    schema.width = width;
    schema.validate().map_err(|e| TransferError::from(bazoola::Error::from(e)))?;
    Ok(schema)
}

#[derive(Default)]
struct Stats {
    path: PathBuf,
    columns: Vec<Column>,
    by_name: HashMap<String, usize>,
    /// CSV: the column of each header position (`None` for `id`).
    csv_columns: Vec<Option<usize>>,
    records: u64,
}

impl Stats {
    /// The column named `name`, added if new.
    fn column(&mut self, name: &str) -> Result<usize> {
        if let Some(&k) = self.by_name.get(name) {
            return Ok(k);
        }
        check_name(&self.path, name)?;
        self.columns.push(Column::new(name));
        self.by_name.insert(name.to_string(), self.columns.len() - 1);
        Ok(self.columns.len() - 1)
    }

    /// `id` values must be integers (or empty, for an id assigned on insert).
    fn check_id(&self, place: Place, cell: Cell<'_>) -> Result<()> {
        convert(&Field::pk(), cell).map(|_| ()).map_err(|problem| TransferError::Value {
            path: self.path.clone(),
            place,
            table: String::new(),
            field: "id".into(),
            problem,
        })
    }
}

fn check_name(path: &Path, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        return Ok(());
    }
    Err(TransferError::Header {
        path: path.to_path_buf(),
        column: Some(name.to_string()),
        problem: format!(
            "column '{name}' cannot be a field name (letters, digits and '_', not starting with a digit): \
             rename it in the file, or create the table first and import into it"
        ),
    })
}

impl Visitor for Stats {
    fn header(&mut self, names: &[String]) -> Result<()> {
        for name in names {
            if self.by_name.contains_key(name) || (name == "id" && self.csv_columns.contains(&None)) {
                return Err(TransferError::Header {
                    path: self.path.clone(),
                    column: Some(name.clone()),
                    problem: format!("column '{name}' appears twice in the header"),
                });
            }
            let column = if name == "id" { None } else { Some(self.column(name)?) };
            self.csv_columns.push(column);
        }
        Ok(())
    }

    fn record(&mut self, place: Place, record: Record<'_>) -> Result<()> {
        self.records += 1;
        match record {
            Record::Csv(csv) => {
                for i in 0..self.csv_columns.len() {
                    let (text, quoted) = csv.get(i);
                    let column = self.csv_columns[i];
                    match column {
                        None => self.check_id(place, Cell::Csv { text, quoted })?,
                        Some(_) if text.is_empty() && !quoted => {}
                        Some(k) => self.columns[k].see_text(text, canonical_int(text).is_some()),
                    }
                }
            }
            Record::Json(object) => {
                for (key, value) in object {
                    if key == "id" {
                        self.check_id(place, Cell::Json(value))?;
                        continue;
                    }
                    let k = self.column(key)?;
                    match value {
                        Json::Null => {}
                        Json::Number(n) => self.columns[k].see_text(&n.to_string(), n.is_i64()),
                        Json::String(s) => self.columns[k].see_text(s, false),
                        other => self.columns[k].see_text(&other.to_string(), false),
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bazoola::FieldType;

    fn infer_text(name: &str, text: &str) -> Result<TableSchema> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        infer(&Source::open(&path, None, 0)?, "t", 9, &Progress::hidden())
    }

    fn types(schema: &TableSchema) -> Vec<(String, FieldType, bool)> {
        schema.fields.iter().skip(1).map(|f| (f.name.clone(), f.ty.clone(), f.nullable)).collect()
    }

    #[test]
    fn csv_columns_become_int_char_or_text() {
        let long = "x".repeat(CHAR_LIMIT + 1);
        let text = format!(
            "id,n,big,zip,name,note,blank,padded\n1,5,12345678901,007,Ann,short,,\"a \"\n,-3,1,01,\"Bob, Jr\",{long},,b\n"
        );
        let schema = infer_text("t.csv", &text).unwrap();
        let int = |size| FieldType::Int { size };
        assert_eq!(
            types(&schema),
            vec![
                ("n".into(), int(None), false),
                ("big".into(), int(Some(11)), false),
                ("zip".into(), FieldType::Char { size: 3 }, false),
                ("name".into(), FieldType::Char { size: 7 }, false),
                ("note".into(), FieldType::Text, false),
                ("blank".into(), FieldType::Text, true),
                ("padded".into(), FieldType::Text, false),
            ]
        );
    }

    #[test]
    fn json_keys_missing_from_some_objects_are_nullable() {
        let schema =
            infer_text("t.json", r#"[{"a": 1, "b": "x"}, {"b": "yz", "c": 2.5}, {"a": null, "c": true}]"#)
                .unwrap();
        assert_eq!(
            types(&schema),
            vec![
                ("a".into(), FieldType::Int { size: None }, true),
                ("b".into(), FieldType::Char { size: 2 }, true),
                ("c".into(), FieldType::Char { size: 4 }, true),
            ]
        );
    }

    #[test]
    fn bad_names_and_ids_are_refused() {
        let error = infer_text("t.csv", "id,first name\n1,x\n").unwrap_err();
        assert_eq!(error.field(), Some("first name"));
        let error = infer_text("t.csv", "a,a\n1,2\n").unwrap_err();
        assert!(error.to_string().contains("appears twice"), "{error}");
        let error = infer_text("t.ndjson", "{\"id\": 1}\n{\"id\": \"two\"}\n").unwrap_err();
        assert_eq!((error.place(), error.field()), (Some(Place::Line(2)), Some("id")));
    }
}
