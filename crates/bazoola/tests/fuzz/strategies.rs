//! The proptest strategies of cases: file mutations, hostile journals, schema lines,
//! values and operations.

use bazoola::Value;
use proptest::collection::vec;
use proptest::prelude::*;

use crate::directory::FILES;
use crate::input::{Case, Edit, JRecord, JournalSpec, Mutation, Op};
use crate::targets::READS;

const NUMBERS: &[i128] = &[
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    13,
    26,
    99,
    512,
    -1,
    -9,
    99_999_999,
    999_999_999,
    1 << 31,
    1 << 40,
    i64::MAX as i128,
    i64::MAX as i128 + 1,
    u64::MAX as i128,
];

fn patch() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => vec(any::<u8>(), 1..16),
        3 => (prop::sample::select(b"#*\0\n 09-".to_vec()), 1usize..40).prop_map(|(b, n)| vec![b; n]),
        3 => prop::sample::select(NUMBERS).prop_map(|n| format!("{n:<9}").into_bytes()),
        1 => prop::sample::select(NUMBERS).prop_map(|n| n.to_string().into_bytes()),
        1 => "[0-9]{1,30}".prop_map(String::into_bytes),
        1 => "[ -~]{1,20}".prop_map(String::into_bytes),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<u32>(), any::<u8>()).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        5 => (any::<u32>(), patch()).prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        4 => (any::<u32>(), patch()).prop_map(|(index, bytes)| Mutation::OverwriteSlot { index, bytes }),
        2 => any::<u32>().prop_map(|to| Mutation::Truncate { to }),
        2 => patch().prop_map(|bytes| Mutation::Extend { bytes }),
        1 => prop_oneof![vec(any::<u8>(), 0..120), patch()].prop_map(|bytes| Mutation::Replace { bytes }),
        1 => Just(Mutation::Remove),
    ]
}

fn journal_name() -> impl Strategy<Value = Vec<u8>> {
    let mut names: Vec<Vec<u8>> = FILES.iter().map(|f| f.as_bytes().to_vec()).collect();
    names.extend(
        [
            "../x",
            "x",
            "",
            ".",
            "..",
            "/tmp/bazoola-fuzz-x",
            "sub/x",
            ".lock",
            "authors.text.dat",
            "books.dat\0",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec()),
    );
    names.push(vec![0xff, 0xfe]);
    names.push(vec![b'a'; 300]);
    prop_oneof![
        4 => prop::sample::select(FILES.iter().map(|f| f.as_bytes().to_vec()).collect::<Vec<_>>()),
        2 => prop::sample::select(names),
    ]
}

fn journal_number() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..300,
        1 => prop::sample::select(vec![
            1u64 << 31,
            (1 << 32) + 5,
            1 << 40,
            1 << 50,
            1 << 62,
            i64::MAX as u64,
            u64::MAX,
            u64::MAX - 3,
        ]),
    ]
}

fn journal_record() -> impl Strategy<Value = JRecord> {
    prop_oneof![
        3 => (journal_name(), journal_number()).prop_map(|(name, len)| JRecord::Length { name, len }),
        3 => (
            journal_name(),
            journal_number(),
            prop_oneof![vec(any::<u8>(), 0..40), patch()],
            prop::option::weighted(0.15, prop_oneof![Just(u32::MAX), Just(1 << 30), 0u32..64]),
        )
            .prop_map(|(name, offset, data, data_len)| JRecord::Bytes { name, offset, data, data_len }),
        1 => vec(any::<u8>(), 0..24).prop_map(JRecord::Raw),
    ]
}

fn journal_spec() -> impl Strategy<Value = JournalSpec> {
    (
        any::<u64>(),
        prop::option::weighted(
            0.3,
            prop_oneof![
                prop::sample::select(vec![0u64, 1, 31, 1 << 32, 1 << 40, 1 << 50, 1 << 62, u64::MAX]),
                0u64..200,
            ],
        ),
        vec(journal_record(), 0..5),
        prop_oneof![4 => Just(Vec::new()), 1 => vec(any::<u8>(), 0..40)],
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(nonce, body_len, records, tail, bad_header_crc, stale_body)| JournalSpec {
            nonce,
            body_len,
            records,
            tail,
            bad_header_crc,
            stale_body,
        })
}

fn schema_line() -> impl Strategy<Value = String> {
    let size = prop_oneof![
        3 => prop::sample::select(vec!["", "(0)", "(1)", "(6)", "(9)", "(20)", "(-1)", "()", "(x)"]).prop_map(String::from),
        2 => prop::sample::select(NUMBERS).prop_map(|n| format!("({n})")),
    ];
    let ty = prop_oneof![
        prop::sample::select(vec!["PK", "INT", "CHAR", "TEXT", "FLOAT"]).prop_map(String::from),
        prop::sample::select(vec!["authors", "books", "nope", ""]).prop_map(|t| format!("FK({t})")),
    ];
    (
        prop::sample::select(vec!["id", "name", "title", "author_id", "year", "blurb", "x", "", "a b"]),
        ty,
        size,
        prop::sample::select(vec!["", " NULL", " NULL NULL"]),
        prop::sample::select(vec![
            "",
            " ON DELETE CASCADE",
            " ON DELETE SET NULL",
            " ON DELETE NO ACTION",
            " ON DELETE",
        ]),
    )
        .prop_map(|(name, ty, size, null, rule)| {
            let ty = if ty.starts_with("FK") { ty } else { format!("{ty}{size}") };
            format!("{name} {ty}{null}{rule}")
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (0..FILES.len(), mutation()).prop_map(|(file, mutation)| Edit::File { file, mutation }),
        1 => journal_spec().prop_map(Edit::Journal),
        1 => (any::<bool>(), any::<u8>(), schema_line()).prop_map(|(books, line, text)| Edit::SchemaLine { books, line, text }),
    ]
}

const IDS: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 0, -1, 999_999_999, 1_000_000_000, 1 << 40, i64::MAX, i64::MIN];

fn id() -> impl Strategy<Value = i64> {
    prop_oneof![6 => 1i64..8, 1 => prop::sample::select(IDS)]
}

fn text_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => "[a-zA-Z #*]{0,9}".prop_map(Value::from),
        1 => prop::sample::select(vec!["", "\0x", "a\0", "a\nb", "########", "********", "ü€", "  x  ", "123456789012"])
            .prop_map(Value::from),
        1 => "\\PC{0,12}".prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::from),
    ]
}

fn int_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::sample::select(vec![1i64, 2, 3, 4, 1999, 0, -999, 9999, 10_000, -1000]).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => Just(Value::from("12")),
    ]
}

fn values(table: &'static str) -> BoxedStrategy<Vec<(String, Value)>> {
    let fields: Vec<(&'static str, BoxedStrategy<Value>)> = match table {
        "authors" => vec![("name", text_value().boxed())],
        _ => vec![
            ("title", text_value().boxed()),
            ("author_id", prop_oneof![4 => id().prop_map(Value::from), 1 => Just(Value::Null)].boxed()),
            ("year", int_value().boxed()),
            ("blurb", prop_oneof![text_value(), "[a-z#*\n]{20,300}".prop_map(Value::from)].boxed()),
        ],
    };
    let per_field: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(name, value)| {
            prop::option::weighted(0.8, value.prop_map(move |v| (name.to_string(), v))).boxed()
        })
        .collect();
    (
        per_field,
        prop::option::weighted(0.1, id().prop_map(|id| ("id".to_string(), Value::from(id)))),
        prop::option::weighted(0.03, Just(("nope".to_string(), Value::from(1)))),
    )
        .prop_map(|(fields, id, bogus)| {
            id.into_iter().chain(fields.into_iter().flatten()).chain(bogus).collect()
        })
        .boxed()
}

fn table() -> impl Strategy<Value = &'static str> {
    prop_oneof![5 => Just("authors"), 8 => Just("books"), 1 => Just("nope")]
}

fn leaf_op() -> impl Strategy<Value = Op> {
    let insert = table()
        .prop_flat_map(|t| values(t).prop_map(move |values| Op::Insert { table: t.to_string(), values }));
    let update = (table(), id()).prop_flat_map(|(t, id)| {
        values(t).prop_map(move |values| Op::Update { table: t.to_string(), id, values })
    });
    prop_oneof![
        5 => insert,
        4 => update,
        3 => (table(), id()).prop_map(|(t, id)| Op::Delete { table: t.to_string(), id }),
        1 => (table(), any::<bool>()).prop_map(|(t, cascade)| Op::Truncate { table: t.to_string(), cascade }),
        2 => (0..READS).prop_map(Op::Read),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => leaf_op(),
        1 => (vec(leaf_op(), 1..6), prop::bool::weighted(0.7)).prop_map(|(ops, commit)| Op::Txn { ops, commit }),
    ]
}

pub(crate) fn case(with_ops: bool) -> impl Strategy<Value = Case> {
    let ops = if with_ops { vec(op(), 1..12).boxed() } else { Just(Vec::new()).boxed() };
    (vec(edit(), 1..4), ops).prop_map(|(edits, ops)| Case { edits, ops })
}
