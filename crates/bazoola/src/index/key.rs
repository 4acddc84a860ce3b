//! Index keys: a field's value as bytes whose plain byte order (`memcmp`) is the order
//! conditions compare values in, so the tree never decodes a key to compare it.
//!
//! - INT, FK: `flag | 8 bytes big-endian of (value XOR 2^63)`: flipping the sign bit
//!   makes negative numbers sort before positive ones.
//! - CHAR(n): `flag | the value's bytes, padded with 0x00 to n | length u16 big-endian`.
//!   Comparing the padded bytes, then the length, is exactly the lexicographic order of
//!   the values as read back (trailing ASCII whitespace stripped): a shorter value that
//!   is a prefix of a longer one sorts first, as in conditions and in SQLite.
//!
//! `flag` is 0 for null and 1 for a value, so nulls sort first (and can be found: an
//! index also serves `IS NULL`). An entry is the key followed by the row's slot as 8
//! bytes big-endian: entries are unique even when keys repeat, still sort by `memcmp`,
//! and rows of one key come in slot order — the order ties keep — with no PK-index hop
//! to reach them (a row never moves from its slot).

use crate::format::codec::{get_char, get_int, BadNumber};
use crate::format::schema::FieldType;
use crate::value::Value;

const NULL_FLAG: u8 = 0;
const VALUE_FLAG: u8 = 1;
/// Bytes of a row's slot at the end of an entry.
pub const SLOT_LEN: usize = 8;

/// How a field's values become keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Char { size: usize },
}

impl KeyKind {
    /// The key kind of an indexable field type.
    pub fn of(ty: &FieldType) -> Option<KeyKind> {
        match ty {
            FieldType::Int { .. } | FieldType::Fk { .. } | FieldType::Pk => Some(KeyKind::Int),
            FieldType::Char { size } => Some(KeyKind::Char { size: *size }),
            FieldType::Text => None,
        }
    }

    pub fn key_len(self) -> usize {
        match self {
            KeyKind::Int => 1 + 8,
            KeyKind::Char { size } => 1 + size + 2,
        }
    }

    /// Bytes of an entry: key and id.
    pub fn entry_len(self) -> usize {
        self.key_len() + SLOT_LEN
    }

    /// The key of `value`; `None` when the value cannot be in this index at all (a
    /// string for an INT, an integer for a CHAR, a CHAR value too long).
    pub fn encode(self, value: &Value) -> Option<Vec<u8>> {
        let mut key = vec![0u8; self.key_len()];
        self.encode_into(value, &mut key).then_some(key)
    }

    /// [`encode`](Self::encode) into `key` (`key_len` bytes), for a caller encoding many
    /// keys into one buffer; `false` when the value cannot be in this index.
    pub fn encode_into(self, value: &Value, key: &mut [u8]) -> bool {
        key.fill(0);
        match (self, value) {
            (_, Value::Null) => key[0] = NULL_FLAG,
            (KeyKind::Int, Value::Int(v)) => put_int(key, *v),
            (KeyKind::Char { size }, Value::Text(text)) => {
                let bytes = text.trim_end_matches(|c: char| c.is_ascii_whitespace()).as_bytes();
                if bytes.len() > size {
                    return false;
                }
                put_char(key, size, bytes);
            }
            _ => return false,
        }
        true
    }

    /// The key of a field's raw slot in a row, without decoding the row.
    pub fn encode_slot(self, slot: &[u8], key: &mut [u8]) -> Result<(), BadNumber> {
        key.fill(0);
        match self {
            KeyKind::Int => match get_int(slot)? {
                None => key[0] = NULL_FLAG,
                Some(v) => put_int(key, v),
            },
            KeyKind::Char { size } => match get_char(slot) {
                None => key[0] = NULL_FLAG,
                Some(bytes) => put_char(key, size, bytes),
            },
        }
        Ok(())
    }

    /// The value a key holds.
    pub fn decode(self, key: &[u8]) -> Value {
        if key[0] == NULL_FLAG {
            return Value::Null;
        }
        match self {
            KeyKind::Int => {
                let raw = u64::from_be_bytes(key[1..9].try_into().unwrap_or_default());
                Value::Int((raw ^ (1 << 63)) as i64)
            }
            KeyKind::Char { size } => {
                let len = u16::from_be_bytes([key[1 + size], key[2 + size]]) as usize;
                Value::Text(String::from_utf8_lossy(&key[1..1 + len.min(size)]).into_owned())
            }
        }
    }
}

fn put_int(key: &mut [u8], v: i64) {
    key[0] = VALUE_FLAG;
    key[1..9].copy_from_slice(&((v as u64) ^ (1 << 63)).to_be_bytes());
}

fn put_char(key: &mut [u8], size: usize, bytes: &[u8]) {
    key[0] = VALUE_FLAG;
    key[1..1 + bytes.len()].copy_from_slice(bytes);
    key[1 + size..3 + size].copy_from_slice(&(bytes.len() as u16).to_be_bytes());
}

/// An entry: `key` followed by `slot`.
pub fn entry(key: &[u8], slot: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + SLOT_LEN);
    out.extend_from_slice(key);
    out.extend_from_slice(&slot.to_be_bytes());
    out
}

/// The slot at the end of an entry.
pub fn entry_slot(entry: &[u8]) -> u64 {
    let at = entry.len() - SLOT_LEN;
    u64::from_be_bytes(entry[at..].try_into().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn int_keys_sort_like_the_numbers(a: i64, b: i64) {
            let (ka, kb) = (KeyKind::Int.encode(&a.into()).unwrap(), KeyKind::Int.encode(&b.into()).unwrap());
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(KeyKind::Int.decode(&ka), Value::Int(a));
        }

        #[test]
        fn char_keys_sort_like_the_strings(a in "[a-c\\x00 é]{0,6}", b in "[a-c\\x00 é]{0,6}") {
            let kind = KeyKind::Char { size: 12 };
            let (ka, kb) = (kind.encode(&a.clone().into()).unwrap(), kind.encode(&b.clone().into()).unwrap());
            let (ta, tb) = (a.trim_end_matches(' '), b.trim_end_matches(' '));
            prop_assert_eq!(ka.cmp(&kb), ta.as_bytes().cmp(tb.as_bytes()));
            prop_assert_eq!(kind.decode(&ka), Value::from(ta));
        }
    }

    #[test]
    fn nulls_sort_first_and_a_slot_encodes_like_its_value() {
        let kind = KeyKind::Char { size: 5 };
        let null = kind.encode(&Value::Null).unwrap();
        let empty = kind.encode(&Value::from("")).unwrap();
        assert!(null < empty);
        let mut from_slot = vec![0; kind.key_len()];
        kind.encode_slot(b"ab   ", &mut from_slot).unwrap();
        assert_eq!(from_slot, kind.encode(&Value::from("ab")).unwrap());
        kind.encode_slot(b"\0\0\0\0\0", &mut from_slot).unwrap();
        assert_eq!(from_slot, null);
        assert_eq!(KeyKind::Int.encode(&Value::from("x")), None);
        assert_eq!(kind.encode(&Value::from("toolong")), None);
    }
}
