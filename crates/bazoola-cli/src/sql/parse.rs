//! From text to statements. A script is cut at the semicolons that are outside quotes
//! and comments; each piece is tokenized and parsed on its own (sqlparser, SQLite
//! dialect), so that the statements before a broken one still run, as in `sqlite3`.
//! Positions are kept as line and column of the whole input: a parse error carries
//! where sqlparser stopped, an unsupported construct where its keyword is.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use sqlparser::ast;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithLocation, Tokenizer};

use super::select::Select;
use crate::error::{CliError, Position, Result};

/// How many operators one expression may chain (`a OR b OR …`, `1 + 1 + …`). The
/// parser builds such chains as deep trees, and deep trees are walked (and dropped)
/// recursively: far longer chains would overflow the stack.
pub const MAX_OPERATORS: usize = 2000;

/// The longest name (of a table, column, alias) taken: errors quote names, and a
/// megabyte-long one would make a megabyte-long message.
pub const MAX_NAME: usize = 1000;

/// The most parameters a statement takes, and the largest `?NNN` (SQLite's default
/// `SQLITE_MAX_VARIABLE_NUMBER`).
pub const MAX_PARAMETERS: usize = 32766;

/// A parsed statement, ready to run any number of times, with other values bound to
/// its parameters each time. A SELECT keeps its plan from one run to the next (see
/// [`super::select::Select::rebind`]).
pub struct Statement {
    pub(crate) ast: ast::Statement,
    text: String,
    start: Position,
    parameters: Parameters,
    /// The plan of the last run, for the next.
    pub(crate) plan: RefCell<Option<CachedPlan>>,
    /// The SELECT an UPDATE or DELETE without RETURNING finds its rows with (`SELECT
    /// t.id FROM t WHERE …`): made from the statement alone, so made once.
    pub(crate) targets: OnceCell<ast::Query>,
}

/// A SELECT's plan, and the schemas it was made with.
pub(crate) struct CachedPlan {
    /// [`bazoola::Database::schema_generation`] when it was made.
    pub generation: u64,
    pub select: Select,
}

/// A copy parses the same and plans afresh.
impl Clone for Statement {
    fn clone(&self) -> Statement {
        Statement {
            ast: self.ast.clone(),
            text: self.text.clone(),
            start: self.start,
            parameters: self.parameters.clone(),
            plan: RefCell::new(None),
            targets: OnceCell::new(),
        }
    }
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("text", &self.text)
            .field("start", &self.start)
            .field("parameters", &self.parameters.count)
            .finish_non_exhaustive()
    }
}

/// A statement's parameters, numbered as SQLite numbers them: `?` takes the number
/// after the largest so far, `?NNN` is number NNN, and a name (`:name`, `@name`,
/// `$name`) takes the next number where it first appears and keeps it. Every `?` is
/// rewritten to `?N` before parsing, so the tree says which one it is.
#[derive(Debug, Clone, Default)]
struct Parameters {
    /// The largest number: how many values a run binds.
    count: usize,
    /// The named ones, with their numbers.
    names: HashMap<String, usize>,
}

/// One statement's text in a script, and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementText<'a> {
    /// The text from just after the previous `;` up to (without) its own `;`.
    pub text: &'a str,
    /// Where `text` starts in the script.
    pub start: Position,
    /// Byte offset of `text` in the script.
    pub offset: usize,
}

impl StatementText<'_> {
    /// The statement without the blanks and comments around it.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

impl Statement {
    /// The statement's text, as written.
    pub fn sql(&self) -> &str {
        self.text.trim()
    }

    /// Where the statement starts in its input.
    pub fn start(&self) -> Position {
        self.start
    }

    /// How many values a run of it binds: its largest parameter number (`?`, `?NNN`,
    /// `:name`, `@name`, `$name`), 0 when it has none.
    pub fn parameter_count(&self) -> usize {
        self.parameters.count
    }

    /// The number (from 1) of the parameter spelled `name` (`:id`, `@id`, `$id`, `?2`),
    /// as SQLite's `sqlite3_bind_parameter_index` gives it.
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        if let Some(n) = name.strip_prefix('?') {
            return n.parse().ok().filter(|n| (1..=self.parameters.count).contains(n));
        }
        self.parameters.names.get(name).copied()
    }

    /// Where the first token spelled `word` (a keyword or name, any case) is, or else
    /// where the statement starts: to point at an unsupported construct.
    pub fn position_of(&self, word: &str) -> Position {
        self.locate(&[word])
    }

    /// Where the token spelled `words[last]` is that follows one spelled `words[0]`, …
    /// in that order (`["code", "PRIMARY"]`: the PRIMARY after `code`); as far as the
    /// chain is found, else where the statement starts.
    pub fn locate(&self, words: &[&str]) -> Position {
        let dialect = SQLiteDialect {};
        let tokens = Tokenizer::new(&dialect, &self.text).tokenize_with_location().unwrap_or_default();
        let spelled = |t: &TokenWithLocation, word: &str| match &t.token {
            Token::Word(w) => w.value.eq_ignore_ascii_case(word),
            other => other.to_string() == word,
        };
        let mut found = None;
        let mut from = 0;
        for word in words.iter().filter(|w| !w.is_empty()) {
            match tokens[from..].iter().position(|t| spelled(t, word)) {
                Some(i) => {
                    found = Some(&tokens[from + i]);
                    from += i + 1;
                }
                None => break,
            }
        }
        match found {
            Some(t) => absolute(self.start, t.location.line, t.location.column),
            None => self.first_token().unwrap_or(self.start),
        }
    }

    fn first_token(&self) -> Option<Position> {
        let dialect = SQLiteDialect {};
        let tokens = Tokenizer::new(&dialect, &self.text).tokenize_with_location().ok()?;
        let first = tokens.iter().find(|t| !matches!(t.token, Token::Whitespace(_)))?;
        Some(absolute(self.start, first.location.line, first.location.column))
    }

    /// An error for a construct outside the subset, pointing at `word` in the text.
    pub fn unsupported(&self, construct: impl Into<String>, word: &str) -> CliError {
        self.unsupported_at(construct, &[word])
    }

    /// An error for a construct outside the subset, pointing where [`Statement::locate`]
    /// finds `words`.
    pub fn unsupported_at(&self, construct: impl Into<String>, words: &[&str]) -> CliError {
        CliError::Unsupported { construct: construct.into(), position: Some(self.locate(words)) }
    }
}

/// A position inside a piece of text (1-based line and column) as a position in the
/// whole input, the piece starting at `start`.
fn absolute(start: Position, line: u64, column: u64) -> Position {
    if line <= 1 {
        Position { line: start.line, column: start.column + column.saturating_sub(1) }
    } else {
        Position { line: start.line + line - 1, column }
    }
}

/// The statements of a script, in order, with where each starts: cut at every `;`
/// outside strings, quoted names and comments. Pieces holding nothing but blanks and
/// comments are left out. An unterminated string or comment runs to the end.
pub fn split_statements(script: &str) -> Vec<StatementText<'_>> {
    let mut out = Vec::new();
    let bytes = script.as_bytes();
    let (mut line, mut column) = (1u64, 1u64);
    let mut start = (0usize, Position { line: 1, column: 1 });
    let mut content = false;
    let mut i = 0;
    // Advances to byte `end`, counting lines and (character) columns.
    let advance = |i: &mut usize, end: usize, line: &mut u64, column: &mut u64| {
        let end = end.min(bytes.len());
        for &b in &bytes[*i..end] {
            if b == b'\n' {
                *line += 1;
                *column = 1;
            } else if b & 0xC0 != 0x80 {
                *column += 1;
            }
        }
        *i = end;
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b';' => {
                if content {
                    out.push(StatementText { text: &script[start.0..i], start: start.1, offset: start.0 });
                }
                let next = i + 1;
                advance(&mut i, next, &mut line, &mut column);
                start = (i, Position { line, column });
                content = false;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = script[i..].find('\n').map_or(bytes.len(), |n| i + n);
                advance(&mut i, end, &mut line, &mut column);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = script[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                advance(&mut i, end, &mut line, &mut column);
            }
            b'\'' | b'"' | b'`' | b'[' => {
                content = true;
                let j = quoted_end(bytes, i).unwrap_or(bytes.len());
                advance(&mut i, j, &mut line, &mut column);
            }
            _ => {
                if !b.is_ascii_whitespace() {
                    content = true;
                }
                let next = i + 1;
                advance(&mut i, next, &mut line, &mut column);
            }
        }
    }
    if content {
        out.push(StatementText { text: &script[start.0..], start: start.1, offset: start.0 });
    }
    out
}

/// The byte after the string or quoted name (`'…'`, `"…"`, `` `…` ``, `[…]`) whose
/// opening quote is at `start`, or `None` if it does not close. A doubled quote inside
/// is the quote itself (not in brackets).
pub(super) fn quoted_end(bytes: &[u8], start: usize) -> Option<usize> {
    let close = if bytes[start] == b'[' { b']' } else { bytes[start] };
    let mut j = start + 1;
    loop {
        let b = *bytes.get(j)?;
        if b == close {
            if close != b']' && bytes.get(j + 1) == Some(&close) {
                j += 2;
                continue;
            }
            return Some(j + 1);
        }
        j += 1;
    }
}

/// Parses one statement's text (as [`split_statements`] gives it).
pub fn parse_statement(piece: StatementText<'_>) -> Result<Statement> {
    let dialect = SQLiteDialect {};
    let mut tokens = Tokenizer::new(&dialect, piece.text)
        .tokenize_with_location()
        .map_err(|e| parse_error(&e.to_string(), piece.start))?;
    check_operators(&tokens, piece.start)?;
    let parameters = number_parameters(&mut tokens, piece.start)?;
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let ast = parser.parse_statement().map_err(|e| parser_error(&e, piece.start))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(CliError::Parse {
            message: format!("Expected: end of statement, found: {}", next.token),
            position: Some(absolute(piece.start, next.location.line, next.location.column)),
        });
    }
    Ok(Statement {
        ast,
        text: piece.text.to_string(),
        start: piece.start,
        parameters,
        plan: RefCell::new(None),
        targets: OnceCell::new(),
    })
}

/// Numbers the parameters among `tokens` (see [`Parameters`]): each `?` becomes `?N`,
/// and a `:` or `@` followed at once by a name becomes one placeholder token, as the
/// tokenizer already makes `$name` one.
fn number_parameters(tokens: &mut Vec<TokenWithLocation>, start: Position) -> Result<Parameters> {
    let mut parameters = Parameters::default();
    let mut out = Vec::with_capacity(tokens.len());
    let mut input = std::mem::take(tokens).into_iter().peekable();
    while let Some(mut t) = input.next() {
        if let (Token::Colon | Token::AtSign, Some(Token::Word(w))) =
            (&t.token, input.peek().map(|n| &n.token))
        {
            if w.quote_style.is_none() {
                t.token = Token::Placeholder(format!("{}{}", t.token, w.value));
                input.next();
            }
        }
        if let Token::Placeholder(p) = &mut t.token {
            let out_of_range = || CliError::Parse {
                message: format!("variable number must be between ?1 and ?{MAX_PARAMETERS}"),
                position: Some(absolute(start, t.location.line, t.location.column)),
            };
            let number = if p == "?" {
                let n = parameters.count + 1;
                *p = format!("?{n}");
                n
            } else if let Some(n) = p.strip_prefix('?') {
                n.parse().map_err(|_| out_of_range())?
            } else if let Some(n) = parameters.names.get(p.as_str()) {
                *n
            } else {
                let n = parameters.count + 1;
                parameters.names.insert(p.clone(), n);
                n
            };
            if !(1..=MAX_PARAMETERS).contains(&number) {
                return Err(out_of_range());
            }
            parameters.count = parameters.count.max(number);
        }
        out.push(t);
    }
    *tokens = out;
    Ok(parameters)
}

/// Parses a text that must hold exactly one statement.
pub fn parse_one(sql: &str) -> Result<Statement> {
    let pieces = split_statements(sql);
    match pieces.as_slice() {
        [piece] => parse_statement(*piece),
        [] => Err(CliError::Parse { message: "no statement to prepare".into(), position: None }),
        [_, second, ..] => Err(CliError::Parse {
            message: "prepare takes one statement; this text holds more".into(),
            position: Some(second.start),
        }),
    }
}

fn parser_error(e: &ParserError, start: Position) -> CliError {
    match e {
        ParserError::RecursionLimitExceeded => CliError::Parse {
            message: "the statement nests too deeply (more than 50 levels)".into(),
            position: Some(start),
        },
        ParserError::ParserError(message) | ParserError::TokenizerError(message) => {
            parse_error(message, start)
        }
    }
}

/// A parse error from sqlparser's message, its ` at Line: l, Column: c` made a
/// position in the whole input.
fn parse_error(message: &str, start: Position) -> CliError {
    let message = message.strip_prefix("sql parser error: ").unwrap_or(message);
    let Some(at) = message.rfind(" at Line: ") else {
        return CliError::Parse { message: message.to_string(), position: Some(start) };
    };
    let place = &message[at + " at Line: ".len()..];
    let mut numbers = place.split(", Column: ").map(|n| n.trim().parse::<u64>());
    let position = match (numbers.next(), numbers.next()) {
        (Some(Ok(line)), Some(Ok(column))) => absolute(start, line, column),
        _ => start,
    };
    CliError::Parse { message: message[..at].to_string(), position: Some(position) }
}

/// Refuses an expression chaining more than [`MAX_OPERATORS`] operators — counted per
/// level of parentheses (a comma starts a new count), summed over the open levels — and
/// names longer than [`MAX_NAME`].
fn check_operators(tokens: &[TokenWithLocation], start: Position) -> Result<()> {
    let mut levels: Vec<usize> = vec![0];
    for t in tokens {
        let operator = match &t.token {
            Token::LParen => {
                levels.push(0);
                false
            }
            Token::RParen => {
                if levels.len() > 1 {
                    levels.pop();
                }
                false
            }
            Token::Comma => {
                if let Some(last) = levels.last_mut() {
                    *last = 0;
                }
                false
            }
            Token::Word(w) if w.value.len() > MAX_NAME => {
                return Err(CliError::Unsupported {
                    construct: format!("a name longer than {MAX_NAME} bytes ({} bytes)", w.value.len()),
                    position: Some(absolute(start, t.location.line, t.location.column)),
                });
            }
            Token::Word(w) => {
                matches!(
                    w.value.to_ascii_uppercase().as_str(),
                    "AND" | "OR" | "NOT" | "IS" | "LIKE" | "BETWEEN" | "IN"
                )
            }
            Token::Plus
            | Token::Minus
            | Token::Mul
            | Token::Div
            | Token::Mod
            | Token::StringConcat
            | Token::Eq
            | Token::DoubleEq
            | Token::Neq
            | Token::Lt
            | Token::LtEq
            | Token::Gt
            | Token::GtEq
            | Token::Spaceship
            | Token::Ampersand
            | Token::Pipe
            | Token::Caret
            | Token::ShiftLeft
            | Token::ShiftRight
            | Token::Tilde
            | Token::ExclamationMark => true,
            _ => false,
        };
        if operator {
            if let Some(last) = levels.last_mut() {
                *last += 1;
            }
            if levels.iter().sum::<usize>() > MAX_OPERATORS {
                return Err(CliError::Unsupported {
                    construct: format!("an expression chaining more than {MAX_OPERATORS} operators"),
                    position: Some(absolute(start, t.location.line, t.location.column)),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<String> {
        split_statements(script).iter().map(|p| p.trimmed().to_string()).collect()
    }

    #[test]
    fn semicolons_in_strings_names_and_comments_do_not_cut() {
        let script = "SELECT 'a;b'; SELECT \"x;\" -- c;\n; /* ; */ SELECT [;]; ;;  \n";
        assert_eq!(texts(script), vec!["SELECT 'a;b'", "SELECT \"x;\" -- c;", "/* ; */ SELECT [;]"]);
    }

    #[test]
    fn pieces_know_where_they_start() {
        let pieces = split_statements("SELECT 1;\n  SELECT 2");
        assert_eq!(pieces[1].start, Position { line: 1, column: 10 });
        let error = parse_statement(split_statements("SELECT 1;\n  SELEC 2")[1]).unwrap_err();
        match error {
            CliError::Parse { position, .. } => assert_eq!(position, Some(Position { line: 2, column: 3 })),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unterminated_strings_are_parse_errors_with_their_position() {
        let error = parse_one("SELECT 'abc").unwrap_err();
        let message = error.to_string();
        assert_eq!(message, "parse error at line 1, column 8: Unterminated string literal");
    }

    #[test]
    fn long_operator_chains_are_refused() {
        let sql = format!("SELECT 1{}", " + 1".repeat(MAX_OPERATORS + 1));
        assert!(matches!(parse_one(&sql), Err(CliError::Unsupported { .. })));
        let sql = format!("SELECT 1{}", ", 1 + 1".repeat(MAX_OPERATORS + 1));
        assert!(parse_one(&sql).is_ok());
    }
}
