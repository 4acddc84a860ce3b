//! JSON inputs, one object at a time: a JSON array of objects is walked element by
//! element as serde_json parses it (never held whole), NDJSON line by line. Anything
//! else — a top-level value that is not an array, an element or line that is not an
//! object, a syntax error, bytes that are not UTF-8 — is an error naming the element
//! or line. An object's keys keep their order (a schema inferred from them does too);
//! a key given twice counts once, with its last value.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::de::{self, SeqAccess, Visitor};
use serde_json::Value as Json;

use super::error::{Place, Result, TransferError};

/// An object's members, in the order the file gives them.
pub type Object = Vec<(String, Json)>;

/// What a visitor does with each object; an error stops the walk.
pub type Visit<'v> = dyn FnMut(Place, Object) -> Result<()> + 'v;

fn malformed(path: &Path, place: Place, problem: impl Into<String>) -> TransferError {
    TransferError::Malformed { path: path.to_path_buf(), place, field: None, problem: problem.into() }
}

/// The kind of a JSON value, for messages.
pub fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// A serde_json syntax error as a place (its line) and a message (with its column).
fn syntax(path: &Path, e: &serde_json::Error) -> TransferError {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => &message,
    };
    malformed(path, Place::Line(e.line() as u64), format!("{message} (column {})", e.column()))
}

/// Walks the objects of a JSON array in `input`.
pub fn read_array(path: &Path, mut input: impl BufRead, visit: &mut Visit<'_>) -> Result<()> {
    let first = loop {
        let buf = input.fill_buf().map_err(TransferError::io(path, "read"))?;
        let Some(&b) = buf.first() else { break None };
        if b.is_ascii_whitespace() {
            input.consume(1);
        } else if buf.starts_with(b"\xEF\xBB\xBF") {
            input.consume(3);
        } else {
            break Some(b);
        }
    };
    match first {
        Some(b'[') => {}
        Some(b'{') => {
            return Err(malformed(
                path,
                Place::Line(1),
                "not a JSON array of objects: the file holds an object (for one object per line, use the ndjson format or the .ndjson extension)",
            ))
        }
        Some(_) => return Err(malformed(path, Place::Line(1), "not a JSON array of objects")),
        None => return Err(malformed(path, Place::Line(1), "not a JSON array of objects: the file is empty")),
    }
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_reader(input);
    let walked = de::Deserializer::deserialize_seq(&mut de, Elements { path, visit, stopped: &mut stopped });
    if let Some(e) = stopped {
        return Err(e);
    }
    walked.map_err(|e| syntax(path, &e))?;
    de.end().map_err(|e| syntax(path, &e))
}

/// The serde visitor of the array: hands each element to `visit`. An error of `visit`
/// is kept in `stopped` (serde can only carry its own error type out).
struct Elements<'a, 'v> {
    path: &'a Path,
    visit: &'a mut Visit<'v>,
    stopped: &'a mut Option<TransferError>,
}

impl<'de> Visitor<'de> for Elements<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(value) = seq.next_element::<Top>()? {
            let place = Place::Element(index);
            let outcome = match value {
                Top::Object(object) => (self.visit)(place, object),
                Top::Other(kind) => Err(malformed(self.path, place, format!("not an object but {kind}"))),
            };
            if let Err(e) = outcome {
                *self.stopped = Some(e);
                return Err(de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }
}

/// One element or line: an object with its members in order, or what else it is.
enum Top {
    Object(Object),
    Other(&'static str),
}

impl<'de> de::Deserialize<'de> for Top {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Top, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Top, A::Error> {
        let mut members: Object = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(member) => member.1 = value,
                None => members.push((key, value)),
            }
        }
        Ok(Top::Object(members))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Top, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Top, E> {
        Ok(Top::Other("null"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Top, E> {
        Ok(Top::Other("a string"))
    }
}

/// Walks the objects of an NDJSON input, one a line; blank lines are skipped.
pub fn read_lines(path: &Path, mut input: impl BufRead, visit: &mut Visit<'_>) -> Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(TransferError::io(path, "read"))? == 0 {
            return Ok(());
        }
        number += 1;
        let place = Place::Line(number);
        let mut text = line.as_slice();
        if number == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        let text = std::str::from_utf8(text).map_err(|_| malformed(path, place, "not valid UTF-8"))?;
        if text.trim().is_empty() {
            continue;
        }
        let value: Top = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = message.rfind(" at line ").map_or(message.as_str(), |at| &message[..at]);
            malformed(path, place, format!("{message} (column {})", e.column()))
        })?;
        match value {
            Top::Object(object) => visit(place, object)?,
            Top::Other(kind) => return Err(malformed(path, place, format!("not an object but {kind}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk_array(input: &str) -> Result<Vec<(Place, Object)>> {
        let mut seen = Vec::new();
        read_array(Path::new("t.json"), input.as_bytes(), &mut |place, object| {
            seen.push((place, object));
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn array_elements_come_with_their_index() {
        let seen = walk_array(" [ {\"a\": 1}, {\"a\": null, \"b\": \"x\"} ] \n").unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].0, Place::Element(1));
        assert_eq!(seen[1].1, vec![("a".to_string(), Json::Null), ("b".to_string(), Json::from("x"))]);
        assert!(walk_array("[]").unwrap().is_empty());
    }

    #[test]
    fn what_is_not_an_array_of_objects_is_named() {
        let message = |input: &str| walk_array(input).unwrap_err().to_string();
        assert!(
            message("{\"a\": 1}").contains("line 1: not a JSON array of objects: the file holds an object")
        );
        assert!(message("[{\"a\": 1}, 2]").contains("element 1 of the array: not an object but a number"));
        assert!(
            message("[{\"a\": 1},\n {\"a\": }]").contains("line 2:"),
            "{}",
            message("[{\"a\": 1},\n {\"a\": }]")
        );
        assert!(message("[{\"a\": 1}] trailing").contains("trailing characters"));
        assert!(message("").contains("the file is empty"));
    }

    #[test]
    fn ndjson_lines_are_numbered_and_blank_ones_skipped() {
        let mut seen = Vec::new();
        let input = "{\"a\": 1}\n\n{\"a\": 2}\n";
        read_lines(Path::new("t.ndjson"), input.as_bytes(), &mut |place, _| {
            seen.push(place);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![Place::Line(1), Place::Line(3)]);
        let error =
            read_lines(Path::new("t.ndjson"), &b"{\"a\": 1}\n[1]\n"[..], &mut |_, _| Ok(())).unwrap_err();
        assert!(error.to_string().contains("line 2: not an object but an array"), "{error}");
        let error =
            read_lines(Path::new("t.ndjson"), &b"{\"a\": \"\xFF\"}\n"[..], &mut |_, _| Ok(())).unwrap_err();
        assert!(error.to_string().contains("line 1: not valid UTF-8"), "{error}");
    }
}
