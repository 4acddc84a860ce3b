//! CSV as RFC 4180 writes it, read strictly and written so that it reads back the same.
//!
//! Reading keeps two things general CSV readers drop: whether each field was quoted
//! (an unquoted empty field is null, a quoted one `""` is the empty string — the
//! convention of PostgreSQL's `COPY … CSV`), and the line each record starts on (for
//! errors). It refuses what it would otherwise have to guess at: a quote inside an
//! unquoted field, text after a closing quote, a quoted field that never closes, bytes
//! that are not UTF-8 — each an error naming the line and the field. Lines end in `\n`
//! or `\r\n`; a UTF-8 byte-order mark at the start is skipped; blank lines are skipped.
//!
//! Writing quotes a field only when it must: when it is empty (so that it is not read
//! as null) or holds a comma, a quote, `\r` or `\n`. Nulls are written as nothing.

use std::io::{self, BufRead, Write};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a record does not parse; `field` counts from 0.
#[derive(Debug)]
pub enum CsvError {
    Syntax { line: u64, field: usize, problem: &'static str },
    Utf8 { line: u64, field: usize },
    Io(io::Error),
}

impl From<io::Error> for CsvError {
    fn from(e: io::Error) -> CsvError {
        CsvError::Io(e)
    }
}

/// One record: its fields' text side by side, where each ends, and whether each was
/// quoted.
#[derive(Debug, Default)]
pub struct CsvRecord {
    text: String,
    ends: Vec<usize>,
    quoted: Vec<bool>,
    line: u64,
}

impl CsvRecord {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`'s text, and whether it was quoted.
    pub fn get(&self, i: usize) -> (&str, bool) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (&self.text[start..self.ends[i]], self.quoted[i])
    }

    /// The line the record starts on (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }
}

#[derive(Clone, Copy)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    /// Just after a quote inside a quoted field: either the field ends or the quote
    /// was the first of a doubled pair.
    AfterQuote,
    AfterQuoteCr,
}

/// Reads records one at a time from a buffered input.
pub struct CsvReader<R> {
    input: R,
    /// The line the next byte is on.
    line: u64,
    bytes: Vec<u8>,
    started: bool,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(input: R) -> CsvReader<R> {
        CsvReader { input, line: 1, bytes: Vec::new(), started: false }
    }

    /// Passes over `n` lines as they are, without parsing them.
    pub fn skip_lines(&mut self, n: usize) -> io::Result<()> {
        self.skip_bom()?;
        let mut line = Vec::new();
        for _ in 0..n {
            line.clear();
            let read = self.input.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            self.line += 1;
        }
        Ok(())
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            let buf = self.input.fill_buf()?;
            if buf.starts_with(BOM) {
                self.input.consume(BOM.len());
            }
        }
        Ok(())
    }

    /// Reads the next record into `record`; `false` at the end of the input.
    pub fn read(&mut self, record: &mut CsvRecord) -> Result<bool, CsvError> {
        self.skip_bom()?;
        loop {
            self.bytes = std::mem::take(&mut record.text).into_bytes();
            self.bytes.clear();
            record.ends.clear();
            record.quoted.clear();
            record.line = self.line;
            if !self.parse(record)? {
                return Ok(false);
            }
            let blank = record.ends.len() == 1 && record.ends[0] == 0 && !record.quoted[0];
            self.finish(record)?;
            if !blank {
                return Ok(true);
            }
        }
    }

    /// Parses bytes into `self.bytes` and `record`'s field ends until a record ends;
    /// `false` when the input ended before any byte of one.
    fn parse(&mut self, record: &mut CsvRecord) -> Result<bool, CsvError> {
        let mut state = State::StartField;
        let mut any = false;
        // The line where the current quoted field opened.
        let mut field_line = self.line;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return match state {
                    State::StartField if !any => Ok(false),
                    State::Quoted => Err(CsvError::Syntax {
                        line: field_line,
                        field: record.ends.len(),
                        problem: "a quoted field is not closed before the end of the file",
                    }),
                    State::AfterQuoteCr | State::AfterQuote => {
                        record.ends.push(self.bytes.len());
                        record.quoted.push(true);
                        Ok(true)
                    }
                    State::StartField | State::Unquoted => {
                        record.ends.push(self.bytes.len());
                        record.quoted.push(false);
                        Ok(true)
                    }
                };
            }
            any = true;
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                used += 1;
                match state {
                    State::StartField | State::Unquoted => match b {
                        b'"' if matches!(state, State::StartField) => {
                            state = State::Quoted;
                            field_line = self.line;
                        }
                        b'"' => {
                            return Err(CsvError::Syntax {
                                line: self.line,
                                field: record.ends.len(),
                                problem: "a quote inside an unquoted field (quote the whole field and double the quote)",
                            })
                        }
                        b',' => {
                            record.ends.push(self.bytes.len());
                            record.quoted.push(false);
                            state = State::StartField;
                        }
                        b'\n' => {
                            if self.bytes.last() == Some(&b'\r') && self.field_start(record) < self.bytes.len() {
                                self.bytes.pop();
                            }
                            record.ends.push(self.bytes.len());
                            record.quoted.push(false);
                            self.line += 1;
                            done = true;
                            break;
                        }
                        _ => {
                            self.bytes.push(b);
                            state = State::Unquoted;
                        }
                    },
                    State::Quoted => {
                        if b == b'"' {
                            state = State::AfterQuote;
                        } else {
                            if b == b'\n' {
                                self.line += 1;
                            }
                            self.bytes.push(b);
                        }
                    }
                    State::AfterQuote => match b {
                        b'"' => {
                            self.bytes.push(b'"');
                            state = State::Quoted;
                        }
                        b',' => {
                            record.ends.push(self.bytes.len());
                            record.quoted.push(true);
                            state = State::StartField;
                        }
                        b'\n' => {
                            record.ends.push(self.bytes.len());
                            record.quoted.push(true);
                            self.line += 1;
                            done = true;
                            break;
                        }
                        b'\r' => state = State::AfterQuoteCr,
                        _ => {
                            return Err(CsvError::Syntax {
                                line: self.line,
                                field: record.ends.len(),
                                problem: "text after the closing quote of a quoted field",
                            })
                        }
                    },
                    State::AfterQuoteCr => {
                        if b != b'\n' {
                            return Err(CsvError::Syntax {
                                line: self.line,
                                field: record.ends.len(),
                                problem: "text after the closing quote of a quoted field",
                            });
                        }
                        record.ends.push(self.bytes.len());
                        record.quoted.push(true);
                        self.line += 1;
                        done = true;
                        break;
                    }
                }
            }
            self.input.consume(used);
            if done {
                return Ok(true);
            }
        }
    }

    fn field_start(&self, record: &CsvRecord) -> usize {
        record.ends.last().copied().unwrap_or(0)
    }

    /// Makes the record's bytes its text, naming the first field that is not UTF-8.
    fn finish(&mut self, record: &mut CsvRecord) -> Result<(), CsvError> {
        let bytes = std::mem::take(&mut self.bytes);
        let bad_field = |record: &CsvRecord, offset: usize| record.ends.iter().position(|&end| end > offset);
        match String::from_utf8(bytes) {
            Ok(text) => {
                // Valid as a whole, but a field may still end inside a character.
                if let Some(field) = record.ends.iter().position(|&end| !text.is_char_boundary(end)) {
                    return Err(CsvError::Utf8 { line: record.line, field });
                }
                record.text = text;
                Ok(())
            }
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let field = bad_field(record, offset).unwrap_or(0);
                Err(CsvError::Utf8 { line: record.line, field })
            }
        }
    }
}

/// Writes one field, quoted only when it must be.
pub fn write_field(out: &mut (impl Write + ?Sized), text: &str) -> io::Result<()> {
    let needs_quotes = text.is_empty() || text.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !needs_quotes {
        return out.write_all(text.as_bytes());
    }
    out.write_all(b"\"")?;
    let mut rest = text;
    while let Some(at) = rest.find('"') {
        out.write_all(&rest.as_bytes()[..=at])?;
        out.write_all(b"\"")?;
        rest = &rest[at + 1..];
    }
    out.write_all(rest.as_bytes())?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// A record as its line and its fields (text, quoted).
    type Read = (u64, Vec<(String, bool)>);

    fn records(input: &[u8]) -> Result<Vec<Read>, CsvError> {
        let mut reader = CsvReader::new(input);
        let mut record = CsvRecord::default();
        let mut out = Vec::new();
        while reader.read(&mut record)? {
            let fields = (0..record.len()).map(|i| (record.get(i).0.to_string(), record.get(i).1)).collect();
            out.push((record.line(), fields));
        }
        Ok(out)
    }

    fn plain(fields: &[(&str, bool)]) -> Vec<(String, bool)> {
        fields.iter().map(|(t, q)| (t.to_string(), *q)).collect()
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines_and_records_know_their_line() {
        let input = b"a,b\r\n\"x,\"\"y\"\"\nz\",\r\n,\"\"\n\nlast,one";
        let got = records(input).unwrap();
        assert_eq!(
            got,
            vec![
                (1, plain(&[("a", false), ("b", false)])),
                (2, plain(&[("x,\"y\"\nz", true), ("", false)])),
                (4, plain(&[("", false), ("", true)])),
                (6, plain(&[("last", false), ("one", false)])),
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(records(b"\xEF\xBB\xBFid\n1\n").unwrap()[0].1, plain(&[("id", false)]));
    }

    #[rstest]
    #[case(b"a,b\nx,y\"z\n", 2, 1, "a quote inside an unquoted field")]
    #[case(b"a\n\"x\"y\n", 2, 0, "text after the closing quote")]
    #[case(b"a,b\n1,\"open\nstill open\n", 2, 1, "not closed before the end of the file")]
    fn bad_quoting_names_line_and_field(
        #[case] input: &[u8],
        #[case] line: u64,
        #[case] field: usize,
        #[case] problem: &str,
    ) {
        match records(input) {
            Err(CsvError::Syntax { line: l, field: f, problem: p }) => {
                assert_eq!((l, f), (line, field));
                assert!(p.contains(problem), "{p}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[rstest]
    #[case(b"a,b\nok,\xFF\xFE\n", 2, 1)]
    // Each field is cut inside a character although the record as a whole is UTF-8.
    #[case(b"a,b\n\xC3,\xA9\n", 2, 0)]
    fn invalid_utf8_names_line_and_field(#[case] input: &[u8], #[case] line: u64, #[case] field: usize) {
        match records(input) {
            Err(CsvError::Utf8 { line: l, field: f }) => assert_eq!((l, f), (line, field)),
            other => panic!("{other:?}"),
        }
    }

    #[rstest]
    #[case("plain", "plain")]
    #[case("", "\"\"")]
    #[case("a,b", "\"a,b\"")]
    #[case("say \"hi\"", "\"say \"\"hi\"\"\"")]
    #[case("two\nlines", "\"two\nlines\"")]
    #[case("tab\there ünï", "tab\there ünï")]
    fn fields_are_quoted_only_when_they_must_be(#[case] text: &str, #[case] written: &str) {
        let mut out = Vec::new();
        write_field(&mut out, text).unwrap();
        assert_eq!(String::from_utf8(out.clone()).unwrap(), written);
        out.push(b'\n');
        assert_eq!(records(&out).unwrap()[0].1, vec![(text.to_string(), !written.eq(text))]);
    }
}
