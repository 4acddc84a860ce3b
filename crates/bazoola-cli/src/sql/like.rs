//! SQLite's `LIKE`: `%` matches any run of characters, `_` exactly one, an optional
//! escape character makes the next one literal, and letters compare without regard to
//! case only within ASCII (`'a' LIKE 'A'`, but not `'ä' LIKE 'Ä'`), as SQLite does
//! without ICU.

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Any,
    One,
    Char(char),
}

/// A compiled LIKE pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    pieces: Vec<Piece>,
    /// An escape character with nothing after it: SQLite then matches nothing.
    broken: bool,
}

impl Pattern {
    pub fn new(pattern: &str, escape: Option<char>) -> Pattern {
        let mut pieces = Vec::with_capacity(pattern.len());
        let mut chars = pattern.chars();
        let mut broken = false;
        while let Some(c) = chars.next() {
            if Some(c) == escape {
                match chars.next() {
                    Some(next) => pieces.push(Piece::Char(next)),
                    None => broken = true,
                }
                continue;
            }
            pieces.push(match c {
                '%' => Piece::Any,
                '_' => Piece::One,
                c => Piece::Char(c),
            });
        }
        // `%%` is `%`.
        pieces.dedup_by(|a, b| *a == Piece::Any && *b == Piece::Any);
        Pattern { source: pattern.to_string(), pieces, broken }
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `text` matches. Backtracks only to the last `%` seen, so it runs in
    /// O(text × pattern) at worst.
    pub fn matches(&self, text: &str) -> bool {
        if self.broken {
            return false;
        }
        let text: Vec<char> = text.chars().collect();
        let (mut t, mut p) = (0, 0);
        let mut resume: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.pieces.get(p) {
                Some(Piece::Any) => {
                    resume = Some((p + 1, t));
                    p += 1;
                }
                Some(Piece::One) => {
                    t += 1;
                    p += 1;
                }
                Some(Piece::Char(c)) if same(*c, text[t]) => {
                    t += 1;
                    p += 1;
                }
                _ => match resume {
                    Some((rp, rt)) => {
                        resume = Some((rp, rt + 1));
                        p = rp;
                        t = rt + 1;
                    }
                    None => return false,
                },
            }
        }
        self.pieces[p..].iter().all(|piece| *piece == Piece::Any)
    }

    /// `run` when the pattern is `%run%` with a run of plain ASCII characters: a text
    /// matches exactly when it contains the run, ASCII letters compared without regard
    /// to case.
    pub fn ascii_run(&self) -> Option<String> {
        let [Piece::Any, middle @ .., Piece::Any] = self.pieces.as_slice() else { return None };
        if self.broken || middle.is_empty() {
            return None;
        }
        middle
            .iter()
            .map(|p| match p {
                Piece::Char(c) if c.is_ascii() => Some(*c),
                _ => None,
            })
            .collect()
    }

    /// The longest run of plain ASCII characters every match must contain (a needle
    /// the engine's case-insensitive substring test can pre-filter with).
    pub fn ascii_needle(&self) -> Option<String> {
        let mut best = String::new();
        let mut run = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Char(c) if c.is_ascii() => run.push(*c),
                _ => {
                    if run.len() > best.len() {
                        best = std::mem::take(&mut run);
                    }
                    run.clear();
                }
            }
        }
        if run.len() > best.len() {
            best = run;
        }
        (!best.is_empty() && !self.broken).then_some(best)
    }
}

/// Characters equal under LIKE: ASCII letters without regard to case, others exactly.
fn same(a: char, b: char) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("abc", "abc", true)]
    #[case("ABC", "abc", true)]
    #[case("abc", "a%", true)]
    #[case("abc", "%c", true)]
    #[case("abc", "%b%", true)]
    #[case("abc", "a_c", true)]
    #[case("abc", "a_", false)]
    #[case("", "%", true)]
    #[case("", "_", false)]
    #[case("ä", "Ä", false)]
    #[case("Ä", "_", true)]
    #[case("mississippi", "%iss%ppi", true)]
    #[case("mississippi", "%iss%ppx", false)]
    #[case("aaa", "%a%a%a%", true)]
    #[case("aa", "%a%a%a%", false)]
    #[case("\u{212A}", "k", false)]
    fn like_matches_as_sqlite(#[case] text: &str, #[case] pattern: &str, #[case] expected: bool) {
        assert_eq!(Pattern::new(pattern, None).matches(text), expected, "{text:?} LIKE {pattern:?}");
    }

    #[test]
    fn escapes_make_wildcards_literal() {
        assert!(Pattern::new("10!%", Some('!')).matches("10%"));
        assert!(!Pattern::new("10!%", Some('!')).matches("100"));
        assert!(!Pattern::new("10!", Some('!')).matches("10!"));
    }

    #[test]
    fn the_needle_is_the_longest_ascii_run() {
        assert_eq!(Pattern::new("%ab%cde_f", None).ascii_needle().as_deref(), Some("cde"));
        assert_eq!(Pattern::new("%", None).ascii_needle(), None);
        assert_eq!(Pattern::new("é%", None).ascii_needle(), None);
    }
}
