//! The schema model: a table is an ordered list of typed fields, the first being the
//! primary key `id`. A schema knows its row layout (the byte offset and width of every
//! field), because a row is nothing but its fields' slots side by side.

use super::constants::{LEGACY_WIDTH, SPEC_WIDTH};
use crate::error::SchemaError;

/// What happens to referring rows when a referenced row is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum OnDelete {
    /// The delete fails, naming the referring table.
    #[default]
    Restrict,
    /// Referring rows are deleted too, recursively.
    Cascade,
    /// Referring fields become null (nullable FKs only).
    SetNull,
    /// Nothing is checked: the original package's behaviour.
    NoAction,
}

impl OnDelete {
    /// The rule as a schema file writes it: `RESTRICT`, `CASCADE`, `SET NULL` or `NO ACTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            OnDelete::Restrict => "RESTRICT",
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
            OnDelete::NoAction => "NO ACTION",
        }
    }

    /// Reads a rule written as [`as_str`](Self::as_str) does, in any case and with `_` for a
    /// space; `None` if it is none of them.
    pub fn parse(text: &str) -> Option<OnDelete> {
        match text.trim().to_ascii_uppercase().replace('_', " ").as_str() {
            "RESTRICT" => Some(OnDelete::Restrict),
            "CASCADE" => Some(OnDelete::Cascade),
            "SET NULL" => Some(OnDelete::SetNull),
            "NO ACTION" => Some(OnDelete::NoAction),
            _ => None,
        }
    }
}

/// The type of a field. Integer-like slots without an explicit size (`Pk`, `Fk`, `Text`
/// offsets, and `Int` declared without one) take the table's format width.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// The primary key `id`: a positive integer, unique, as wide as the format.
    Pk,
    /// A signed integer.
    Int {
        /// The most bytes its decimal text (sign included) may take; `None` for the table's format width.
        size: Option<usize>,
    },
    /// A string stored in the row, in a fixed-size slot.
    Char {
        /// The most UTF-8 bytes it holds.
        size: usize,
    },
    /// A string of any length, stored in the table's text heap; the row holds its offset.
    Text,
    /// A foreign key: the id of a row of another table.
    Fk {
        /// The table it refers to.
        table: String,
        /// What happens to the row when the row it refers to is deleted.
        on_delete: OnDelete,
    },
}

/// Whether a field has a secondary index, as declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Indexing {
    /// An index for FK fields (joins and delete rules go through it), none for others.
    #[default]
    Default,
    /// No index, even for an FK field.
    Off,
    /// A plain index: lookups, range scans and ordering.
    Index,
    /// An index that refuses two rows holding the same non-null value.
    Unique,
}

/// The longest CHAR field that can be indexed: its keys sit in fixed-size index pages.
pub const MAX_INDEXED_CHAR: usize = 250;
/// The longest CHAR field (longer strings belong in TEXT), and the longest row: every
/// read of a row holds it whole in memory.
pub const MAX_CHAR: usize = 65_535;
pub const MAX_ROW: usize = 1 << 20;

/// One field: a name, a type, whether it may be null, and its index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field's name, unique in its table.
    pub name: String,
    /// Its type.
    pub ty: FieldType,
    /// Whether it may hold null.
    pub nullable: bool,
    /// Whether it has a secondary index.
    pub indexing: Indexing,
}

impl Field {
    /// A field of type `ty`, not nullable, with the default indexing.
    pub fn new(name: impl Into<String>, ty: FieldType) -> Field {
        Field { name: name.into(), ty, nullable: false, indexing: Indexing::Default }
    }
    /// The primary key, always named `id`.
    pub fn pk() -> Field {
        Field::new("id", FieldType::Pk)
    }
    /// An integer as wide as the table's ids (9 digits in the spec format).
    pub fn int(name: impl Into<String>) -> Field {
        Field::new(name, FieldType::Int { size: None })
    }
    /// An integer whose decimal text (sign included) is at most `size` bytes.
    pub fn int_sized(name: impl Into<String>, size: usize) -> Field {
        Field::new(name, FieldType::Int { size: Some(size) })
    }
    /// A string of at most `size` UTF-8 bytes.
    pub fn char(name: impl Into<String>, size: usize) -> Field {
        Field::new(name, FieldType::Char { size })
    }
    /// A string of any length, kept in the table's text heap.
    pub fn text(name: impl Into<String>) -> Field {
        Field::new(name, FieldType::Text)
    }
    /// A reference to a row of `table`, RESTRICT on delete unless changed.
    pub fn fk(name: impl Into<String>, table: impl Into<String>) -> Field {
        Field::new(name, FieldType::Fk { table: table.into(), on_delete: OnDelete::Restrict })
    }
    /// Allows null in this field.
    pub fn nullable(mut self) -> Field {
        self.nullable = true;
        self
    }
    /// Gives the field a secondary index (lookups, ranges, ordering).
    pub fn indexed(mut self) -> Field {
        self.indexing = Indexing::Index;
        self
    }
    /// Gives the field a unique index: no two rows may hold the same non-null value.
    pub fn unique(mut self) -> Field {
        self.indexing = Indexing::Unique;
        self
    }
    /// Opts an FK field out of its automatic index (joins and delete rules then scan).
    pub fn no_index(mut self) -> Field {
        self.indexing = Indexing::Off;
        self
    }

    /// Whether the field has a secondary index, and whether it is unique.
    pub fn index(&self) -> Option<IndexSpec> {
        match (self.indexing, &self.ty) {
            (Indexing::Unique, _) => Some(IndexSpec { unique: true }),
            (Indexing::Index, _) | (Indexing::Default, FieldType::Fk { .. }) => {
                Some(IndexSpec { unique: false })
            }
            (Indexing::Default | Indexing::Off, _) => None,
        }
    }

    /// Sets the FK's delete rule; no effect on other types.
    pub fn on_delete(mut self, rule: OnDelete) -> Field {
        if let FieldType::Fk { on_delete, .. } = &mut self.ty {
            *on_delete = rule;
        }
        self
    }

    /// The slot width of this field in a table of format width `width`.
    pub fn width(&self, width: usize) -> usize {
        match &self.ty {
            FieldType::Int { size: Some(size) } => *size,
            FieldType::Char { size } => *size,
            FieldType::Pk | FieldType::Int { size: None } | FieldType::Text | FieldType::Fk { .. } => width,
        }
    }

    /// The FK target and rule, if this is a foreign key.
    pub fn reference(&self) -> Option<(&str, OnDelete)> {
        match &self.ty {
            FieldType::Fk { table, on_delete } => Some((table, *on_delete)),
            _ => None,
        }
    }

    /// Whether it holds an integer: the `id`, an INT or an FK.
    pub fn is_numeric(&self) -> bool {
        matches!(self.ty, FieldType::Pk | FieldType::Int { .. } | FieldType::Fk { .. })
    }
}

/// What kind of secondary index a field has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndexSpec {
    /// Whether the index refuses two rows holding the same non-null value.
    pub unique: bool,
}

/// A table's declaration: its name and fields, and the format width of its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    /// The table's name.
    pub name: String,
    /// Its fields, the `id` PK first.
    pub fields: Vec<Field>,
    /// Width of ids, FKs, TEXT offsets, index and free-stack entries.
    pub width: usize,
}

impl TableSchema {
    /// Starts a table with its primary key `id`; add fields with [`TableSchema::field`].
    pub fn new(name: impl Into<String>) -> TableSchema {
        TableSchema { name: name.into(), fields: vec![Field::pk()], width: SPEC_WIDTH }
    }

    /// Builds a table from a full field list, which must start with the `id` PK.
    pub fn from_fields(name: impl Into<String>, fields: Vec<Field>) -> Result<TableSchema, SchemaError> {
        let schema = TableSchema { name: name.into(), fields, width: SPEC_WIDTH };
        schema.validate()?;
        Ok(schema)
    }

    /// `self` with `field` added at the end, for chaining.
    pub fn field(mut self, field: Field) -> TableSchema {
        self.fields.push(field);
        self
    }

    /// Uses the width of the original 0.0.7 package (6) or of the spec (9).
    pub fn with_width(mut self, width: usize) -> TableSchema {
        self.width = width;
        self
    }

    /// Checks the rules a declaration must follow; the message names the first broken one.
    pub fn validate(&self) -> Result<(), SchemaError> {
        let invalid = |problem: String| SchemaError::Invalid { table: self.name.clone(), problem };
        check_width(self.width)?;
        if !is_valid_name(&self.name) {
            return Err(invalid("a table name is letters, digits and '_', not starting with a digit".into()));
        }
        match self.fields.first() {
            Some(Field { name, ty: FieldType::Pk, nullable: false, .. }) if name == "id" => {}
            _ => return Err(invalid("the first field must be `id PK`".into())),
        }
        for (i, field) in self.fields.iter().enumerate() {
            if !is_valid_name(&field.name) {
                return Err(invalid(format!("field name `{}` is not a plain identifier", field.name)));
            }
            if self.fields[..i].iter().any(|f| f.name == field.name) {
                return Err(invalid(format!("field '{}' is declared twice", field.name)));
            }
            if i > 0 && field.ty == FieldType::Pk {
                return Err(invalid(format!("field '{}': only `id` can be the PK", field.name)));
            }
            if field.width(self.width) == 0 {
                return Err(invalid(format!("field '{}': the size must be greater than 0", field.name)));
            }
            if let FieldType::Char { size } = field.ty {
                if size > MAX_CHAR {
                    return Err(invalid(format!(
                        "field '{}': CHAR is at most {MAX_CHAR} bytes (use TEXT for longer strings)",
                        field.name
                    )));
                }
            }
            if let FieldType::Int { size: Some(size) } = field.ty {
                if size > 19 {
                    return Err(invalid(format!("field '{}': INT size is at most 19", field.name)));
                }
            }
            if field.index().is_some() || (field.indexing == Indexing::Off && field.ty == FieldType::Pk) {
                match field.ty {
                    FieldType::Text => {
                        return Err(invalid(format!("field '{}': TEXT fields cannot be indexed", field.name)))
                    }
                    FieldType::Char { size } if size > MAX_INDEXED_CHAR && field.index().is_some() => {
                        return Err(invalid(format!(
                            "field '{}': CHAR fields longer than {MAX_INDEXED_CHAR} cannot be indexed",
                            field.name
                        )))
                    }
                    FieldType::Pk => return Err(invalid("the primary key `id` is always indexed".into())),
                    _ => {}
                }
            }
            if let FieldType::Fk { on_delete: OnDelete::SetNull, .. } = field.ty {
                if !field.nullable {
                    return Err(invalid(format!(
                        "field '{}': ON DELETE SET NULL needs a nullable FK",
                        field.name
                    )));
                }
            }
        }
        if self.fields.iter().map(|f| f.width(self.width)).sum::<usize>() >= MAX_ROW {
            return Err(invalid(format!("a row is at most {MAX_ROW} bytes")));
        }
        Ok(())
    }

    /// Whether a field is TEXT, so that the table has a text heap.
    pub fn has_text(&self) -> bool {
        self.fields.iter().any(|f| f.ty == FieldType::Text)
    }

    /// The position of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Foreign keys of this table: (field position, target table, rule).
    pub fn references(&self) -> impl Iterator<Item = (usize, &str, OnDelete)> {
        self.fields.iter().enumerate().filter_map(|(i, f)| f.reference().map(|(t, rule)| (i, t, rule)))
    }

    /// Where each field's slot is in a row of this table.
    pub fn layout(&self) -> Layout {
        let mut offsets = Vec::with_capacity(self.fields.len());
        let mut widths = Vec::with_capacity(self.fields.len());
        let mut offset = 0;
        for field in &self.fields {
            let width = field.width(self.width);
            offsets.push(offset);
            widths.push(width);
            offset += width;
        }
        Layout { offsets, widths, row_size: offset + 1 }
    }
}

/// The two formats there are: the spec's width and the released package's.
pub fn check_width(width: usize) -> Result<(), SchemaError> {
    if width == SPEC_WIDTH || width == LEGACY_WIDTH {
        Ok(())
    } else {
        Err(SchemaError::BadWidth { width })
    }
}

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where each field's slot is in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub offsets: Vec<usize>,
    pub widths: Vec<usize>,
    /// The fields' widths plus the newline.
    pub row_size: usize,
}

impl Layout {
    pub fn slot<'r>(&self, row: &'r [u8], field: usize) -> &'r [u8] {
        let start = self.offsets[field];
        &row[start..start + self.widths[field]]
    }

    pub fn slot_mut<'r>(&self, row: &'r mut [u8], field: usize) -> &'r mut [u8] {
        let start = self.offsets[field];
        &mut row[start..start + self.widths[field]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn layout_of_the_benchmark_books_table() {
        let books = TableSchema::new("books")
            .field(Field::char("title", 20))
            .field(Field::fk("author_id", "authors"))
            .field(Field::int("year").nullable());
        let layout = books.layout();
        assert_eq!(layout.offsets, vec![0, 9, 29, 38]);
        assert_eq!(layout.row_size, 48);
        assert_eq!(books.clone().with_width(6).layout().row_size, 39);
    }

    #[rstest]
    #[case(TableSchema::from_fields("t", vec![Field::char("x", 3)]), "the first field must be `id PK`")]
    #[case(TableSchema::from_fields("t", vec![Field::pk(), Field::char("x", 0)]), "size must be greater than 0")]
    #[case(TableSchema::from_fields("t", vec![Field::pk(), Field::int("x"), Field::int("x")]), "declared twice")]
    #[case(TableSchema::from_fields("t", vec![Field::pk(), Field::fk("a", "b").on_delete(OnDelete::SetNull)]), "SET NULL")]
    #[case(TableSchema::from_fields("1t", vec![Field::pk()]), "table name")]
    #[case(TableSchema::from_fields("t", vec![Field::pk(), Field::new("id2", FieldType::Pk)]), "only `id`")]
    fn bad_declarations_are_refused(
        #[case] result: Result<TableSchema, SchemaError>,
        #[case] expected: &str,
    ) {
        let message = result.expect_err("declaration should be refused").to_string();
        assert!(message.contains(expected), "{message}");
    }
}
