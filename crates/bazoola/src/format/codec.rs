//! Fixed-width slots: numbers are decimal, left-justified and space padded (`"%-9s"`);
//! CHAR values are UTF-8 padded with spaces; nulls are a marker repeated over the slot.
//!
//! Decoding follows the original package: a slot is null when its *first* byte is the
//! marker, and numbers are parsed like Python's `int()` (surrounding whitespace allowed).

use super::constants::{NULL_CHAR, NULL_NUMBER, PAD};

/// A number too wide for its slot: writing it would spill into the next field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoesNotFit;

/// The decimal text of `value`, written at the end of `digits` (an i64 has at most 20
/// characters, sign included), without the formatting machinery of `write!`.
pub fn int_text(value: i64, digits: &mut [u8; 20]) -> &[u8] {
    let mut start = digits.len();
    let mut n = value.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if value < 0 {
        start -= 1;
        digits[start] = b'-';
    }
    &digits[start..]
}

/// Writes `value` left-justified into `slot`, padding with spaces; refuses a value
/// whose decimal text is wider than the slot.
pub fn put_int(slot: &mut [u8], value: i64) -> Result<(), DoesNotFit> {
    let mut digits = [0u8; 20];
    let text = int_text(value, &mut digits);
    if text.len() > slot.len() {
        return Err(DoesNotFit);
    }
    slot[..text.len()].copy_from_slice(text);
    slot[text.len()..].fill(PAD);
    Ok(())
}

/// Whether `value`'s decimal text fits a slot of `width` bytes.
pub fn int_fits(value: i64, width: usize) -> bool {
    decimal_len(value) <= width
}

fn decimal_len(value: i64) -> usize {
    let sign = usize::from(value < 0);
    let mut n = value.unsigned_abs();
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    sign + len
}

/// Fills a slot with the null marker for numbers.
pub fn put_null_number(slot: &mut [u8]) {
    slot.fill(NULL_NUMBER);
}

/// Writes a CHAR value padded with spaces; the caller has checked the length.
pub fn put_char(slot: &mut [u8], value: &[u8]) {
    slot[..value.len()].copy_from_slice(value);
    slot[value.len()..].fill(PAD);
}

pub fn put_null_char(slot: &mut [u8]) {
    slot.fill(NULL_CHAR);
}

/// Why a number slot did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadNumber;

/// Reads a number slot: `Ok(None)` when it starts with `#`, the value when it holds a
/// decimal integer (surrounded by optional ASCII whitespace), otherwise an error.
pub fn get_int(slot: &[u8]) -> Result<Option<i64>, BadNumber> {
    match slot.first() {
        None => Err(BadNumber),
        Some(&NULL_NUMBER) => Ok(None),
        Some(_) => parse_int(slot).map(Some),
    }
}

/// Parses decimal text like Python's `int()`: optional whitespace, sign, digits.
pub fn parse_int(text: &[u8]) -> Result<i64, BadNumber> {
    let text = text.trim_ascii();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(BadNumber);
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return Err(BadNumber);
        }
        value = value.checked_mul(10).and_then(|v| v.checked_add(i64::from(d - b'0'))).ok_or(BadNumber)?;
    }
    Ok(if negative { -value } else { value })
}

/// Reads a CHAR slot: `None` when it starts with NUL, else the bytes without trailing
/// ASCII whitespace (Python's `bytes.rstrip()`).
pub fn get_char(slot: &[u8]) -> Option<&[u8]> {
    match slot.first() {
        Some(&NULL_CHAR) => None,
        _ => Some(slot.trim_ascii_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, b"0        ")]
    #[case(12, b"12       ")]
    #[case(-5, b"-5       ")]
    #[case(999_999_999, b"999999999")]
    fn ints_are_left_justified(#[case] value: i64, #[case] expected: &[u8; 9]) {
        let mut slot = [0u8; 9];
        put_int(&mut slot, value).unwrap();
        assert_eq!(&slot, expected);
        assert_eq!(get_int(&slot), Ok(Some(value)));
    }

    #[rstest]
    #[case(0)]
    #[case(7)]
    #[case(-42)]
    #[case(1_000_000)]
    #[case(i64::MAX)]
    #[case(i64::MIN)]
    fn int_text_is_the_display_text(#[case] value: i64) {
        let mut digits = [0u8; 20];
        assert_eq!(int_text(value, &mut digits), value.to_string().as_bytes());
    }

    #[rstest]
    #[case(1_000_000_000)]
    #[case(-100_000_000)]
    #[case(i64::MIN)]
    fn ints_wider_than_the_slot_are_refused_untouched(#[case] value: i64) {
        let mut slot = *b"abcdefghi";
        assert_eq!(put_int(&mut slot, value), Err(DoesNotFit));
        assert_eq!(&slot, b"abcdefghi");
    }

    #[rstest]
    #[case(b"#########", Ok(None))]
    #[case(b"#garbage!", Ok(None))]
    #[case(b" 42      ", Ok(Some(42)))]
    #[case(b"+7       ", Ok(Some(7)))]
    #[case(b"4 2      ", Err(BadNumber))]
    #[case(b"abc      ", Err(BadNumber))]
    #[case(b"         ", Err(BadNumber))]
    #[case(b"-        ", Err(BadNumber))]
    #[case(b"\0\0\0\0\0\0\0\0\0", Err(BadNumber))]
    fn number_slots_parse_like_python(
        #[case] slot: &[u8; 9],
        #[case] expected: Result<Option<i64>, BadNumber>,
    ) {
        assert_eq!(get_int(slot), expected);
    }

    #[rstest]
    #[case(9, 999_999_999, true)]
    #[case(9, 1_000_000_000, false)]
    #[case(9, -99_999_999, true)]
    #[case(9, -999_999_999, false)]
    #[case(6, 999_999, true)]
    #[case(1, 0, true)]
    #[case(1, -1, false)]
    #[case(20, i64::MIN, true)]
    fn fits_counts_the_sign(#[case] width: usize, #[case] value: i64, #[case] fits: bool) {
        assert_eq!(int_fits(value, width), fits);
    }

    #[rstest]
    #[case(b"foo  ", Some(&b"foo"[..]))]
    #[case(b"     ", Some(&b""[..]))]
    #[case(b"a b \t", Some(&b"a b"[..]))]
    #[case(b"\0\0\0\0\0", None)]
    fn char_slots(#[case] slot: &[u8; 5], #[case] expected: Option<&[u8]>) {
        assert_eq!(get_char(slot), expected);
    }
}
