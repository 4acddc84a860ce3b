//! A deterministic random workload of multi-operation transactions (inserts, updates,
//! deletes with cascades, TEXT values, an indexed field and an FK's automatic index),
//! for the crash and power-cut tests: transaction `n` always does the same thing to the
//! same state. Opened with [`small_index_pages`], its transactions split index pages.

use bazoola::{Database, Field, OnDelete, Row, TableSchema, Value};

pub fn schemas() -> Vec<TableSchema> {
    vec![
        TableSchema::new("items")
            .field(Field::char("name", 12))
            .field(Field::text("body").nullable())
            .field(Field::int("n").nullable().indexed()),
        TableSchema::new("tags")
            .field(Field::fk("item_id", "items").on_delete(OnDelete::Cascade))
            .field(Field::char("label", 8)),
    ]
}

/// Index pages so small (256 bytes: 14 INT entries a leaf) that the workload splits
/// them, and crash and fault tests land in the middle of splits.
pub const SMALL_INDEX_PAGES: u32 = 256;

/// Options with [`SMALL_INDEX_PAGES`].
pub fn small_index_pages() -> bazoola::OpenOptions {
    bazoola::OpenOptions::new().index_page_size(SMALL_INDEX_PAGES)
}

/// xorshift64*: enough randomness for choosing operations, seeded per transaction.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn pick(db: &Database, table: &str, rng: &mut Rng) -> bazoola::Result<Option<i64>> {
    let rows = db.find_all(table, &[])?;
    Ok(if rows.is_empty() { None } else { Some(rows[rng.below(rows.len() as u64) as usize].id()) })
}

fn body(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => Value::Null,
        _ => Value::Text("xyz#*\n".repeat(rng.below(60) as usize)),
    }
}

/// Runs transaction `n`.
pub fn run_txn(db: &Database, n: u64) -> bazoola::Result<()> {
    db.transaction(|db| {
        let mut rng = Rng::new(n);
        for k in 0..1 + rng.below(4) {
            match rng.below(10) {
                0..=3 => {
                    let row: [(&str, Value); 3] = [
                        ("name", format!("i{n}.{k}").into()),
                        ("body", body(&mut rng)),
                        ("n", (rng.below(1000) as i64).into()),
                    ];
                    db.insert("items", row)?;
                }
                4..=5 => {
                    if let Some(item) = pick(db, "items", &mut rng)? {
                        db.insert(
                            "tags",
                            [("item_id", Value::Int(item)), ("label", format!("t{}", rng.below(999)).into())],
                        )?;
                    }
                }
                6..=8 => {
                    if let Some(item) = pick(db, "items", &mut rng)? {
                        db.update_by_id(
                            "items",
                            item,
                            [("body", body(&mut rng)), ("n", Value::Int(n as i64))],
                        )?;
                    }
                }
                _ => {
                    if let Some(item) = pick(db, "items", &mut rng)? {
                        db.delete_by_id("items", item)?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// Every table's rows in file order.
pub fn state(db: &Database) -> Vec<Vec<Row>> {
    ["items", "tags"].iter().map(|t| db.find_all(t, &[]).expect("read state")).collect()
}
