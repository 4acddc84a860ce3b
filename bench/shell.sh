#!/usr/bin/env bash
# The shell against sqlite3, whole commands timed with /usr/bin/time (wall seconds and
# peak RSS, the median of RUNS runs; the functions and the data are bench/transfer.sh's):
#
#   1. a script of 10,000 INSERT statements, one a line, each its own transaction, into
#      books (FK to 10,000 authors already in): `bazoola DIR < script.sql` vs
#      `sqlite3 db < script.sql`, sqlite3 as it comes (rollback journal, synchronous=FULL:
#      an fsync per commit) and at our durability level (WAL, synchronous=NORMAL, and
#      foreign_keys=ON so that it checks the FK as we do);
#   2. `SELECT … ORDER BY year DESC LIMIT 10` and `… ORDER BY title LIMIT 10` on 1,000,000
#      books, `bazoola DIR "…"` vs `sqlite3 db "…"`, without and with an index on the
#      ordering field.
#
# The SPEC §7 read phases through SQL (`bazoola_cli::Session`) against the Rust API are
# in the harness: `cargo run --release -p bazoola-bench -- 20000` (engine bazoola-sql).
#
#   bench/shell.sh
#   BIG=100000 RUNS=3 bench/shell.sh
set -euo pipefail
RUNS="${RUNS:-5}"
BIG="${BIG:-1000000}"
PARTS="${PARTS:-inserts order}"
# A query takes milliseconds and /usr/bin/time counts hundredths: each ORDER BY run is
# LOOP commands in a row, and the time shown is one command's (the run's / LOOP).
LOOP="${LOOP:-20}"
# shellcheck source=bench/transfer.sh
source "$(dirname "$0")/transfer.sh"

echo "Wall seconds and peak RSS (MiB), median of $RUNS runs; ratio = theirs / ours"
echo "(≥ 1× means ours is at least as fast)"
echo
echo "| command | bazoola s | sqlite3 s | ratio | bazoola MiB | sqlite3 MiB |"
echo "|---|---:|---:|---:|---:|---:|"

# 1. 10,000 autocommitted INSERTs.
if [[ " $PARTS " == *" inserts "* ]]; then
gen 10000
base 10000
python3 - "$DATA" <<'PY'
import sys
d = sys.argv[1]
rows = [l.rstrip("\n").split(",") for l in open(f"{d}/books_10000.csv")][1:]
lines = [f"INSERT INTO books (title, author_id, year) VALUES ('{t}', {a}, {y or 'NULL'});\n" for t, a, y in rows]
open(f"{d}/inserts.sql", "w").writelines(lines)
open(f"{d}/inserts_wal.sql", "w").writelines(["PRAGMA synchronous=NORMAL;\n", "PRAGMA foreign_keys=ON;\n"] + lines)
PY
cp "$DATA/base_10000.db" "$DATA/base_10000_wal.db"
sqlite3 "$DATA/base_10000_wal.db" "PRAGMA journal_mode=WAL" >/dev/null
B="$DATA/ins" S="$DATA/ins.db"
ours=$(measure "rm -rf $B; cp -r $DATA/base_10000 $B" "$BAZOOLA $B < $DATA/inserts.sql")
theirs=$(measure "rm -f $S*; cp $DATA/base_10000_wal.db $S" "sqlite3 $S < $DATA/inserts_wal.sql")
row "10,000 INSERTs, autocommit (sqlite3: WAL, synchronous=NORMAL, foreign_keys=ON)" "$ours" "$theirs"
theirs=$(measure "rm -f $S*; cp $DATA/base_10000.db $S" "sqlite3 $S < $DATA/inserts.sql")
row "10,000 INSERTs, autocommit (sqlite3 as it comes: DELETE journal, synchronous=FULL)" "$ours" "$theirs"
fi
[[ " $PARTS " == *" order "* ]] || exit 0

# 2. ORDER BY … LIMIT 10 on BIG books.
gen "$BIG"
base "$BIG"
B="$DATA/order_$BIG" S="$DATA/order_$BIG.db"
if [ ! -d "$B" ]; then
    cp -r "$DATA/base_$BIG" "$B"
    "$BAZOOLA" "$B" ".import $DATA/books_$BIG.csv books"
    cp -r "$B" "$B-idx"
    "$BAZOOLA" "$B-idx" "CREATE INDEX books_year ON books(year); CREATE INDEX books_title ON books(title)"
fi
if [ ! -f "$S" ]; then
    cp "$DATA/base_$BIG.db" "$S"
    # sqlite3's .import reads an empty field as '', not NULL.
    sqlite3 "$S" ".import --csv --skip 1 $DATA/books_$BIG.csv books" "UPDATE books SET year = NULL WHERE year = ''"
    cp "$S" "${S%.db}-idx.db"
    sqlite3 "${S%.db}-idx.db" "CREATE INDEX books_year ON books(year); CREATE INDEX books_title ON books(title)"
fi
per_command() { awk -v l="$LOOP" '{ printf "%.4f %s\n", $1 / l, $2 }' <<<"$1"; }
for order in "year DESC" "title"; do
    for idx in "" "-idx"; do
        q="ORDER BY $order LIMIT 10"
        ours=$(measure ":" "for i in \$(seq $LOOP); do $BAZOOLA $B$idx 'SELECT id, title, author_id, year FROM books $q'; done")
        theirs=$(measure ":" "for i in \$(seq $LOOP); do sqlite3 ${S%.db}$idx.db 'SELECT rowid AS id, title, author_id, year FROM books $q'; done")
        ours=$(per_command "$ours") theirs=$(per_command "$theirs")
        label="$q, $BIG books, $([ -n "$idx" ] && echo "indexed" || echo "no index")"
        row "$label" "$ours" "$theirs"
    done
done
for idx in "" "-idx"; do
    for q in "year DESC" "title"; do
        a=$("$BAZOOLA" "$B$idx" "SELECT id, title, author_id, year FROM books ORDER BY $q, id LIMIT 10" | md5sum)
        b=$(sqlite3 "${S%.db}$idx.db" "SELECT rowid, title, author_id, year FROM books ORDER BY $q, rowid LIMIT 10" | md5sum)
        [ "$a" = "$b" ] || echo "(ORDER BY $q$idx: the two give different rows)"
    done
done
