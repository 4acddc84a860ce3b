//! A statement's *shape*: its text with its literal values taken out, so that a script
//! of INSERTs that differ only in their values is parsed once, not once a line.
//!
//! `INSERT INTO books (title, year) VALUES ('Dune', 1965)` has the shape
//! `INSERT INTO books (title, year) VALUES (?, ?)` and the values `'Dune'`, `1965`. The
//! session keeps the statements it parsed from shapes (see [`ShapeCache`]) and runs the
//! next statement of the same shape with its own values bound to the parameters, as
//! SQL Server's "simple parameterization" does. A dump, an import script or a
//! generated fixture is thousands of such lines: `sqlparser`'s tokenizer and parser were
//! half of each one's cost.
//!
//! Only what binds the same way as a parameter is taken out: a string `'…'` (its `''`
//! being one quote) and a run of digits that makes an integer (not `1.5`, `1e3`, `0x1F`,
//! nor `9223372036854775808`, which only `-` makes an integer). Everything else stays in
//! the shape as written, so two statements share a shape only when the parser would see
//! the same tokens but for those literals. Anything this scan does not follow for
//! certain — comments, parameters of its own, prefixed strings (`X'…'`), backslashes in
//! strings, a RETURNING list (whose column names are its expressions' text), a SELECT or
//! an ON CONFLICT — makes it give up, and the statement is parsed as written.

use std::collections::HashMap;

use bazoola::Value;

use super::bind::number;
use super::parse::{quoted_end, Statement};

/// The statements whose shapes are kept: beyond that the cache starts over (a script
/// of INSERTs into a few tables has a few shapes).
const MAX_SHAPES: usize = 64;
/// The longest shape kept: a statement of thousands of rows is parsed once anyway.
const MAX_SHAPE_LEN: usize = 4096;
/// The most values taken out of one statement.
const MAX_VALUES: usize = 256;

/// A statement's text with `?` for each literal taken out, and those literals' values
/// in order.
#[derive(Debug, PartialEq)]
pub struct Shape {
    pub text: String,
    pub values: Vec<Value>,
}

/// Words after which the scan gives up (see the module's doc).
const GIVE_UP_WORDS: [&str; 4] = ["RETURNING", "SELECT", "ON", "WITH"];

/// The shape of an INSERT … VALUES statement, or `None` for any other statement and
/// for anything the scan does not follow for certain.
pub fn of(text: &str) -> Option<Shape> {
    let body = text.trim_start();
    let first = body.get(..6)?;
    if !first.eq_ignore_ascii_case("INSERT") || !body[6..].starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let bytes = text.as_bytes();
    let mut shape = String::with_capacity(text.len());
    let mut values = Vec::new();
    // Bytes up to `copied` are in `shape`; the scan copies whole runs at once.
    let mut copied = 0;
    let mut i = 0;
    let take_out = |shape: &mut String, copied: &mut usize, from: usize, to: usize| {
        shape.push_str(&text[*copied..from]);
        shape.push('?');
        *copied = to;
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' => {
                if i > 0 && is_name_byte(bytes[i - 1]) {
                    return None; // X'…', N'…', E'…'
                }
                let (value, end) = string_literal(text, i)?;
                take_out(&mut shape, &mut copied, i, end);
                values.push(Value::Text(value));
                i = end;
            }
            b'"' | b'`' | b'[' => i = quoted_end(bytes, i)?,
            b'-' if bytes.get(i + 1) == Some(&b'-') => return None,
            b'/' if bytes.get(i + 1) == Some(&b'*') => return None,
            b'?' | b':' | b'@' | b'$' => return None,
            b'0'..=b'9' => {
                let end = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let glued = |j: usize| bytes.get(j).is_some_and(|&b| is_name_byte(b) || b == b'.');
                let glued_to_neighbour = (i > 0 && glued(i - 1)) || glued(end);
                match number(&text[i..end]) {
                    Value::Int(n) if !glued_to_neighbour => {
                        take_out(&mut shape, &mut copied, i, end);
                        values.push(Value::Int(n));
                    }
                    _ => {}
                }
                i = end;
            }
            b if is_name_byte(b) => {
                let end = i + bytes[i..].iter().take_while(|&&b| is_name_byte(b)).count();
                let word = &text[i..end];
                if GIVE_UP_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
                    || bytes.get(end) == Some(&b'\'')
                {
                    return None;
                }
                i = end;
            }
            _ => i += 1,
        }
        if values.len() > MAX_VALUES {
            return None;
        }
    }
    shape.push_str(&text[copied..]);
    (shape.len() <= MAX_SHAPE_LEN).then_some(Shape { text: shape, values })
}

/// Bytes that continue a name (or a number glued to one): letters, digits, `_`, `$`
/// and every byte of a non-ASCII character.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The value of the string starting with the quote at `start`, and the byte after its
/// closing quote; `None` if it does not close or holds a backslash.
fn string_literal(text: &str, start: usize) -> Option<(String, usize)> {
    let end = quoted_end(text.as_bytes(), start)?;
    let inner = &text[start + 1..end - 1];
    (!inner.contains('\\')).then(|| (inner.replace("''", "'"), end))
}

/// The statements parsed from shapes, by shape.
#[derive(Default)]
pub struct ShapeCache {
    statements: HashMap<String, Statement>,
}

impl ShapeCache {
    pub fn get(&self, shape: &str) -> Option<&Statement> {
        self.statements.get(shape)
    }

    pub fn insert(&mut self, shape: String, statement: Statement) -> &Statement {
        if self.statements.len() >= MAX_SHAPES {
            self.statements.clear();
        }
        self.statements.entry(shape).or_insert(statement)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::strings_and_integers(
        "INSERT INTO books (title, year) VALUES ('Dune', 1965)",
        "INSERT INTO books (title, year) VALUES (?, ?)",
        vec![Value::Text("Dune".into()), Value::Int(1965)]
    )]
    #[case::doubled_quote("insert into t values ('it''s', -7)", "insert into t values (?, -?)", vec![Value::Text("it's".into()), Value::Int(7)])]
    #[case::names_with_digits_stay(
        "INSERT INTO t2 (c1, \"x 1\", [y2]) VALUES (1, NULL, 2)",
        "INSERT INTO t2 (c1, \"x 1\", [y2]) VALUES (?, NULL, ?)",
        vec![Value::Int(1), Value::Int(2)]
    )]
    #[case::other_numbers_stay(
        "INSERT INTO t VALUES (1.5, 1e3, 0x1F, .5, 9223372036854775808, 99999999999999999999)",
        "INSERT INTO t VALUES (1.5, 1e3, 0x1F, .5, 9223372036854775808, 99999999999999999999)",
        vec![]
    )]
    #[case::several_rows(
        "  INSERT INTO t VALUES (1, 'a'), (2, 'b;c')",
        "  INSERT INTO t VALUES (?, ?), (?, ?)",
        vec![Value::Int(1), Value::Text("a".into()), Value::Int(2), Value::Text("b;c".into())]
    )]
    #[case::non_ascii("INSERT INTO t VALUES ('é', 3)", "INSERT INTO t VALUES (?, ?)", vec![Value::Text("é".into()), Value::Int(3)])]
    fn takes_out_the_literals(#[case] text: &str, #[case] shape: &str, #[case] values: Vec<Value>) {
        assert_eq!(of(text), Some(Shape { text: shape.to_string(), values }));
    }

    #[rstest]
    #[case::select("SELECT 1")]
    #[case::insert_select("INSERT INTO t SELECT 1")]
    #[case::returning("INSERT INTO t VALUES (1) RETURNING id + 1")]
    #[case::upsert("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING")]
    #[case::line_comment("INSERT INTO t VALUES (1) -- one")]
    #[case::block_comment("INSERT INTO t VALUES (/* one */ 1)")]
    #[case::parameter("INSERT INTO t VALUES (?)")]
    #[case::named_parameter("INSERT INTO t VALUES (:a)")]
    #[case::blob("INSERT INTO t VALUES (X'00')")]
    #[case::backslash("INSERT INTO t VALUES ('a\\n')")]
    #[case::unterminated_string("INSERT INTO t VALUES ('a)")]
    #[case::unterminated_name("INSERT INTO \"t VALUES (1)")]
    #[case::no_space("INSERTINTO t VALUES (1)")]
    #[case::too_short("INSERT")]
    fn gives_up(#[case] text: &str) {
        assert_eq!(of(text), None);
    }
}
