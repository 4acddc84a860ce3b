//! `json`: `sqlite3 -json`'s shape exactly — an array of objects, one per row and one
//! row a line, integers and floats as numbers, text as strings, nulls as `null`.

use std::io::{self, Write};

use bazoola::Value;

use super::value::float_json;

/// Writes `[{"a":1},\n{"a":2}]\n` (nothing for no rows, as `sqlite3`).
pub fn write_json(out: &mut dyn Write, columns: &[String], rows: &[Vec<Value>]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = columns.iter().map(|c| string(c)).collect();
    let mut line = String::new();
    for (n, row) in rows.iter().enumerate() {
        line.clear();
        line.push_str(if n == 0 { "[{" } else { ",\n{" });
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(key);
            line.push(':');
            push_value(&mut line, row.get(i).unwrap_or(&Value::Null));
        }
        line.push('}');
        out.write_all(line.as_bytes())?;
    }
    out.write_all(b"]\n")
}

fn push_value(line: &mut String, value: &Value) {
    match value {
        Value::Null => line.push_str("null"),
        Value::Int(i) => line.push_str(&i.to_string()),
        Value::Float(f) => line.push_str(&float_json(*f)),
        Value::Text(s) => line.push_str(&string(s)),
        other => line.push_str(&string(&other.repr())),
    }
}

/// A JSON string: `"`, `\` and control characters escaped, the rest as it is.
fn string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_of_sqlite3_json() {
        let mut out = Vec::new();
        let columns = vec!["a".to_string(), "b\"".to_string()];
        let rows = vec![vec![1.into(), "x\n\u{1}\\/".into()], vec![Value::Null, 2.5.into()]];
        write_json(&mut out, &columns, &rows).unwrap();
        // As sqlite3 3.40 prints the same values.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[{\"a\":1,\"b\\\"\":\"x\\n\\u0001\\\\/\"},\n{\"a\":null,\"b\\\"\":2.5}]\n"
        );
    }
}
