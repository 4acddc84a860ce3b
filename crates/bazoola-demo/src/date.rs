//! Dates as the tables store them: `YYYY-MM-DD` in a CHAR(10), in UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Today's date in UTC.
pub fn today() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether `text` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Days since 1970-01-01 to a (year, month, day), by Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(0, (1970, 1, 1))]
    #[case(59, (1970, 3, 1))]
    #[case(11_016, (2000, 2, 29))]
    #[case(20_454, (2026, 1, 1))]
    fn days_become_dates(#[case] days: i64, #[case] expected: (i64, u32, u32)) {
        assert_eq!(civil_from_days(days), expected);
    }

    #[rstest]
    #[case("2024-12-31", true)]
    #[case("2024-02-29", true)]
    #[case("2023-02-29", false)]
    #[case("2024-13-01", false)]
    #[case("2024-00-10", false)]
    #[case("2024-1-01", false)]
    #[case("tomorrow!!", false)]
    #[case("", false)]
    fn dates_are_checked(#[case] text: &str, #[case] valid: bool) {
        assert_eq!(is_date(text), valid);
    }

    #[test]
    fn today_is_a_date() {
        assert!(is_date(&today()), "{}", today());
    }
}
