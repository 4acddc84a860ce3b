//! Where one statement ends: the shell collects lines until the text ends with a `;`
//! outside strings, quoted names and comments (`sqlite3_complete`'s rule, for the
//! quoting SQLite knows: `'…'`, `"…"`, `` `…` ``, `[…]`, `-- …` and `/* … */`).
//!
//! The scan is incremental: each line is looked at once, so a long script costs
//! linear time however its statements are split across lines.

/// The longest statement the shell takes, in bytes. The shell holds a statement whole
/// before it is parsed; past this size it is refused, before anything runs (a value
/// that big belongs in a file, not in a statement).
pub const MAX_STATEMENT_BYTES: usize = 4 << 20;

/// Where the scan stands inside SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Lexical {
    #[default]
    Code,
    /// Inside a quoted string or name, until this byte.
    Quoted(u8),
    LineComment,
    BlockComment,
}

/// The lines of a statement being typed (or read), and what the scan knows of them.
#[derive(Debug, Default)]
pub struct Pending {
    text: String,
    /// The line (1-based) of the input where the text starts.
    first_line: usize,
    state: Lexical,
    /// The last byte of code (outside strings and comments) that is not whitespace.
    last_code: Option<u8>,
    /// Whether there is code besides `;`: a text of comments and semicolons runs nothing.
    has_code: bool,
    /// Where the statement being collected starts: after the last `;` of code.
    statement_start: usize,
    /// The longest statement in the text.
    longest: usize,
}

impl Pending {
    pub fn new() -> Pending {
        Pending::default()
    }

    /// Adds one line (without its line break), read at `line_number` of the input.
    pub fn push(&mut self, line: &str, line_number: usize) {
        if self.text.is_empty() {
            self.first_line = line_number;
        }
        let start = self.text.len();
        self.text.push_str(line);
        self.text.push('\n');
        self.scan(start);
    }

    fn scan(&mut self, start: usize) {
        let bytes = self.text.as_bytes();
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            match self.state {
                Lexical::Code => match b {
                    b'-' if next == Some(b'-') => {
                        self.state = Lexical::LineComment;
                        i += 1;
                    }
                    b'/' if next == Some(b'*') => {
                        self.state = Lexical::BlockComment;
                        i += 1;
                    }
                    b';' => {
                        self.last_code = Some(b';');
                        self.longest = self.longest.max(i - self.statement_start);
                        self.statement_start = i + 1;
                    }
                    _ if b.is_ascii_whitespace() => {}
                    _ => {
                        if matches!(b, b'\'' | b'"' | b'`' | b'[') {
                            self.state = Lexical::Quoted(if b == b'[' { b']' } else { b });
                        }
                        self.last_code = Some(b);
                        self.has_code = true;
                    }
                },
                Lexical::Quoted(end) => {
                    if b == end {
                        self.state = Lexical::Code;
                        self.last_code = Some(b);
                    }
                }
                Lexical::LineComment => {
                    if b == b'\n' {
                        self.state = Lexical::Code;
                    }
                }
                Lexical::BlockComment => {
                    if b == b'*' && next == Some(b'/') {
                        self.state = Lexical::Code;
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        self.longest = self.longest.max(self.text.len() - self.statement_start);
    }

    /// Whether nothing has been collected.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether the text ends a statement: its last code is a `;` outside any string or
    /// comment.
    pub fn is_complete(&self) -> bool {
        matches!(self.state, Lexical::Code | Lexical::LineComment) && self.last_code == Some(b';')
    }

    /// Whether the text holds nothing to run: only whitespace, comments and `;`, with
    /// no comment left open.
    pub fn is_blank(&self) -> bool {
        !self.has_code && matches!(self.state, Lexical::Code | Lexical::LineComment)
    }

    /// The longest statement collected, in bytes (see [`MAX_STATEMENT_BYTES`]).
    pub fn longest_statement(&self) -> usize {
        self.longest
    }

    pub fn first_line(&self) -> usize {
        self.first_line
    }

    /// The collected text, leaving this empty.
    pub fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        *self = Pending::default();
        text
    }

    pub fn clear(&mut self) {
        *self = Pending::default();
    }
}

/// Whether `line`, typed at the start of a statement, is a dot-command.
pub fn is_dot_command(line: &str) -> bool {
    line.trim_start().starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn pending(lines: &[&str]) -> Pending {
        let mut p = Pending::new();
        for (n, line) in lines.iter().enumerate() {
            p.push(line, n + 1);
        }
        p
    }

    #[rstest]
    #[case::simple(&["SELECT 1;"], true)]
    #[case::no_semicolon(&["SELECT 1"], false)]
    #[case::two_lines(&["SELECT *", "FROM t;"], true)]
    #[case::trailing_space_and_comment(&["SELECT 1;  -- done"], true)]
    #[case::trailing_block_comment(&["SELECT 1; /* done */"], true)]
    #[case::semicolon_in_string(&["SELECT 'a;"], false)]
    #[case::string_closed_later(&["SELECT 'a;", "b';"], true)]
    #[case::doubled_quote(&["SELECT 'it''s;'"], false)]
    #[case::doubled_quote_closed(&["SELECT 'it''s';"], true)]
    #[case::quoted_name(&["SELECT \"a;b\" FROM t"], false)]
    #[case::backticks(&["SELECT `a;b`;"], true)]
    #[case::brackets(&["SELECT [a;b]"], false)]
    #[case::line_comment(&["SELECT 1 -- ;"], false)]
    #[case::line_comment_then_end(&["SELECT 1 -- ;", ";"], true)]
    #[case::open_block_comment(&["SELECT 1; /* ;"], false)]
    #[case::closed_block_comment(&["SELECT 1 /* ; */;"], true)]
    #[case::second_statement_unfinished(&["SELECT 1; SELECT 2"], false)]
    #[case::minus_is_not_a_comment(&["SELECT 3 - 1;"], true)]
    fn completeness(#[case] lines: &[&str], #[case] complete: bool) {
        assert_eq!(pending(lines).is_complete(), complete, "{lines:?}");
    }

    #[rstest]
    #[case(&[""], true)]
    #[case(&["   "], true)]
    #[case(&["-- a comment"], true)]
    #[case(&["/* a", "comment */"], true)]
    #[case(&[";"], true)]
    #[case(&["/* open"], false)]
    #[case(&["x"], false)]
    #[case(&["''"], false)]
    fn blankness(#[case] lines: &[&str], #[case] blank: bool) {
        assert_eq!(pending(lines).is_blank(), blank, "{lines:?}");
    }

    #[test]
    fn statements_are_measured_between_semicolons() {
        let long = "x".repeat(100);
        let p = pending(&[&format!("SELECT 1; SELECT '{long}';"), "SELECT 2;"]);
        assert_eq!(p.longest_statement(), " SELECT '".len() + 100 + 1);
        assert_eq!(p.first_line(), 1);
    }

    #[test]
    fn taking_resets() {
        let mut p = pending(&["SELECT 'a"]);
        assert_eq!(p.take(), "SELECT 'a\n");
        assert!(p.is_empty() && p.is_blank());
        p.push("SELECT 1;", 7);
        assert!(p.is_complete());
        assert_eq!(p.first_line(), 7);
    }

    #[test]
    fn dot_commands_start_a_line() {
        assert!(is_dot_command(".tables"));
        assert!(is_dot_command("  .mode box"));
        assert!(!is_dot_command("SELECT .5;"));
    }
}
