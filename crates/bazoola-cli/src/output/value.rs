//! One value as text: floats the way `sqlite3` prints them, nulls as `.nullvalue`.

use std::borrow::Cow;

use bazoola::Value;

/// A value as the text modes print it.
pub fn text<'v>(value: &'v Value, null: &'v str) -> Cow<'v, str> {
    match value {
        Value::Null => Cow::Borrowed(null),
        Value::Int(i) => Cow::Owned(i.to_string()),
        Value::Float(f) => Cow::Owned(float_text(*f)),
        Value::Text(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.repr()),
    }
}

/// A float as `sqlite3` prints it in its text modes (`%!.15g`): 15 significant digits,
/// `.0` on a whole number, an exponent of at least two digits from 1e15 up and below
/// 1e-4 (`0.333333333333333`, `3.0`, `1.0e+20`, `Inf`).
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return "0.0".into();
    }
    g_style(&format!("{f:.14e}"), 15)
}

/// A float as a JSON number that reads back as the same float: a whole number as
/// `sqlite3 -json` writes it (`3.0`), any other as its shortest round-trip digits.
/// Infinities are `±1e999` as in `sqlite3` (they parse back as infinities); NaN, which
/// no JSON number can say, is `null`.
pub fn float_json(f: f64) -> String {
    if f.is_nan() {
        return "null".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "1e999" } else { "-1e999" }.into();
    }
    if f == 0.0 {
        return "0.0".into();
    }
    // Every float from 2^53 up is whole; below 2^63 it fits the integer path exactly.
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        return format!("{}.0", f as i64);
    }
    g_style(&format!("{f:e}"), 20)
}

/// Formats scientific text (`-3.3e-1`, Rust's `{:e}`) the way C's `%!.<precision>g`
/// does: fixed notation for exponents in `-4..precision`, scientific otherwise, trailing
/// zeros dropped but one digit always after the point.
fn g_style(scientific: &str, precision: i32) -> String {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.trim_end_matches('0') {
        "" => "0",
        d => d,
    };
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if exponent < -4 || exponent >= precision {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        let sign = if exponent < 0 { '-' } else { '+' };
        out.push_str(&format!("e{sign}{:02}", exponent.unsigned_abs()));
    } else if exponent >= 0 {
        let whole = exponent as usize + 1;
        if digits.len() <= whole {
            out.push_str(digits);
            out.push_str(&"0".repeat(whole - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..whole]);
            out.push('.');
            out.push_str(&digits[whole..]);
        }
    } else {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exponent - 1) as usize));
        out.push_str(digits);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_sqlite3_prints_them() {
        // Each pair was printed by sqlite3 3.40 in list mode.
        let cases = [
            (1.0 / 3.0, "0.333333333333333"),
            (2.0 / 3.0, "0.666666666666667"),
            (1e15, "1.0e+15"),
            (1e14, "100000000000000.0"),
            (123456789.123, "123456789.123"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-05"),
            (-2.5e-7, "-2.5e-07"),
            (2.5, "2.5"),
            (3.0, "3.0"),
            (1e20, "1.0e+20"),
            (0.1, "0.1"),
            (-0.0, "0.0"),
            (f64::INFINITY, "Inf"),
            (1e300, "1.0e+300"),
        ];
        for (f, want) in cases {
            assert_eq!(float_text(f), want, "{f:e}");
        }
    }

    #[test]
    fn json_floats_read_back_exactly() {
        assert_eq!(float_json(3.0), "3.0");
        assert_eq!(float_json(123456789012345680.0), "123456789012345680.0");
        assert_eq!(float_json(0.1), "0.1");
        assert_eq!(float_json(1e20), "1.0e+20");
        assert_eq!(float_json(1e30), "1.0e+30");
        assert_eq!(float_json(f64::NEG_INFINITY), "-1e999");
        assert_eq!(float_json(f64::NAN), "null");
        for f in [1.0 / 3.0, 2.0 / 7.0, -1.5e-9, 6.02214076e23, f64::MIN_POSITIVE, f64::MAX, 1e-300] {
            let text = float_json(f);
            let back: f64 = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(back, f, "{text}");
        }
    }

    #[test]
    fn nulls_print_as_the_nullvalue() {
        assert_eq!(text(&Value::Null, "NULL"), "NULL");
        assert_eq!(text(&Value::Int(-3), ""), "-3");
        assert_eq!(text(&Value::Text("x".into()), ""), "x");
    }
}
