//! The corpus form of a case (`tests/fuzz-corpus/NAME/`): operations and values as text
//! (`ops.txt`), saving and loading cases, and listing the corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bazoola::Value;

use crate::directory::{base, read_dir_files};
use crate::input::{Input, Op};
use crate::targets::READS;

fn encode_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Int(n) => format!("i:{n}"),
        Value::Text(s) => {
            let mut out = String::from("s:");
            for &b in s.as_bytes() {
                if b.is_ascii_alphanumeric() || b"_.-".contains(&b) {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }
        other => panic!("not an input value: {other:?}"),
    }
}

fn decode_value(text: &str) -> Result<Value, String> {
    if text == "null" {
        return Ok(Value::Null);
    }
    if let Some(n) = text.strip_prefix("i:") {
        return n.parse().map(Value::Int).map_err(|e| format!("{text}: {e}"));
    }
    let s = text.strip_prefix("s:").ok_or_else(|| format!("bad value {text}"))?;
    let mut bytes = Vec::new();
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let hex = std::str::from_utf8(tail.get(..2).ok_or("short %")?).map_err(|e| e.to_string())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).map(Value::Text).map_err(|e| e.to_string())
}

pub(crate) fn render_ops(ops: &[Op]) -> String {
    let fields = |values: &[(String, Value)]| {
        values.iter().map(|(k, v)| format!(" {k}={}", encode_value(v))).collect::<String>()
    };
    let mut out = String::new();
    for op in ops {
        match op {
            Op::Insert { table, values } => out.push_str(&format!("insert {table}{}\n", fields(values))),
            Op::Update { table, id, values } => {
                out.push_str(&format!("update {table} {id}{}\n", fields(values)))
            }
            Op::Delete { table, id } => out.push_str(&format!("delete {table} {id}\n")),
            Op::Truncate { table, cascade } => {
                out.push_str(&format!("truncate {table} {}\n", if *cascade { "cascade" } else { "restrict" }))
            }
            Op::Read(k) => out.push_str(&format!("read {k}\n")),
            Op::Txn { ops, commit } => {
                out.push_str("begin\n");
                out.push_str(&render_ops(ops));
                out.push_str(if *commit { "end commit\n" } else { "end rollback\n" });
            }
        }
    }
    out
}

/// Parses `ops.txt`: one operation a line; `#` starts a comment line.
///
/// ```text
/// insert TABLE [FIELD=VALUE]...        VALUE: null | i:INTEGER | s:PERCENT-ENCODED-UTF8
/// update TABLE ID [FIELD=VALUE]...
/// delete TABLE ID
/// truncate TABLE cascade|restrict
/// read K                               (K < READS: which read, see run_read)
/// begin / end commit|rollback          (a transaction around the lines between)
/// ```
pub(crate) fn parse_ops(text: &str) -> Result<Vec<Op>, String> {
    let mut stack: Vec<Vec<Op>> = vec![Vec::new()];
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let values = |words: &[&str]| -> Result<Vec<(String, Value)>, String> {
            words
                .iter()
                .map(|w| {
                    let (k, v) = w.split_once('=').ok_or_else(|| format!("bad field {w}"))?;
                    Ok((k.to_string(), decode_value(v)?))
                })
                .collect()
        };
        let int = |w: Option<&&str>| -> Result<i64, String> {
            w.ok_or_else(|| format!("{line}: missing id"))?.parse().map_err(|e| format!("{line}: {e}"))
        };
        let table = || words.get(1).map(|t| t.to_string()).ok_or_else(|| format!("{line}: missing table"));
        let op = match words[0] {
            "insert" => Op::Insert { table: table()?, values: values(&words[2..])? },
            "update" => Op::Update { table: table()?, id: int(words.get(2))?, values: values(&words[3..])? },
            "delete" => Op::Delete { table: table()?, id: int(words.get(2))? },
            "truncate" => Op::Truncate { table: table()?, cascade: words.get(2) == Some(&"cascade") },
            "read" => Op::Read(int(words.get(1))? as usize % READS),
            "begin" => {
                stack.push(Vec::new());
                continue;
            }
            "end" => {
                let ops = stack.pop().filter(|_| !stack.is_empty()).ok_or("end without begin")?;
                Op::Txn { ops, commit: words.get(1) == Some(&"commit") }
            }
            other => return Err(format!("unknown operation {other}")),
        };
        stack.last_mut().expect("a level").push(op);
    }
    match stack.len() {
        1 => Ok(stack.pop().unwrap()),
        _ => Err("begin without end".into()),
    }
}

// ---------------------------------------------------------------------------------------
// The corpus.

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus")
}

/// Writes `input` in corpus form: the files that differ from the built directory.
pub(crate) fn save_case(input: &Input, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("create case dir");
    let base = base();
    for (name, content) in &input.files {
        match content {
            Some(bytes) if base.get(name) != Some(bytes) => {
                std::fs::write(to.join(name), bytes).expect("write")
            }
            None if base.contains_key(name) => {
                std::fs::write(to.join(format!("{name}.removed")), "").expect("write")
            }
            _ => {}
        }
    }
    if !input.ops.is_empty() {
        std::fs::write(to.join("ops.txt"), render_ops(&input.ops)).expect("write ops");
    }
}

pub(crate) fn load_case(dir: &Path) -> Result<Input, String> {
    let mut files: BTreeMap<String, Option<Vec<u8>>> =
        base().iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    let mut ops = Vec::new();
    for (name, bytes) in read_dir_files(dir) {
        if name == "about.txt" {
            continue;
        } else if name == "ops.txt" {
            ops = parse_ops(&String::from_utf8(bytes).map_err(|e| e.to_string())?)?;
        } else if let Some(removed) = name.strip_suffix(".removed") {
            files.insert(removed.to_string(), None);
        } else {
            files.insert(name, Some(bytes));
        }
    }
    Ok(Input { files, ops })
}

pub(crate) fn corpus() -> Vec<(String, Input)> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/fuzz-corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let input = load_case(&p).unwrap_or_else(|e| panic!("corpus entry {name}: {e}"));
            (name, input)
        })
        .collect()
}
