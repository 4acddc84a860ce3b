//! SQLite's rules for values, which the SQL layer follows wherever it computes
//! something itself (the engine only ever sees conditions it answers exactly the same).
//!
//! - Storage classes order as NULL < numbers (INTEGER and REAL, compared by value) <
//!   TEXT (compared byte by byte, SQLite's `BINARY` collation).
//! - Affinity: a column of an integer type (`PK`, `INT`, `FK`) has INTEGER affinity, a
//!   `CHAR` or `TEXT` column has TEXT affinity, any other expression has none. Before
//!   a comparison, if one side has INTEGER affinity and the other does not, text on the
//!   other side that is a well-formed number becomes that number; otherwise, if one side
//!   has TEXT affinity and the other none, a number on the other side becomes text.
//! - Arithmetic and truth read text as its longest numeric prefix (`'12abc'` is 12,
//!   `'abc'` 0); an integer result that overflows becomes a REAL.
//! - A REAL becomes text as SQLite's `%!.15g` prints it (`2.0`, `0.1`, `1.0e+20`).

use std::cmp::Ordering;

use bazoola::Value;

/// 2^63: the first float past the largest integer.
const TWO_63: f64 = (1u64 << 63) as f64;

/// The affinity of an expression: how it converts the other side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    None,
}

/// Whether `v` is a value SQL code can see (the engine's nested rows never are).
fn class(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Int(_) | Value::Float(_) => 1,
        Value::Text(_) => 2,
        Value::Row(_) | Value::Rows(_) => 3,
    }
}

/// SQLite's total order of values (ORDER BY, MIN, MAX, GROUP BY, DISTINCT).
pub fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Int(x), Value::Float(y)) => int_float(*x, *y),
        (Value::Float(x), Value::Int(y)) => int_float(*y, *x).reverse(),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => class(a).cmp(&class(b)),
    }
}

/// An integer against a float, exactly (no rounding of large integers).
fn int_float(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Greater;
    }
    if f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    match i.cmp(&(whole as i64)) {
        Ordering::Equal => 0.0.partial_cmp(&(f - whole)).unwrap_or(Ordering::Equal),
        other => other,
    }
}

/// A comparison as SQL makes it: `None` (unknown) when either side is null, after the
/// affinity conversions of the module doc.
pub fn compare(a: &Value, a_aff: Affinity, b: &Value, b_aff: Affinity) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    let (a, b) = converted(a, a_aff, b, b_aff);
    Some(order(&a, &b))
}

/// Both sides of a comparison after the affinity conversions.
pub fn converted(a: &Value, a_aff: Affinity, b: &Value, b_aff: Affinity) -> (Value, Value) {
    use Affinity::*;
    match (a_aff, b_aff) {
        (Integer, Text | None) => (a.clone(), numeric_affinity(b)),
        (Text | None, Integer) => (numeric_affinity(a), b.clone()),
        (Text, None) => (a.clone(), text_affinity(b)),
        (None, Text) => (text_affinity(a), b.clone()),
        _ => (a.clone(), b.clone()),
    }
}

/// Text that is a well-formed number (spaces around allowed) becomes that number: an
/// INTEGER when it is one, or a REAL that holds an integer exactly; other values stay.
pub fn numeric_affinity(v: &Value) -> Value {
    let Value::Text(text) = v else { return v.clone() };
    match parse_number(text.trim_matches(|c: char| c.is_ascii_whitespace())) {
        Some((number, len)) if len == text.trim_matches(|c: char| c.is_ascii_whitespace()).len() => {
            match number {
                Value::Float(f) => float_to_int(f).map_or(Value::Float(f), Value::Int),
                other => other,
            }
        }
        _ => v.clone(),
    }
}

/// A REAL that is an integer within range, as that integer.
pub fn float_to_int(f: f64) -> Option<i64> {
    let fits = f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f);
    fits.then_some(f as i64)
}

/// A number becomes its text; other values stay.
pub fn text_affinity(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Text(i.to_string()),
        Value::Float(f) => Value::Text(format_real(*f)),
        other => other.clone(),
    }
}

/// The value as text (LIKE, `||`): numbers as SQLite prints them; `None` for null.
pub fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(format_real(*f)),
        _ => None,
    }
}

/// The value as a number for arithmetic: text by its longest numeric prefix (none: 0).
pub fn as_number(v: &Value) -> Value {
    match v {
        Value::Text(text) => {
            let text = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
            parse_number(text).map_or(Value::Int(0), |(n, _)| n)
        }
        Value::Int(_) | Value::Float(_) => v.clone(),
        _ => Value::Null,
    }
}

/// Whether the value counts as true (a non-zero number); `None` for null.
pub fn truth(v: &Value) -> Option<bool> {
    match as_number(v) {
        Value::Int(i) => Some(i != 0),
        Value::Float(f) => Some(f != 0.0),
        _ => None,
    }
}

/// A truth value as SQL gives it back: 1, 0 or NULL.
pub fn from_truth(t: Option<bool>) -> Value {
    t.map_or(Value::Null, |t| Value::Int(i64::from(t)))
}

/// The longest numeric prefix of `text`: the number and how many bytes it took. An
/// integer without a fraction or exponent that fits 64 bits is an INTEGER; any other
/// number a REAL.
pub fn parse_number(text: &str) -> Option<(Value, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    let mut real = false;
    if i < bytes.len() && bytes[i] == b'.' {
        let mut j = i + 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if digits > 0 || j > i + 1 {
            digits += j - i - 1;
            real = true;
            i = j;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            real = true;
            i = j;
        }
    }
    let text = &text[..i];
    if !real {
        if let Ok(n) = text.parse::<i64>() {
            return Some((Value::Int(n), i));
        }
    }
    text.parse::<f64>().ok().map(|f| (Value::Float(f), i))
}

/// A REAL as SQLite prints it (`%!.15g`): 15 significant digits, always a decimal
/// point, an exponent below 1e-4 and from 1e15 on.
pub fn format_real(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        // Negative zero too: SQLite prints `-(0 / 1.5) || ''` as `0.0`.
        return "0.0".into();
    }
    // 15 significant digits: d.dddddddddddddde±x
    let scientific = format!("{f:.14e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let sign = if negative { "-" } else { "" };
    if !(-4..15).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}.{rest}e{exp_sign}{:02}", exponent.abs());
    }
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exponent as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// `a op b` as SQLite computes it: null in, null out; integers stay integers unless they
/// overflow (then REAL); division by zero is null; `%` works on integers.
pub fn arith(op: Arith, a: &Value, b: &Value) -> Value {
    let (a_given, b_given) = (a, b);
    let (a, b) = (as_number(a), as_number(b));
    match (&a, &b) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(x), Value::Int(y)) => int_arith(op, *x, *y),
        _ if op == Arith::Rem => {
            // SQLite takes the integer value of each operand as given: a REAL
            // truncated, a text's leading integer (`'1e2'` is 1).
            let (x, y) = (int_value(a_given), int_value(b_given));
            if y == 0 {
                Value::Null
            } else {
                Value::Float((x.wrapping_rem(y)) as f64)
            }
        }
        _ => {
            let (x, y) = (to_float(&a), to_float(&b));
            let r = match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div if y == 0.0 => return Value::Null,
                Arith::Div => x / y,
                Arith::Rem => unreachable!("handled above"),
            };
            if r.is_nan() {
                Value::Null
            } else {
                Value::Float(r)
            }
        }
    }
}

fn int_arith(op: Arith, x: i64, y: i64) -> Value {
    let exact = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div if y == 0 => return Value::Null,
        Arith::Div => x.checked_div(y),
        Arith::Rem if y == 0 => return Value::Null,
        Arith::Rem => Some(x.checked_rem(y).unwrap_or(0)),
    };
    exact.map_or_else(
        || {
            let (x, y) = (x as f64, y as f64);
            Value::Float(match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                _ => x / y,
            })
        },
        Value::Int,
    )
}

fn to_float(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

/// The integer value SQLite takes of a value (`sqlite3VdbeIntValue`): a REAL
/// truncated (and clamped), a text's leading integer, 0 for anything else.
fn int_value(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) if f.is_nan() => 0,
        Value::Float(f) => f.clamp(i64::MIN as f64, i64::MAX as f64) as i64,
        Value::Text(t) => {
            let t = t.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (negative, digits) = match t.as_bytes().first() {
                Some(b'-') => (true, &t[1..]),
                Some(b'+') => (false, &t[1..]),
                _ => (false, t),
            };
            let mut n: i64 = 0;
            for d in digits.bytes().take_while(u8::is_ascii_digit) {
                let next = n.checked_mul(10).and_then(|n| n.checked_add(i64::from(d - b'0')));
                match next {
                    Some(v) => n = v,
                    None => return if negative { i64::MIN } else { i64::MAX },
                }
            }
            if negative {
                -n
            } else {
                n
            }
        }
        _ => 0,
    }
}

/// `-v`: null stays null, text is read as a number first.
pub fn negate(v: &Value) -> Value {
    match as_number(v) {
        Value::Int(i) => i.checked_neg().map_or(Value::Float(-(i as f64)), Value::Int),
        Value::Float(f) => Value::Float(-f),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(2.0, "2.0")]
    #[case(0.1, "0.1")]
    #[case(1.5, "1.5")]
    #[case(-2.5, "-2.5")]
    #[case(1e20, "1.0e+20")]
    #[case(1.0 / 3.0, "0.333333333333333")]
    #[case(123456.789, "123456.789")]
    #[case(0.00001, "1.0e-05")]
    #[case(0.0001, "0.0001")]
    #[case(100.0, "100.0")]
    #[case(1e15, "1.0e+15")]
    #[case(999999999999999.0, "999999999999999.0")]
    fn reals_print_as_sqlite_prints_them(#[case] f: f64, #[case] text: &str) {
        assert_eq!(format_real(f), text);
    }

    #[rstest]
    #[case("12", Value::Int(12))]
    #[case(" 12 ", Value::Int(12))]
    #[case("1.5", Value::Float(1.5))]
    #[case("3.0", Value::Int(3))]
    #[case("1e3", Value::Int(1000))]
    #[case("12abc", Value::Text("12abc".into()))]
    #[case("abc", Value::Text("abc".into()))]
    #[case("", Value::Text("".into()))]
    #[case(".", Value::Text(".".into()))]
    fn numeric_affinity_converts_well_formed_numbers_only(#[case] text: &str, #[case] expected: Value) {
        assert_eq!(numeric_affinity(&Value::Text(text.into())), expected);
    }

    #[test]
    fn arithmetic_reads_numeric_prefixes_and_overflows_to_real() {
        assert_eq!(arith(Arith::Add, &Value::Text("12abc".into()), &Value::Int(1)), Value::Int(13));
        assert_eq!(arith(Arith::Add, &Value::Text("abc".into()), &Value::Int(1)), Value::Int(1));
        assert_eq!(arith(Arith::Div, &Value::Int(7), &Value::Int(2)), Value::Int(3));
        assert_eq!(arith(Arith::Div, &Value::Int(7), &Value::Int(0)), Value::Null);
        assert_eq!(arith(Arith::Rem, &Value::Int(-7), &Value::Int(2)), Value::Int(-1));
        assert!(matches!(arith(Arith::Add, &Value::Int(i64::MAX), &Value::Int(1)), Value::Float(_)));
    }

    #[test]
    fn integers_and_reals_compare_exactly() {
        assert_eq!(order(&Value::Int(i64::MAX), &Value::Float(TWO_63)), Ordering::Less);
        assert_eq!(order(&Value::Int(2), &Value::Float(2.0)), Ordering::Equal);
        assert_eq!(order(&Value::Int(2), &Value::Float(2.5)), Ordering::Less);
        assert_eq!(order(&Value::Int(-3), &Value::Float(-2.5)), Ordering::Less);
        assert_eq!(order(&Value::Int(99), &Value::Text("1".into())), Ordering::Less);
    }

    #[test]
    fn affinity_applies_before_comparing() {
        use Affinity::*;
        let one = Value::Text("1".into());
        assert_eq!(compare(&Value::Int(1), Integer, &one, None), Some(Ordering::Equal));
        assert_eq!(compare(&Value::Int(1), None, &one, None), Some(Ordering::Less));
        assert_eq!(compare(&one, Text, &Value::Int(1), None), Some(Ordering::Equal));
        assert_eq!(compare(&Value::Null, Text, &Value::Int(1), None), Option::None);
    }
}
