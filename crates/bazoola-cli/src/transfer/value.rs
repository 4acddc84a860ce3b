//! One input value (a CSV field, a JSON value) as the value of a field.
//!
//! CSV has no types and no null, so these conventions apply (PostgreSQL's `COPY … CSV`
//! ones): an unquoted empty field is null, a quoted empty field (`""`) is the empty
//! string. In a NOT NULL CHAR or TEXT field an unquoted empty field is the empty string
//! too (a spreadsheet cannot tell them apart). Integer fields (INT, FK, `id`) take
//! decimal text (surrounding blanks, a sign and leading zeros allowed); an empty field
//! there is null, quoted or not.
//!
//! JSON: `null` (or a missing key) is null. Integer fields take integral numbers and
//! strings holding one; CHAR and TEXT fields take strings, and numbers and booleans as
//! their JSON text; arrays and objects go into CHAR and TEXT fields as compact JSON.

use bazoola::{Field, FieldType, Value};
use serde_json::Value as Json;

use super::json::kind;

/// One value as read, before it meets a field.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Csv { text: &'a str, quoted: bool },
    Json(&'a Json),
}

/// The value `cell` gives field `field`, or why it cannot be one.
pub fn convert(field: &Field, cell: Cell<'_>) -> Result<Value, String> {
    let integer = matches!(field.ty, FieldType::Pk | FieldType::Int { .. } | FieldType::Fk { .. });
    match cell {
        Cell::Csv { text, quoted } => {
            if integer {
                if text.trim().is_empty() {
                    return Ok(Value::Null);
                }
                return parse_int(text)
                    .map(Value::Int)
                    .ok_or_else(|| format!("not an integer: {}", shown(text)));
            }
            if text.is_empty() && !quoted && field.nullable {
                return Ok(Value::Null);
            }
            Ok(Value::Text(text.to_string()))
        }
        Cell::Json(Json::Null) => Ok(Value::Null),
        Cell::Json(json) if integer => match json {
            Json::Number(n) => n.as_i64().map(Value::Int).ok_or_else(|| format!("not an integer: {n}")),
            Json::String(s) => {
                parse_int(s).map(Value::Int).ok_or_else(|| format!("not an integer: {}", shown(s)))
            }
            other => Err(format!("not an integer but {}", kind(other))),
        },
        Cell::Json(json) => Ok(Value::Text(match json {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })),
    }
}

/// Decimal integer text as a user may write it: blanks around, a sign, leading zeros.
pub fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Integer text exactly as the number would print (`-12`, `0`; not `+1`, `007`, ` 5`):
/// a column of such values is made an INT field when a schema is inferred, since
/// nothing is lost making it a number. `007` stays text.
pub fn canonical_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    if canonical {
        text.parse().ok()
    } else {
        None
    }
}

/// A value for a message: quoted, and cut after 40 characters.
pub fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("'{cut}'")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn csv(text: &str, quoted: bool) -> Cell<'_> {
        Cell::Csv { text, quoted }
    }

    #[rstest]
    #[case(Field::int("n").nullable(), csv("", false), Ok(Value::Null))]
    #[case(Field::int("n"), csv(" +007 ", false), Ok(Value::Int(7)))]
    #[case(Field::int("n"), csv("-12", true), Ok(Value::Int(-12)))]
    #[case(Field::int("n"), csv("1.5", false), Err("not an integer: '1.5'".to_string()))]
    #[case(Field::int("n"), csv("99999999999999999999", false), Err("not an integer: '99999999999999999999'".to_string()))]
    #[case(Field::char("s", 5).nullable(), csv("", false), Ok(Value::Null))]
    #[case(Field::char("s", 5).nullable(), csv("", true), Ok(Value::Text(String::new())))]
    #[case(Field::char("s", 5), csv("", false), Ok(Value::Text(String::new())))]
    #[case(Field::text("s"), csv(" a,\"b\" ", true), Ok(Value::Text(" a,\"b\" ".into())))]
    fn csv_fields(#[case] field: Field, #[case] cell: Cell<'_>, #[case] expected: Result<Value, String>) {
        assert_eq!(convert(&field, cell), expected);
    }

    #[rstest]
    #[case(Field::int("n"), serde_json::json!(5), Ok(Value::Int(5)))]
    #[case(Field::int("n"), serde_json::json!("5"), Ok(Value::Int(5)))]
    #[case(Field::int("n"), serde_json::json!(5.5), Err("not an integer: 5.5".to_string()))]
    #[case(Field::int("n"), serde_json::json!(true), Err("not an integer but a boolean".to_string()))]
    #[case(Field::fk("a", "t"), serde_json::json!(null), Ok(Value::Null))]
    #[case(Field::text("s"), serde_json::json!(1.5), Ok(Value::Text("1.5".into())))]
    #[case(Field::text("s"), serde_json::json!({"k": [1, "x"]}), Ok(Value::Text("{\"k\":[1,\"x\"]}".into())))]
    #[case(Field::char("s", 9), serde_json::json!(""), Ok(Value::Text(String::new())))]
    fn json_values(#[case] field: Field, #[case] json: Json, #[case] expected: Result<Value, String>) {
        assert_eq!(convert(&field, Cell::Json(&json)), expected);
    }

    #[rstest]
    #[case("0", Some(0))]
    #[case("-12", Some(-12))]
    #[case("9223372036854775807", Some(i64::MAX))]
    #[case("007", None)]
    #[case("-0", None)]
    #[case("+1", None)]
    #[case(" 1", None)]
    #[case("", None)]
    #[case("9223372036854775808", None)]
    fn canonical_integers(#[case] text: &str, #[case] expected: Option<i64>) {
        assert_eq!(canonical_int(text), expected);
    }
}
